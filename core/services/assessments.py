"""Standardised instruments: validate, score, band, flag, store."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from polymodal.core import eligibility
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.models import AssessmentResult, Client
from polymodal.core.practice import Work
from polymodal.core.services import client_record


def record_assessment(work: Work, client_id: uuid.UUID, instrument_key: str, answers: dict[str, Any], *,
                      session_id: uuid.UUID | None = None) -> AssessmentResult:
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    work.require("portal.submit" if work.actor.is_portal else "clinical.write", client.id, record_type="assessment")
    instrument = work.registry.assessments.get(instrument_key)
    if instrument is None or not instrument.items:
        raise ValidationFailed({"instrument_key": "Choose an instrument that can be scored here."})
    values, errors = instrument.validate_answers(answers)
    if errors:
        raise ValidationFailed(errors)
    score = instrument.score(values)
    # Risk comes only from flags: a calm result costs no read of the client's risk.
    risk_before = eligibility.open_risk_codes(work, client.id) if score.flags else None
    result = AssessmentResult(
        client_id=client.id, instrument_key=instrument.key, instrument_version=instrument.version,
        answers=values, total=score.total, band=score.band, subscales=score.subscales,
        flags=[f.model_dump(mode="json") for f in score.flags], recorded_by=work.actor.user_id,
        session_id=session_id, administered_at=work.now,
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
