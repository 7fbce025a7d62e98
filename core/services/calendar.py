"""The read side of the schedule: calendar rows with people's names, and what a booking form offers.

Every function here costs a fixed number of statements whatever the number of
sessions (one for the sessions, one for their clients, one for their
practitioners), so a busy week costs what a quiet one does.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, not_, select

from polymodal.core.access import FilterShape, bound_client_filter, filter_shape, filter_values
from polymodal.core.db import connection_of
from polymodal.core.models import (
    Case,
    CaseClient,
    CasePractitioner,
    Client,
    Location,
    Room,
    Session,
    SessionClient,
    SessionPractitioner,
    User,
)
from polymodal.core.practice import Work
from polymodal.core.services.cases import get_case
from polymodal.core.services.scheduling import MAX_SESSION, overlapping, with_practitioner


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    name: str
    visible: bool = True
    """False for a client outside the actor's reach: the slot shows, the name does not."""


@dataclass(frozen=True)
class CalendarSession:
    id: uuid.UUID
    case_id: uuid.UUID
    starts_at: dt.datetime
    ends_at: dt.datetime
    modality_key: str
    format: str
    delivery: str
    status: str
    room_id: uuid.UUID | None
    room_name: str
    series_id: uuid.UUID | None
    clients: tuple[Person, ...]
    practitioners: tuple[Person, ...]
    manageable: bool
    """The actor may move or cancel it (``session.manage`` for every client)."""


def calendar(work: Work, start: dt.datetime, end: dt.datetime, *, practitioner_id: uuid.UUID | None = None,
             room_id: uuid.UUID | None = None, case_id: uuid.UUID | None = None,
             session_id: uuid.UUID | None = None) -> list[CalendarSession]:
    """Sessions overlapping ``[start, end)`` with client and practitioner names; no clinical content.

    ``session_id`` narrows it to one session (its card on a page of its own).

    A client's name shows only to those who may read that client
    (``client.read``); everyone with ``schedule.read`` sees that the slot is
    taken. One audit event records the view (no per-client events, which
    would make the page cost grow with the week).
    """
    work.require("schedule.read")
    db = connection_of(work.db)
    rows = db.execute(_sessions_statement(practitioner_id is not None, room_id is not None, case_id is not None,
                                          session_id is not None),
                      {"start": start, "end": end, "earliest": start - MAX_SESSION, "practitioner_id": practitioner_id,
                       "room_id": room_id, "case_id": case_id, "session_id": session_id}).all()
    work.audit("schedule.view", record_type="schedule", reason=f"{len(rows)} sessions")
    if not rows:
        return []
    # The ids just read, not the window again as a subquery: at 1,000,000 sessions SQLite re-ran the week's
    # range (every practitioner's sessions, each checked for this one) for each of the two statements below.
    ids = [r.id for r in rows]
    clients: dict[uuid.UUID, list[Person]] = {}
    unmanageable: set[uuid.UUID] = set()
    people = _clients_statement(filter_shape(work.actor, "client.read"), filter_shape(work.actor, "session.manage"))
    for row in db.execute(people, {"ids": ids, **filter_values(work.actor, work.now)}):
        name = f"{row.preferred_name or row.legal_first_name} {row.legal_last_name}" if row.readable else ""
        clients.setdefault(row.session_id, []).append(Person(row.id, name, bool(row.readable)))
        if not row.manageable:
            unmanageable.add(row.session_id)
    practitioners: dict[uuid.UUID, list[Person]] = {}
    for row in db.execute(_PRACTITIONERS, {"ids": ids}):
        practitioners.setdefault(row.session_id, []).append(Person(row.id, row.display_name))
    may_manage = bool(work.may("session.manage"))
    # Rows unpacked in _sessions_statement's column order: reading a row by name cost five times as much.
    return [CalendarSession(
        sid, case_id, starts_at, ends_at, modality_key, format_, delivery, status, room_id, room_name or "",
        series_id, tuple(clients.get(sid, ())), tuple(practitioners.get(sid, ())),
        may_manage and sid in clients and sid not in unmanageable,
    ) for sid, case_id, starts_at, ends_at, modality_key, format_, delivery, status, room_id, room_name, series_id
        in rows]


# The calendar's statements are built once per shape, their values bound: built per page, their cache keys
# (the access filters' subqueries above all) were computed again each time (issue 18).
@functools.lru_cache(maxsize=64)
def _sessions_statement(practitioner: bool, room: bool, case: bool, session: bool) -> Select[Any]:
    start, end, earliest = bindparam("start"), bindparam("end"), bindparam("earliest")
    window = overlapping(start, end, earliest)
    if practitioner:
        window.append(with_practitioner(bindparam("practitioner_id"), start, end, earliest))
    if room:
        window.append(Session.room_id == bindparam("room_id"))
    if case:
        window.append(Session.case_id == bindparam("case_id"))
    if session:
        window.append(Session.id == bindparam("session_id"))
    return (select(Session.id, Session.case_id, Session.starts_at, Session.ends_at, Session.modality_key,
                   Session.format, Session.delivery, Session.status, Session.room_id, Room.name.label("room_name"),
                   Session.series_id)
            .outerjoin(Room, Room.id == Session.room_id)
            .where(*window).order_by(Session.starts_at, Session.id))


@functools.lru_cache(maxsize=64)
def _clients_statement(readable: FilterShape, manageable: FilterShape) -> Select[Any]:
    return (select(SessionClient.session_id, Client.id, Client.preferred_name, Client.legal_first_name,
                   Client.legal_last_name,
                   case((bound_client_filter(readable), True), else_=False).label("readable"),
                   case((bound_client_filter(manageable), True), else_=False).label("manageable"))
            .join(Client, Client.id == SessionClient.client_id)
            .where(SessionClient.session_id.in_(bindparam("ids", expanding=True)))
            .order_by(Client.legal_last_name, Client.legal_first_name))


_PRACTITIONERS = (select(SessionPractitioner.session_id, User.id, User.display_name)
                  .join(User, User.id == SessionPractitioner.user_id)
                  .where(SessionPractitioner.session_id.in_(bindparam("ids", expanding=True)))
                  .order_by(User.display_name))


@dataclass(frozen=True)
class Directory:
    """Who and where can be booked: active practitioners and rooms not retired."""

    practitioners: tuple[Any, ...]
    rooms: tuple[Any, ...]


def directory(work: Work) -> Directory:
    """Staff and rooms for calendar filters and booking forms (two statements)."""
    work.require("schedule.read")
    db = connection_of(work.db)
    practitioners = tuple(u for u in db.execute(_STAFF) if {"practitioner", "supervisor"} & set(u.roles or ()))
    return Directory(practitioners, tuple(db.execute(_ROOMS)))


# Built once and run on the connection: every calendar and booking form reads them (issue 18).
_STAFF = select(User.id, User.display_name, User.roles).where(User.active.is_(True)).order_by(User.display_name)
_ROOMS = (select(Room.id, Room.name, Location.name.label("location"))
          .join(Location, Location.id == Room.location_id).where(Room.active.is_(True))
          .order_by(Location.name, Room.name))


def bookable_cases(work: Work, *, client_id: uuid.UUID | None = None, limit: int = 500) -> list[Any]:
    """Open cases whose every client the actor may book sessions for (columns only); ``client_id``: that
    client's only."""
    work.require("session.manage")
    out_of_reach = (select(CaseClient.case_id).join(Client, Client.id == CaseClient.client_id)
                    .where(not_(work.client_filter("session.manage"))))
    stmt = select(Case.id, Case.title, Case.kind).where(and_(Case.closed_on.is_(None), Case.id.not_in(out_of_reach)))
    if client_id is not None:
        stmt = stmt.where(Case.id.in_(select(CaseClient.case_id).where(CaseClient.client_id == client_id)))
    return list(work.db.execute(stmt.order_by(Case.title, Case.id).limit(min(max(limit, 1), 2000))).all())


def first_appointment_client(work: Work, client_id: uuid.UUID) -> Any:
    """The client a booking form is for (id and name), if the actor may book for them; else None."""
    if not work.may("session.manage", client_id):
        return None
    row = work.db.execute(select(Client.id, Client.preferred_name, Client.legal_first_name, Client.legal_last_name)
                          .where(Client.id == client_id)).first()
    if row is None:
        return None
    return Person(row.id, f"{row.preferred_name or row.legal_first_name} {row.legal_last_name}")


@dataclass(frozen=True)
class CaseBooking:
    """What a booking form pre-fills for a case: its kind, people and the modalities they offer."""

    id: uuid.UUID
    kind: str
    client_ids: tuple[uuid.UUID, ...]
    practitioner_ids: tuple[uuid.UUID, ...]
    offered_modalities: tuple[str, ...]
    last_modality: str | None
    """The modality of the case's latest session: the likeliest choice for the next one."""


def _offers(modality: Any, kind: str) -> bool:
    return kind in {f.value for f in modality.formats}


def case_booking(work: Work, case_id: uuid.UUID) -> CaseBooking:
    """Raises ``NotFound`` or ``AccessDenied`` (audited) like booking itself would."""
    case_ = get_case(work, case_id, "session.manage")
    offered = work.db.execute(
        select(User.modalities).join(CasePractitioner, CasePractitioner.user_id == User.id)
        .where(CasePractitioner.case_id == case_.id)
    ).scalars().all()
    # Only modalities given in the case's format: a couple case is not offered Coaching (individual or group),
    # which sorted first among its practitioner's modalities and so came pre-selected (issue 13).
    keys = sorted({key for keys in offered for key in (keys or ())
                   if key in work.registry.modalities and _offers(work.registry.modalities.get(key), case_.kind)})
    last = work.db.execute(select(Session.modality_key).where(Session.case_id == case_.id)
                           .order_by(Session.starts_at.desc()).limit(1)).scalar()
    return CaseBooking(case_.id, case_.kind, tuple(link.client_id for link in case_.clients),
                       tuple(link.user_id for link in case_.practitioners), tuple(keys),
                       last if last in work.registry.modalities else None)
