"""Cases (episodes of care) for one or more clients, and their goals."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, field_validator
from sqlalchemy import func, select

from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.models import Case, CaseClient, CasePractitioner, Client, Goal, Session, User
from polymodal.core.practice import Work
from polymodal.core.services import clients as client_service
from polymodal.core.services.center import parse
from polymodal.core.timeutil import today_in

CLIENT_COUNTS = {"individual": (1, 1), "couple": (2, 2), "family": (2, 20), "group": (2, 40)}


def open_case(work: Work, *, title: str, kind: str, client_ids: list[uuid.UUID],
              practitioner_ids: list[uuid.UUID]) -> Case:
    """Open a case; its practitioners join each client's care team."""
    errors: dict[str, str] = {}
    if not title.strip() or len(title) > 200:
        errors["title"] = "Give the case a title of up to 200 characters."
    if kind not in CLIENT_COUNTS:
        errors["kind"] = "Choose individual, couple, family or group."
    else:
        low, high = CLIENT_COUNTS[kind]
        unique = set(client_ids)
        if not low <= len(unique) <= high or len(unique) != len(client_ids):
            errors["clients"] = (f"A {kind} case has {low} client{'s' if low > 1 else ''}" if low == high
                                 else f"A {kind} case has {low} to {high} different clients")
    if not practitioner_ids:
        errors["practitioners"] = "Name at least one practitioner."
    if errors:
        raise ValidationFailed(errors)
    for client_id in client_ids:
        if work.db.get(Client, client_id) is None:
            raise NotFound("no such client")
        work.require("case.manage", client_id, record_type="client", record_id=client_id)
    for user_id in practitioner_ids:
        user = work.db.get(User, user_id)
        if user is None or not ({"practitioner", "supervisor"} & set(user.roles)):
            raise ValidationFailed({"practitioners": "Choose practitioners."})
    _check_named(work, client_ids, practitioner_ids)
    case = Case(title=title.strip(), kind=kind, opened_on=today_in(work.center.timezone, work.now))
    case.clients = [CaseClient(client_id=c) for c in client_ids]
    case.practitioners = [CasePractitioner(user_id=p) for p in practitioner_ids]
    work.db.add(case)
    work.db.flush()
    for client_id in client_ids:
        work.audit("case.open", record_type="case", record_id=case.id, client_id=client_id)
        for user_id in practitioner_ids:
            client_service.join_care_team(work, client_id, user_id)
    return case


def _check_named(work: Work, client_ids: list[uuid.UUID], practitioner_ids: list[uuid.UUID]) -> None:
    """Naming a case's practitioners puts them on each client's care team, so it is an assignment.

    Anyone who may open the case may name people already on every client's team (themselves
    included). Bringing a colleague in is for those who manage the care team (front desk, admin, a
    supervisor for supervisees' clients), as a center's intake or clinical lead assigns cases; and
    nobody brings themselves in (issue 12).
    """
    for client_id in client_ids:
        for user_id in practitioner_ids:
            if client_service.on_care_team(work, client_id, user_id):
                continue
            if user_id == work.actor.user_id:
                raise ValidationFailed({"practitioners": "You are not on this client's care team; ask a colleague "
                                                         "who manages it to add you."})
            if not work.may("care_team.manage", client_id):
                raise ValidationFailed({"practitioners": "Name yourself or members of the client's care team; the "
                                                         "front desk or a supervisor adds a colleague to it."})


def get_case(work: Work, case_id: uuid.UUID, action: str = "client.read") -> Case:
    case = work.db.get(Case, case_id)
    if case is None:
        raise NotFound("no such case")
    for link in case.clients:
        work.require(action, link.client_id, record_type="case", record_id=case.id)
    return case


def add_goal(work: Work, case_id: uuid.UUID, text: str, **extra: Any) -> Goal:
    case = get_case(work, case_id, "clinical.write")
    if not text.strip() or len(text) > 1000:
        raise ValidationFailed({"text": "Describe the goal in up to 1,000 characters."})
    goal = Goal(case_id=case.id, text=text.strip(), **extra)
    work.db.add(goal)
    work.db.flush()
    for link in case.clients:
        work.audit("goal.create", record_type="goal", record_id=goal.id, client_id=link.client_id)
    return goal


GOAL_STATUSES = {"active": "Active", "met": "Met", "revised": "Revised", "dropped": "Dropped"}


class GoalInput(BaseModel):
    """A goal as the practitioner edits it; messages name the field and are written for them."""

    text: str
    baseline: str = ""
    target: str = ""
    target_on: dt.date | None = None
    status: str = "active"

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip() or len(value) > 1000:
            raise ValueError("Describe the goal in up to 1,000 characters.")
        return value.strip()

    @field_validator("baseline", "target")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value) > 500:
            raise ValueError("Use at most 500 characters.")
        return value.strip()

    @field_validator("target_on", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        if value in ("", None):
            return None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError("Enter the target date as a date, e.g. 2027-01-31.") from None

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in GOAL_STATUSES:
            raise ValueError("Choose active, met, revised or dropped.")
        return value


def update_goal(work: Work, goal_id: uuid.UUID, data: dict[str, Any]) -> Goal:
    """Edit a goal or mark it met, revised or dropped; a change of status stamps its review."""
    goal = work.db.get(Goal, goal_id)
    if goal is None:
        raise NotFound("no such goal")
    case = get_case(work, goal.case_id, "clinical.write")
    values = parse(GoalInput, data)
    if values.status != goal.status:
        goal.reviewed_at = work.now
    goal.text, goal.baseline, goal.target = values.text, values.baseline, values.target
    goal.target_on, goal.status = values.target_on, values.status
    work.db.flush()
    for link in case.clients:
        work.audit("goal.update", record_type="goal", record_id=goal.id, client_id=link.client_id,
                   reason=f"status {goal.status}")
    return goal


def close_case(work: Work, case_id: uuid.UUID, reason: str) -> Case:
    """Close a case with a reason; refused while sessions are still to come (they would be orphaned)."""
    case = get_case(work, case_id, "case.manage")
    if case.closed_on is not None:
        raise Conflict("This case is closed already.")
    _need_reason(reason, "closed")
    upcoming = work.db.scalar(select(func.count()).select_from(Session).where(
        Session.case_id == case.id, Session.status.in_(("scheduled", "checked_in"))))
    if upcoming:
        raise Conflict(f"The case has {upcoming} session{'s' if upcoming > 1 else ''} still to come: "
                       "cancel or complete them first.")
    case.closed_on, case.status_reason = today_in(work.center.timezone, work.now), reason.strip()[:500]
    for link in case.clients:
        work.audit("case.close", record_type="case", record_id=case.id, client_id=link.client_id)
    return case


def reopen_case(work: Work, case_id: uuid.UUID, reason: str) -> Case:
    case = get_case(work, case_id, "case.manage")
    if case.closed_on is None:
        raise Conflict("This case is open.")
    _need_reason(reason, "reopened")
    case.closed_on, case.status_reason = None, reason.strip()[:500]
    for link in case.clients:
        work.audit("case.reopen", record_type="case", record_id=case.id, client_id=link.client_id)
    return case


def _need_reason(reason: str, done: str) -> None:
    if not reason.strip():
        raise ValidationFailed({"reason": f"Say why the case is {done}."})
    if len(reason) > 500:
        raise ValidationFailed({"reason": "Use at most 500 characters."})


def active_goals(work: Work, case_id: uuid.UUID) -> list[Any]:
    """The goals a note being written works toward (text, baseline, target, date): one statement."""
    get_case(work, case_id, "clinical.read")
    return list(work.db.execute(select(Goal.id, Goal.text, Goal.baseline, Goal.target, Goal.target_on)
                                .where(Goal.case_id == case_id, Goal.status == "active")
                                .order_by(Goal.created_at, Goal.id)).all())
