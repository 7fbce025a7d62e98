"""When practitioners work, when they are away, when rooms and the center are open (issue 13 item 2).

Read for the calendar's shading and free slots, and asked at booking: a session outside these hours needs an
explicit override. A practitioner or room with no hours set is not limited (a center may not use this).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, bindparam, or_, select

from polymodal.core.db import connection_of
from polymodal.core.errors import ValidationFailed
from polymodal.core.models import RoomHours, Session, SessionPractitioner, TimeOff, User, WorkingHours
from polymodal.core.practice import Work
from polymodal.core.timeutil import to_local, zone

DEFAULT_CENTER_HOURS = (dt.time(8), dt.time(20))
Span = tuple[dt.time, dt.time]


def center_hours(work: Work) -> Span:
    """The center's opening hours (``settings["hours"]``, "HH:MM" each), 08:00–20:00 when unset."""
    hours = (work.center.settings or {}).get("hours") or {}
    try:
        return dt.time.fromisoformat(hours["opens"]), dt.time.fromisoformat(hours["closes"])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_CENTER_HOURS


@dataclass
class Availability:
    """Hours by weekday and time away by local day, for the people and rooms of one calendar page."""

    center: Span
    working: dict[uuid.UUID, dict[int, list[Span]]] = field(default_factory=dict)
    away: dict[uuid.UUID, dict[dt.date, list[tuple[dt.time, dt.time, str]]]] = field(default_factory=dict)
    rooms: dict[uuid.UUID, dict[int, list[Span]]] = field(default_factory=dict)

    def working_on(self, user_id: uuid.UUID | None, day: dt.date) -> list[Span] | None:
        """None when the practitioner has no hours set (not limited); [] when they do not work that day."""
        if user_id is None or user_id not in self.working:
            return None
        return self.working[user_id].get(day.weekday(), [])

    def away_on(self, user_id: uuid.UUID | None, day: dt.date) -> list[tuple[dt.time, dt.time, str]]:
        return self.away.get(user_id, {}).get(day, []) if user_id else []

    def room_open_on(self, room_id: uuid.UUID | None, day: dt.date) -> list[Span] | None:
        if room_id is None or room_id not in self.rooms:
            return None
        return self.rooms[room_id].get(day.weekday(), [])

    def frozen(self) -> tuple[Any, ...]:
        """Everything held here as nested tuples: equal for equal hours, and hashable (a page keeps what it drew
        from them by such a key)."""
        def nested(by_owner: dict[uuid.UUID, dict[Any, list[Any]]]) -> tuple[Any, ...]:
            return tuple((owner, tuple((when, tuple(spans)) for when, spans in sorted(by_when.items())))
                         for owner, by_when in sorted(by_owner.items()))
        return self.center, nested(self.working), nested(self.away), nested(self.rooms)


def for_days(work: Work, days: list[dt.date], *, user_ids: list[uuid.UUID] | None = None,
             room_ids: list[uuid.UUID] | None = None) -> Availability:
    """At most three statements whatever the number of people, rooms and days; none for an empty list."""
    tz = work.center.timezone
    found = Availability(center_hours(work))
    if user_ids == []:
        return _rooms(work, found, room_ids)
    db = connection_of(work.db)
    chosen = user_ids is not None
    for row in db.execute(_WORKING[chosen], {"ids": user_ids} if chosen else {}):
        found.working.setdefault(row.user_id, {}).setdefault(row.weekday, []).append((row.starts, row.ends))
    start = dt.datetime.combine(days[0], dt.time(), zone(tz)).astimezone(dt.UTC)
    end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(), zone(tz)).astimezone(dt.UTC)
    window = {"start": start, "end": end, **({"ids": user_ids} if chosen else {})}
    for row in db.execute(_AWAY[chosen], window):
        first, last = to_local(row.starts_at, tz), to_local(row.ends_at, tz)
        for day in days:
            lo = max(first, dt.datetime.combine(day, dt.time(), first.tzinfo))
            hi = min(last, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), first.tzinfo))
            if lo < hi:
                until = hi.time() if hi.date() == day else dt.time(23, 59)
                found.away.setdefault(row.user_id, {}).setdefault(day, []).append((lo.time(), until, row.reason))
    return _rooms(work, found, room_ids)


def _rooms(work: Work, found: Availability, room_ids: list[uuid.UUID] | None) -> Availability:
    if room_ids == []:
        return found
    chosen = room_ids is not None
    for row in connection_of(work.db).execute(_ROOM_HOURS[chosen], {"ids": room_ids} if chosen else {}):
        found.rooms.setdefault(row.room_id, {}).setdefault(row.weekday, []).append((row.opens, row.closes))
    return found


def _all_or_chosen(stmt: Select[Any], column: Any) -> dict[bool, Select[Any]]:
    """The statement for everyone (False) and for the ids bound as ``ids`` (True). Each calendar page reads
    hours: built once, not per page (issue 18)."""
    return {False: stmt, True: stmt.where(column.in_(bindparam("ids", expanding=True)))}


_WORKING = _all_or_chosen(select(WorkingHours.user_id, WorkingHours.weekday, WorkingHours.starts, WorkingHours.ends)
                          .order_by(WorkingHours.starts), WorkingHours.user_id)
_AWAY = _all_or_chosen(select(TimeOff.user_id, TimeOff.starts_at, TimeOff.ends_at, TimeOff.reason)
                       .where(TimeOff.starts_at < bindparam("end"), TimeOff.ends_at > bindparam("start")),
                       TimeOff.user_id)
_ROOM_HOURS = _all_or_chosen(select(RoomHours.room_id, RoomHours.weekday, RoomHours.opens, RoomHours.closes),
                             RoomHours.room_id)


def _inside(spans: list[Span], start: dt.time, end: dt.time) -> bool:
    return any(lo <= start and end <= hi for lo, hi in spans)


def outside_hours(work: Work, practitioner_ids: list[uuid.UUID], room_id: uuid.UUID | None,
                  starts_at: dt.datetime, ends_at: dt.datetime) -> list[str]:
    """Why ``[starts_at, ends_at)`` is outside someone's hours, one sentence each; empty when it is not."""
    tz = work.center.timezone
    start, end = to_local(starts_at, tz), to_local(ends_at, tz)
    day = start.date()
    last = end.time() if end.date() == day else dt.time(23, 59)
    hours = for_days(work, [day], user_ids=list(practitioner_ids), room_ids=[room_id] if room_id else [])
    names = dict(work.db.execute(select(User.id, User.display_name).where(User.id.in_(practitioner_ids))).all())
    problems = []
    opens, closes = hours.center
    # Default hours only draw the grid; a center that set its hours is held to them.
    if (work.center.settings or {}).get("hours") and not (opens <= start.time() and last <= closes):
        problems.append(f"The center is open {opens:%H:%M}–{closes:%H:%M}.")
    for user_id in practitioner_ids:
        name = names.get(user_id, "The practitioner")
        working = hours.working_on(user_id, day)
        if working is not None and not _inside(working, start.time(), last):
            spans = ", ".join(f"{lo:%H:%M}–{hi:%H:%M}" for lo, hi in working)
            problems.append(f"{name} works {spans} on {day:%A}s." if spans else f"{name} does not work on {day:%A}s.")
        for lo, hi, reason in hours.away_on(user_id, day):
            if lo < last and start.time() < hi:
                problems.append(f"{name} is away{f' ({reason})' if reason else ''} {lo:%H:%M}–{hi:%H:%M}.")
    room_open = hours.room_open_on(room_id, day)
    if room_open is not None and not _inside(room_open, start.time(), last):
        spans = ", ".join(f"{lo:%H:%M}–{hi:%H:%M}" for lo, hi in room_open)
        problems.append(f"The room is open {spans} on {day:%A}s." if spans else f"The room is closed on {day:%A}s.")
    return problems


def _times(starts: dt.time | str, ends: dt.time | str, what: str) -> Span:
    try:
        lo = starts if isinstance(starts, dt.time) else dt.time.fromisoformat(starts)
        hi = ends if isinstance(ends, dt.time) else dt.time.fromisoformat(ends)
    except ValueError:
        raise ValidationFailed({what: "Enter the times as hours and minutes, e.g. 09:00 and 17:30."}) from None
    if hi <= lo:
        raise ValidationFailed({what: "The end must be after the start."})
    return lo, hi


def set_working_hours(work: Work, user_id: uuid.UUID, weekday: int, starts: dt.time | str, ends: dt.time | str,
                      *, location_id: uuid.UUID | None = None) -> WorkingHours:
    """Add a span of working hours on a weekday (0 = Monday) for a practitioner."""
    work.require("availability.manage")
    lo, hi = _times(starts, ends, "hours")
    if not 0 <= weekday <= 6:
        raise ValidationFailed({"weekday": "Choose a day of the week."})
    row = WorkingHours(user_id=user_id, weekday=weekday, starts=lo, ends=hi, location_id=location_id)
    work.db.add(row)
    work.db.flush()
    work.audit("availability.hours", record_type="user", record_id=user_id)
    return row


def add_time_off(work: Work, user_id: uuid.UUID, starts_at: dt.datetime, ends_at: dt.datetime,
                 reason: str = "") -> TimeOff:
    work.require("availability.manage")
    if ends_at <= starts_at:
        raise ValidationFailed({"ends_at": "The end must be after the start."})
    row = TimeOff(user_id=user_id, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()[:200])
    work.db.add(row)
    work.db.flush()
    work.audit("availability.time_off", record_type="user", record_id=user_id)
    return row


def set_room_hours(work: Work, room_id: uuid.UUID, weekday: int, opens: dt.time | str,
                   closes: dt.time | str) -> RoomHours:
    work.require("availability.manage")
    lo, hi = _times(opens, closes, "hours")
    row = RoomHours(room_id=room_id, weekday=weekday, opens=lo, closes=hi)
    work.db.add(row)
    work.db.flush()
    work.audit("availability.room_hours", record_type="room", record_id=room_id)
    return row


def next_free(work: Work, *, practitioner_id: uuid.UUID | None, room_id: uuid.UUID | None, minutes: int,
              days: int = 28, step: int = 15) -> dt.datetime | None:
    """The first start from now, on a ``step``-minute boundary, when the practitioner and the room are both
    free for ``minutes`` inside every applicable hours (center, working, room) and not away. Local time."""
    # Scheduling asks this module at booking time; importing it here, not at the top, avoids the cycle.
    from polymodal.core.services.scheduling import BUSY, overlapping

    work.require("schedule.read")
    tz = work.center.timezone
    now = to_local(work.now, tz)
    dates = [now.date() + dt.timedelta(days=i) for i in range(days)]
    hours = for_days(work, dates, user_ids=[practitioner_id] if practitioner_id else [],
                     room_ids=[room_id] if room_id else [])
    start = dt.datetime.combine(dates[0], dt.time(), zone(tz)).astimezone(dt.UTC)
    end = dt.datetime.combine(dates[-1] + dt.timedelta(days=1), dt.time(), zone(tz)).astimezone(dt.UTC)
    busy_stmt = select(Session.starts_at, Session.ends_at).where(*overlapping(start, end), Session.status.in_(BUSY))
    owners = []
    if practitioner_id:
        owners.append(Session.id.in_(select(SessionPractitioner.session_id)
                                     .where(SessionPractitioner.user_id == practitioner_id)))
    if room_id:
        owners.append(Session.room_id == room_id)
    busy = []
    if owners:
        busy = [(to_local(a, tz), to_local(b, tz)) for a, b in work.db.execute(busy_stmt.where(or_(*owners)))]
    length = dt.timedelta(minutes=minutes)
    for day in dates:
        allowed = [[hours.center]] + [w for w in (hours.working_on(practitioner_id, day),
                                                   hours.room_open_on(room_id, day)) if w is not None]
        away = [(dt.datetime.combine(day, a, now.tzinfo), dt.datetime.combine(day, b, now.tzinfo))
                for a, b, _ in hours.away_on(practitioner_id, day)]
        cursor = dt.datetime.combine(day, hours.center[0], now.tzinfo)
        closing = dt.datetime.combine(day, hours.center[1], now.tzinfo)
        while cursor + length <= closing:
            finish = cursor + length
            if cursor >= now and all(_inside(spans, cursor.time(), finish.time()) for spans in allowed) and not any(
                    a < finish and cursor < b for a, b in busy + away):
                return cursor
            cursor += dt.timedelta(minutes=step)
    return None
