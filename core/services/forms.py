"""Intake and screening forms: validate, screen, store."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from polymodal.core.contributions import OUTCOME_RANK, Finding, FindingLevel, FormPurpose, FormSpec, Outcome
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.models import Client, FormResponse, Session
from polymodal.core.practice import Work
from polymodal.core.services import client_record

# Risk takes the strongest level: it stops a session starting until a clinician has seen it.
LEVEL_OF = {Outcome.risk: FindingLevel.block, Outcome.excluded: FindingLevel.block,
            Outcome.clearance: FindingLevel.warning, Outcome.review: FindingLevel.warning,
            Outcome.modify: FindingLevel.warning, Outcome.eligible: FindingLevel.info}
# What a plugin hook's finding level means as an outcome (a hook cannot lower one).
OUTCOME_OF = {FindingLevel.block: Outcome.excluded, FindingLevel.warning: Outcome.clearance,
              FindingLevel.info: Outcome.eligible}


REVIEW_CODE = "core/plugin-review"
"""A finding the core adds, per plugin, when that plugin's check raised or returned the wrong type."""


def worse(a: Outcome, b: Outcome) -> Outcome:
    return a if OUTCOME_RANK[a] >= OUTCOME_RANK[b] else b


def submit_form(work: Work, client_id: uuid.UUID, form_key: str, answers: dict[str, Any], *,
                via: str = "staff", session_id: uuid.UUID | None = None) -> FormResponse:
    """Validate ``answers`` against the form's latest version, screen them and store them."""
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    work.require("portal.submit" if work.actor.is_portal else "clinical.write", client.id, record_type="form")
    form = work.registry.forms.get(form_key)
    if form is None:
        raise ValidationFailed({"form_key": "Choose a form offered here."})
    # A client (portal) answers only the sections meant for them: staff-only answers are dropped, not stored.
    values, errors = (form.for_client() if work.actor.is_portal else form).validate_answers(answers)
    if errors:
        raise ValidationFailed(errors)
    # Imported here: eligibility reads this module's REVIEW_CODE, so a top-level import is a cycle that breaks
    # whenever this module is imported first.
    from polymodal.core import eligibility

    findings, outcome = screen(work, form_key, values)
    # Risk comes only from findings: a calm answer costs no read of the client's risk.
    risk_before = eligibility.open_risk_codes(work, client.id) if findings else None
    response = FormResponse(
        client_id=client.id, form_key=form.key, form_version=form.version, answers=values,
        findings=[f.model_dump(mode="json") for f in findings], outcome=outcome,
        submitted_by=work.actor.user_id, submitted_via=via, session_id=session_id, submitted_at=work.now,
        review=_review(work, client.id, form.key, outcome),
    )
    work.db.add(response)
    work.db.flush()
    work.audit("form.submit", record_type="form", record_id=response.id, client_id=client.id,
               reason=f"{form.ref}; outcome {outcome}")
    if risk_before is not None:
        eligibility.announce_new_risk(work, client.id, risk_before)
    return response


def _review(work: Work, client_id: uuid.UUID, form_key: str, outcome: str) -> str:
    """'pending' when a re-screen lowers the outcome that applies now: a practitioner reviews it first,
    so re-filling a form with 'No' everywhere cannot lift an exclusion on its own."""
    from polymodal.core.eligibility import lowers

    applied = work.db.scalar(select(FormResponse.outcome).where(
        FormResponse.client_id == client_id, FormResponse.form_key == form_key, FormResponse.review != "pending")
        .order_by(FormResponse.submitted_at.desc()).limit(1))
    return "pending" if applied is not None and lowers(applied, outcome) else ""


def screen(work: Work, form_key: str, values: dict[str, Any]) -> tuple[list[Finding], str]:
    """Declarative rules first, then plugins' screening hooks (each isolated)."""
    form = work.registry.forms.get(form_key)
    findings: list[Finding] = []
    outcome = Outcome.eligible
    for rule in work.registry.screening_rules:
        if rule.form == form_key and rule.matches(values):
            findings.append(Finding(code=rule.key, level=LEVEL_OF[rule.outcome], message=rule.reason,
                                    source=rule.source))
            outcome = worse(outcome, rule.outcome)
    failed: list[str] = []
    for plugin, extra in work.practice.call_each("polymodal_screen_response", failed=failed, form=form,
                                                 answers=values):
        if not isinstance(extra, list) or not all(isinstance(f, Finding) for f in extra):
            work.practice.record_plugin_error(plugin, "polymodal_screen_response",
                                              TypeError(f"returned {type(extra).__name__}, not a list of Finding"))
            failed.append(plugin)
            continue
        for finding in extra:
            findings.append(finding)
            outcome = worse(outcome, OUTCOME_OF[finding.level])
    for plugin in dict.fromkeys(failed):
        # Fail closed: nobody knows what the broken check would have found, so a person reads the answers.
        findings.append(Finding(code=f"{REVIEW_CODE}/{plugin}", level=FindingLevel.warning, source=f"plugin {plugin}",
                                message=f"The {plugin} plugin's screening of these answers failed (recorded as a "
                                        "plugin error); a practitioner reviews them."))
        outcome = worse(outcome, Outcome.review)
    return findings, outcome.value


def responses_of(work: Work, client_id: uuid.UUID) -> list[FormResponse]:
    work.require("clinical.read", client_id, record_type="form")
    rows = list(work.db.scalars(select(FormResponse).where(FormResponse.client_id == client_id)
                                .order_by(FormResponse.submitted_at.desc())))
    work.audit("form.list", record_type="form", client_id=client_id)
    return rows


def get_response(work: Work, client_id: uuid.UUID, response_id: uuid.UUID) -> FormResponse:
    """One of the client's responses; another client's id is 'not found', never a hint it exists."""
    return client_record.one_of_client(work, FormResponse, client_id, response_id, action="clinical.read",
                                       record_type="form", missing="no such form response")


def response_rows(work: Work, client_id: uuid.UUID) -> list[Any]:
    """The client's responses, newest first, as columns only (no answers): for lists."""
    work.require("clinical.read", client_id, record_type="form")
    rows = list(work.db.execute(
        select(FormResponse.id, FormResponse.form_key, FormResponse.form_version, FormResponse.outcome,
               FormResponse.findings, FormResponse.submitted_via, FormResponse.submitted_at)
        .where(FormResponse.client_id == client_id).order_by(FormResponse.submitted_at.desc())
    ).all())
    work.audit("form.list", record_type="form", client_id=client_id)
    return rows


# --- session logs: a form of purpose session_log filled in for one session ---------------------------------


def log_forms(work: Work, modality_key: str) -> list[FormSpec]:
    """The session logs the modality's plugins offer (a breathwork session's rounds log, for example)."""
    return [f for f in work.registry.forms.for_modality(modality_key) if f.purpose is FormPurpose.session_log]


def submit_session_log(work: Work, session: Session, client_id: uuid.UUID, form_key: str,
                       answers: dict[str, Any]) -> FormResponse:
    """Store a session log for one client of ``session``; only a log offered for its modality is taken."""
    if form_key not in {f.key for f in log_forms(work, session.modality_key)}:
        raise ValidationFailed({"form_key": "Choose a session log offered for this session's modality."})
    if client_id not in {link.client_id for link in session.clients}:
        raise NotFound("no such client in this session")
    return submit_form(work, client_id, form_key, answers, session_id=session.id)


def session_log_rows(work: Work, session: Session) -> list[Any]:
    """The logs written for ``session``, oldest first, as columns only; reading them is audited per client."""
    client_ids = [link.client_id for link in session.clients]
    for client_id in client_ids:
        work.require("clinical.read", client_id, record_type="form")
    rows = list(work.db.execute(
        select(FormResponse.id, FormResponse.client_id, FormResponse.form_key, FormResponse.form_version,
               FormResponse.submitted_at)
        .where(FormResponse.session_id == session.id, FormResponse.client_id.in_(client_ids))
        .order_by(FormResponse.submitted_at)).all())
    work.audit_each("form.list", client_ids, record_type="form", reason=f"logs of session {session.id}")
    return rows
