"""One session as its page shows it: logistics for everyone who may see the clients, clinical detail for the team.

The pre-flight is the eligibility decision for the session. Its consent,
credential and location findings are logistics the front desk acts on; a
screening or a plugin's finding can quote clinical answers, so a reader
without clinical access gets its kind and source instead (it still blocks).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select

from polymodal.core.contributions import SessionStructure
from polymodal.core.db import connection_of
from polymodal.core.eligibility import Finding
from polymodal.core.errors import NotFound
from polymodal.core.models import Case, Client, Room, Session, SessionClient, SessionPractitioner, User
from polymodal.core.practice import Work
from polymodal.core.services import scheduling
from polymodal.core.services.preflight import preflight


@dataclass(frozen=True, slots=True)
class ClientLink:
    client_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """A session's own columns and its client links, read without the ORM (the ORM's load was the largest
    part of the session page's database work, issue 18). The pre-flight, which needs the ORM's session,
    loads it: only a scheduled session has one to show."""

    id: uuid.UUID
    case_id: uuid.UUID
    modality_key: str
    structure_key: str | None
    structure_version: int | None
    format: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    delivery: str
    room_id: uuid.UUID | None
    status: str
    status_reason: str
    cancel_reason: str
    late: bool
    pending_clearance: bool
    clients: tuple[ClientLink, ...] = ()


_FACTS = select(*(getattr(Session, name) for name in SessionFacts.__slots__ if name != "clients")
                ).where(Session.id == bindparam("session_id"))


@dataclass(frozen=True)
class SessionView:
    session: SessionFacts
    case_title: str
    clients: list[Any]
    practitioners: list[Any]
    room: str
    structure: SessionStructure | None
    clinical: bool
    """May the actor read the clinical record of every client of the session?"""
    can_manage: bool
    can_write_notes: bool


def open_session(work: Work, session_id: uuid.UUID) -> SessionView:
    """The session with its people and room (columns only); viewing it is audited per client.

    The same checks as ``scheduling.get_session(work, session_id, "client.read")``: no such session is
    NotFound, and the actor must be allowed ``client.read`` on each of its clients."""
    db = connection_of(work.db)
    row = db.execute(_FACTS, {"session_id": session_id}).first()
    if row is None:
        raise NotFound("no such session")
    clients = list(db.execute(_CLIENTS, {"session_id": session_id}))
    client_ids = [c.id for c in clients]
    for cid in client_ids:
        work.require("client.read", cid, record_type="session", record_id=session_id)
    session = SessionFacts(*row, clients=tuple(ClientLink(cid) for cid in client_ids))
    practitioners = list(db.execute(_PRACTITIONERS, {"session_id": session.id}))
    room = db.scalar(_ROOM, {"room_id": session.room_id}) if session.room_id else ""
    case_title = db.scalar(_CASE_TITLE, {"case_id": session.case_id}) or ""
    structure = (work.registry.session_structures.get(session.structure_key, session.structure_version)
                 if session.structure_key else None)
    for cid in client_ids:
        work.audit("session.read", record_type="session", record_id=session.id, client_id=cid)
    return SessionView(
        session=session, case_title=case_title, clients=clients, practitioners=practitioners, room=room or "",
        structure=structure,
        clinical=bool(client_ids) and all(work.may("clinical.read", c) for c in client_ids),
        can_manage=all(work.may("session.manage", c) for c in client_ids),
        can_write_notes=bool(client_ids) and all(work.may("clinical.write", c) for c in client_ids),
    )


# Built once, values bound: built per page, their cache keys were a sixth of the session page's CPU (issue 18).
_CLIENTS = (select(Client.id, Client.preferred_name, Client.legal_first_name, Client.legal_last_name)
            .join(SessionClient, SessionClient.client_id == Client.id)
            .where(SessionClient.session_id == bindparam("session_id")).order_by(Client.legal_last_name))
_PRACTITIONERS = (select(User.id, User.display_name)
                  .join(SessionPractitioner, SessionPractitioner.user_id == User.id)
                  .where(SessionPractitioner.session_id == bindparam("session_id")).order_by(User.display_name))
_ROOM = select(Room.name).where(Room.id == bindparam("room_id"))
_CASE_TITLE = select(Case.title).where(Case.id == bindparam("case_id"))


def findings_for(work: Work, view: SessionView) -> list[Finding]:
    """The pre-flight for the page: in full for the care team, clinical findings summarised for others."""
    session = scheduling.get_session(work, view.session.id, "client.read")
    return [f.shown_to(view.clinical) for f in preflight(work, session)]


def change_status(work: Work, session_id: uuid.UUID, status: str, reason: str = "", *,
                  cancel_reason: str = "") -> Session:
    """``scheduling.set_status``; a refused check-in already names clinical reasons only to the care team."""
    return scheduling.set_status(work, session_id, status, reason, cancel_reason=cancel_reason)
