"""A session's log: a plugin's form of purpose ``session_log`` (breathwork's rounds, for example), opened from
the session page and stored against that session for one of its clients.

The form is rendered from its definition like any intake (``_macros/fields.html``); a 422 keeps every answer.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.services import forms, session_view
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.controllers.sessions import client_name
from polymodal.web.fields import answers_from_form
from polymodal.web.rendering import render


def _open(work: Work, session_id: uuid.UUID) -> Any:
    """The session, for someone who may write its clients' clinical records (a log is one)."""
    view = session_view.open_session(work, session_id)
    for person in view.clients:
        work.require("clinical.write", person.id, record_type="session", record_id=session_id)
    return view


def _context(work: Work, session_id: uuid.UUID, form_key: str, client: str) -> dict[str, Any]:
    view = _open(work, session_id)
    form = next((f for f in forms.log_forms(work, view.session.modality_key) if f.key == form_key), None)
    if form is None:
        raise NotFound("no such session log for this session")
    people = {str(c.id): client_name(c) for c in view.clients}
    chosen = client if client in people else next(iter(people), "")
    return {"view": view, "s": view.session, "form": form, "people": people, "client_id": chosen,
            "modality": getattr(work.registry.modalities.get(view.session.modality_key), "name", "")}


class SessionLogController(Controller):
    path = "/sessions/{session_id:uuid}/log"

    @get("/", opt={"action": "clinical.write"}, sync_to_thread=True)
    def new(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
            session_id: FromPath[uuid.UUID], form: Annotated[str, QueryParameter(max_length=120)] = "",
            client: Annotated[str, QueryParameter(max_length=40)] = "") -> Template:
        with practice.work(actor, write=False) as work:
            if not form:
                # The address without a log named: which logs this session keeps, each a link.
                view = _open(work, session_id)
                return render(request, "sessions/logs.html", {
                    "s": view.session, "logs": forms.log_forms(work, view.session.modality_key),
                    "modality": getattr(work.registry.modalities.get(view.session.modality_key), "name", "")})
            context = _context(work, session_id, form, client)
        return render(request, "sessions/log.html", {**context, "values": {}, "errors": {}}, block="log_form")

    @post("/", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def submit(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               session_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        with practice.work(actor) as work:
            context = _context(work, session_id, one(data, "form_key", 120), one(data, "client_id", 40))
            values = answers_from_form(context["form"].fields, data)
            if data.get("add_row") or data.get("_add"):  # "add a row": the form again, all kept, nothing stored
                return render(request, "sessions/log.html", {**context, "values": values, "errors": {}},
                              block="log_form")
            try:
                client_id = uuid.UUID(context["client_id"])
                forms.submit_session_log(work, context["s"], client_id, context["form"].key, values)
            except (ValidationFailed, ValueError) as exc:
                errors = exc.errors if isinstance(exc, ValidationFailed) else {"client_id": "Choose a client."}
                return render(request, "sessions/log.html", {**context, "values": values, "errors": errors},
                              block="log_form", status_code=422)
        return go(request, f"/sessions/{session_id}#session-logs")
