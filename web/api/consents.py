"""/api/v1/clients/{client_id}/consents: the client's consent records."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from polymodal.core.access import Actor
from polymodal.core.interop import records
from polymodal.core.practice import Practice
from polymodal.web.api._shared import listing
from polymodal.web.api.schemas import ConsentList, ConsentOut


class ConsentsApi(Controller):
    path = "/clients/{client_id:uuid}/consents"
    tags = ["consents"]

    @get("/", opt={"action": "consent.status"}, sync_to_thread=True)
    def consents(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 client_id: FromPath[uuid.UUID]) -> ConsentList:
        with practice.work(actor, write=False) as work:
            return listing(records.consents_of(work, client_id))

    @get("/{consent_id:uuid}", opt={"action": "consent.read"}, sync_to_thread=True)
    def consent(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                client_id: FromPath[uuid.UUID], consent_id: FromPath[uuid.UUID]) -> ConsentOut:
        """One signature, with its scope (body-region choices) and the signed text's hash."""
        with practice.work(actor, write=False) as work:
            return records.one_consent(work, client_id, consent_id)
