"""Eligibility records from the client and session pages: clearances, risk acknowledgements, re-screen
reviews, overrides, the telehealth location and body regions confirmed or withdrawn in a session.

Every change goes through ``polymodal.core.eligibility``, which checks access and audits; a refused or
invalid entry comes back with its fields' messages and what was typed.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core import eligibility
from polymodal.core.access import Actor
from polymodal.core.errors import Conflict, ValidationFailed
from polymodal.core.models import Session
from polymodal.core.practice import Practice, Work
from polymodal.core.timeutil import to_local
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.rendering import render

CLEARANCE_FIELDS = ("modality_key", "techniques", "cleared_by_name", "cleared_by_profession", "cleared_by_licence",
                    "cleared_on", "valid_until")


def tab(work: Work, client_id: uuid.UUID) -> dict[str, Any]:
    """The client's eligibility tab: risks, clearances, re-screens waiting for review."""
    from polymodal.web.controllers.safety import plan_context

    tz = work.center.timezone
    can_write = work.may("clinical.write", client_id)
    return {
        **plan_context(work, client_id, can_write),
        "risks": eligibility.risks_of(work, client_id),
        "clearances": [{**row._asdict(), "recorded": f"{to_local(row.recorded_at, tz):%d %b %Y}",
                        "modality": getattr(work.registry.modalities.get(row.modality_key), "name", row.modality_key)}
                       for row in eligibility.clearances_of(work, client_id)],
        "reviews": [{"id": r.id, "outcome": r.outcome, "when": f"{to_local(r.submitted_at, tz):%d %b %Y %H:%M}",
                     "form": getattr(work.registry.forms.get(r.form_key), "title", r.form_key)}
                    for r in eligibility.pending_reviews(work, client_id)],
        "modality_options": [(m.key, m.name) for m in work.registry.modalities],
        "can_write": can_write,
        "elig_values": {}, "elig_errors": {}, "elig_message": "",
    }


def session_panel(work: Work, session: Session, clinical: bool, findings: list[Any]) -> dict[str, Any]:
    """What the session page adds: overrides, the client's location (telehealth), body regions."""
    client_ids = [c.client_id for c in session.clients]
    tz = work.center.timezone
    overrides = [{"code": o.code, "reason": o.reason if clinical else "(visible to the care team)", "by": o.by,
                  "when": f"{to_local(o.overridden_at, tz):%d %b %Y}"}
                 for o in eligibility.overrides_for(work, client_ids, session.modality_key)]
    return {
        "overrides": overrides,
        "overridable": [f for f in findings if f.overridable and not f.settled and f.client_id] if clinical else [],
        "can_override": bool(client_ids) and all(work.may("eligibility.override", c) for c in client_ids),
        "remote": session.delivery in ("phone", "video"),
        **regions_context(work, session, clinical),
    }


def regions_context(work: Work, session: Session, clinical: bool) -> dict[str, Any]:
    if not clinical:
        return {"regions": []}
    documents = [d for d in work.registry.consent_documents if d.per_body_region
                 and (not d.modalities or session.modality_key in d.modalities)]
    if not documents:  # a modality without hands-on work has no regions to show
        return {"regions": []}
    labels = {r.code: r.label for d in documents for f in d.fields for r in f.regions}
    regions = []
    for link in session.clients:
        for code, (state, _title) in sorted(eligibility.region_states(work, link.client_id, session).items()):
            regions.append({"client_id": link.client_id, "code": code, "label": labels.get(code, code),
                            "state": state, "can_confirm": state == "ask-each-time",
                            "can_withdraw": state in ("consented", "confirmed", "ask-each-time")})
    return {"regions": regions, "session_id": session.id,
            "can_write_regions": all(work.may("clinical.write", c.client_id) for c in session.clients)}


class EligibilityController(Controller):
    path = "/"

    def _tab(self, request: HTMXRequest, practice: Practice, actor: Actor, client_id: uuid.UUID,
             status_code: int = 200, **extra: Any) -> Template:
        return self.tab_page(request, practice, actor, client_id, status_code, **extra)

    @staticmethod
    def tab_page(request: HTMXRequest, practice: Practice, actor: Actor, client_id: uuid.UUID,
                 status_code: int = 200, **extra: Any) -> Template:
        """The Eligibility tab again (the whole page, or its block for htmx), with what the form needs."""
        from polymodal.web.controllers.client_tabs import TABS, tab_context

        with practice.work(actor, write=False) as work:
            context = tab_context(work, client_id, "eligibility")
        context.update(tab="eligibility", tab_label=TABS["eligibility"].label, **extra)
        return render(request, "clients/detail.html", context, block="client_tab", status_code=status_code)

    @post("/clients/{client_id:uuid}/clearances", opt={"action": "clinical.write"}, status_code=200,
          sync_to_thread=True)
    def record_clearance(self, request: HTMXRequest, practice: NamedDependency[Practice],
                         actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        values = {name: one(data, name, 500) for name in CLEARANCE_FIELDS}
        try:
            with practice.work(actor) as work:
                eligibility.record_clearance(work, client_id, values)
        except ValidationFailed as exc:
            return self._tab(request, practice, actor, client_id, 422, elig_values=values, elig_errors=exc.errors)
        return go(request, f"/clients/{client_id}/eligibility")

    @post("/clients/{client_id:uuid}/risks", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def acknowledge_risk(self, request: HTMXRequest, practice: NamedDependency[Practice],
                         actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        code, plan = one(data, "code", 120), one(data, "plan", 5000)
        linked = one(data, "safety_plan_id", 64)
        try:
            with practice.work(actor) as work:
                eligibility.acknowledge_risk(work, client_id, code, plan,
                                             safety_plan_id=uuid.UUID(linked) if linked else None)
        except ValueError:  # not an id at all: the same answer as another client's plan
            return self._tab(request, practice, actor, client_id, 422, elig_values={"plan": plan, "code": code},
                             elig_errors={"safety_plan_id": "Choose this client's safety plan, or none."})
        except ValidationFailed as exc:
            return self._tab(request, practice, actor, client_id, 422, elig_values={"plan": plan, "code": code},
                             elig_errors=exc.errors)
        except Conflict as exc:
            return self._tab(request, practice, actor, client_id, 409, elig_message=str(exc))
        return go(request, f"/clients/{client_id}/eligibility")

    @post("/clients/{client_id:uuid}/reviews/{response_id:uuid}", opt={"action": "clinical.write"},
          status_code=200, sync_to_thread=True)
    def review(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], response_id: FromPath[uuid.UUID]) -> Response:
        try:
            with practice.work(actor) as work:
                response = eligibility.review_screening(work, response_id)
                if response.client_id != client_id:
                    raise Conflict("This response belongs to another client.")
        except Conflict as exc:
            return self._tab(request, practice, actor, client_id, 409, elig_message=str(exc))
        return go(request, f"/clients/{client_id}/eligibility")

    # --- on the session page ----------------------------------------------------------------------

    @staticmethod
    def _session(request: HTMXRequest, practice: Practice, actor: Actor, session_id: uuid.UUID, *,
                 status_code: int = 200, **extra: Any) -> Template:
        from polymodal.web.controllers.sessions import session_context

        with practice.work(actor, write=False) as work:
            context = session_context(work, session_id)
        context.update(extra)
        return render(request, "sessions/detail.html", context, block="session_status", status_code=status_code)

    @post("/sessions/{session_id:uuid}/override", opt={"action": "eligibility.override"}, status_code=200,
          sync_to_thread=True)
    def override(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 session_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        choice, reason = one(data, "finding", 200), one(data, "reason", 2000)
        client, _, code = choice.partition(" ")
        try:
            with practice.work(actor) as work:
                session = work.db.get(Session, session_id)
                client_id = uuid.UUID(client) if client else None
                if session is None or client_id is None:
                    raise ValidationFailed({"finding": "Choose the finding to override."})
                eligibility.override(work, client_id, session.modality_key, code, reason, session_id=session_id)
        except ValueError:
            return self._session(request, practice, actor, session_id, status_code=422,
                                 errors={"finding": "Choose the finding to override."}, values={"reason": reason})
        except ValidationFailed as exc:
            return self._session(request, practice, actor, session_id, status_code=422, errors=exc.errors,
                                 values={"reason": reason, "finding": choice})
        except Conflict as exc:
            return self._session(request, practice, actor, session_id, status_code=409, message=str(exc))
        return go(request, f"/sessions/{session_id}")

    @post("/sessions/{session_id:uuid}/location", opt={"action": "session.manage"}, status_code=200,
          sync_to_thread=True)
    def location(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 session_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        values = {name: one(data, name, 500) for name in ("client_id", "location", "jurisdiction")}
        try:
            client_id = uuid.UUID(values["client_id"])
            with practice.work(actor) as work:
                eligibility.confirm_location(work, session_id, client_id, values["location"], values["jurisdiction"])
        except ValueError:
            return self._session(request, practice, actor, session_id, status_code=422, values=values,
                                 errors={"client_id": "Choose the client."})
        except ValidationFailed as exc:
            return self._session(request, practice, actor, session_id, status_code=422, values=values,
                                 errors=exc.errors)
        except Conflict as exc:
            return self._session(request, practice, actor, session_id, status_code=409, message=str(exc))
        return go(request, f"/sessions/{session_id}")

    @get("/sessions/{session_id:uuid}/regions", opt={"action": "clinical.read"}, sync_to_thread=True)
    def regions(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                session_id: FromPath[uuid.UUID]) -> Template:
        """The session's body regions; an open session page asks again every few seconds."""
        return self._regions(request, practice, actor, session_id)

    @staticmethod
    def _regions(request: HTMXRequest, practice: Practice, actor: Actor, session_id: uuid.UUID, message: str = "",
                 status_code: int = 200) -> Template:
        """The regions panel (htmx, polled: only what it shows), or the whole session page."""
        from polymodal.core.services import scheduling
        from polymodal.web.controllers.sessions import session_context

        with practice.work(actor, write=False) as work:
            session = scheduling.get_session(work, session_id, "clinical.read")
            if request.htmx:
                context = {**regions_context(work, session, True), "s": session}
            else:
                context = session_context(work, session_id)
        context["region_message"] = message
        return render(request, "sessions/detail.html", context, block="session_regions", status_code=status_code)

    @post("/sessions/{session_id:uuid}/regions", opt={"action": "clinical.write"}, status_code=200,
          sync_to_thread=True)
    def change_region(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor], session_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        message, status = "", 200
        try:
            client_id = uuid.UUID(one(data, "client_id", 64))
            with practice.work(actor) as work:
                eligibility.set_region(work, session_id, client_id, one(data, "region", 60),
                                       withdraw=one(data, "change", 20) == "withdraw")
        except ValueError:
            message, status = "Choose the client.", 422
        except ValidationFailed as exc:
            message, status = " ".join(exc.errors.values()), 422
        except Conflict as exc:
            message, status = str(exc), 409
        if not request.htmx and status == 200:
            return go(request, f"/sessions/{session_id}")
        return self._regions(request, practice, actor, session_id, message, status)
