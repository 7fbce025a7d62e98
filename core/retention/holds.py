"""Legal holds: a record under one is kept whatever its retention says, until the hold is lifted."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.models import Case, CaseClient, Client, User
from polymodal.core.practice import Work
from polymodal.core.retention.models import LegalHold
from polymodal.core.text import without_bidi_controls


def typed_reason(value: str, field: str = "reason") -> str:
    """A reason typed for the record: plain text, long enough to mean something, short enough to keep."""
    text = " ".join(without_bidi_controls(value).split())
    if len(text) < 10:
        raise ValidationFailed({field: "Give the reason (at least 10 characters): it is kept with the record."})
    if len(text) > 1000:
        raise ValidationFailed({field: "Keep the reason under 1,000 characters."})
    if "<" in text or ">" in text:
        # Shown escaped anyway; refused so the audit trail and tombstone hold what a reader sees.
        raise ValidationFailed({field: "Write the reason as plain text, without < or >."})
    return text


def place_hold(work: Work, *, reason: str, client_id: uuid.UUID | None = None,
               case_id: uuid.UUID | None = None) -> LegalHold:
    """Hold one client's record, or every record of one case (each of its clients)."""
    if (client_id is None) == (case_id is None):
        raise ValidationFailed({"target": "Hold either a client's whole record or one case."})
    if client_id is not None:
        work.require("legal_hold.manage", client_id, record_type="client", record_id=client_id)
        if work.db.get(Client, client_id) is None:
            raise NotFound("no such client")
        affected = [client_id]
    else:
        work.require("legal_hold.manage", record_type="case", record_id=case_id or "")
        if work.db.get(Case, case_id) is None:
            raise NotFound("no such case")
        affected = list(work.db.scalars(select(CaseClient.client_id).where(CaseClient.case_id == case_id)))
    hold = LegalHold(client_id=client_id, case_id=case_id, reason=typed_reason(reason),
                     placed_by=work.actor.user_id, placed_at=work.now)
    work.db.add(hold)
    work.db.flush()
    # One event per client held, so each client's access history shows it.
    work.audit_each("legal_hold.place", affected, record_type="legal_hold", reason=hold.reason)
    return hold


def lift_hold(work: Work, hold_id: uuid.UUID, reason: str) -> LegalHold:
    work.require("legal_hold.manage", record_type="legal_hold", record_id=hold_id)
    hold = work.db.get(LegalHold, hold_id)
    if hold is None or hold.lifted_at is not None:
        raise NotFound("no such hold in force")
    hold.lift_reason = typed_reason(reason, "lift_reason")
    hold.lifted_by, hold.lifted_at = work.actor.user_id, work.now
    affected = ([hold.client_id] if hold.client_id else
                list(work.db.scalars(select(CaseClient.client_id).where(CaseClient.case_id == hold.case_id))))
    work.audit_each("legal_hold.lift", affected, record_type="legal_hold", reason=hold.lift_reason)
    return hold


def holds_in_force(work: Work) -> list[Any]:
    """Holds not lifted, oldest first, with who placed them and what they hold (one query)."""
    work.require("retention.review")
    held_client = aliased(Client)
    stmt = (select(LegalHold.id, LegalHold.reason, LegalHold.placed_at, LegalHold.client_id, LegalHold.case_id,
                   User.display_name.label("placed_by_name"), held_client.legal_first_name,
                   held_client.legal_last_name, Case.title.label("case_title"))
            .outerjoin(User, User.id == LegalHold.placed_by)
            .outerjoin(held_client, held_client.id == LegalHold.client_id)
            .outerjoin(Case, Case.id == LegalHold.case_id)
            .where(LegalHold.lifted_at.is_(None)).order_by(LegalHold.placed_at))
    return list(work.db.execute(stmt).all())


def hold_targets(work: Work, client_id: uuid.UUID) -> tuple[Client, list[Any]]:
    """A client and their cases (id, title, opened): what a hold on them could cover."""
    work.require("legal_hold.manage", client_id, record_type="client", record_id=client_id)
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    cases = work.db.execute(select(Case.id, Case.title, Case.opened_on).join(CaseClient, CaseClient.case_id == Case.id)
                            .where(CaseClient.client_id == client_id).order_by(Case.opened_on)).all()
    return client, list(cases)
