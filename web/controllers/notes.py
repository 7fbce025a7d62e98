"""Notes: write a draft (autosaved), sign it, add addenda, co-sign; the co-signature queue and your drafts."""

from __future__ import annotations

import json
import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor
from polymodal.core.display import describe
from polymodal.core.errors import Conflict, ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.services import cases, notes
from polymodal.core.timeutil import to_local
from polymodal.web import note_form
from polymodal.web.controllers.sessions import SWAP_CONFLICT, FormData, form_text, go
from polymodal.web.rendering import render

PAGE = "notes/note.html"


UNREADABLE = "The version to keep could not be read (it must be the note's fields as the editor sent them)."
MAX_DEPTH = 8
"""A note's content nests section, row or region, item, value: far less than this."""


def _kept_version(text: str) -> dict[str, Any] | None:
    """The editor's version posted back after a conflict, or None if it is not a note's shape.

    JSON nested thousands deep exhausts Python's recursion while decoding: refused as unreadable.
    """
    try:
        content = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(content, dict) or _depth(content) > MAX_DEPTH:
        return None
    return content


def _depth(value: Any) -> int:
    deepest, level = 0, [(value, 1)]
    while level:
        item, depth = level.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH and isinstance(item, (dict, list)):
            level.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _revision(data: dict[str, Any]) -> int:
    try:
        return int(form_text(data, "revision", 12))
    except ValueError:
        return -1  # never current: treated as a stale editor, so nothing is overwritten blindly


def _display(work: Work, key: str, version: int, content: dict[str, Any]) -> Any:
    return describe(work.registry, "note_templates", key, version, content)


def _local(work: Work, moment) -> str:
    return f"{to_local(moment, work.center.timezone):%d %b %Y %H:%M}" if moment else ""


def note_context(work: Work, note_id: uuid.UUID, *, values: dict[str, Any] | None = None,
                 errors: dict[str, str] | None = None, conflict: notes.StaleDraft | None = None,
                 extra_rows: set[str] = frozenset(), addendum: str = "", addendum_error: str = "") -> dict[str, Any]:
    note = notes.read_note(work, note_id)
    template = work.registry.note_templates.get(note.template_key, note.template_version)
    details = notes.note_details(work, note)
    editable = note.status == "draft" and note.author_id == work.actor.user_id and template is not None
    content = values if values is not None else note.content
    grouped = note_form.section_errors(errors or {})
    context: dict[str, Any] = {
        "note": note, "template": template, "details": details, "editable": editable,
        "goals": cases.active_goals(work, note.case_id) if editable else [],
        "title": template.name if template else f"{note.template_key} v{note.template_version}",
        "display": _display(work, note.template_key, note.template_version, note.content),
        "signed_at": _local(work, note.signed_at), "saved_at": "",
        "cosigned_at": _local(work, details["cosigned"].cosigned_at) if details["cosigned"] else "",
        "addenda": [{"text": a.text, "author": a.author, "at": _local(work, a.created_at)} for a in details["addenda"]],
        "addendum": addendum, "addendum_error": addendum_error,
        "revision": note.revision, "errors": errors or {}, "conflict": None, "locked_message": "",
        "sections": [{
            "s": section, "name": note_form.section_name(section.key), "value": content.get(section.key),
            "errors": grouped.get(section.key, {}),
        } for section in (template.sections if editable else ())],
        # Errors about the note as a whole (e.g. its size) have no section to sit beside.
        "general_errors": [m for k, m in (errors or {}).items()
                           if template is None or k.partition(".")[0] not in {s.key for s in template.sections}],
        "opts": {"add_row_url": f"/notes/{note.id}/draft", "add_row_target": "#note-editor",
                 "extra_rows": extra_rows, "mark_regions": True},
    }
    if conflict is not None:
        context["conflict"] = conflict_context(work, note, conflict)
    context["adaptations"] = _adaptations(work, note) if editable else []
    return context


def _adaptations(work: Work, note: Any) -> list[Any]:
    """What the eligibility decision asks of this session (modify, and risk), beside the note being written."""
    from polymodal.core.eligibility import Verdict, decide_session
    from polymodal.core.models import Session

    session = work.db.get(Session, note.session_id) if note.session_id else None
    if session is None:
        return []
    return [f for f in decide_session(work, session).findings if f.verdict in (Verdict.modify, Verdict.risk)]


def conflict_context(work: Work, note: Any, conflict: notes.StaleDraft) -> dict[str, Any]:
    """Both versions, row by row; rows empty in both are left out, rows that differ are marked."""
    theirs = _display(work, note.template_key, note.template_version, conflict.current_content)
    mine = _display(work, note.template_key, note.template_version, conflict.attempted)
    saved, typed = dict(theirs.rows), dict(mine.rows)
    labels = list(dict.fromkeys([*saved, *typed]))
    empty = "—"
    rows = [{"label": label, "theirs": saved.get(label, empty), "mine": typed.get(label, empty),
             "differs": saved.get(label, empty) != typed.get(label, empty)}
            for label in labels if saved.get(label, empty) != empty or typed.get(label, empty) != empty]
    return {
        "rows": rows,
        "mine_json": json.dumps(conflict.attempted, ensure_ascii=False, sort_keys=True),
        "revision": conflict.current_revision,
    }


def _cosign_rows(work: Work) -> list[dict[str, Any]]:
    templates = work.registry.note_templates
    return [{"id": n.id, "name": getattr(templates.get(n.template_key), "name", n.template_key),
             "author": n.author, "case": n.case_title, "signed": _local(work, n.signed_at)}
            for n in notes.cosign_queue(work)]


def _draft_rows(work: Work) -> list[dict[str, Any]]:
    templates = work.registry.note_templates
    return [{"id": d.id, "name": getattr(templates.get(d.template_key), "name", d.template_key),
             "case": d.case_title, "private": d.psychotherapy_note, "updated": _local(work, d.updated_at)}
            for d in notes.my_drafts(work)]


def dashboard_panel(work: Work, actor: Actor) -> dict[str, Any]:
    """Context for ``notes/_dashboard_panel.html``: your drafts, and for supervisors the co-signature queue."""
    supervisor = "supervisor" in actor.roles
    return {"my_drafts": _draft_rows(work) if "practitioner" in actor.roles or supervisor else [],
            "show_cosign": supervisor, "cosign": _cosign_rows(work) if supervisor else [],
            "show_drafts": "practitioner" in actor.roles or supervisor}


class NotesController(Controller):
    path = "/notes"

    @get("/", opt={"action": "clinical.read"}, sync_to_thread=True)
    def index(self, request: HTMXRequest, practice: NamedDependency[Practice],
              actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor, write=False) as work:
            context = dashboard_panel(work, actor)
        return render(request, "notes/index.html", context, block="notes_panel")

    @get("/cosign", opt={"action": "note.cosign"}, sync_to_thread=True)
    def cosign_queue(self, request: HTMXRequest, practice: NamedDependency[Practice],
                     actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor, write=False) as work:
            rows = _cosign_rows(work)
        return render(request, "notes/cosign.html", {"rows": rows, "done": ""}, block="cosign_rows")

    @get("/{note_id:uuid}", opt={"action": "clinical.read"}, sync_to_thread=True)
    def detail(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               note_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            context = note_context(work, note_id)
        return render(request, PAGE, context, block="note_main")

    @post("/{note_id:uuid}/draft", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def save_draft(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                   note_id: FromPath[uuid.UUID], data: FormData) -> Response:
        """Autosave (htmx: only the saved-at status), 'Save draft' and 'Add a row' (the editor again)."""
        extra_rows = note_form.extra_rows(data)
        try:
            with practice.work(actor) as work:
                content = self._posted(work, note_id, data)
                note = notes.save_draft(work, note_id, content, _revision(data))
                status = {"revision": note.revision, "saved_at": f"{to_local(note.updated_at, work.center.timezone):%H:%M}"}
        except notes.StaleDraft as stale:
            return self._conflict(request, practice, actor, note_id, stale, block="note_conflict")
        except Conflict as exc:
            return self._locked(request, practice, actor, note_id, str(exc))
        except ValidationFailed as exc:
            return self._editor(request, practice, actor, note_id, data, exc.errors, 422)
        if extra_rows:
            with practice.work(actor, write=False) as work:
                context = note_context(work, note_id, extra_rows=extra_rows)
            context["saved_at"] = status["saved_at"]
            return render(request, PAGE, context, block="note_editor")
        if not request.htmx:
            return go(request, f"/notes/{note_id}")
        return render(request, PAGE, status, block="note_save_status")

    @post("/{note_id:uuid}/sign", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def sign(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
             note_id: FromPath[uuid.UUID], data: FormData) -> Response:
        try:
            # Save what is on screen first (its own transaction), so a refused signature loses nothing.
            with practice.work(actor) as work:
                notes.save_draft(work, note_id, self._posted(work, note_id, data), _revision(data))
            with practice.work(actor) as work:
                notes.sign_note(work, note_id)
        except notes.StaleDraft as stale:
            return self._conflict(request, practice, actor, note_id, stale, block="note_editor")
        except ValidationFailed as exc:
            return self._editor(request, practice, actor, note_id, data, exc.errors, 422)
        except Conflict as exc:
            return self._locked(request, practice, actor, note_id, str(exc))
        return go(request, f"/notes/{note_id}")

    @post("/{note_id:uuid}/resolve", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def keep_mine(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                  note_id: FromPath[uuid.UUID], data: FormData) -> Response:
        """After a conflict: save the editor's version over the saved one it has now seen."""
        content = _kept_version(form_text(data, "content", 400_000))
        if content is None:
            return self._locked(request, practice, actor, note_id, UNREADABLE, 400)
        try:
            with practice.work(actor) as work:
                notes.save_draft(work, note_id, content, _revision(data))
        except notes.StaleDraft as stale:
            return self._conflict(request, practice, actor, note_id, stale, block="note_editor")
        except Conflict as exc:
            return self._locked(request, practice, actor, note_id, str(exc))
        return go(request, f"/notes/{note_id}")

    @post("/{note_id:uuid}/addenda", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def add_addendum(self, request: HTMXRequest, practice: NamedDependency[Practice],
                     actor: NamedDependency[Actor], note_id: FromPath[uuid.UUID], data: FormData) -> Response:
        text = form_text(data, "text", 60_000)
        try:
            with practice.work(actor) as work:
                notes.add_addendum(work, note_id, text)
        except ValidationFailed as exc:
            with practice.work(actor, write=False) as work:
                context = note_context(work, note_id, addendum=text, addendum_error=exc.errors.get("text", ""))
            return render(request, PAGE, context, block="note_addenda", status_code=422)
        if not request.htmx:
            return go(request, f"/notes/{note_id}")
        with practice.work(actor, write=False) as work:
            context = note_context(work, note_id)
        return render(request, PAGE, context, block="note_addenda")

    @post("/{note_id:uuid}/cosign", opt={"action": "note.cosign"}, status_code=200, sync_to_thread=True)
    def cosign(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               note_id: FromPath[uuid.UUID], data: FormData) -> Response:
        from_queue = form_text(data, "back", 20) == "queue"
        try:
            with practice.work(actor) as work:
                notes.cosign(work, note_id)
        except Conflict as exc:
            if from_queue and request.htmx:  # e.g. a second click: the queue says so in place
                with practice.work(actor, write=False) as work:
                    rows = _cosign_rows(work)
                return render(request, "notes/cosign.html", {"rows": rows, "done": str(exc)},
                              block="cosign_rows", status_code=409, headers=SWAP_CONFLICT)
            return self._locked(request, practice, actor, note_id, str(exc))
        if from_queue:
            if request.htmx:
                with practice.work(actor, write=False) as work:
                    rows = _cosign_rows(work)
                return render(request, "notes/cosign.html", {"rows": rows, "done": "Co-signed."},
                              block="cosign_rows")
            return go(request, "/notes/cosign")
        return go(request, f"/notes/{note_id}")

    # --- helpers -------------------------------------------------------------------

    @staticmethod
    def _posted(work: Work, note_id: uuid.UUID, data: dict[str, Any]) -> dict[str, Any]:
        # Only the author's own draft has a form (a signed note raises Conflict, another's is not found).
        template = notes.draft_template(work, note_id)
        # Without its template (plugin removed) nothing can be mapped or signed.
        if template is None:
            raise Conflict("This note's template is no longer installed; it cannot be edited here.")
        return note_form.parse_content(template, data)

    @staticmethod
    def _editor(request: HTMXRequest, practice: Practice, actor: Actor, note_id: uuid.UUID,
                data: dict[str, Any], errors: dict[str, str], status: int) -> Template:
        with practice.work(actor) as work:
            note = notes.read_note(work, note_id)
            template = work.registry.note_templates.get(note.template_key, note.template_version)
            values = note_form.parse_content(template, data) if template else None
            context = note_context(work, note_id, values=values, errors=errors,
                                   extra_rows=note_form.extra_rows(data))
        # An autosave targets the status line; errors belong beside the sections.
        headers = {"HX-Retarget": "#note-editor", "HX-Reswap": "outerHTML"} if request.htmx else None
        return render(request, PAGE, context, block="note_editor", status_code=status, headers=headers)

    @staticmethod
    def _conflict(request: HTMXRequest, practice: Practice, actor: Actor, note_id: uuid.UUID,
                  stale: notes.StaleDraft, block: str) -> Template:
        with practice.work(actor) as work:
            # The editor keeps showing what was typed; the panel shows both versions.
            context = note_context(work, note_id, values=stale.attempted, conflict=stale)
        headers = dict(SWAP_CONFLICT)
        if request.htmx and block == "note_conflict":
            headers.update({"HX-Retarget": "#note-conflict", "HX-Reswap": "outerHTML"})
        return render(request, PAGE, context, block=block, status_code=409, headers=headers)

    @staticmethod
    def _locked(request: HTMXRequest, practice: Practice, actor: Actor, note_id: uuid.UUID, message: str,
                status: int = 409) -> Template:
        with practice.work(actor, write=False) as work:
            context = note_context(work, note_id)
        context["locked_message"] = message
        headers = {**SWAP_CONFLICT, "HX-Retarget": "#note-main", "HX-Reswap": "outerHTML"} if request.htmx else {}
        return render(request, PAGE, context, block="note_main", status_code=status, headers=headers)
