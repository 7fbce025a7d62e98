"""Destruction: a due record's clinical content is removed; an audited tombstone says what went and why.

Removed: notes (with addenda and co-signatures), intake answers, assessment results, consents (their
contents: scope, signer, what was disclosed), eligibility records (clearances, overrides, risk plans,
session checks), safety plans, portal packets and links, the text of messages, contact details. Notes kept on a shared
case without a client of their own (a couple's or group's note), its goals and its diagnoses go once every
client of that case is destroyed. Kept: the client's name and date of birth (the tombstone must say whose
record went), cases and sessions as dates on the calendar, billing (tax law keeps it on its own terms) and
the audit trail, which never held clinical text and still verifies.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import aliased

from polymodal.core.billing.models import CaseDiagnosis
from polymodal.core.errors import ValidationFailed
from polymodal.core.messaging import outbox
from polymodal.core.models import (
    AssessmentResult,
    CaseClient,
    Clearance,
    Client,
    ClientConsentState,
    ConsentRecord,
    EligibilityOverride,
    FormResponse,
    Goal,
    Guardian,
    Note,
    NoteAddendum,
    NoteCosignature,
    PortalLink,
    PortalPacket,
    PortalSession,
    RiskAcknowledgement,
    SessionCheck,
    User,
    WaitlistEntry,
)
from polymodal.core.practice import Work
from polymodal.core.retention.due import Candidate, candidates
from polymodal.core.retention.holds import typed_reason
from polymodal.core.retention.models import Destruction
from polymodal.core.retention.rules import RetentionRule
from polymodal.core.safety.models import SafetyPlan
from polymodal.core.services import consent_gaps
from polymodal.core.services.privacy import ERASED
from polymodal.core.timeutil import today_in


def destroy(work: Work, client_ids: Sequence[uuid.UUID], reason: str) -> list[Destruction]:
    """Destroy the selected records, each of which must be due today and under no hold; all or none."""
    reason = typed_reason(reason)
    if not client_ids:
        raise ValidationFailed({"client": "Select at least one record to destroy."})
    for client_id in client_ids:
        work.require("retention.destroy", client_id, record_type="client", record_id=client_id)
    today = today_in(work.center.timezone, work.now)
    rule, found = candidates(work, only=client_ids)
    due = {r.client_id: r for r in found if r.is_due(today)}
    refused = [c for c in client_ids if c not in due]
    if refused:
        names = dict(work.db.execute(select(Client.id, Client.legal_last_name).where(Client.id.in_(refused))).all())
        listed = ", ".join(names.get(c, str(c)) for c in refused)
        raise ValidationFailed({"client": f"Not due for destruction today (held, too recent, or already "
                                          f"destroyed): {listed}. Nothing was destroyed."})
    return [_destroy_one(work, rule, due[c], reason) for c in dict.fromkeys(client_ids)]


def _destroy_one(work: Work, rule: RetentionRule, record: Candidate, reason: str) -> Destruction:
    db, client_id = work.db, record.client_id
    tombstone = Destruction(client_id=client_id, rule_key=rule.key,
                            rule_summary=rule.summary(work.center.age_of_majority)[:500],
                            last_contact_on=record.last_contact, due_on=record.due.on, reason=reason,
                            destroyed_by=work.actor.user_id, destroyed_at=work.now, destroyed={})
    db.add(tombstone)
    db.flush()  # the open permit: the integrity triggers let this transaction delete fixed records

    def gone(table, *where) -> int:
        return db.execute(delete(table).where(*where)).rowcount

    # This client's cases with no other client whose record is still here: their shared notes, goals and
    # diagnoses go with the last client's record.
    other = aliased(CaseClient)
    other_kept = exists().where(other.case_id == CaseClient.case_id, other.client_id != client_id, ~exists().where(
        Destruction.client_id == other.client_id, Destruction.completed_at.is_not(None)))
    whole_cases = select(CaseClient.case_id).where(CaseClient.client_id == client_id, ~other_kept)
    notes = select(Note.id).where(or_(Note.client_id == client_id,
                                      and_(Note.client_id.is_(None), Note.case_id.in_(whole_cases))))
    counts = {
        "note_cosignatures": gone(NoteCosignature, NoteCosignature.note_id.in_(notes)),
        "note_addenda": gone(NoteAddendum, NoteAddendum.note_id.in_(notes)),
        "notes": gone(Note, Note.id.in_(notes)),
        "intake_answers": gone(FormResponse, FormResponse.client_id == client_id),
        "assessments": gone(AssessmentResult, AssessmentResult.client_id == client_id),
        "consents": gone(ConsentRecord, ConsentRecord.client_id == client_id),
        "clearances": gone(Clearance, Clearance.client_id == client_id),
        "eligibility_overrides": gone(EligibilityOverride, EligibilityOverride.client_id == client_id),
        "risk_plans": gone(RiskAcknowledgement, RiskAcknowledgement.client_id == client_id),
        "safety_plans": gone(SafetyPlan, SafetyPlan.client_id == client_id),  # after the plans that name them
        "session_checks": gone(SessionCheck, SessionCheck.client_id == client_id),
        # What the desk noted about the client's wishes goes too; nothing refers to a waitlist entry.
        "waitlist_entries": gone(WaitlistEntry, WaitlistEntry.client_id == client_id),
        "goals": gone(Goal, Goal.case_id.in_(whole_cases)),
        "diagnoses": gone(CaseDiagnosis, CaseDiagnosis.case_id.in_(whole_cases)),
    }
    # The dashboard's consent state is read from the signatures just deleted: it goes with them (not counted:
    # it holds nothing of its own).
    gone(ClientConsentState, ClientConsentState.client_id == client_id)
    consent_gaps.client_changed(db.connection(), client_id)
    packets = select(PortalPacket.id).where(PortalPacket.client_id == client_id)
    links = select(PortalLink.id).where(PortalLink.packet_id.in_(packets))
    gone(PortalSession, PortalSession.link_id.in_(links))
    gone(PortalLink, PortalLink.packet_id.in_(packets))
    counts["portal_packets"] = gone(PortalPacket, PortalPacket.client_id == client_id)
    counts["messages"] = outbox.forget_client(work, client_id)
    client = db.get(Client, client_id)
    for key, value in ERASED.items():  # through the ORM, so the search index forgets the contact details too
        setattr(client, key, value)
    client.restricted, client.active = True, False
    db.execute(update(Guardian).where(Guardian.client_id == client_id).values(email="", phone=""))
    tombstone.destroyed = {kind: n for kind, n in counts.items() if n}
    tombstone.completed_at = work.now  # the permit closes before the transaction commits
    db.flush()
    work.audit("retention.destroy", record_type="client", record_id=client_id, client_id=client_id,
               reason=f"{rule.key}, due {record.due.on.isoformat()}: {reason}")
    return tombstone


def destroyed_records(work: Work, limit: int = 100) -> list[Any]:
    """The newest tombstones, with whose record it was and who destroyed it (one query)."""
    work.require("retention.review")
    stmt = (select(Destruction.id, Destruction.client_id, Destruction.rule_key, Destruction.due_on,
                   Destruction.destroyed, Destruction.reason, Destruction.destroyed_at,
                   Client.legal_first_name, Client.legal_last_name, User.display_name.label("destroyed_by_name"))
            .join(Client, Client.id == Destruction.client_id).outerjoin(User, User.id == Destruction.destroyed_by)
            .order_by(Destruction.destroyed_at.desc()).limit(limit))
    return list(work.db.execute(stmt).all())
