"""Which records are due for destruction, computed from the practice's clock.

One query answers for every client: the first and last contact of each (sessions not cancelled, notes and
their addenda, intake answers, assessments, consents, registration), the last day any signed authorization
was in effect, whether a legal hold covers the client or one of their cases, and whether the record was
already destroyed. Clients whose last contact is too recent for any rule to be due are cut in SQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, exists, func, literal, or_, select, union_all

from polymodal.core.models import (
    AssessmentResult,
    CaseClient,
    Client,
    ConsentRecord,
    FormResponse,
    Note,
    NoteAddendum,
    Session,
    SessionClient,
)
from polymodal.core.practice import Work
from polymodal.core.retention.models import Destruction, LegalHold
from polymodal.core.retention.rules import DueDate, RetentionRule, add_years, due_date, rule_for
from polymodal.core.timeutil import to_local, today_in


@dataclass(frozen=True)
class Candidate:
    """A client record and the day it may first be destroyed."""

    client_id: uuid.UUID
    name: str
    born: dt.date
    last_contact: dt.date
    due: DueDate
    held: bool

    def is_due(self, today: dt.date) -> bool:
        return not self.held and self.due.on <= today


def _contacts():
    """(client, moment, kind): every dated trace of care, and when each signed authorization ended."""
    contact, consent = literal("contact"), literal("consent")
    return union_all(
        select(SessionClient.client_id, Session.ends_at.label("at"), contact.label("kind"))
        .join(Session, Session.id == SessionClient.session_id).where(Session.status != "cancelled"),
        select(CaseClient.client_id, Note.updated_at, contact).join(Note, Note.case_id == CaseClient.case_id),
        select(CaseClient.client_id, NoteAddendum.created_at, contact)
        .join(Note, Note.case_id == CaseClient.case_id).join(NoteAddendum, NoteAddendum.note_id == Note.id),
        select(FormResponse.client_id, FormResponse.submitted_at, contact),
        select(AssessmentResult.client_id, AssessmentResult.administered_at, contact),
        select(ConsentRecord.client_id, ConsentRecord.signed_at, contact),
        select(Client.id, Client.created_at, contact),
        # Revoked or expired: the last day in effect. One still open ended with the care (the last contact).
        select(ConsentRecord.client_id, func.coalesce(ConsentRecord.revoked_at, ConsentRecord.expires_at), consent)
        .where(or_(ConsentRecord.revoked_at.is_not(None), ConsentRecord.expires_at.is_not(None))),
    ).subquery()


def _held():
    hold_on_client = exists().where(LegalHold.client_id == Client.id, LegalHold.lifted_at.is_(None))
    hold_on_case = exists().where(CaseClient.client_id == Client.id, LegalHold.case_id == CaseClient.case_id,
                                  LegalHold.lifted_at.is_(None))
    return or_(hold_on_client, hold_on_case)


def candidates(work: Work, only: Iterable[uuid.UUID] | None = None) -> tuple[RetentionRule, list[Candidate]]:
    """Every record not yet destroyed whose last contact is old enough that a rule could make it due.

    ``only`` narrows to those clients (destruction re-checks its selection). Held records are included,
    marked ``held``: the page shows them apart; they are never due.
    """
    center = work.center
    rule = rule_for(center.jurisdiction)
    tz, now = center.timezone, work.now
    # A record is never due sooner than adult_years after its last contact, whatever else applies.
    cutoff = dt.datetime.combine(add_years(today_in(tz, now), -rule.adult_years) + dt.timedelta(days=2),
                                 dt.time(), tzinfo=dt.UTC)
    c = _contacts()
    is_contact = c.c.kind == "contact"
    agg = (select(c.c.client_id, func.min(case((is_contact, c.c.at))).label("first"),
                  func.max(case((is_contact, c.c.at))).label("last"),
                  func.max(case((c.c.kind == "consent", c.c.at))).label("consent_ended"))
           .group_by(c.c.client_id).having(func.max(case((is_contact, c.c.at))) < cutoff).subquery())
    stmt = (select(Client.id, Client.legal_first_name, Client.legal_last_name, Client.date_of_birth,
                   agg.c.first, agg.c.last, agg.c.consent_ended, _held().label("held"))
            .join(agg, agg.c.client_id == Client.id)
            .where(~exists().where(Destruction.client_id == Client.id)))
    if only is not None:
        stmt = stmt.where(Client.id.in_(list(only)))
    found = []
    for row in work.db.execute(stmt):
        last = to_local(row.last, tz).date()
        due = due_date(rule, majority=center.age_of_majority, born=row.date_of_birth,
                       first_contact=to_local(row.first, tz).date(), last_contact=last,
                       consent_ended=to_local(row.consent_ended, tz).date() if row.consent_ended else None)
        found.append(Candidate(row.id, f"{row.legal_first_name} {row.legal_last_name}", row.date_of_birth, last,
                               due, bool(row.held)))
    found.sort(key=lambda r: (r.due.on, r.name.casefold()))
    return rule, found


@dataclass(frozen=True)
class Review:
    rule: RetentionRule
    majority: int
    today: dt.date
    due: list[Candidate]
    held: list[Candidate]
    """Records a legal hold keeps that would otherwise be due."""


def review(work: Work) -> Review:
    """The records due for destruction today, and the held ones that would be; each listed client audited."""
    work.require("retention.review")
    today = today_in(work.center.timezone, work.now)
    rule, found = candidates(work)
    due = [r for r in found if r.is_due(today)]
    held = [r for r in found if r.held and r.due.on <= today]
    work.audit_each("retention.review", [r.client_id for r in due + held], record_type="client")
    return Review(rule, work.center.age_of_majority, today, due, held)

