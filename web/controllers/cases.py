"""Cases (episodes of care): open one for one or more clients, its page, and its goals."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect, Template

from polymodal.core.access import Actor
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.practice import Practice
from polymodal.core.services import case_record, cases
from polymodal.core.timeutil import to_local
from polymodal.web.controllers.schedule_views import as_uuid, modality_name
from polymodal.web.rendering import render

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
KINDS = (("individual", "Individual"), ("couple", "Couple"), ("family", "Family"), ("group", "Group"))
# The service names its inputs; the form's fields carry the ids the errors point at.
FIELD_OF = {"clients": "client_ids", "practitioners": "practitioner_ids"}


def _one(data: dict[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()[:limit]


def _many(data: dict[str, Any], name: str, limit: int = 40) -> list[str]:
    value = data.get(name, [])
    return [str(v)[:64] for v in (value if isinstance(value, list) else [value]) if v][:limit]


def _go(request: HTMXRequest, path: str) -> Response:
    return ClientRedirect(redirect_to=path) if request.htmx else Redirect(path=path, status_code=303)


def _name(row: Any) -> str:
    return f"{row.preferred_name or row.legal_first_name} {row.legal_last_name}"


class CasesController(Controller):
    path = "/cases"

    def _form(self, request: HTMXRequest, practice: Practice, actor: Actor, values: dict[str, Any],
              errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
        with practice.work(actor, write=False) as work:
            choices = case_record.case_choices(work)
        return render(request, "cases/new.html", {
            "values": values, "errors": errors or {}, "kinds": KINDS,
            "client_options": [(c.id, f"{c.legal_last_name}, {c.preferred_name or c.legal_first_name}")
                               for c in choices["clients"]],
            "practitioner_options": [(p.id, p.display_name) for p in choices["practitioners"]],
        }, block="case_form", status_code=status_code)

    @get("/new", opt={"action": "case.manage"}, sync_to_thread=True)
    def new(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
            client: Annotated[str, QueryParameter(max_length=64)] = "") -> Template:
        chosen = [str(as_uuid(client))] if as_uuid(client) else []
        mine = [str(actor.user_id)] if {"practitioner", "supervisor"} & actor.roles else []
        values = {"title": "", "kind": "individual", "client_ids": chosen, "practitioner_ids": mine}
        return self._form(request, practice, actor, values)

    @post("/", opt={"action": "case.manage"}, status_code=200, sync_to_thread=True)
    def create(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               data: FormData) -> Response:
        values = {"title": _one(data, "title", 300), "kind": _one(data, "kind"),
                  "client_ids": _many(data, "client_ids"), "practitioner_ids": _many(data, "practitioner_ids")}
        client_ids = [as_uuid(v) for v in values["client_ids"]]
        practitioner_ids = [as_uuid(v) for v in values["practitioner_ids"]]
        try:
            if None in client_ids or None in practitioner_ids:
                raise ValidationFailed({"client_ids": "Choose clients and practitioners from the lists."})
            with practice.work(actor) as work:
                case = cases.open_case(work, title=values["title"], kind=values["kind"], client_ids=client_ids,
                                       practitioner_ids=practitioner_ids)
                case_id = case.id
        except ValidationFailed as exc:
            errors = {FIELD_OF.get(k, k): v for k, v in exc.errors.items()}
            return self._form(request, practice, actor, values, errors, status_code=422)
        return _go(request, f"/cases/{case_id}")

    def _page(self, request: HTMXRequest, practice: Practice, actor: Actor, case_id: uuid.UUID, *,
              goal_text: str = "", goal_errors: dict[str, str] | None = None, status_code: int = 200,
              notice: str = "", editing: dict[str, Any] | None = None, status_form: dict[str, Any] | None = None,
              block: str = "case_goals") -> Template:
        with practice.work(actor, write=False) as work:
            record = case_record.case_record(work, case_id)
            tz = work.center.timezone
            sessions = [{
                "when": f"{to_local(s.starts_at, tz):%a %d %b %Y %H:%M}", "modality": modality_name(work, s.modality_key),
                "where": s.room_name or s.delivery.replace("_", " "), "status": s.status,
                "status_label": s.status.replace("_", " "),
                "week": f"/schedule?view=week&date={to_local(s.starts_at, tz).date().isoformat()}",
            } for s in record.sessions]
        return render(request, "cases/detail.html", {
            "case": record, "clients": [{"id": c.id, "name": _name(c), "pronouns": c.pronouns} for c in record.clients],
            "sessions": sessions, "goal_text": goal_text, "goal_errors": goal_errors or {}, "notice": notice,
            "goal_statuses": cases.GOAL_STATUSES, "editing": editing or {}, "status_form": status_form or {},
        }, block=block, status_code=status_code)

    @get("/{case_id:uuid}", opt={"action": "client.read"}, sync_to_thread=True)
    def detail(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               case_id: FromPath[uuid.UUID]) -> Template:
        return self._page(request, practice, actor, case_id)

    @post("/{case_id:uuid}/goals", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def add_goal(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 case_id: FromPath[uuid.UUID], data: FormData) -> Response:
        text = _one(data, "text", 1200)
        try:
            with practice.work(actor) as work:
                cases.add_goal(work, case_id, text)
        except ValidationFailed as exc:
            return self._page(request, practice, actor, case_id, goal_text=text, goal_errors=exc.errors,
                              status_code=422)
        if request.htmx:
            return self._page(request, practice, actor, case_id, notice="Goal added.")
        return Redirect(path=f"/cases/{case_id}#case-goals", status_code=303)

    @post("/{case_id:uuid}/goals/{goal_id:uuid}", opt={"action": "clinical.write"}, status_code=200,
          sync_to_thread=True)
    def update_goal(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                    case_id: FromPath[uuid.UUID], goal_id: FromPath[uuid.UUID], data: FormData) -> Response:
        values = {"text": _one(data, "text", 1200), "baseline": _one(data, "baseline", 600),
                  "target": _one(data, "target", 600), "target_on": _one(data, "target_on", 20),
                  "status": _one(data, "status", 20)}
        try:
            with practice.work(actor) as work:
                goal = cases.update_goal(work, goal_id, values)
                if goal.case_id != case_id:
                    raise NotFound("no such goal in this case")
        except ValidationFailed as exc:
            return self._page(request, practice, actor, case_id, status_code=422,
                              editing={"id": goal_id, "values": values, "errors": exc.errors})
        if request.htmx:
            return self._page(request, practice, actor, case_id, notice="Goal saved.")
        return Redirect(path=f"/cases/{case_id}#case-goals", status_code=303)

    @post("/{case_id:uuid}/status", opt={"action": "case.manage"}, status_code=200, sync_to_thread=True)
    def change_status(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor], case_id: FromPath[uuid.UUID], data: FormData) -> Response:
        """Close or reopen, with a reason; a refusal comes back beside the form, what was typed kept."""
        action, reason = _one(data, "action", 10), _one(data, "reason", 600)
        try:
            with practice.work(actor) as work:
                if action == "close":
                    cases.close_case(work, case_id, reason)
                elif action == "reopen":
                    cases.reopen_case(work, case_id, reason)
                else:
                    raise ValidationFailed({"action": "Choose to close or reopen the case."})
        except ValidationFailed as exc:
            form = {"reason": reason, "errors": exc.errors}
            return self._page(request, practice, actor, case_id, status_code=422, status_form=form,
                              block="case_status")
        except Conflict as exc:
            form = {"reason": reason, "errors": {"reason": str(exc)}}
            return self._page(request, practice, actor, case_id, status_code=409, status_form=form,
                              block="case_status")
        return _go(request, f"/cases/{case_id}")
