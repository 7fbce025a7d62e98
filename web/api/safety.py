"""/api/v1/clients/{client_id}/safety-plans: every version of the client's safety plan (the care team only)."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from polymodal.core.access import Actor
from polymodal.core.interop import records
from polymodal.core.practice import Practice
from polymodal.web.api._shared import listing
from polymodal.web.api.schemas import SafetyPlanList


class SafetyPlansApi(Controller):
    path = "/clients/{client_id:uuid}/safety-plans"
    tags = ["safety plans"]

    @get("/", opt={"action": "clinical.read"}, sync_to_thread=True)
    def versions(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 client_id: FromPath[uuid.UUID]) -> SafetyPlanList:
        """Every version, newest first; the steps keyed as in the safety-planning intervention (docs/safety.md)."""
        with practice.work(actor, write=False) as work:
            return listing(records.safety_plans_of(work, client_id))
