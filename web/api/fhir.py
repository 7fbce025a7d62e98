"""/api/v1/clients/{client_id}/fhir: one client's record as a FHIR R5 Bundle (the right of access)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from polymodal.core.access import Actor
from polymodal.core.interop import fhir_export
from polymodal.core.practice import Practice
from polymodal.web.threads import on_long_thread


class FhirApi(Controller):
    path = "/clients/{client_id:uuid}/fhir"
    tags = ["fhir"]

    @get("/", opt={"action": "record.export"}, media_type="application/fhir+json")
    @on_long_thread
    def bundle(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        """A ``collection`` Bundle: Patient, guardians, cases, sessions, consents, answers, scores, signed notes."""
        with practice.work(actor, write=False) as work:
            return fhir_export.client_bundle(work, client_id)
