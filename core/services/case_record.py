"""The read side of a case's page: its clients, practitioners, sessions and (for clinicians) goals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from polymodal.core.models import CaseClient, CasePractitioner, Client, Goal, Room, Session, User
from polymodal.core.practice import Work
from polymodal.core.services.cases import get_case


@dataclass(frozen=True)
class CaseRecord:
    id: uuid.UUID
    title: str
    kind: str
    opened_on: Any
    closed_on: Any
    status_reason: str
    clients: list[Any]
    practitioners: list[Any]
    sessions: list[Any]
    goals: list[Any] | None
    """None when the actor may not read the case's clinical content (goals are clinical)."""
    can_book: bool
    can_add_goal: bool
    can_manage: bool
    """May close and reopen the case."""


def case_record(work: Work, case_id: uuid.UUID, *, session_limit: int = 200) -> CaseRecord:
    """Columns only; the view is audited once per client, as a client page is."""
    case = get_case(work, case_id, "client.read")
    client_ids = [link.client_id for link in case.clients]
    clients = work.db.execute(
        select(Client.id, Client.legal_first_name, Client.legal_last_name, Client.preferred_name, Client.pronouns)
        .join(CaseClient, CaseClient.client_id == Client.id).where(CaseClient.case_id == case.id)
        .order_by(Client.legal_last_name, Client.legal_first_name)
    ).all()
    practitioners = work.db.execute(
        select(User.id, User.display_name).join(CasePractitioner, CasePractitioner.user_id == User.id)
        .where(CasePractitioner.case_id == case.id).order_by(User.display_name)
    ).all()
    sessions = work.db.execute(
        select(Session.id, Session.starts_at, Session.ends_at, Session.modality_key, Session.status,
               Session.delivery, Room.name.label("room_name"))
        .outerjoin(Room, Room.id == Session.room_id).where(Session.case_id == case.id)
        .order_by(Session.starts_at.desc()).limit(min(max(session_limit, 1), 1000))
    ).all()
    clinical = all(work.may("clinical.read", c) for c in client_ids)
    goals = None
    if clinical:
        for client_id in client_ids:
            work.require("clinical.read", client_id, record_type="case", record_id=case.id)
        goals = list(work.db.execute(
            select(Goal.id, Goal.text, Goal.status, Goal.baseline, Goal.target, Goal.target_on, Goal.reviewed_at,
                   Goal.created_at)
            .where(Goal.case_id == case.id).order_by(Goal.created_at, Goal.id)
        ).all())
    for client_id in client_ids:
        work.audit("case.view", record_type="case", record_id=case.id, client_id=client_id)
    return CaseRecord(
        id=case.id, title=case.title, kind=case.kind, opened_on=case.opened_on, closed_on=case.closed_on,
        status_reason=case.status_reason, clients=list(clients), practitioners=list(practitioners), sessions=list(sessions), goals=goals,
        can_book=case.closed_on is None and all(work.may("session.manage", c) for c in client_ids),
        can_add_goal=clinical and all(work.may("clinical.write", c) for c in client_ids),
        can_manage=all(work.may("case.manage", c) for c in client_ids),
    )


def case_choices(work: Work, *, limit: int = 500) -> dict[str, list[Any]]:
    """Clients the actor may open a case for, and the practitioners who can work it."""
    work.require("case.manage")
    clients = work.db.execute(
        select(Client.id, Client.legal_first_name, Client.legal_last_name, Client.preferred_name)
        .where(work.client_filter("case.manage")).order_by(Client.search_key, Client.id)
        .limit(min(max(limit, 1), 2000))
    ).all()
    staff = work.db.execute(
        select(User.id, User.display_name, User.roles).where(User.active.is_(True)).order_by(User.display_name)
    ).all()
    practitioners = [u for u in staff if {"practitioner", "supervisor"} & set(u.roles or ())]
    return {"clients": list(clients), "practitioners": practitioners}
