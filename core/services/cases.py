"""Cases (episodes of care) for one or more clients, and their goals."""

from __future__ import annotations

import uuid
from typing import Any

from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.models import Case, CaseClient, CasePractitioner, Client, Goal, User
from polymodal.core.practice import Work
from polymodal.core.services import clients as client_service
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
