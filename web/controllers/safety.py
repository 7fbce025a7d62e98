"""The client's safety plan, on the Eligibility tab beside the risk it answers.

Writing goes through ``polymodal.core.safety.plans`` (access, versions, audit). A plan that does not
validate, or that someone revised meanwhile, comes back with every step as typed and the field named.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest

from polymodal.core.access import Actor
from polymodal.core.errors import Conflict, ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.safety import crisis, plans
from polymodal.core.timeutil import to_local
from polymodal.web.controllers._shared import AnyForm, go, one

PLAN_FIELDS = (*plans.STEP_KEYS, "change_note", "reviewed_on")


def plan_context(work: Work, client_id: uuid.UUID, can_write: bool) -> dict[str, Any]:
    """The plan's versions (newest first) and the form's starting values: the current text, to revise."""
    tz = work.center.timezone
    versions = [{"id": row.SafetyPlan.id, "version": row.SafetyPlan.version, "author": row.author,
                 "written": f"{to_local(row.SafetyPlan.written_at, tz):%d %b %Y %H:%M}",
                 "reviewed_on": f"{row.SafetyPlan.reviewed_on:%d %b %Y}", "change_note": row.SafetyPlan.change_note,
                 "steps": [(s, getattr(row.SafetyPlan, s.key)) for s in plans.STEPS]}
                for row in plans.history(work, client_id)]
    latest = versions[0] if versions else None
    if latest:
        values = {s.key: text for s, text in latest["steps"]}
    else:  # a first plan starts from the center's crisis line, which step 5 always names
        values = {"professionals": crisis.text_for(work)} if can_write else {}
    return {"plan_versions": versions, "plan_current": latest, "plan_steps": plans.STEPS,
            "plan_values": {**values, "reviewed_on": work.now.date().isoformat()},
            "plan_based_on": latest["version"] if latest else 0, "plan_errors": {}, "plan_message": ""}


class SafetyPlanController(Controller):
    path = "/clients/{client_id:uuid}/safety-plan"

    @post("/", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def write(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
              client_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        # Read generously: an over-long step is refused by the service with its length, never cut silently.
        values = {name: one(data, name, plans.MAX_STEP * 4) for name in PLAN_FIELDS}
        based_on = one(data, "based_on", 10)
        try:
            with practice.work(actor) as work:
                plans.write(work, client_id, values, based_on=int(based_on) if based_on.isdigit() else 0)
        except ValidationFailed as exc:
            return self._again(request, practice, actor, client_id, values, based_on, 422, errors=exc.errors)
        except Conflict as exc:
            return self._again(request, practice, actor, client_id, values, based_on, 409, message=str(exc))
        return go(request, f"/clients/{client_id}/eligibility#safety-plan")

    @staticmethod
    def _again(request: HTMXRequest, practice: Practice, actor: Actor, client_id: uuid.UUID,
               values: dict[str, str], based_on: str, status_code: int, *, errors: dict[str, str] | None = None,
               message: str = "") -> Response:
        from polymodal.web.controllers.eligibility import EligibilityController

        # The form keeps what was typed; on a conflict it aims at the version now current.
        return EligibilityController.tab_page(
            request, practice, actor, client_id, status_code, plan_values=values, plan_errors=errors or {},
            plan_message=message, **({} if message else {"plan_based_on": based_on}))
