"""Break the glass, right of access (export), erasure with retention, access history."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, inspect, select, update

from polymodal.core import seals
from polymodal.core.access import AccessRequest
from polymodal.core.errors import AccessDenied, NotFound, ValidationFailed
from polymodal.core.messaging import outbox
from polymodal.core.models import (
    AssessmentResult,
    AuditEvent,
    BreakGlassGrant,
    Case,
    CaseClient,
    Client,
    ConsentRecord,
    FormResponse,
    Note,
    NoteAddendum,
    PortalLink,
    PortalPacket,
    PortalSession,
    Session,
    SessionClient,
    User,
    WaitlistEntry,
)
from polymodal.core.practice import Work
from polymodal.core.safety.models import SafetyPlan
from polymodal.core.services import account
from polymodal.core.services import notes as notes_service

GLASS_MINUTES = 60


def break_glass(work: Work, client_id: uuid.UUID, reason: str, password: str,
                minutes: int = GLASS_MINUTES) -> BreakGlassGrant:
    """Emergency access to one client's clinical record: re-authenticated, justified, time-boxed."""
    work.require("break_glass.grant")
    if work.db.get(Client, client_id) is None:
        raise NotFound("no such client")
    if len(reason.strip()) < 15:
        raise ValidationFailed({"reason": "Explain the emergency (at least 15 characters); it is reviewed."})
    if not 5 <= minutes <= 240:
        raise ValidationFailed({"minutes": "Emergency access lasts 5 to 240 minutes."})
    # Counted with sign-in failures: a stolen session cannot guess its user's password here at leisure.
    user = account.reauthenticate(work, password, AccessRequest("break_glass.grant", client_id, "client",
                                                                str(client_id)), "password", wrong_is_denied=True)
    grant = BreakGlassGrant(user_id=user.id, client_id=client_id, reason=reason.strip()[:1000],
                            granted_at=work.now, expires_at=work.now + dt.timedelta(minutes=minutes))
    work.db.add(grant)
    work.db.flush()
    work.audit("break_glass.grant", record_type="break_glass", record_id=grant.id, client_id=client_id,
               reason=reason)
    return grant


def grants_to_review(work: Work) -> list[Any]:
    """Unreviewed emergency grants with who, whom and why (columns only, one query)."""
    work.require("break_glass.review")
    stmt = (select(BreakGlassGrant.id, BreakGlassGrant.reason, BreakGlassGrant.granted_at,
                   BreakGlassGrant.expires_at, BreakGlassGrant.user_id, User.display_name.label("user_name"),
                   Client.legal_first_name, Client.legal_last_name)
            .join(User, User.id == BreakGlassGrant.user_id).join(Client, Client.id == BreakGlassGrant.client_id)
            .where(BreakGlassGrant.reviewed_by.is_(None)).order_by(BreakGlassGrant.granted_at))
    return list(work.db.execute(stmt).all())


def review_grant(work: Work, grant_id: uuid.UUID) -> None:
    work.require("break_glass.review")
    grant = work.db.get(BreakGlassGrant, grant_id)
    if grant is None:
        raise NotFound("no such grant")
    if grant.user_id == work.actor.user_id:
        raise AccessDenied("break_glass.review", "nobody reviews their own emergency access")
    grant.reviewed_by = work.actor.user_id
    work.audit("break_glass.review", record_type="break_glass", record_id=grant.id, client_id=grant.client_id)


def _columns(row: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column under its column name (attributes may be named otherwise, e.g. ``relationship_``)."""
    return {attr.columns[0].name: _plain(getattr(row, attr.key))
            for attr in inspect(row).mapper.column_attrs if attr.columns[0].name not in skip}


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _note_export(work: Work, note: Note, addenda: list[NoteAddendum]) -> dict[str, Any]:
    keys = work.practice.keys
    problems = [p for p in (seals.note_problem(keys, note), *(seals.addendum_problem(keys, a) for a in addenda)) if p]
    # Exported as stored, with the seal check's verdict: altered text never leaves looking like the signed note.
    return {**_columns(note), "addenda": [_columns(a) for a in addenda], "seal_problems": problems}


def export_record(work: Work, client_id: uuid.UUID) -> dict[str, Any]:
    """The client's record as JSON for the right of access (HIPAA 164.524, GDPR Art. 15/20).

    Psychotherapy notes are excluded, as 164.524(a)(1)(i) allows; so is
    anything about other clients of shared (couple, family, group) cases.
    Notes are exactly those the requester may open as pages
    (``notes.readable_ids_of_client``): a joint couple note needs access to
    both partners, a discipline note the author's discipline.
    """
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    work.require("record.export", client.id, record_type="client", record_id=client.id)
    db = work.db
    case_ids = list(db.scalars(select(CaseClient.case_id).where(CaseClient.client_id == client.id)))
    session_ids = select(SessionClient.session_id).where(SessionClient.client_id == client.id)
    readable = notes_service.readable_ids_of_client(work, client.id)
    notes = db.scalars(select(Note).where(Note.id.in_(readable), Note.status == "signed",
                                          Note.psychotherapy_note.is_(False),
                                          (Note.client_id == client.id) | Note.client_id.is_(None))
                       .order_by(Note.signed_at)).all()
    exported = {
        "format": "polymodal-record/1",
        "exported_at": work.now.isoformat(),
        "client": _columns(client, skip=("search_key",)),
        "guardians": [_columns(g) for g in client.guardians],
        "cases": [_columns(c) for c in db.scalars(select(Case).where(Case.id.in_(case_ids)))],
        "sessions": [_columns(s) for s in db.scalars(select(Session).where(Session.id.in_(session_ids))
                                                     .order_by(Session.starts_at))],
        "consents": [_columns(r) for r in db.scalars(select(ConsentRecord).where(ConsentRecord.client_id == client.id))],
        "waitlist": [_columns(w) for w in db.scalars(select(WaitlistEntry).where(WaitlistEntry.client_id == client.id)
                                                     .order_by(WaitlistEntry.created_at))],
        "forms": [_columns(r) for r in db.scalars(select(FormResponse).where(FormResponse.client_id == client.id))],
        "assessments": [_columns(r) for r in db.scalars(
            select(AssessmentResult).where(AssessmentResult.client_id == client.id))],
        # Every version: what the client was given on each day is part of their record.
        "safety_plans": [_columns(p) for p in db.scalars(
            select(SafetyPlan).where(SafetyPlan.client_id == client.id).order_by(SafetyPlan.version))],
        "notes": [_note_export(work, n, list(db.scalars(select(NoteAddendum).where(NoteAddendum.note_id == n.id))))
                  for n in notes],
    }
    work.audit("record.export", record_type="client", record_id=client.id, client_id=client.id)
    return exported


ERASED = {"email": "", "phone": "", "address": "", "emergency_contact_name": "", "emergency_contact_phone": "",
          "emergency_contact_relationship": ""}


def erase_client(work: Work, client_id: uuid.UUID) -> dict[str, int]:
    """Erasure (GDPR Art. 17) within retention duties (Art. 17(3)).

    Clinical records are kept for their retention period, so they are
    restricted rather than deleted: the client disappears from lists, search
    and the portal. Contact details and unsubmitted portal drafts, which no
    retention rule keeps, are deleted now; so are the addresses and text of the messages sent to them.
    """
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    work.require("record.erase", client.id, record_type="client", record_id=client.id)
    for key, value in ERASED.items():
        setattr(client, key, value)
    client.restricted, client.active = True, False
    packets = select(PortalPacket.id).where(PortalPacket.client_id == client.id)
    links = select(PortalLink.id).where(PortalLink.packet_id.in_(packets))
    counts = {
        "portal_sessions": work.db.execute(delete(PortalSession).where(PortalSession.link_id.in_(links))).rowcount,
        "portal_links": work.db.execute(delete(PortalLink).where(PortalLink.packet_id.in_(packets))).rowcount,
        "portal_drafts": work.db.execute(delete(PortalPacket).where(PortalPacket.client_id == client.id,
                                                                    PortalPacket.status == "open")).rowcount,
        "messages": outbox.forget_client(work, client.id),
        # A waiting client would still be offered slots, and the desk's note about them is not clinical.
        "waitlist_entries": work.db.execute(
            update(WaitlistEntry).where(WaitlistEntry.client_id == client.id, WaitlistEntry.status == "waiting")
            .values(status="removed", close_reason="Erasure requested", closed_at=work.now,
                    closed_by=work.actor.user_id)).rowcount,
    }
    work.db.execute(update(WaitlistEntry).where(WaitlistEntry.client_id == client.id).values(note=""))
    work.audit("record.erase", record_type="client", record_id=client.id, client_id=client.id,
               reason="contact details and drafts deleted; clinical record restricted for retention")
    return counts


def access_history(work: Work, client_id: uuid.UUID, limit: int = 500) -> list[AuditEvent]:
    """Who touched this client's record, newest first: the accounting of disclosures view."""
    work.require("audit.read")
    rows = list(work.db.scalars(select(AuditEvent).where(AuditEvent.client_id == client_id)
                                .order_by(AuditEvent.at.desc(), AuditEvent.seq.desc()).limit(limit)))
    work.audit("audit.client_history", record_type="client", record_id=client_id, client_id=client_id)
    return rows
