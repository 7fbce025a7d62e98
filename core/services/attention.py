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
    FormResponse,
    RiskAcknowledgement,
    Session,
    SessionClient,
)
from polymodal.core.practice import Work

UPCOMING = ("scheduled", "checked_in")
BATCH = 100
"""Sessions lacking a consent read at a time by the consents panel (it stops once it is full)."""
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


def _name(row: Any) -> str:
    return f"{row.preferred_name or row.legal_first_name} {row.legal_last_name}"


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
        .where(visible, or_(and_(is_risk, ~acknowledged(FormResponse.client_id, FormResponse.submitted_at)),
                            and_(FormResponse.outcome != "eligible", FormResponse.submitted_at >= since)))
        .order_by(rank, FormResponse.submitted_at.desc()).limit(limit)
    ).all())
    # JSON is text on SQLite and jsonb on PostgreSQL; both print an empty list as [] and a key as "k": "v".
    flags_text = cast(AssessmentResult.flags, String)
    risk_flag = flags_text.like('%"severity": "risk"%')
    results = list(work.db.execute(
        select(AssessmentResult.id, AssessmentResult.client_id, AssessmentResult.instrument_key,
               AssessmentResult.total, AssessmentResult.band, AssessmentResult.flags,
               AssessmentResult.administered_at, *NAME)
        .join(Client, Client.id == AssessmentResult.client_id)
        .where(visible, flags_text.notin_(["[]", "null"]),
               or_(and_(risk_flag, ~acknowledged(AssessmentResult.client_id, AssessmentResult.administered_at)),
                   AssessmentResult.administered_at >= since))
        .order_by(case((risk_flag, 0), else_=1), AssessmentResult.administered_at.desc()).limit(limit)
    ).all())
    shown = sorted({r.client_id for r in responses} | {r.client_id for r in results})
    work.audit_each("dashboard.flags", shown, record_type="client",
                    reason="screening outcomes and assessment flags listed")
    return Flags(responses=responses, results=results)


_STATES_OF = (select(ClientConsentState.client_id, ClientConsentState.document_key, ClientConsentState.valid_until)
              .where(ClientConsentState.client_id.in_(bindparam("client_ids", expanding=True))))


@functools.lru_cache(maxsize=64)
def _lacking_statement(needs: tuple[tuple[str, tuple[str, ...]], ...], shape: FilterShape) -> Select[Any]:
    """The week's sessions some required consent is lacking for: built once per set of requirements and access
    shape, values bound. Built per page, its cache key (a subquery per document) was a seventh of the dashboard's
    CPU. On the connection: columns, without the ORM's loading of up to 2,000 rows (a sixth of it)."""
    state = ClientConsentState

    def lacks(key: str, modality_keys: tuple[str, ...]) -> Any:
        # The stored state of the client's document (kept by services.consent.keep_state): one primary-key
        # read, where reading the client's signatures made this panel half of the dashboard's CPU.
        covers = exists().where(state.client_id == SessionClient.client_id, state.document_key == key,
                                or_(state.valid_until.is_(None), state.valid_until > Session.starts_at))
        return and_(Session.modality_key.in_(modality_keys), ~covers)

    return (select(Session.starts_at, Session.modality_key, SessionClient.client_id, *NAME)
            .join(SessionClient, SessionClient.session_id == Session.id)
            .join(Client, Client.id == SessionClient.client_id)
            .where(bound_client_filter(shape), Session.starts_at >= bindparam("start"),
                   Session.starts_at < bindparam("end"), Session.status.in_(UPCOMING),
                   or_(*(lacks(key, keys) for key, keys in needs)))
            .order_by(Session.starts_at).limit(2000).execution_options(yield_per=BATCH))


def consents_due(work: Work, *, days: int = 7, limit: int = 20) -> list[ConsentDue]:
    """Consents a modality requires that are missing, or lapse, before the client's sessions in ``days``."""
    work.require("consent.status")
    end = work.now + dt.timedelta(days=days)
    needs: dict[str, list[str]] = {}
    for modality in work.registry.modalities:
        for key in modality.consents_required:
            needs.setdefault(key, []).append(modality.key)
    if not needs:
        return []
    # One pass over the week's sessions; the database keeps those some consent is lacking for, earliest first,
    # read a batch at a time: the panel is full once ``limit`` findings come before every session still unread.
    db = connection_of(work.db)
    sessions = db.execute(
        _lacking_statement(tuple((key, tuple(keys)) for key, keys in needs.items()),
                           filter_shape(work.actor, "consent.status")),
        {"start": work.now, "end": end, **filter_values(work.actor, work.now)})
    due: dict[tuple[uuid.UUID, str], ConsentDue] = {}
    kept: dict[tuple[uuid.UUID, str], dt.datetime | None] = {}
    read: set[uuid.UUID] = set()
    for batch in sessions.partitions():
        client_ids = sorted({s.client_id for s in batch} - read)
        read.update(client_ids)
        if client_ids:
            kept.update({(r.client_id, r.document_key): r.valid_until
                         for r in db.execute(_STATES_OF, {"client_ids": client_ids})})
        for s in batch:  # each (client, document) keeps its first session
            modality = work.registry.modalities.get(s.modality_key)
            for key in getattr(modality, "consents_required", ()):
                pair = (s.client_id, key)
                if pair in due:
                    continue
                if pair in kept and (kept[pair] is None or kept[pair] > s.starts_at):
                    continue  # in force at this session
                # In force now but not at the session: it lapses in between. Otherwise nothing is in force now.
                until = kept.get(pair)
                expiring = until is not None and until > work.now
                due[pair] = ConsentDue(s.client_id, _name(s), key, "expiring" if expiring else "missing",
                                       until if expiring else None, s.starts_at, s.modality_key)
        if len(due) >= limit and sorted(d.session_at for d in due.values())[limit - 1] < batch[-1].starts_at:
            break
    sessions.close()
    listed = sorted(due.values(), key=lambda d: (d.session_at, d.client_name, d.document_key))[:limit]
    work.audit_each("dashboard.consents", sorted({d.client_id for d in listed}),
                    record_type="consent", reason="consents missing or expiring listed")
    return listed
