"""The read side of the schedule: calendar rows with people's names, and what a booking form offers.

Every function here costs a fixed number of statements whatever the number of
sessions (the calendar one, for the sessions with their clients and
practitioners), so a busy week costs what a quiet one does.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, Text, and_, bindparam, case, cast, func, not_, select

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


# The calendar's rows are named tuples: a week's are built, hashed and compared on every view (its kept grid is
# found by them, web/fragments.py), and a frozen dataclass cost five times as much for each.
class Person(NamedTuple):
    id: uuid.UUID
    name: str
    visible: bool = True  # False for a client outside the actor's reach: the slot shows, the name does not


class CalendarSession(NamedTuple):
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
    manageable: bool  # the actor may move or cancel it (``session.manage`` for every client)


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
    statement = _calendar_statement(practitioner_id is not None, room_id is not None, case_id is not None,
                                    session_id is not None, filter_shape(work.actor, "client.read"),
                                    filter_shape(work.actor, "session.manage"))
    rows = connection_of(work.db).execute(statement, {
        "start": start, "end": end, "earliest": start - MAX_SESSION, "practitioner_id": practitioner_id,
        "room_id": room_id, "case_id": case_id, "session_id": session_id, **filter_values(work.actor, work.now)}).all()
    may_manage = bool(work.may("session.manage"))
    found: list[CalendarSession] = []
    session: tuple[Any, ...] = ()
    clients: dict[uuid.UUID, Person] = {}
    practitioners: dict[uuid.UUID, Person] = {}
    manageable = False

    def close() -> None:
        if session:
            found.append(CalendarSession(*session, tuple(clients.values()), tuple(practitioners.values()),
                                         may_manage and bool(clients) and manageable))

    # A row per session, client and practitioner, in _calendar_statement's column order (reading a row by name
    # costs five times as much): a session's clients, then its practitioners, in the order they are shown.
    for (sid, case_id_, starts_at, ends_at, modality_key, format_, delivery, status, room, room_name, series_id,
         client_id, preferred, first, last, readable, may_manage_client, user_id, user_name) in rows:
        if not session or sid != session[0]:
            close()
            session = (sid, case_id_, starts_at, ends_at, modality_key, format_, delivery, status, room,
                       room_name or "", series_id)
            clients, practitioners, manageable = {}, {}, True
        if client_id is not None and client_id not in clients:
            clients[client_id] = Person(client_id, f"{preferred or first} {last}" if readable else "", bool(readable))
            manageable = manageable and bool(may_manage_client)
        if user_id is not None and user_id not in practitioners:
            practitioners[user_id] = Person(user_id, user_name)
    close()
    work.audit("schedule.view", record_type="schedule", reason=f"{len(found)} sessions")
    return found


# The calendar's statement is built once per shape, its values bound: built per page, its cache key (the access
# filters' subqueries above all) was computed again each time (issue 18).
@functools.lru_cache(maxsize=64)
def _calendar_statement(practitioner: bool, room: bool, of_case: bool, session: bool, readable: FilterShape,
                        manageable: FilterShape) -> Select[Any]:
    """One statement for the sessions, their clients and their practitioners: a row for each combination.

    Three statements (the sessions, then their clients and practitioners by the ids just read) cost a third of
    one practitioner's week calendar in SQLAlchemy's work around them, most of it in expanding the ids into the
    other two (issue 18)."""
    start, end, earliest = bindparam("start"), bindparam("end"), bindparam("earliest")
    window = overlapping(start, end, earliest)
    if practitioner:
        window.append(with_practitioner(bindparam("practitioner_id"), start, end, earliest))
    if room:
        window.append(Session.room_id == bindparam("room_id"))
    if of_case:
        window.append(Session.case_id == bindparam("case_id"))
    if session:
        window.append(Session.id == bindparam("session_id"))
    return (select(Session.id, Session.case_id, Session.starts_at, Session.ends_at, Session.modality_key,
                   Session.format, Session.delivery, Session.status, Session.room_id, Room.name, Session.series_id,
                   Client.id, Client.preferred_name, Client.legal_first_name, Client.legal_last_name,
                   case((bound_client_filter(readable), True), else_=False),
                   case((bound_client_filter(manageable), True), else_=False),
                   User.id, User.display_name)
            .outerjoin(Room, Room.id == Session.room_id)
            .outerjoin(SessionClient, SessionClient.session_id == Session.id)
            .outerjoin(Client, Client.id == SessionClient.client_id)
            .outerjoin(SessionPractitioner, SessionPractitioner.session_id == Session.id)
            .outerjoin(User, User.id == SessionPractitioner.user_id)
            .where(*window)
            .order_by(Session.starts_at, Session.id, Client.legal_last_name, Client.legal_first_name, Client.id,
                      User.display_name, User.id))


class Bookable(NamedTuple):
    """A practitioner who can be booked."""

    id: uuid.UUID
    display_name: str


class RoomChoice(NamedTuple):
    """A room that can be booked, and where it is."""

    id: uuid.UUID
    name: str
    location: str


@dataclass(frozen=True)
class Directory:
    """Who and where can be booked: active practitioners and rooms not retired. Plain tuples, so that a page can
    keep what it drew from them by them (web/fragments.py)."""

    practitioners: tuple[Bookable, ...]
    rooms: tuple[RoomChoice, ...]


def directory(work: Work) -> Directory:
    """Staff and rooms for calendar filters and booking forms (two statements)."""
    work.require("schedule.read")
    db = connection_of(work.db)
    # The roles as the JSON text they are stored as: decoding each user's list was half of this function.
    practitioners = tuple(Bookable(user_id, name) for user_id, name, roles in db.execute(_STAFF).all()
                          if '"practitioner"' in roles or '"supervisor"' in roles)
    return Directory(practitioners, tuple(RoomChoice(*row) for row in db.execute(_ROOMS).all()))


# Built once and run on the connection: every calendar and booking form reads them (issue 18).
_STAFF = (select(User.id, User.display_name, func.coalesce(cast(User.roles, Text), ""))
          .where(User.active.is_(True)).order_by(User.display_name))
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
