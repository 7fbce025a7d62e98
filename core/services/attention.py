"""What needs attention on the start page: screening and risk flags, consents missing or expiring.

Both read across clients, so both are narrowed in SQL by the access rules
(``work.client_filter``) and select only the columns the panels show. Each
client listed gets an audit event of its own, so the view appears in that
client's access history.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, String, and_, bindparam, case, cast, exists, or_, select

from polymodal.core.access import FilterShape, bound_client_filter, filter_shape, filter_values
from polymodal.core.db import connection_of
from polymodal.core.models import (
    AssessmentResult,
    Client,
    ClientConsentState,
    ConsentGap,
    FormResponse,
    RiskAcknowledgement,
    Session,
)
from polymodal.core.practice import Work
from polymodal.core.services import consent_gaps

UPCOMING = ("scheduled", "checked_in")
BATCH = 100
"""Consent gaps the panel reads first; it reads four times as many while it is not full."""
NAME = (Client.legal_first_name, Client.preferred_name, Client.legal_last_name)


@dataclass(frozen=True)
class Flags:
    responses: list[Any] = field(default_factory=list)
    """Form responses whose screening outcome is not 'eligible' (modify, clearance, excluded, risk)."""
    results: list[Any] = field(default_factory=list)
    """Assessment results that raised a flag."""


@dataclass(frozen=True)
class ConsentDue:
    client_id: uuid.UUID
    client_name: str
    document_key: str
    status: str
    """``missing`` (none active now) or ``expiring`` (active now, lapses before the session)."""
    expires_at: dt.datetime | None
    session_at: dt.datetime
    modality_key: str


def acknowledged(client_id: Any, since: Any) -> Any:
    """A clinician acknowledged the client's risk (with a plan) after it was found: it may age out."""
    return exists().where(RiskAcknowledgement.client_id == client_id, RiskAcknowledgement.acknowledged_at >= since)


def screening_and_risk(work: Work, *, days: int = 30, limit: int = 20) -> Flags:
    """Non-eligible screening outcomes and flagged assessment results of the actor's clients.

    Risk (an outcome of ``risk``, a flag of severity ``risk``) comes first and
    never ages out: it stays until a clinician deals with it. Other findings are
    listed for ``days``.
    """
    work.require("clinical.read")
    visible = work.client_filter("clinical.read")
    since = work.now - dt.timedelta(days=days)
    is_risk = FormResponse.outcome == "risk"
    rank = case((is_risk, 0), (FormResponse.outcome == "excluded", 1), else_=2)
    responses = list(work.db.execute(
        select(FormResponse.id, FormResponse.client_id, FormResponse.form_key, FormResponse.form_version,
               FormResponse.outcome, FormResponse.submitted_at, *NAME)
        .join(Client, Client.id == FormResponse.client_id)
        .where(visible, work.client_ids_within(FormResponse.client_id, "clinical.read"),
               or_(and_(is_risk, ~acknowledged(FormResponse.client_id, FormResponse.submitted_at)),
                   and_(FormResponse.outcome != "eligible", FormResponse.submitted_at >= since)))
        # The id last: answers submitted at the same moment come in the same order whichever plan SQLite picks.
        .order_by(rank, FormResponse.submitted_at.desc(), FormResponse.id).limit(limit)
    ).all())
    # JSON is text on SQLite and jsonb on PostgreSQL; both print an empty list as [] and a key as "k": "v".
    flags_text = cast(AssessmentResult.flags, String)
    risk_flag = flags_text.like('%"severity": "risk"%')
    results = list(work.db.execute(
        select(AssessmentResult.id, AssessmentResult.client_id, AssessmentResult.instrument_key,
               AssessmentResult.total, AssessmentResult.band, AssessmentResult.flags,
               AssessmentResult.administered_at, *NAME)
        .join(Client, Client.id == AssessmentResult.client_id)
        .where(visible, work.client_ids_within(AssessmentResult.client_id, "clinical.read"),
               flags_text.notin_(["[]", "null"]),
               or_(and_(risk_flag, ~acknowledged(AssessmentResult.client_id, AssessmentResult.administered_at)),
                   AssessmentResult.administered_at >= since))
        .order_by(case((risk_flag, 0), else_=1), AssessmentResult.administered_at.desc(),
                  AssessmentResult.id).limit(limit)
    ).all())
    shown = sorted({r.client_id for r in responses} | {r.client_id for r in results})
    work.audit_each("dashboard.flags", shown, record_type="client",
                    reason="screening outcomes and assessment flags listed")
    return Flags(responses=responses, results=results)


@functools.lru_cache(maxsize=64)
def _gaps_statement(needs: frozenset[tuple[str, str]], shape: FilterShape) -> Select[Any]:
    """The week's consent gaps (``services.consent_gaps``), earliest first, with the client's state of the
    document: built once per set of requirements and access shape, values bound, run on the connection.

    A range of the gaps' start index: about 27 rows of a week at 1,000,000 sessions, where testing each of
    the week's 1,700 sessions against its clients' states took 10.8 ms of SQLite (issue 18)."""
    gap, state = ConsentGap, ClientConsentState
    required = or_(*(and_(Session.modality_key == m, gap.document_key == d) for m, d in sorted(needs)))
    return (select(gap.starts_at, Session.modality_key, gap.client_id, gap.document_key, state.valid_until, *NAME)
            .join(Session, Session.id == gap.session_id)
            .join(Client, Client.id == gap.client_id)
            .outerjoin(state, and_(state.client_id == gap.client_id, state.document_key == gap.document_key))
            .where(gap.starts_at >= bindparam("start"), gap.starts_at < bindparam("end"),
                   Session.status.in_(UPCOMING), required, bound_client_filter(shape))
            .order_by(gap.starts_at).limit(bindparam("rows")))


def consents_due(work: Work, *, days: int = 7, limit: int = 20) -> list[ConsentDue]:
    """Consents a modality requires that are missing, or lapse, before the client's sessions in ``days``."""
    work.require("consent.status")
    needs = consent_gaps.needs_of(work.registry)
    if not needs:
        return []
    statement = _gaps_statement(needs, filter_shape(work.actor, "consent.status"))
    values = {"start": work.now, "end": work.now + dt.timedelta(days=days), **filter_values(work.actor, work.now)}
    due: dict[tuple[uuid.UUID, str], ConsentDue] = {}
    rows = BATCH
    while True:  # rarely twice: a client lacks a document at every session of the week, so pairs repeat
        gaps = connection_of(work.db).execute(statement, {**values, "rows": rows}).all()
        # Each (client, document) keeps its first session. Rows unpacked in the statement's column order: read
        # by name they cost five times as much.
        for starts_at, modality_key, client_id, document_key, valid_until, first, preferred, last in gaps:
            pair = (client_id, document_key)
            if pair not in due:
                # In force now but not at the session: it lapses in between. Otherwise nothing is in force now.
                expiring = valid_until is not None and valid_until > work.now
                due[pair] = ConsentDue(client_id, f"{preferred or first} {last}", document_key,
                                       "expiring" if expiring else "missing", valid_until if expiring else None,
                                       starts_at, modality_key)
        # Full once ``limit`` findings come before the last gap read (ties at its start sort by name).
        if len(gaps) < rows or (len(due) >= limit and sorted(d.session_at for d in due.values())[limit - 1]
                                < gaps[-1].starts_at):
            break
        due.clear()
        rows *= 4
    listed = sorted(due.values(), key=lambda d: (d.session_at, d.client_name, d.document_key))[:limit]
    work.audit_each("dashboard.consents", sorted({d.client_id for d in listed}),
                    record_type="consent", reason="consents missing or expiring listed")
    return listed
