"""The API's read model: plain dicts built from the page services, with cursor paging for long lists.

Every function asks the same service a page asks (same access check, same
audit event), then keeps only what the API shows. Process notes and drafts
never leave through here.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.models import Client, Goal, Note, Session, SessionClient
from polymodal.core.practice import Work
from polymodal.core.safety import plans
from polymodal.core.services import assessments, cases, client_record, clients, consent, notes, session_view

MAX_PAGE = 200


@dataclass(frozen=True)
class Page:
    data: list[dict[str, Any]]
    next_cursor: str | None


def encode_cursor(*parts: Any) -> str:
    raw = json.dumps([p.isoformat() if isinstance(p, dt.datetime) else str(p) for p in parts])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: tuple[type, ...]) -> tuple[Any, ...]:
    """The key a cursor holds; a cursor that was not ours is a field error, never a 500."""
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if len(parts) != len(kinds):
            raise ValueError
        return tuple(dt.datetime.fromisoformat(p) if k is dt.datetime else k(p) for p, k in zip(parts, kinds, strict=True))
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed({"cursor": "This cursor was not given by this API; start again without it."}) from None


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed({"limit": f"Ask for 1 to {MAX_PAGE} items."})
    return limit


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def client_summary(row: Any) -> dict[str, Any]:
    return {"id": str(row.id), "legal_first_name": row.legal_first_name, "legal_last_name": row.legal_last_name,
            "preferred_name": row.preferred_name, "pronouns": row.pronouns,
            "date_of_birth": row.date_of_birth.isoformat()}


def clients_page(work: Work, cursor: str | None, limit: int) -> Page:
    """Clients the actor may see, oldest record first; the search page's access rule and audit."""
    work.require("client.read")
    limit = _limit(limit)
    stmt = select(Client.id, Client.created_at, Client.legal_first_name, Client.legal_last_name,
                  Client.preferred_name, Client.pronouns, Client.date_of_birth).where(work.client_filter("client.read"))
    if cursor:
        at, last_id = decode_cursor(cursor, (dt.datetime, uuid.UUID))
        stmt = stmt.where(or_(Client.created_at > at, and_(Client.created_at == at, Client.id > last_id)))
    rows = work.db.execute(stmt.order_by(Client.created_at, Client.id).limit(limit + 1)).all()
    work.audit("client.search", record_type="client", reason=f"api: {min(len(rows), limit)} results")
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([client_summary(r) for r in rows],
                encode_cursor(rows[-1].created_at, rows[-1].id) if more else None)


def client(work: Work, client_id: uuid.UUID) -> dict[str, Any]:
    found = clients.get_client(work, client_id)
    return {**client_summary(found), "email": found.email, "phone": found.phone, "address": found.address,
            "active": found.active,
            "guardians": [{"id": str(g.id), "name": g.name, "relationship": g.relationship_,
                           "can_consent": g.can_consent} for g in found.guardians]}


def cases_of(work: Work, client_id: uuid.UUID) -> list[dict[str, Any]]:
    return [{"id": str(r.id), "title": r.title, "kind": r.kind, "opened_on": _iso(r.opened_on),
             "closed_on": _iso(r.closed_on)} for r in client_record.cases_of(work, client_id)]


def case(work: Work, case_id: uuid.UUID) -> dict[str, Any]:
    found = cases.get_case(work, case_id)
    client_ids = [link.client_id for link in found.clients]
    goals = work.db.execute(select(Goal.id, Goal.text, Goal.status, Goal.target_on)
                            .where(Goal.case_id == found.id).order_by(Goal.created_at)).all()
    for cid in client_ids:
        work.audit("case.read", record_type="case", record_id=found.id, client_id=cid)
    return {"id": str(found.id), "title": found.title, "kind": found.kind, "opened_on": _iso(found.opened_on),
            "closed_on": _iso(found.closed_on), "client_ids": [str(c) for c in client_ids],
            "practitioner_ids": [str(p.user_id) for p in found.practitioners],
            # Goals are the case's plan, readable with the case (as on the case page).
            "goals": [{"id": str(g.id), "text": g.text, "status": g.status, "target_on": _iso(g.target_on)}
                      for g in goals]}


def session_dict(session: Session | session_view.SessionFacts, practitioner_ids: list[uuid.UUID] | None = None
                 ) -> dict[str, Any]:
    """The API's session; ``practitioner_ids`` where ``session`` is columns without its practitioners."""
    if practitioner_ids is None:
        practitioner_ids = [p.user_id for p in session.practitioners]
    return {"id": str(session.id), "case_id": str(session.case_id), "modality_key": session.modality_key,
            "structure_key": session.structure_key, "format": session.format,
            "starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat(),
            "delivery": session.delivery, "room_id": str(session.room_id) if session.room_id else None,
            "status": session.status, "client_ids": [str(c.client_id) for c in session.clients],
            "practitioner_ids": [str(p) for p in practitioner_ids]}


def session(work: Work, session_id: uuid.UUID) -> dict[str, Any]:
    view = session_view.open_session(work, session_id)
    return session_dict(view.session, [p.id for p in view.practitioners])


def sessions_page(work: Work, client_id: uuid.UUID, cursor: str | None, limit: int) -> Page:
    """The client's sessions, newest first (``client_record.sessions_of``'s check and audit)."""
    work.require("client.read", client_id, record_type="session")
    limit = _limit(limit)
    stmt = (select(Session.id, Session.case_id, Session.starts_at, Session.ends_at, Session.modality_key,
                   Session.status, Session.delivery)
            .join(SessionClient, SessionClient.session_id == Session.id).where(SessionClient.client_id == client_id))
    if cursor:
        at, last_id = decode_cursor(cursor, (dt.datetime, uuid.UUID))
        stmt = stmt.where(or_(Session.starts_at < at, and_(Session.starts_at == at, Session.id < last_id)))
    rows = work.db.execute(stmt.order_by(Session.starts_at.desc(), Session.id.desc()).limit(limit + 1)).all()
    work.audit("session.list", record_type="session", client_id=client_id)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([{"id": str(r.id), "case_id": str(r.case_id), "starts_at": r.starts_at.isoformat(),
                  "ends_at": r.ends_at.isoformat(), "modality_key": r.modality_key, "status": r.status,
                  "delivery": r.delivery} for r in rows],
                encode_cursor(rows[-1].starts_at, rows[-1].id) if more else None)


def consent_dict(record: Any, now: dt.datetime) -> dict[str, Any]:
    return {"id": str(record.id), "document_key": record.document_key, "document_version": record.document_version,
            "signer_name": record.signer_name, "signer_capacity": record.signer_capacity, "method": record.method,
            "signed_at": _iso(record.signed_at), "expires_at": _iso(record.expires_at),
            "revoked_at": _iso(record.revoked_at),
            "state": consent.state_at(record.expires_at, record.revoked_at, now)}


def consents_of(work: Work, client_id: uuid.UUID) -> list[dict[str, Any]]:
    return [consent_dict(r, work.now) for r in consent.consent_rows(work, client_id)]


def one_consent(work: Work, client_id: uuid.UUID, consent_id: uuid.UUID) -> dict[str, Any]:
    record = consent.get_consent(work, client_id, consent_id)
    return {**consent_dict(record, work.now), "scope": record.scope, "text_hash": record.text_hash}


def result_dict(row: Any) -> dict[str, Any]:
    return {"id": str(row.id), "instrument_key": row.instrument_key, "instrument_version": row.instrument_version,
            "total": row.total, "band": row.band, "flags": list(row.flags or []),
            "administered_at": _iso(row.administered_at)}


def results_of(work: Work, client_id: uuid.UUID) -> list[dict[str, Any]]:
    return [result_dict(r) for r in assessments.result_rows(work, client_id)]


def one_result(work: Work, client_id: uuid.UUID, result_id: uuid.UUID) -> dict[str, Any]:
    found = assessments.get_result(work, client_id, result_id)
    return {**result_dict(found), "answers": found.answers, "subscales": found.subscales}


def safety_plans_of(work: Work, client_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every version of the client's safety plan, newest first (the Eligibility tab's read and audit)."""
    return [_safety_plan_dict(row.SafetyPlan, row.author) for row in plans.history(work, client_id)]


def _safety_plan_dict(plan: Any, author: str) -> dict[str, Any]:
    return {"id": str(plan.id), "version": plan.version, "steps": {key: getattr(plan, key) for key in plans.STEP_KEYS},
            "change_note": plan.change_note, "reviewed_on": _iso(plan.reviewed_on), "written_by": str(plan.written_by),
            "written_by_name": author, "written_at": _iso(plan.written_at)}


def _shareable(row: Any) -> bool:
    """Signed, and not a psychotherapy (process) note: those never leave through the API or an export."""
    return row.status == "signed" and not row.psychotherapy_note


def notes_of(work: Work, client_id: uuid.UUID) -> list[dict[str, Any]]:
    return [{"id": str(r.id), "template_key": r.template_key, "template_version": r.template_version,
             "signed_at": _iso(r.signed_at), "author": r.author, "session_id": str(r.session_id) if r.session_id else None}
            for r in notes.notes_of_client(work, client_id) if _shareable(r)]


def one_note(work: Work, client_id: uuid.UUID, note_id: uuid.UUID) -> dict[str, Any]:
    """A signed note of the client's; a draft, a process note or another client's note is 'not found'."""
    work.require("clinical.read", client_id, record_type="note", record_id=note_id)
    found = work.db.get(Note, note_id)
    # Decided before reading, so a process note or a draft is never even recorded as read through here.
    if found is None or not _shareable(found) or client_id not in notes.clients_of_note(work, found):
        raise NotFound("no such note")
    note = notes.read_note(work, note_id)
    details = notes.note_details(work, note)
    return {"id": str(note.id), "case_id": str(note.case_id), "template_key": note.template_key,
            "template_version": note.template_version, "signed_at": _iso(note.signed_at),
            "author": details["author"], "content": note.content, "content_hash": note.content_hash,
            # Exported as it is, with the seal check's verdict: the receiver is told, never shown altered text as signed.
            "seal_problems": details["seal_problems"],
            "addenda": [{"text": a.text, "author": a.author, "created_at": _iso(a.created_at)}
                        for a in details["addenda"]]}
