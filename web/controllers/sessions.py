"""A session: logistics, pre-flight, status steps, its structure, and (for the care team) its notes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect, Template

from polymodal.core.access import Actor
from polymodal.core.eligibility import Gate
from polymodal.core.errors import Conflict, ValidationFailed
from polymodal.core.messaging import meetings
from polymodal.core.practice import Practice, Work
from polymodal.core.services import forms, notes, session_view
from polymodal.core.services.scheduling import TRANSITIONS
from polymodal.core.timeutil import to_local
from polymodal.web.rendering import render
from polymodal.web.threads import read_on_loop

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
SWAP_CONFLICT = {"Polymodal-Swap": "conflict"}
"""app.js swaps a 409 that carries this header (the conflict explained in place) instead of flashing an error."""

STEP_LABELS = {"checked_in": "Check in", "completed": "Mark completed", "no_show": "Mark no-show",
               "cancelled": "Cancel session"}
STEP_ORDER = ("checked_in", "completed", "no_show", "cancelled")


def go(request: HTMXRequest, path: str) -> Response:
    # htmx would swap a followed redirect into the target; HX-Redirect loads the page instead.
    return ClientRedirect(redirect_to=path) if request.htmx else Redirect(path=path, status_code=303)


def form_text(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name, "")
    return str(value[-1] if isinstance(value, list) and value else value or "")[:limit]


def client_name(row: Any) -> str:
    return f"{row.preferred_name or row.legal_first_name} {row.legal_last_name}"


def note_rows(work: Work, rows: list[Any]) -> list[dict[str, Any]]:
    tz = work.center.timezone
    templates = work.registry.note_templates
    result = []
    for r in rows:
        template = templates.get(r.template_key, r.template_version)
        when = r.signed_at or r.updated_at
        result.append({
            "id": r.id, "name": template.name if template else f"{r.template_key} v{r.template_version}",
            "status": r.status, "author": r.author, "private": r.psychotherapy_note, "session_id": r.session_id,
            "when": f"{to_local(when, tz):%d %b %Y %H:%M}",
            "cosign": ("co-signed" if r.cosigned else "awaiting co-signature")
            if r.status == "signed" and r.needs_cosign and not r.psychotherapy_note else "",
        })
    return result


def log_rows(work: Work, view: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    """The session logs the modality offers (to open) and those written for the session (to read)."""
    offered = forms.log_forms(work, view.session.modality_key)
    if not offered or not view.clinical:  # no statement for a modality without a log
        return [], []
    names = {c.id: client_name(c) for c in view.clients}
    tz = work.center.timezone
    written = [{
        "href": f"/clients/{r.client_id}/intake/{r.id}", "client": names.get(r.client_id, ""),
        "title": getattr(work.registry.forms.get(r.form_key, r.form_version), "title", r.form_key),
        "when": f"{to_local(r.submitted_at, tz):%d %b %Y %H:%M}",
    } for r in forms.session_log_rows(work, view.session)]
    return (offered if view.can_write_notes else []), written


def session_context(work: Work, session_id: uuid.UUID) -> dict[str, Any]:
    view = session_view.open_session(work, session_id)
    s = view.session
    tz = work.center.timezone
    start, end = to_local(s.starts_at, tz), to_local(s.ends_at, tz)
    modality = work.registry.modalities.get(s.modality_key)
    findings = session_view.findings_for(work, view) if s.status == "scheduled" else []
    steps = [step for step in STEP_ORDER if step in TRANSITIONS[s.status]] if view.can_manage else []
    if work.now < s.starts_at:  # a no-show is known only once the session has started
        steps = [step for step in steps if step != "no_show"]
    from polymodal.web.controllers.eligibility import session_panel

    log_forms, logs = log_rows(work, view)
    templates = work.registry.note_templates.for_modality(s.modality_key) if view.can_write_notes else ()
    usual = notes.usual_template(work, s) if templates else None

    return {
        **session_panel(work, s, view.clinical, findings),
        "s": s, "view": view,
        "modality": modality.name if modality else s.modality_key,
        "when": f"{start:%A %d %B %Y}, {start:%H:%M}–{end:%H:%M}", "tz": tz,
        "delivery": s.delivery.replace("_", " "),
        "meeting_link": meetings.session_link(work, s.id) if s.delivery == "video" else "",
        "status_label": s.status.replace("_", " "),
        "clients": [{"id": c.id, "name": client_name(c)} for c in view.clients],
        "practitioners": [p.display_name for p in view.practitioners],
        "findings": findings, "blocked": any(f.blocks(Gate.check_in) for f in findings),
        "steps": [{"value": step, "label": STEP_LABELS[step]} for step in steps if step != "cancelled"],
        "can_cancel": "cancelled" in steps,
        "notes": note_rows(work, notes.notes_of_session(work, s)) if view.clinical else [],
        "templates": templates,
        "log_forms": log_forms, "logs": logs,
        # The format this practitioner last wrote in the case, else the modality's own first template.
        "message": "", "errors": {}, "values": {"template_key": usual} if usual in {t.key for t in templates} else {},
    }


class SessionsController(Controller):
    path = "/sessions"

    @get("/{session_id:uuid}", opt={"action": "client.read"})
    @read_on_loop
    def detail(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               session_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            context = session_context(work, session_id)
        return render(request, "sessions/detail.html", context, block="session_status")

    @post("/{session_id:uuid}/status", opt={"action": "session.manage"}, status_code=200, sync_to_thread=True)
    def change_status(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor], session_id: FromPath[uuid.UUID], data: FormData) -> Response:
        status, reason = form_text(data, "status", 40), form_text(data, "reason", 500)
        cancel_reason = form_text(data, "cancel_reason", 40)
        message, errors, code = "", {}, 200
        try:
            with practice.work(actor) as work:
                session_view.change_status(work, session_id, status, reason, cancel_reason=cancel_reason)
        except ValidationFailed as exc:
            errors, code = exc.errors, 422
        except Conflict as exc:
            message, code = str(exc), 409
        if code == 200 and not request.htmx:
            return go(request, f"/sessions/{session_id}")
        with practice.work(actor, write=False) as work:
            context = session_context(work, session_id)
        context.update(message=message, errors=errors,
                       values={"reason": reason, "status": status, "cancel_reason": cancel_reason})
        return render(request, "sessions/detail.html", context, block="session_status", status_code=code,
                      headers=SWAP_CONFLICT if code == 409 else None)

    @post("/{session_id:uuid}/notes", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def start_note(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                   session_id: FromPath[uuid.UUID], data: FormData) -> Response:
        template_key = form_text(data, "template_key", 120)
        try:
            with practice.work(actor) as work:
                view = session_view.open_session(work, session_id)
                note = notes.start_note(work, view.session.case_id, template_key, session_id=session_id)
                note_id = note.id
        except ValidationFailed as exc:
            with practice.work(actor, write=False) as work:
                context = session_context(work, session_id)
            context.update(errors=exc.errors, values={"template_key": template_key})
            return render(request, "sessions/detail.html", context, block="session_notes", status_code=422)
        return go(request, f"/notes/{note_id}")
