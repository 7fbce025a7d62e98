"""Scheduling: book, move, cancel sessions; weekly series; status lifecycle."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import uuid
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Integer, bindparam, func, select, text
from sqlalchemy.orm import joinedload

from polymodal.core import availability
from polymodal.core.billing import fees as billing_fees
from polymodal.core.billing import packages as billing_packages
from polymodal.core.db import connection_of
from polymodal.core.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from polymodal.core.messaging import notices
from polymodal.core.models import (
    CareTeamMember,
    Client,
    Room,
    Session,
    SessionClient,
    SessionPractitioner,
    SessionSeries,
    User,
)
from polymodal.core.practice import Work
from polymodal.core.services import consent_gaps
from polymodal.core.services.cases import get_case, open_case
from polymodal.core.services.center import parse
from polymodal.core.services.clients import join_care_team
from polymodal.core.timeutil import local_to_utc, to_local

TRANSITIONS: dict[str, frozenset[str]] = {
    "scheduled": frozenset({"checked_in", "cancelled", "no_show"}),
    "checked_in": frozenset({"completed", "cancelled"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
    "no_show": frozenset(),
}
"""scheduled → checked_in → completed; cancelled and no_show end a session too."""

CANCEL_REASONS = {"client": "Client cancelled", "practitioner": "Practitioner cancelled", "weather": "Weather",
                  "illness": "Illness", "late_cancellation": "Late cancellation"}
"""Why a session was cancelled, from a list the center can count; free text adds the detail."""

BUSY = ("scheduled", "checked_in", "completed")
DEFAULT_MINUTES = 50
"""A session's length when its modality declares no structure for the format (the 50-minute hour)."""
MAX_SESSION = dt.timedelta(hours=12)
"""No session lasts longer (booking refuses it), so an overlap query can bound ``starts_at`` from below."""


def overlapping(start: Any, end: Any, earliest: Any = None) -> list[ColumnElement[bool]]:
    """Sessions overlapping ``[start, end)``, as a range on ``ix_sessions_starts_status``.

    ``starts_at < end AND ends_at > start`` alone walks the index from the first session ever: at
    1,000,000 sessions a day's overlap query took about 3 s on SQLite, with the lower bound a few ms.
    ``earliest`` is ``start - MAX_SESSION``, given when the times are bound parameters.
    """
    earliest = start - MAX_SESSION if earliest is None else earliest
    return [Session.starts_at > earliest, Session.starts_at < end, Session.ends_at > start]


def with_practitioner(practitioner_id: Any, start: Any, end: Any, earliest: Any = None) -> ColumnElement[bool]:
    """The practitioner attends, among sessions starting as ``overlapping(start, end)`` allows: one range on
    ``ix_session_practitioners_user_starts``, whatever the size of the center."""
    earliest = start - MAX_SESSION if earliest is None else earliest
    return Session.id.in_(select(SessionPractitioner.session_id).where(
        SessionPractitioner.user_id == practitioner_id, SessionPractitioner.starts_at > earliest,
        SessionPractitioner.starts_at < end))


class SessionInput(BaseModel):
    case_id: uuid.UUID | None = Field(default=None, description="None for a first appointment: a case is opened.")
    modality_key: str = Field(min_length=1)
    structure_key: str | None = None
    format: str = "individual"
    starts_at: dt.datetime = Field(description="Wall-clock time in the center's zone, or an aware time.")
    minutes: int | None = Field(default=None, ge=5, le=int(MAX_SESSION.total_seconds() // 60))
    delivery: str = Field(default="in_person", pattern="^(in_person|phone|video)$",
                          json_schema_extra={"hint": "in person, phone or video"})
    room_id: uuid.UUID | None = None
    client_ids: list[uuid.UUID] = []
    practitioner_ids: list[uuid.UUID] = []
    weeks: int = Field(default=1, ge=1, le=104, description="1: a single session; more: a weekly series.")
    outside_hours: bool = Field(default=False, description="Book even outside working, room or center hours.")


def schedule_session(work: Work, data: dict) -> list[Session]:
    """Book a session, or a weekly series at the same local time; refuses double bookings.

    Without a case (a first appointment) the clients and practitioners are named and a case is opened,
    titled by the modality. Each booked practitioner joins the clients' care teams when the actor may place
    them there (``care_team.manage``), so they can open the session they were booked for; otherwise
    ``care_team_gaps`` says who is missing and why.
    """
    values = parse(SessionInput, data)
    case = None
    if values.case_id is not None:
        case = get_case(work, values.case_id, "session.manage")
        if case.closed_on is not None:
            raise ValidationFailed({"case_id": "This case is closed: reopen it (with a reason) to book in it."})
    elif not values.client_ids:
        raise ValidationFailed({"case_id": "Choose a case, or the client for a first appointment."})
    modality = work.registry.modalities.get(values.modality_key)
    if modality is None or values.modality_key in work.registry.modalities.hidden:
        raise ValidationFailed({"modality_key": "Choose a modality offered here."})
    if values.format not in {f.value for f in modality.formats}:
        raise ValidationFailed({"format": f"{modality.name} is not offered as {values.format}."})
    structure = _structure(work, values)
    minutes = values.minutes or (structure.minutes if structure else DEFAULT_MINUTES)
    if dt.timedelta(minutes=minutes) > MAX_SESSION:  # overlapping() relies on it
        raise ValidationFailed({"minutes": "A session lasts at most 12 hours."})
    if case is not None:
        client_ids = values.client_ids or [link.client_id for link in case.clients]
        practitioner_ids = values.practitioner_ids or [link.user_id for link in case.practitioners]
        if not set(client_ids) <= {link.client_id for link in case.clients}:
            raise ValidationFailed({"client_ids": "Only clients of this case can attend its sessions."})
    else:
        client_ids, practitioner_ids = values.client_ids, values.practitioner_ids
        for client_id in client_ids:
            if work.db.get(Client, client_id) is None:
                raise ValidationFailed({"client_ids": "Choose the client from the list."})
            work.require("session.manage", client_id, record_type="client", record_id=client_id)
    _check_people(work, client_ids, practitioner_ids, values.room_id, values.delivery)
    _hold_calendars(work, client_ids, practitioner_ids, [values.room_id])
    if case is None:  # after the calendars are held: opening a case audits (the audit chain's lock comes later)
        case = open_case(work, title=modality.name, kind=values.format, client_ids=client_ids,
                         practitioner_ids=practitioner_ids)
    tz = work.center.timezone
    local_start = (to_local(values.starts_at, tz).replace(tzinfo=None) if values.starts_at.tzinfo
                   else values.starts_at)
    pending_clearance = _eligible_to_book(work, eligibility_ask(
        modality.key, client_ids, practitioner_ids, local_to_utc(local_start, tz), values.delivery, values.format))
    series = None
    if values.weeks > 1:
        series = SessionSeries(count=values.weeks, local_start=local_start.time(), timezone=tz)
        work.db.add(series)
        work.db.flush()
    sessions = []
    for week in range(values.weeks):
        # Add weeks to the wall-clock time, then convert: 10:00 stays 10:00 across a DST change.
        start = local_to_utc(local_start + dt.timedelta(weeks=week), tz)
        end = start + dt.timedelta(minutes=minutes)
        _refuse_conflicts(work, start, end, client_ids, practitioner_ids, values.room_id)
        if not values.outside_hours:
            refuse_outside_hours(work, practitioner_ids, values.room_id, start, end)
        session = Session(
            case_id=case.id, modality_key=modality.key,
            structure_key=structure.key if structure else None,
            structure_version=structure.version if structure else None,
            format=values.format, starts_at=start, ends_at=end, delivery=values.delivery,
            room_id=values.room_id, series_id=series.id if series else None, pending_clearance=pending_clearance,
        )
        session.clients = [SessionClient(client_id=c) for c in client_ids]
        session.practitioners = [SessionPractitioner(user_id=p, starts_at=start) for p in practitioner_ids]
        work.db.add(session)
        work.db.flush()
        for client_id in client_ids:
            work.audit("session.schedule", record_type="session", record_id=session.id, client_id=client_id)
        sessions.append(session)
    consent_gaps.sessions_changed(connection_of(work.db), [s.id for s in sessions])
    _join_care_teams(work, client_ids, practitioner_ids)
    billing_fees.charge_sessions(work, sessions)
    notices.session_booked(work, sessions)
    return sessions


def _join_care_teams(work: Work, client_ids: list[uuid.UUID], practitioner_ids: list[uuid.UUID]) -> None:
    """Booked practitioners join the care team where the actor may place them (issue 12: nobody places
    themselves, and a practitioner does not bring a colleague in); ``care_team_gaps`` reports the rest."""
    for client_id in client_ids:
        if not work.may("care_team.manage", client_id):
            continue
        for user_id in practitioner_ids:
            if user_id != work.actor.user_id:
                join_care_team(work, client_id, user_id)


def care_team_gaps(work: Work, session_id: uuid.UUID) -> list[str]:
    """Why a booked practitioner is not on a client's care team (so cannot open the session), one sentence
    each; empty when every practitioner of the session is on every client's team. Three statements."""
    from polymodal.core.eligibility import qualified

    session = get_session(work, session_id, "session.manage")
    client_ids = [c.client_id for c in session.clients]
    practitioner_ids = [p.user_id for p in session.practitioners]
    on_team = set(work.db.execute(select(CareTeamMember.client_id, CareTeamMember.user_id).where(
        CareTeamMember.client_id.in_(client_ids), CareTeamMember.user_id.in_(practitioner_ids))).all())
    missing = [(c, p) for c in client_ids for p in practitioner_ids if (c, p) not in on_team]
    if not missing:
        return []
    names = dict(work.db.execute(select(User.id, User.display_name).where(User.id.in_(practitioner_ids))).all())
    clients = {c.id: c.display_name for c in work.db.scalars(select(Client).where(Client.id.in_(client_ids)))}
    modality = work.registry.modalities.get(session.modality_key)
    covered = qualified(work, session.modality_key, practitioner_ids, to_local(session.starts_at,
                                                                                work.center.timezone).date())
    gaps = []
    for client_id, user_id in missing:
        who, whose = names.get(user_id, "A practitioner"), clients.get(client_id, "the client")
        if user_id not in covered:
            why = f"not credentialed for {modality.name if modality else 'this modality'} here"
        else:
            why = "the front desk or a supervisor adds them, so they can open this session"
        gaps.append(f"{who} is not on {whose}'s care team: {why}.")
    return gaps


def default_minutes(work: Work, modality_key: str, format: str = "individual") -> int:
    """The length a session of this modality is booked for unless someone says otherwise."""
    structure = next((s for s in work.registry.session_structures.for_modality(modality_key)
                      if format in s.formats), None)
    return structure.minutes if structure else DEFAULT_MINUTES


def eligibility_ask(modality_key: str, client_ids: list[uuid.UUID], practitioner_ids: list[uuid.UUID],
                    starts_at: dt.datetime, delivery: str, format: str = "individual"):
    from polymodal.core.eligibility import Ask

    return Ask(modality_key, tuple(client_ids), tuple(practitioner_ids), starts_at, delivery, format)


def _eligible_to_book(work: Work, ask, gate: str = "book", verb: str = "Not booked") -> bool:
    """Refuse what the decision excludes; True when the session waits for a clearance."""
    from polymodal.core import eligibility

    decision = eligibility.decide(work, ask)
    eligibility.refuse(work, decision, eligibility.Gate(gate), verb)
    return bool(decision.of_verdict(eligibility.Verdict.clearance, settled=False))


def _structure(work: Work, values: SessionInput):
    if values.structure_key is None:
        return next((s for s in work.registry.session_structures.for_modality(values.modality_key)
                     if values.format in s.formats), None)
    structure = work.registry.session_structures.get(values.structure_key)
    if structure is None or values.modality_key not in structure.modalities:
        raise ValidationFailed({"structure_key": "Choose a session structure of this modality."})
    return structure


def _check_people(work: Work, client_ids: list[uuid.UUID], practitioner_ids: list[uuid.UUID],
                  room_id: uuid.UUID | None, delivery: str) -> None:
    if not client_ids:
        raise ValidationFailed({"client_ids": "A session needs at least one client."})
    if not practitioner_ids:
        raise ValidationFailed({"practitioner_ids": "A session needs at least one practitioner."})
    for user_id in practitioner_ids:
        user = work.db.get(User, user_id)
        if user is None or not ({"practitioner", "supervisor"} & set(user.roles)) or not user.active:
            raise ValidationFailed({"practitioner_ids": "Choose active practitioners."})
    _bookable_room(work, room_id)
    if delivery == "in_person" and room_id is None:
        raise ValidationFailed({"room_id": "An in-person session needs a room."})


def _bookable_room(work: Work, room_id: uuid.UUID | None) -> None:
    if room_id is None:
        return
    room = work.db.get(Room, room_id)
    if room is None:
        raise ValidationFailed({"room_id": "Choose a room of this center."})
    if not room.active:
        raise ValidationFailed({"room_id": f"{room.name} is retired: choose another room."})


def _hold_calendars(work: Work, client_ids: list[uuid.UUID], practitioner_ids: list[uuid.UUID],
                    room_ids: list[uuid.UUID | None]) -> None:
    """Hold the calendars of these people and rooms until the transaction ends (PostgreSQL).

    Without it two transactions each ran the clash check before the other's session was committed, and
    both booked: 29 of 30 races of ten bookings for one slot double-booked (issue 12). SQLite needs no
    lock here, its write transaction (BEGIN IMMEDIATE) already serialises writers. Locks are taken in
    one sorted order, so two bookings sharing a practitioner and a room cannot wait on each other; call
    this before the transaction audits anything, as the audit chain's lock comes after these.
    """
    if work.db.get_bind().dialect.name != "postgresql":
        return
    keys = {_lock_key("client", c) for c in client_ids} | {_lock_key("practitioner", p) for p in practitioner_ids}
    keys |= {_lock_key("room", r) for r in room_ids if r is not None}
    for key in sorted(keys):
        work.db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _lock_key(kind: str, entity_id: uuid.UUID) -> int:
    # A signed 64-bit key per calendar; a collision only makes two unrelated bookings wait for each other.
    digest = hashlib.blake2b(f"polymodal.calendar:{kind}:{entity_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class OutsideHours(Conflict):
    """Booking outside someone's hours: allowed only when the person says so (``outside_hours``)."""


def refuse_outside_hours(work: Work, practitioner_ids: list[uuid.UUID], room_id: uuid.UUID | None,
                         start: dt.datetime, end: dt.datetime) -> None:
    problems = availability.outside_hours(work, practitioner_ids, room_id, start, end)
    if problems:
        raise OutsideHours(" ".join(problems) + " Book it anyway only if agreed: tick “Book outside hours”.")


def _refuse_conflicts(work: Work, start: dt.datetime, end: dt.datetime, client_ids: list[uuid.UUID],
                      practitioner_ids: list[uuid.UUID], room_id: uuid.UUID | None,
                      ignore: uuid.UUID | None = None) -> None:
    busy = select(Session.id).where(*overlapping(start, end), Session.status.in_(BUSY))
    if ignore is not None:
        busy = busy.where(Session.id != ignore)
    tz = work.center.timezone
    when = f"{to_local(start, tz):%a %d %b %Y %H:%M}"
    clash = work.db.execute(
        select(User.display_name, Session.starts_at, Session.ends_at)
        .join(SessionPractitioner, SessionPractitioner.user_id == User.id)
        .join(Session, Session.id == SessionPractitioner.session_id)
        .where(SessionPractitioner.session_id.in_(busy), User.id.in_(practitioner_ids)).limit(1)
    ).first()
    if clash:
        raise Conflict(f"{clash.display_name} is already booked {_span(clash, tz)} (asked for {when}).")
    clash = work.db.execute(
        select(Client.preferred_name, Client.legal_first_name, Client.legal_last_name,
               Session.starts_at, Session.ends_at)
        .join(SessionClient, SessionClient.client_id == Client.id)
        .join(Session, Session.id == SessionClient.session_id)
        .where(SessionClient.session_id.in_(busy), Client.id.in_(client_ids)).limit(1)
    ).first()
    if clash:
        name = f"{clash.preferred_name or clash.legal_first_name} {clash.legal_last_name}"
        raise Conflict(f"{name} already has a session {_span(clash, tz)} (asked for {when}).")
    if room_id is not None:
        clash = work.db.execute(
            select(Room.name, Session.starts_at, Session.ends_at).join(Session, Session.room_id == Room.id)
            .where(Session.id.in_(busy), Room.id == room_id).limit(1)
        ).first()
        if clash:
            raise Conflict(f"Room {clash.name} is already booked {_span(clash, tz)} (asked for {when}).")


def _span(row, tz: str) -> str:
    return f"{to_local(row.starts_at, tz):%a %d %b %H:%M}–{to_local(row.ends_at, tz):%H:%M}"


def get_session(work: Work, session_id: uuid.UUID, action: str = "schedule.read") -> Session:
    session = work.db.execute(_SESSION_WITH_CLIENTS, {"id": session_id}).unique().scalar_one_or_none()
    if session is None:
        raise NotFound("no such session")
    for link in session.clients:
        work.require(action, link.client_id, record_type="session", record_id=session.id)
    return session


_SESSION_WITH_CLIENTS = (select(Session).options(joinedload(Session.clients))
                        .where(Session.id == bindparam("id")))
"""The session with its client links in one statement, built once: every caller checks access per client
(issue 18: loading the links afterwards cost the session page a fifth of its database work)."""


def move_session(work: Work, session_id: uuid.UUID, starts_at: dt.datetime,
                 room_id: uuid.UUID | None = None, *, outside_hours: bool = False) -> Session:
    session = get_session(work, session_id, "session.manage")
    if session.status != "scheduled":
        raise IllegalTransition(f"a {session.status.replace('_', '-')} session cannot be moved")
    length = session.ends_at - session.starts_at
    start = local_to_utc(starts_at, work.center.timezone)
    room = room_id if room_id is not None else session.room_id
    _bookable_room(work, room)
    _hold_calendars(work, [c.client_id for c in session.clients], [p.user_id for p in session.practitioners],
                    [room])
    _refuse_conflicts(work, start, start + length, [c.client_id for c in session.clients],
                      [p.user_id for p in session.practitioners], room, ignore=session.id)
    if not outside_hours:
        refuse_outside_hours(work, [p.user_id for p in session.practitioners], room, start, start + length)
    session.pending_clearance = _eligible_to_book(work, eligibility_ask(
        session.modality_key, [c.client_id for c in session.clients], [p.user_id for p in session.practitioners],
        start, session.delivery, session.format), "move", "Not moved")
    session.starts_at, session.ends_at, session.room_id = start, start + length, room
    for link in session.practitioners:
        link.starts_at = start
    work.db.flush()
    for link in session.clients:
        work.audit("session.move", record_type="session", record_id=session.id, client_id=link.client_id)
    consent_gaps.sessions_changed(connection_of(work.db), [session.id])
    notices.session_moved(work, session)
    return session


def set_status(work: Work, session_id: uuid.UUID, status: str, reason: str = "", *,
               cancel_reason: str = "") -> Session:
    """Move a session along its lifecycle; check-in runs pre-flight and refuses on a block.

    Cancelling needs ``cancel_reason`` (a key of ``CANCEL_REASONS``); ``reason`` is free text. A client's
    cancellation inside the center's late-cancellation window is marked late. A no-show can be recorded only
    once the session has started.
    """
    session = get_session(work, session_id, "session.manage")
    if status not in TRANSITIONS:
        raise ValidationFailed({"status": f"unknown status '{status[:40]}'"})
    if status not in TRANSITIONS[session.status]:
        allowed = ", ".join(sorted(TRANSITIONS[session.status])) or "none (it is final)"
        raise IllegalTransition(
            f"a {session.status.replace('_', '-')} session cannot become {status.replace('_', '-')}; "
            f"allowed: {allowed}"
        )
    if status == "cancelled":
        _cancelling(work, session, cancel_reason)
    if status == "no_show" and work.now < session.starts_at:
        when = to_local(session.starts_at, work.center.timezone)
        raise IllegalTransition(f"A no-show can be recorded once the session has started ({when:%a %d %b %H:%M}).")
    if status == "checked_in":
        from polymodal.core import eligibility

        eligibility.refuse(work, eligibility.decide_session(work, session), eligibility.Gate.check_in,
                           "Cannot start")
    session.status, session.status_reason = status, reason.strip()[:500]
    work.db.flush()
    billing_packages.consume_on_completion(work, session)
    for link in session.clients:
        work.audit(f"session.{status}", record_type="session", record_id=session.id, client_id=link.client_id)
    if status == "cancelled":
        notices.session_cancelled(work, session)
    return session


def _cancelling(work: Work, session: Session, cancel_reason: str) -> None:
    if cancel_reason not in CANCEL_REASONS:
        raise ValidationFailed({"cancel_reason": "Choose why the session is cancelled."})
    window = dt.timedelta(hours=billing_fees.settings_of(work).late_cancel_hours)
    session.cancel_reason = cancel_reason
    session.late = cancel_reason == "late_cancellation" or (
        cancel_reason == "client" and session.starts_at - work.now < window)


def cancel_session(work: Work, session_id: uuid.UUID, cancel_reason: str, detail: str = "") -> Session:
    return set_status(work, session_id, "cancelled", detail, cancel_reason=cancel_reason)


def attendance_of(work: Work, client_id: uuid.UUID) -> dict[str, int]:
    """How often the client cancelled, cancelled late and did not come: counted in SQL, for the client page."""
    row = work.db.execute(
        select(func.count().filter(Session.status == "cancelled"),
               func.count().filter((Session.status == "cancelled") & Session.late.is_(True)),
               func.count().filter(Session.status == "no_show"))
        .join(SessionClient, SessionClient.session_id == Session.id)
        .where(SessionClient.client_id == client_id)).one()
    return {"cancelled": row[0], "late": row[1], "no_show": row[2]}


def sessions_between(work: Work, start: dt.datetime, end: dt.datetime, *,
                     practitioner_id: uuid.UUID | None = None, room_id: uuid.UUID | None = None,
                     limit: int | None = None) -> list:
    """Calendar rows (columns only) for a day or week view, the first ``limit`` by start; no clinical content.

    Columns in this order (the dashboard unpacks them by position): id, starts_at, ends_at, modality_key, status,
    delivery, room_id, case_id."""
    work.require("schedule.read")
    statement = _between_statement(practitioner_id is not None, room_id is not None, limit is not None)
    return connection_of(work.db).execute(statement, {
        "start": start, "end": end, "earliest": start - MAX_SESSION, "practitioner_id": practitioner_id,
        "room_id": room_id, "rows": limit}).all()


@functools.lru_cache(maxsize=16)
def _between_statement(practitioner: bool, room: bool, limited: bool) -> Any:
    # Built once per shape and run on the connection: built per page, with the ORM's execution around it, it
    # cost the dashboard more than reading its rows did (issue 18).
    start, end, earliest = bindparam("start"), bindparam("end"), bindparam("earliest")
    stmt = (select(Session.id, Session.starts_at, Session.ends_at, Session.modality_key, Session.status,
                   Session.delivery, Session.room_id, Session.case_id)
            .where(*overlapping(start, end, earliest)).order_by(Session.starts_at))
    if practitioner:
        stmt = stmt.where(with_practitioner(bindparam("practitioner_id"), start, end, earliest))
    if room:
        stmt = stmt.where(Session.room_id == bindparam("room_id"))
    if limited:
        stmt = stmt.limit(bindparam("rows", type_=Integer))
    return stmt
