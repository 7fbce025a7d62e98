"""/api/v1: a client's cases (episodes of care) and one case with its goals."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from polymodal.core.access import Actor
from polymodal.core.interop import records
from polymodal.core.practice import Practice
from polymodal.web.api._shared import listing
from polymodal.web.api.schemas import CaseList, CaseOut


class CasesApi(Controller):
    path = "/"
    tags = ["cases"]

    @get("/clients/{client_id:uuid}/cases", opt={"action": "client.read"}, sync_to_thread=True)
    def cases_of_client(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                        client_id: FromPath[uuid.UUID]) -> CaseList:
        with practice.work(actor, write=False) as work:
            return listing(records.cases_of(work, client_id))

    @get("/cases/{case_id:uuid}", opt={"action": "client.read"}, sync_to_thread=True)
    def get_case(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 case_id: FromPath[uuid.UUID]) -> CaseOut:
        """A case, its clients and practitioners, and the goals it works toward."""
        with practice.work(actor, write=False) as work:
            return records.case(work, case_id)
