"""Notes: drafts, signing (locks), addenda, co-signature, visibility."""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, false, or_, select

from polymodal.core import seals
from polymodal.core.access import (
    AccessRequest,
    FilterShape,
    bound_client_filter,
    decide,
    filter_shape,
    filter_values,
)
from polymodal.core.contributions import Visibility
from polymodal.core.db import connection_of
from polymodal.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from polymodal.core.events import NoteEvent
from polymodal.core.messaging import notices
from polymodal.core.models import (
    Case,
    CaseClient,
    Client,
    Note,
    NoteAddendum,
    NoteCosignature,
    Session,
    User,
)
from polymodal.core.practice import Work

MAX_DRAFT_CHARS = 200_000


class StaleDraft(Conflict):
    """Someone saved the draft since this editor loaded it; both versions are kept for the user."""

    def __init__(self, current: Note, attempted: dict[str, Any]) -> None:
        super().__init__("This draft was changed by someone else since you opened it.")
        self.current_content = dict(current.content)
        self.current_revision = current.revision
        self.attempted = attempted


def _case_clients(work: Work, case_id: uuid.UUID) -> list[uuid.UUID]:
    case = work.db.get(Case, case_id)
    if case is None:
        raise NotFound("no such case")
    return [link.client_id for link in case.clients]


def clients_of_note(work: Work, note: Note) -> list[uuid.UUID]:
    """Whose record a note belongs to: its one client, or every client of its case."""
    return [note.client_id] if note.client_id else _case_clients(work, note.case_id)


def start_note(work: Work, case_id: uuid.UUID, template_key: str, *, session_id: uuid.UUID | None = None,
               client_id: uuid.UUID | None = None) -> Note:
    clients = _case_clients(work, case_id)
    for cid in clients:
        work.require("clinical.write", cid, record_type="note")
    template = work.registry.note_templates.get(template_key)
    if template is None:
        raise ValidationFailed({"template_key": "Choose a note template offered here."})
    session = None
    if session_id is not None:
        session = work.db.get(Session, session_id)
        if session is None or session.case_id != case_id:
            raise ValidationFailed({"session_id": "Choose a session of this case."})
        if session.modality_key not in template.modalities:
            raise ValidationFailed({"template_key": "This template is not for the session's modality."})
    if client_id is not None and client_id not in clients:
        raise ValidationFailed({"client_id": "Choose a client of this case."})
    author = work.db.get(User, work.actor.user_id) if work.actor.user_id else None
    if author is None:
        raise AccessDenied("note.write", "notes are written by signed-in practitioners")
    _check_writer(work, author, template, session)
    note = Note(
        case_id=case_id, client_id=client_id or (clients[0] if len(clients) == 1 else None),
        session_id=session_id, author_id=author.id, template_key=template.key,
        template_version=template.version, content={}, visibility=template.visibility.value,
        psychotherapy_note=template.psychotherapy_note, updated_at=work.now,
        needs_cosign=author.supervisor_id is not None,
    )
    work.db.add(note)
    work.db.flush()
    _audit_all(work, "note.create", note, clients)
    return note


def _check_writer(work: Work, author: User, template: Any, session: Session | None) -> None:
    """A discipline's notes are written by its practitioners, and a session's by those on it.

    A breathwork practitioner on a client's team does not write a psychotherapy process note, and
    nobody writes on a colleague's session they did not attend (issue 12).
    """
    keys = [session.modality_key] if session is not None else template.modalities
    disciplines = {m.discipline for key in keys if (m := work.registry.modalities.get(key)) is not None}
    if disciplines and not disciplines & set(author.disciplines):
        raise AccessDenied("note.write", f"this template is for {', '.join(sorted(disciplines))} practitioners")
    if session is not None and author.id not in {p.user_id for p in session.practitioners}:
        raise AccessDenied("note.write", "only the practitioners of a session write its notes")


def _audit_all(work: Work, action: str, note: Note, clients: list[uuid.UUID] | None = None) -> None:
    reason = "psychotherapy note" if note.psychotherapy_note else ""
    for cid in clients if clients is not None else _case_clients(work, note.case_id):
        work.audit(action, record_type="note", record_id=note.id, client_id=cid, reason=reason)


def _own_draft(work: Work, note_id: uuid.UUID) -> Note:
    note = _load(work, note_id)
    if note.author_id != work.actor.user_id:
        raise AccessDenied("note.write", "only the author edits a draft")
    if note.status != "draft":
        raise Conflict("This note is signed and locked; add an addendum instead.")
    return note


def _load(work: Work, note_id: uuid.UUID) -> Note:
    note = work.db.get(Note, note_id)
    if note is None or not can_read(work, note):
        # The same answer whether it does not exist or is not yours: no probing for ids.
        raise NotFound("no such note")
    return note


def draft_template(work: Work, note_id: uuid.UUID) -> Any:
    """The template the author's own draft is edited with (None if its plugin is gone)."""
    note = _own_draft(work, note_id)
    return work.registry.note_templates.get(note.template_key, note.template_version)


def save_draft(work: Work, note_id: uuid.UUID, content: dict[str, Any], revision: int) -> Note:
    """Save a draft as entered (checked fully at signing); refuse a stale revision."""
    note = _own_draft(work, note_id)
    template = work.registry.note_templates.get(note.template_key, note.template_version)
    keys = {s.key for s in template.sections} if template else set(note.content)
    kept = {k: v for k, v in content.items() if k in keys}
    if len(json.dumps(kept, default=str)) > MAX_DRAFT_CHARS:
        raise ValidationFailed({"content": f"A note holds at most {MAX_DRAFT_CHARS:,} characters."})
    if revision != note.revision:
        raise StaleDraft(note, kept)
    note.content, note.revision, note.updated_at = kept, note.revision + 1, work.now
    work.db.flush()
    _audit_all(work, "note.save", note)
    return note


def sign_note(work: Work, note_id: uuid.UUID) -> Note:
    note = _own_draft(work, note_id)
    template = work.registry.note_templates.get(note.template_key, note.template_version)
    if template is None:
        raise Conflict(f"The template {note.template_key} v{note.template_version} is not installed.")
    values, errors = template.validate_content(note.content)
    if errors:
        raise ValidationFailed(errors)
    from polymodal.core.eligibility import region_problems

    problems = region_problems(work, note, template, values)
    if problems:  # beside the body map, like any other reason the note cannot be signed yet
        raise ValidationFailed(problems)
    note.content, note.status, note.signed_at = values, "signed", work.now
    seals.seal_note(work.practice.keys, note)
    work.db.flush()
    _audit_all(work, "note.sign", note)
    event = NoteEvent(note_id=str(note.id), case_id=str(note.case_id),
                      client_id=str(note.client_id) if note.client_id else None, author_id=str(note.author_id),
                      template_key=note.template_key, template_version=note.template_version,
                      psychotherapy_note=note.psychotherapy_note)
    work.after_commit(lambda: work.practice.call_each("polymodal_on_note_signed", event=event))
    if note.needs_cosign:
        supervisor = work.db.get(User, note.author_id).supervisor_id
        if supervisor is not None:
            notices.cosign_waiting(work, note.author_id, supervisor)
    return note


def add_addendum(work: Work, note_id: uuid.UUID, text: str) -> NoteAddendum:
    note = _load(work, note_id)
    for cid in _case_clients(work, note.case_id):
        work.require("clinical.write", cid, record_type="note", record_id=note.id)
    if note.status != "signed":
        raise Conflict("Edit the draft itself; addenda are for signed notes.")
    if note.psychotherapy_note and note.author_id != work.actor.user_id:
        raise AccessDenied("note.addendum", "only the author adds to a psychotherapy note")
    if not text.strip() or len(text) > 50_000:
        raise ValidationFailed({"text": "Write the addendum (up to 50,000 characters)."})
    addendum = NoteAddendum(note_id=note.id, author_id=work.actor.user_id, text=text.strip(), created_at=work.now)
    seals.seal_addendum(work.practice.keys, addendum)
    work.db.add(addendum)
    work.db.flush()
    _audit_all(work, "note.addendum", note)
    return addendum


def cosign(work: Work, note_id: uuid.UUID) -> NoteCosignature:
    note = _load(work, note_id)
    for cid in _case_clients(work, note.case_id):
        work.require("note.cosign", cid, record_type="note", record_id=note.id)
    author = work.db.get(User, note.author_id)
    if author is None or author.supervisor_id != work.actor.user_id:
        raise AccessDenied("note.cosign", "only the author's supervisor co-signs")
    if note.status != "signed" or not note.needs_cosign:
        raise Conflict("Only a signed note awaiting co-signature can be co-signed.")
    if work.db.get(NoteCosignature, note.id) is not None:
        raise Conflict("This note is already co-signed.")
    signature = NoteCosignature(note_id=note.id, cosigner_id=work.actor.user_id, cosigned_at=work.now,
                                note_hash=note.content_hash)
    work.db.add(signature)
    work.db.flush()
    _audit_all(work, "note.cosign", note)
    return signature


def can_read(work: Work, note: Note) -> bool:
    """Whether the actor may open ``note``: the rule ``_readable`` (for lists and exports) writes in SQL.

    The author always; nobody else a process note; otherwise clinical access to
    every client of the note's case (a joint couple note needs both partners'),
    the author's discipline for a discipline note, and, while the note is an
    unsigned draft, only the author's supervisor besides the author.
    """
    if note.author_id == work.actor.user_id:
        return True
    if note.visibility == Visibility.author_only:
        return False
    for cid in _case_clients(work, note.case_id):
        if not decide(work.db, work.actor, AccessRequest("clinical.read", cid), work.now).allowed:
            return False
    author = work.db.get(User, note.author_id)
    if note.status == "draft" and (author is None or author.supervisor_id is None
                                   or author.supervisor_id != work.actor.user_id):
        return False
    if note.visibility == Visibility.discipline:
        return bool(author and set(author.disciplines) & set(work.actor.disciplines))
    return True


def read_note(work: Work, note_id: uuid.UUID) -> Note:
    note = work.db.get(Note, note_id)
    if note is None:
        raise NotFound("no such note")
    clients = _case_clients(work, note.case_id)
    for cid in clients:
        work.require("clinical.read", cid, record_type="note", record_id=note.id)
    if not can_read(work, note):
        work.deny(_request(note, clients), "note visibility", NotFound("no such note"))
    _audit_all(work, "note.read", note, clients)
    return note


def _request(note: Note, clients: list[uuid.UUID]) -> AccessRequest:
    return AccessRequest("clinical.read", clients[0] if clients else None, "note", str(note.id))


def addenda_of(work: Work, note: Note) -> list[NoteAddendum]:
    return list(work.db.scalars(select(NoteAddendum).where(NoteAddendum.note_id == note.id)
                                .order_by(NoteAddendum.created_at)))


def cosign_queue(work: Work) -> list[Any]:
    """Signed notes of the actor's supervisees still waiting for co-signature (columns only)."""
    stmt = (select(Note.id, Note.template_key, Note.signed_at, Note.case_id, User.display_name.label("author"),
                   Case.title.label("case_title"))
            .join(User, User.id == Note.author_id).join(Case, Case.id == Note.case_id)
            .where(User.supervisor_id == work.actor.user_id, Note.status == "signed", Note.needs_cosign,
                   # A process note is its author's alone: it can never be co-signed, so it never waits.
                   Note.visibility != Visibility.author_only.value,
                   ~exists().where(NoteCosignature.note_id == Note.id))
            .order_by(Note.signed_at))
    return list(work.db.execute(stmt).all())


def my_drafts(work: Work, *, limit: int = 50) -> list[Any]:
    """The actor's own unsigned drafts, oldest first (columns only; the author's own work, not audited)."""
    if work.actor.user_id is None:
        return []
    stmt = (select(Note.id, Note.template_key, Note.updated_at, Note.session_id, Note.psychotherapy_note,
                   Case.title.label("case_title"))
            .join(Case, Case.id == Note.case_id)
            .where(Note.author_id == work.actor.user_id, Note.status == "draft")
            .order_by(Note.updated_at).limit(min(max(limit, 1), 500)))
    return list(work.db.execute(stmt).all())


def _readable(me: Any, visible: Any) -> Any:
    """SQL for ``can_read`` on ``Note`` joined to its author ``User``, except the discipline rule
    (``_discipline_allows``, per row on a fetched column: disciplines are a JSON list). ``me`` is the actor's
    user id (None for none) and ``visible`` the clients it may read; either may be bound parameters."""
    unreadable_client = (select(CaseClient.client_id).join(Client, Client.id == CaseClient.client_id)
                         .where(CaseClient.case_id == Note.case_id, ~visible))
    return or_(Note.author_id == me if me is not None else false(),
               and_(Note.visibility != Visibility.author_only.value, ~exists(unreadable_client),
                    # A draft is its author's (and a trainee's supervisor's) until it is signed.
                    or_(Note.status != "draft", User.supervisor_id == me if me is not None else false())))


def _discipline_allows(work: Work, row: Any) -> bool:
    return (row.visibility != Visibility.discipline.value or row.author_id == work.actor.user_id
            or bool(set(row.author_disciplines or ()) & set(work.actor.disciplines)))


def readable_ids_of_client(work: Work, client_id: uuid.UUID) -> set[uuid.UUID]:
    """Ids of the notes of the client's cases that the actor may open as a page (``can_read``).

    The one rule behind the note pages, the record export, the FHIR Bundle and the API:
    an export never holds a note its requester could not open. The caller checks its own action.
    """
    cases = select(CaseClient.case_id).where(CaseClient.client_id == client_id)
    stmt = (select(Note.id, Note.visibility, Note.author_id, User.disciplines.label("author_disciplines"))
            .join(User, User.id == Note.author_id).where(Note.case_id.in_(cases),
                                                          _readable(work.actor.user_id, work.client_filter("clinical.read"))))
    return {row.id for row in work.db.execute(stmt).all() if _discipline_allows(work, row)}


def _note_rows(work: Work, of: str, value: uuid.UUID, limit: int) -> list[Any]:
    shape = filter_shape(work.actor, "clinical.read")
    stmt = _note_rows_statement(of, shape, work.actor.user_id is not None, min(max(limit, 1), 500))
    rows = connection_of(work.db).execute(stmt, {"of": value, "me": work.actor.user_id,
                                                **filter_values(work.actor, work.now)})
    return [row for row in rows if _discipline_allows(work, row)]


@functools.lru_cache(maxsize=256)
def _note_rows_statement(of: str, shape: FilterShape, has_me: bool, limit: int) -> Select[Any]:
    """The notes of a session or of a client, as ``_readable`` allows, built once per shape with the values
    bound: built per page, its cache key (the access filter's subqueries) was a tenth of the session page."""
    readable = _readable(bindparam("me") if has_me else None, bound_client_filter(shape))
    condition = (Note.session_id == bindparam("of") if of == "session" else
                 Note.case_id.in_(select(CaseClient.case_id).where(CaseClient.client_id == bindparam("of"))))
    return (select(Note.id, Note.template_key, Note.template_version, Note.status, Note.signed_at,
                   Note.updated_at, Note.session_id, Note.psychotherapy_note, Note.visibility, Note.author_id,
                   Note.needs_cosign, User.display_name.label("author"), User.disciplines.label("author_disciplines"),
                   exists().where(NoteCosignature.note_id == Note.id).label("cosigned"))
            .join(User, User.id == Note.author_id)
            .where(condition, readable)
            .order_by(Note.created_at.desc()).limit(limit))


def notes_of_client(work: Work, client_id: uuid.UUID, *, limit: int = 200) -> list[Any]:
    """Notes of every case the client is in that the actor may read, newest first (columns only)."""
    work.require("clinical.read", client_id, record_type="note")
    rows = _note_rows(work, "client", client_id, limit)
    work.audit("note.list", record_type="note", client_id=client_id)
    return rows


def usual_template(work: Work, session: Session) -> str | None:
    """The note template the actor last wrote in this session's case: the next note starts in the same
    format (issue 13: the template defaults from the case). One statement; the caller checked the session."""
    return connection_of(work.db).scalar(_USUAL_TEMPLATE, {"case_id": session.case_id,
                                                         "me": work.actor.user_id})


_USUAL_TEMPLATE = (select(Note.template_key)  # built once: see _note_rows_statement
                   .where(Note.case_id == bindparam("case_id"), Note.author_id == bindparam("me"))
                   .order_by(Note.updated_at.desc()).limit(1))


def notes_of_session(work: Work, session: Session) -> list[Any]:
    """Notes written for ``session`` that the actor may read (columns only); the caller checked the session."""
    for link in session.clients:
        work.require("clinical.read", link.client_id, record_type="note")
    rows = _note_rows(work, "session", session.id, 100)
    for link in session.clients:
        work.audit("note.list", record_type="session", record_id=session.id, client_id=link.client_id)
    return rows


def note_details(work: Work, note: Note) -> dict[str, Any]:
    """What surrounds a note the caller has read: author, co-signature, addenda (with names), and
    whether the actor may add an addendum or co-sign (for showing those forms; the actions check again)."""
    author = work.db.execute(select(User.display_name, User.supervisor_id).where(User.id == note.author_id)).one()
    cosigned = work.db.execute(
        select(NoteCosignature.cosigned_at, User.display_name.label("by"))
        .join(User, User.id == NoteCosignature.cosigner_id).where(NoteCosignature.note_id == note.id)).first()
    addenda = list(work.db.execute(
        select(NoteAddendum.id, NoteAddendum.note_id, NoteAddendum.author_id, NoteAddendum.text,
               NoteAddendum.created_at, NoteAddendum.content_key, NoteAddendum.content_hash,
               User.display_name.label("author"))
        .join(User, User.id == NoteAddendum.author_id).where(NoteAddendum.note_id == note.id)
        .order_by(NoteAddendum.created_at)).all())
    clients = _case_clients(work, note.case_id)
    signed = note.status == "signed"
    may_add = signed and all(work.may("clinical.write", c) for c in clients) and (
        not note.psychotherapy_note or note.author_id == work.actor.user_id)
    may_cosign = (signed and note.needs_cosign and cosigned is None and not note.psychotherapy_note
                  and author.supervisor_id is not None and author.supervisor_id == work.actor.user_id
                  and all(work.may("note.cosign", c) for c in clients))
    case_title = work.db.scalar(select(Case.title).where(Case.id == note.case_id))
    return {"author": author.display_name, "cosigned": cosigned, "addenda": addenda, "case_title": case_title,
            "may_add": may_add, "may_cosign": may_cosign, "seal_problems": seal_problems(work, note, addenda)}


def seal_problems(work: Work, note: Note, addenda: list[Any]) -> list[str]:
    """What fails the keyed seal check, in words for the reader: a note changed after signing is never
    shown (or exported) as if it were the signed one."""
    keys = work.practice.keys
    found = [f"This note: {p}." for p in [seals.note_problem(keys, note)] if p]
    found += [f"The addendum of {a.created_at:%d %b %Y}: {p}." for a in addenda
              for p in [seals.addendum_problem(keys, a)] if p]
    return found
