"""The records the decision reads: clearances, overrides, risk acknowledgements, re-screen reviews.

Each is written by a clinician, audited, and never edited: a newer record
answers a newer finding.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import String, bindparam, cast, or_, select, update

from polymodal.core.db import connection_of
from polymodal.core.eligibility._screening import CORE_RISK_FACTS, PENDING, read_screening, screening_findings
from polymodal.core.eligibility._verdicts import Verdict
from polymodal.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from polymodal.core.models import (
    AssessmentResult,
    CareTeamMember,
    Clearance,
    Client,
    EligibilityOverride,
    FormResponse,
    RiskAcknowledgement,
    Session,
    SessionClient,
    User,
)
from polymodal.core.practice import Work


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _client(work: Work, client_id: uuid.UUID, action: str, record_type: str) -> Client:
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    work.require(action, client.id, record_type=record_type)
    return client


def record_clearance(work: Work, client_id: uuid.UUID, data: dict[str, Any]) -> Clearance:
    """Record who cleared the client for a modality (or some of its techniques), when, and until when."""
    client = _client(work, client_id, "clinical.write", "clearance")
    errors: dict[str, str] = {}
    modality_key = _text(data.get("modality_key"), 120)
    if work.registry.modalities.get(modality_key) is None:
        errors["modality_key"] = "Choose the modality the clearance is for."
    values = {name: _text(data.get(name), limit) for name, limit in
              (("cleared_by_name", 200), ("cleared_by_profession", 120), ("cleared_by_licence", 120),
               ("techniques", 500))}
    for name, message in (("cleared_by_name", "Name who gave the clearance."),
                          ("cleared_by_profession", "Give their profession (e.g. physician, obstetrician)."),
                          ("cleared_by_licence", "Give their licence number.")):
        if not values[name]:
            errors[name] = message
    cleared_on = _date(data.get("cleared_on"), errors, "cleared_on", "Enter the date of the clearance (YYYY-MM-DD).")
    until = _date(data.get("valid_until"), errors, "valid_until", "Enter a date (YYYY-MM-DD) or leave it empty.",
                  optional=True)
    if cleared_on and until and until < cleared_on:
        errors["valid_until"] = "The clearance cannot end before it was given."
    if cleared_on and cleared_on > work.now.date() + dt.timedelta(days=1):
        errors["cleared_on"] = "A clearance cannot be dated in the future."
    if errors:
        raise ValidationFailed(errors)
    clearance = Clearance(client_id=client.id, modality_key=modality_key, cleared_on=cleared_on, valid_until=until,
                          recorded_by=work.actor.user_id, recorded_at=work.now, **values)
    work.db.add(clearance)
    work.db.flush()
    # Sessions booked while waiting for this clearance no longer wait.
    waiting = select(SessionClient.session_id).where(SessionClient.client_id == client.id)
    work.db.execute(update(Session).where(Session.id.in_(waiting), Session.modality_key == modality_key,
                                          Session.pending_clearance.is_(True))
                    .values(pending_clearance=False))
    work.audit("clearance.record", record_type="clearance", record_id=clearance.id, client_id=client.id,
               reason=modality_key)
    return clearance


def _date(value: Any, errors: dict[str, str], name: str, message: str, optional: bool = False) -> dt.date | None:
    text = str(value or "").strip()
    if not text and optional:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = message
        return None


def clearances_of(work: Work, client_id: uuid.UUID) -> list[Any]:
    work.require("clinical.read", client_id, record_type="clearance")
    rows = list(work.db.execute(
        select(Clearance.id, Clearance.modality_key, Clearance.techniques, Clearance.cleared_by_name,
               Clearance.cleared_by_profession, Clearance.cleared_by_licence, Clearance.cleared_on,
               Clearance.valid_until, Clearance.recorded_at, User.display_name.label("recorded_by"))
        .join(User, User.id == Clearance.recorded_by, isouter=True)
        .where(Clearance.client_id == client_id).order_by(Clearance.recorded_at.desc())).all())
    work.audit("clearance.list", record_type="clearance", client_id=client_id)
    return rows


def override(work: Work, client_id: uuid.UUID, modality_key: str, code: str, reason: str, *,
             session_id: uuid.UUID | None = None) -> EligibilityOverride:
    """Go ahead despite one overridable finding; needs the ``eligibility.override`` role and a typed reason."""
    from polymodal.core.eligibility._decision import Ask, decide

    client = _client(work, client_id, "eligibility.override", "override")
    if work.actor.user_id is None:
        raise AccessDenied("eligibility.override", "overrides are made by signed-in clinicians")
    if len(reason.strip()) < 10:
        raise ValidationFailed({"reason": "Type the clinical reason for the override (at least 10 characters)."})
    session = work.db.get(Session, session_id) if session_id else None
    if session_id and (session is None or client.id not in {c.client_id for c in session.clients}):
        raise ValidationFailed({"session_id": "Choose a session of this client."})
    decision = decide(work, Ask(modality_key, (client.id,), (), session.starts_at if session else work.now,
                                session.delivery if session else "in_person", session=session))
    finding = next((f for f in decision.findings if f.code == code and f.client_id == client.id), None)
    if finding is None or finding.settled:
        raise Conflict("There is no open finding with that code to override.")
    if not finding.overridable:
        raise Conflict(f"{finding.label} findings cannot be overridden: {finding.next_step}")
    record = EligibilityOverride(client_id=client.id, modality_key=modality_key, code=code, session_id=session_id,
                                 reason=reason.strip()[:2000], overridden_by=work.actor.user_id,
                                 overridden_at=work.now)
    work.db.add(record)
    work.db.flush()
    work.audit("eligibility.override", record_type="override", record_id=record.id, client_id=client.id,
               reason=f"{modality_key} {code}")
    return record


def acknowledge_risk(work: Work, client_id: uuid.UUID, code: str, plan: str, *,
                     safety_plan_id: uuid.UUID | None = None) -> RiskAcknowledgement:
    """A clinician has seen the risk and says what will be done; the finding stays visible, settled.

    ``safety_plan_id`` names the safety plan version the plan relies on (it must be this client's).
    """
    from polymodal.core.safety.plans import plan_of_client

    client = _client(work, client_id, "clinical.write", "risk")
    if work.actor.user_id is None:
        raise AccessDenied("clinical.write", "risk is acknowledged by signed-in clinicians")
    if len(plan.strip()) < 10:
        raise ValidationFailed({"plan": "Write the plan (at least 10 characters): assessment, safety plan, contacts."})
    if safety_plan_id is not None:
        plan_of_client(work, client.id, safety_plan_id)
    if not open_risks(work, client.id, code):
        raise Conflict("There is no unacknowledged risk with that code.")
    record = RiskAcknowledgement(client_id=client.id, code=code[:120], plan=plan.strip()[:5000],
                                 safety_plan_id=safety_plan_id, acknowledged_by=work.actor.user_id,
                                 acknowledged_at=work.now)
    work.db.add(record)
    work.db.flush()
    work.audit("risk.acknowledge", record_type="risk", record_id=record.id, client_id=client.id, reason=code[:120])
    return record


def risks_of(work: Work, client_id: uuid.UUID) -> list[Any]:
    """The client's risk findings, open and acknowledged, whichever modality's rules found them."""
    work.require("clinical.read", client_id, record_type="risk")
    return _risks(work, client_id)


def open_risk_codes(work: Work, client_id: uuid.UUID) -> set[str]:
    """Codes of the client's unacknowledged risk, read without an access check: for telling clinicians,
    never shown to the actor (a client answering in the portal may cause one)."""
    return {f.code for f in _risks(work, client_id) if not f.settled}


def announce_new_risk(work: Work, client_id: uuid.UUID, before: set[str]) -> None:
    """An answer just stored carries risk that was not open before: the client's care team hears, by e-mail,
    that something waits on the client's page; the message names neither the finding nor the client."""
    from polymodal.core.messaging import notices

    if not open_risk_codes(work, client_id) - before:
        return
    team = work.db.scalars(select(CareTeamMember.user_id).where(CareTeamMember.client_id == client_id)
                           .order_by(CareTeamMember.user_id)).all()
    notices.risk_needs_acknowledgement(work, list(team), client_id)


def _risks(work: Work, client_id: uuid.UUID) -> list[Any]:
    from polymodal.core.eligibility._decision import Ask, settle

    client = work.db.get(Client, client_id)
    screening = read_screening(work, client_id)
    who = {"client_id": client_id, "client_name": client.display_name if client else ""}
    seen: dict[str, Any] = {}
    for modality in work.registry.modalities:
        for f in screening_findings(work, screening, modality, work.now, who):
            if f.verdict is Verdict.risk:
                seen.setdefault(f.code, f)
    if not seen:
        return []
    first = next(iter(work.registry.modalities))
    settled = settle(work, client_id, first, Ask(first.key, (client_id,), (), work.now), list(seen.values()))
    return sorted(settled, key=lambda f: (bool(f.settled), f.code))


def open_risks(work: Work, client_id: uuid.UUID, code: str | None = None) -> list[Any]:
    return [f for f in risks_of(work, client_id) if not f.settled and (code is None or f.code == code)]


def review_screening(work: Work, response_id: uuid.UUID) -> FormResponse:
    """A practitioner accepts a re-screen that lowered the outcome; from now on it applies."""
    response = work.db.get(FormResponse, response_id)
    if response is None:
        raise NotFound("no such form response")
    work.require("clinical.write", response.client_id, record_type="form", record_id=response.id)
    if response.review != PENDING:
        raise Conflict("This response does not wait for a review.")
    response.review, response.reviewed_by, response.reviewed_at = "reviewed", work.actor.user_id, work.now
    work.db.flush()
    work.audit("form.review", record_type="form", record_id=response.id, client_id=response.client_id,
               reason=f"{response.form_key}; outcome {response.outcome} applies")
    return response


def pending_reviews(work: Work, client_id: uuid.UUID) -> list[Any]:
    work.require("clinical.read", client_id, record_type="form")
    return list(work.db.execute(select(FormResponse.id, FormResponse.form_key, FormResponse.outcome,
                                       FormResponse.submitted_at)
                                .where(FormResponse.client_id == client_id, FormResponse.review == PENDING)
                                .order_by(FormResponse.submitted_at.desc())).all())


def overrides_for(work: Work, client_ids: list[uuid.UUID], modality_key: str) -> list[Any]:
    """Overrides of these clients for this modality, newest first (for the session page)."""
    return list(connection_of(work.db).execute(_OVERRIDES, {"client_ids": client_ids, "modality": modality_key}))


_OVERRIDES = (  # built once, values bound (issue 18: a statement built per page has its cache key computed again)
    select(EligibilityOverride.code, EligibilityOverride.reason, EligibilityOverride.overridden_at,
           EligibilityOverride.session_id, User.display_name.label("by"))
    .join(User, User.id == EligibilityOverride.overridden_by)
    .where(EligibilityOverride.client_id.in_(bindparam("client_ids", expanding=True)),
           EligibilityOverride.modality_key == bindparam("modality"))
    .order_by(EligibilityOverride.overridden_at.desc()))


def risk_board(work: Work, *, limit: int = 10) -> list[Any]:
    """Unacknowledged risk of the actor's clients, however old: it stays on the start page until a clinician
    acknowledges it. Candidates are found in SQL (responses and results that can carry risk), then read
    together: the page costs the same few statements however many clients are at risk."""
    work.require("clinical.read")
    visible = work.client_filter("clinical.read")
    facts = CORE_RISK_FACTS + tuple(r.if_fact for r in work.registry.screening_rules
                                    if r.if_fact is not None and r.outcome.value == Verdict.risk.value)
    codes = [r.key for r in work.registry.screening_rules if r.form is not None and (
        r.outcome.value == Verdict.risk.value or r.sets_fact in facts)]
    flag_codes = [f'"{f.code}"' for a in work.registry.assessments for f in a.flags if f.sets_fact in facts]
    found = [cast(FormResponse.findings, String).contains(f'"{code}"') for code in codes]
    candidates = set(work.db.scalars(select(FormResponse.client_id).join(Client, Client.id == FormResponse.client_id)
                                     .where(visible, work.client_ids_within(FormResponse.client_id, "clinical.read"),
                                            or_(*found)).distinct().limit(100))) if found else set()
    flagged = [cast(AssessmentResult.flags, String).contains('"risk"'),
               *(cast(AssessmentResult.flags, String).contains(code) for code in flag_codes)]
    candidates |= set(work.db.scalars(select(AssessmentResult.client_id)
                                      .join(Client, Client.id == AssessmentResult.client_id)
                                      .where(visible, work.client_ids_within(AssessmentResult.client_id,
                                                                             "clinical.read"),
                                             or_(*flagged)).distinct().limit(100)))
    if not candidates:
        return []
    ids = sorted(candidates)
    rows: dict[uuid.UUID, list[FormResponse]] = {}
    for row in work.db.scalars(select(FormResponse).where(FormResponse.client_id.in_(ids))
                               .order_by(FormResponse.submitted_at.desc())):
        rows.setdefault(row.client_id, []).append(row)
    results: dict[uuid.UUID, list[AssessmentResult]] = {}
    for result in work.db.scalars(select(AssessmentResult).where(AssessmentResult.client_id.in_(ids))
                                  .order_by(AssessmentResult.administered_at.desc())):
        results.setdefault(result.client_id, []).append(result)
    names = {c.id: c.display_name for c in work.db.scalars(select(Client).where(Client.id.in_(ids)))}
    acks = work.db.execute(select(RiskAcknowledgement.client_id, RiskAcknowledgement.code,
                                  RiskAcknowledgement.acknowledged_at).where(RiskAcknowledgement.client_id.in_(ids))
                           ).all()
    board: list[Any] = []
    for client_id in ids:
        screening = read_screening(work, client_id, rows.get(client_id, []), results.get(client_id, []))
        who = {"client_id": client_id, "client_name": names.get(client_id, "")}
        seen: dict[str, Any] = {}
        for modality in work.registry.modalities:
            for f in screening_findings(work, screening, modality, work.now, who):
                if f.verdict is Verdict.risk and not any(
                        a.client_id == client_id and a.code == f.code and (f.since is None or a.acknowledged_at >= f.since)
                        for a in acks):
                    seen.setdefault(f.code, f)
        board.extend(seen.values())
    board = sorted(board, key=lambda f: f.since or work.now, reverse=True)[:limit]
    work.audit_each("dashboard.risk", sorted({f.client_id for f in board}), record_type="risk",
                    reason="unacknowledged risk listed")
    return board
