"""Standardised instruments: validate, score, band, flag, store."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select

from polymodal.core import eligibility
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.models import AssessmentResult, Client, Session, SessionClient
from polymodal.core.practice import Work
from polymodal.core.services import client_record
from polymodal.core.timeutil import local_to_utc, to_local

RECENT_DAYS = 7
"""How far back an assessment may be dated, and its session chosen: long enough to enter a form given at last
week's session, short enough that the date is still remembered (older ones belong in a note)."""


def recent_sessions(work: Work, client_id: uuid.UUID) -> list[Any]:
    """The client's sessions that started in the last ``RECENT_DAYS`` days, newest first (cancelled ones left
    out): what an assessment can be tied to. Columns only."""
    work.require("clinical.write", client_id, record_type="assessment")
    return list(work.db.execute(
        select(Session.id, Session.starts_at, Session.modality_key, Session.status)
        .join(SessionClient, SessionClient.session_id == Session.id)
        .where(SessionClient.client_id == client_id, Session.status != "cancelled",
               Session.starts_at > work.now - dt.timedelta(days=RECENT_DAYS), Session.starts_at <= work.now)
        .order_by(Session.starts_at.desc()).limit(20)).all())


def _when(work: Work, client_id: uuid.UUID, session_id: uuid.UUID | None,
          administered_on: dt.date | None) -> dt.datetime:
    """When the instrument was given: now, the chosen session's start, or midday of an earlier day (local).

    ``ValidationFailed`` names ``session_id`` for a session that is not one of the client's recent ones and
    ``administered_on`` for a day in the future, too long ago, or not the session's day.
    """
    tz = work.center.timezone
    today = to_local(work.now, tz).date()
    session = None
    if session_id is not None:
        session = next((s for s in recent_sessions(work, client_id) if s.id == session_id), None)
        if session is None:
            raise ValidationFailed({"session_id": f"Choose one of this client's sessions of the last {RECENT_DAYS} "
                                                  "days, or no session."})
    if administered_on is not None:
        if administered_on > today:
            raise ValidationFailed({"administered_on": "The date cannot be in the future."})
        if administered_on <= today - dt.timedelta(days=RECENT_DAYS):
            raise ValidationFailed({"administered_on": f"Choose a date within the last {RECENT_DAYS} days; an "
                                                       "older result belongs in a note."})
    if session is not None:
        day = to_local(session.starts_at, tz).date()
        if administered_on not in (None, day):
            raise ValidationFailed({"administered_on": f"The session was on {day:%d %b %Y}: give that date, or "
                                                       "choose no session."})
        return session.starts_at
    if administered_on is None or administered_on == today:
        return work.now
    return local_to_utc(dt.datetime.combine(administered_on, dt.time(12)), tz, "administered_on")


def record_assessment(work: Work, client_id: uuid.UUID, instrument_key: str, answers: dict[str, Any], *,
                      session_id: uuid.UUID | None = None, administered_on: dt.date | None = None) -> AssessmentResult:
    """Score and store one administration; tied to one of the client's recent sessions and dated up to
    ``RECENT_DAYS`` back when given (see ``_when``), else given now."""
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    work.require("portal.submit" if work.actor.is_portal else "clinical.write", client.id, record_type="assessment")
    instrument = work.registry.assessments.get(instrument_key)
    if instrument is None or not instrument.items:
        raise ValidationFailed({"instrument_key": "Choose an instrument that can be scored here."})
    values, errors = instrument.validate_answers(answers)
    try:
        administered_at = _when(work, client.id, session_id, administered_on)
    except ValidationFailed as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ValidationFailed(errors)
    score = instrument.score(values)
    # Risk comes only from flags: a calm result costs no read of the client's risk.
    risk_before = eligibility.open_risk_codes(work, client.id) if score.flags else None
    result = AssessmentResult(
        client_id=client.id, instrument_key=instrument.key, instrument_version=instrument.version,
        answers=values, total=score.total, band=score.band, subscales=score.subscales,
        flags=[f.model_dump(mode="json") for f in score.flags], recorded_by=work.actor.user_id,
        session_id=session_id, administered_at=administered_at,
    )
    work.db.add(result)
    work.db.flush()
    work.audit("assessment.record", record_type="assessment", record_id=result.id, client_id=client.id,
               reason=instrument.ref)
    if risk_before is not None:
        eligibility.announce_new_risk(work, client.id, risk_before)
    return result


def results_of(work: Work, client_id: uuid.UUID, instrument_key: str | None = None) -> list[AssessmentResult]:
    work.require("clinical.read", client_id, record_type="assessment")
    stmt = select(AssessmentResult).where(AssessmentResult.client_id == client_id)
    if instrument_key:
        stmt = stmt.where(AssessmentResult.instrument_key == instrument_key)
    rows = list(work.db.scalars(stmt.order_by(AssessmentResult.administered_at)))
    work.audit("assessment.list", record_type="assessment", client_id=client_id)
    return rows


def get_result(work: Work, client_id: uuid.UUID, result_id: uuid.UUID) -> AssessmentResult:
    """One of the client's results; another client's id is 'not found'."""
    return client_record.one_of_client(work, AssessmentResult, client_id, result_id, action="clinical.read",
                                       record_type="assessment", missing="no such assessment result")


def result_rows(work: Work, client_id: uuid.UUID, instrument_key: str | None = None) -> list[Any]:
    """The client's results, oldest first, as columns only (no answers): for lists and trend charts."""
    work.require("clinical.read", client_id, record_type="assessment")
    stmt = select(AssessmentResult.id, AssessmentResult.instrument_key, AssessmentResult.instrument_version,
                  AssessmentResult.total, AssessmentResult.band, AssessmentResult.flags,
                  AssessmentResult.administered_at).where(AssessmentResult.client_id == client_id)
    if instrument_key:
        stmt = stmt.where(AssessmentResult.instrument_key == instrument_key)
    rows = list(work.db.execute(stmt.order_by(AssessmentResult.administered_at, AssessmentResult.id)).all())
    work.audit("assessment.list", record_type="assessment", client_id=client_id)
    return rows
