"""Entering availability from the pages: working hours and time off (a practitioner's own, or anyone's for
those who manage availability) and room opening hours, each checked and named by field.

What is typed is local time in the center's zone, the zone the calendar shows: a time the clocks skip that
night is refused, never shifted. Spans on the same weekday may not overlap (two rows for one morning would
make "outside hours" ambiguous), nor may two stretches of time off.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select

from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.models import Location, Room, RoomHours, TimeOff, User, WorkingHours
from polymodal.core.practice import Work
from polymodal.core.timeutil import local_to_utc, to_local

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def may_edit(work: Work, user_id: uuid.UUID) -> bool:
    """A practitioner keeps their own hours and time off; the front desk and admins keep everyone's."""
    own = work.actor.user_id == user_id and bool({"practitioner", "supervisor"} & work.actor.roles)
    return own or work.may("availability.manage")


def _require_edit(work: Work, user_id: uuid.UUID) -> User:
    user = work.db.get(User, user_id)
    if user is None:
        raise NotFound("no such person")
    if not may_edit(work, user_id):
        work.require("availability.manage")  # refused and audited as a denial
    return user


def _weekday(raw: str | int, errors: dict[str, str]) -> int | None:
    try:
        day = int(raw)
    except (TypeError, ValueError):
        day = -1
    if not 0 <= day <= 6:
        errors["weekday"] = "Choose a day of the week."
        return None
    return day


def _time(raw: str, field: str, label: str, errors: dict[str, str]) -> dt.time | None:
    try:
        return dt.time.fromisoformat(raw.strip())
    except ValueError:
        errors[field] = f"Enter the {label} as hours and minutes, e.g. 09:00."
        return None


def _span(values: dict[str, str], start: str, end: str, labels: tuple[str, str]) -> tuple[int, dt.time, dt.time]:
    errors: dict[str, str] = {}
    day = _weekday(values.get("weekday", ""), errors)
    lo = _time(values.get(start, ""), start, labels[0], errors)
    hi = _time(values.get(end, ""), end, labels[1], errors)
    if lo and hi and hi <= lo:
        errors[end] = f"The {labels[1]} must be after the {labels[0]}."
    if errors:
        raise ValidationFailed(errors)
    return day, lo, hi  # type: ignore[return-value]


def _overlap(rows: list[Any], day: int, lo: dt.time, hi: dt.time, field: str) -> None:
    for row in rows:
        if row.weekday == day and row[2] < hi and lo < row[3]:
            raise ValidationFailed({field: f"Overlaps {row[2]:%H:%M}–{row[3]:%H:%M} on {DAYS[day]}s: change or "
                                           "remove that one first."})


# --- a practitioner's working hours ----------------------------------------------------------------------

def working_hours(work: Work, user_id: uuid.UUID) -> list[Any]:
    work.require("schedule.read")
    return list(work.db.execute(
        select(WorkingHours.id, WorkingHours.weekday, WorkingHours.starts, WorkingHours.ends,
               Location.name.label("location"))
        .outerjoin(Location, Location.id == WorkingHours.location_id)
        .where(WorkingHours.user_id == user_id).order_by(WorkingHours.weekday, WorkingHours.starts)).all())


def add_working_hours(work: Work, user_id: uuid.UUID, values: dict[str, str]) -> WorkingHours:
    """``values``: weekday (0 = Monday), starts, ends ("HH:MM"), location (an id, or empty for any)."""
    _require_edit(work, user_id)
    day, lo, hi = _span(values, "starts", "ends", ("start", "end"))
    location_id = None
    if values.get("location", "").strip():
        try:
            location_id = uuid.UUID(values["location"].strip())
        except ValueError:
            location_id = None
        if location_id is None or work.db.get(Location, location_id) is None:
            raise ValidationFailed({"location": "Choose a location from the list, or any location."})
    existing = work.db.execute(select(WorkingHours.id, WorkingHours.weekday, WorkingHours.starts,
                                      WorkingHours.ends).where(WorkingHours.user_id == user_id)).all()
    _overlap(existing, day, lo, hi, "starts")
    row = WorkingHours(user_id=user_id, weekday=day, starts=lo, ends=hi, location_id=location_id)
    work.db.add(row)
    work.db.flush()
    work.audit("availability.hours", record_type="user", record_id=user_id,
               reason=f"{DAYS[day]} {lo:%H:%M}-{hi:%H:%M} added")
    return row


def remove_working_hours(work: Work, user_id: uuid.UUID, row_id: uuid.UUID) -> None:
    _require_edit(work, user_id)
    row = work.db.get(WorkingHours, row_id)
    if row is None or row.user_id != user_id:
        raise NotFound("no such hours")
    work.audit("availability.hours_remove", record_type="user", record_id=user_id,
               reason=f"{DAYS[row.weekday]} {row.starts:%H:%M}-{row.ends:%H:%M} removed")
    work.db.delete(row)
    work.db.flush()


# --- time off --------------------------------------------------------------------------------------------

def time_off(work: Work, user_id: uuid.UUID) -> list[Any]:
    """Time away that has not ended yet, soonest first, in the center's zone."""
    work.require("schedule.read")
    tz = work.center.timezone
    rows = work.db.execute(select(TimeOff.id, TimeOff.starts_at, TimeOff.ends_at, TimeOff.reason)
                           .where(TimeOff.user_id == user_id, TimeOff.ends_at > work.now)
                           .order_by(TimeOff.starts_at)).all()
    return [{"id": r.id, "starts": to_local(r.starts_at, tz), "ends": to_local(r.ends_at, tz), "reason": r.reason}
            for r in rows]


def _moment(values: dict[str, str], name: str, label: str, tz: str, errors: dict[str, str]) -> dt.datetime | None:
    raw = values.get(name, "").strip()
    try:
        local = dt.datetime.fromisoformat(raw)
    except ValueError:
        errors[name] = f"Enter the {label} as a date and a time, e.g. 2026-12-24 09:00."
        return None
    if local.tzinfo is not None:
        errors[name] = f"Enter the {label} in the center's time ({tz}), without a zone."
        return None
    try:
        return local_to_utc(local, tz, name)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        return None


def add_time_off(work: Work, user_id: uuid.UUID, values: dict[str, str]) -> TimeOff:
    """``values``: starts_at, ends_at (local "YYYY-MM-DDTHH:MM" in the center's zone) and an optional reason."""
    _require_edit(work, user_id)
    tz = work.center.timezone
    errors: dict[str, str] = {}
    start = _moment(values, "starts_at", "start", tz, errors)
    end = _moment(values, "ends_at", "end", tz, errors)
    reason = values.get("reason", "").strip()
    if len(reason) > 200:
        errors["reason"] = "Keep the reason under 200 characters."
    if start and end and end <= start:
        errors["ends_at"] = "The end must be after the start."
    if start and end and "ends_at" not in errors and end - start > dt.timedelta(days=366):
        errors["ends_at"] = "Enter at most a year at a time."
    if errors:
        raise ValidationFailed(errors)
    clash = work.db.execute(select(TimeOff.starts_at, TimeOff.ends_at).where(
        TimeOff.user_id == user_id, TimeOff.starts_at < end, TimeOff.ends_at > start)).first()
    if clash is not None:
        a, b = to_local(clash.starts_at, tz), to_local(clash.ends_at, tz)
        raise ValidationFailed({"starts_at": f"Overlaps the time off from {a:%d %b %H:%M} to {b:%d %b %H:%M}: "
                                             "change or remove that one first."})
    row = TimeOff(user_id=user_id, starts_at=start, ends_at=end, reason=reason)
    work.db.add(row)
    work.db.flush()
    work.audit("availability.time_off", record_type="user", record_id=user_id)
    return row


def remove_time_off(work: Work, user_id: uuid.UUID, row_id: uuid.UUID) -> None:
    _require_edit(work, user_id)
    row = work.db.get(TimeOff, row_id)
    if row is None or row.user_id != user_id:
        raise NotFound("no such time off")
    work.audit("availability.time_off_remove", record_type="user", record_id=user_id)
    work.db.delete(row)
    work.db.flush()


# --- room opening hours ----------------------------------------------------------------------------------

def room_hours(work: Work) -> list[dict[str, Any]]:
    """Every room still offered, with its opening hours by weekday (none: the center's hours)."""
    work.require("schedule.read")
    rooms = work.db.execute(select(Room.id, Room.name, Location.name.label("location"))
                            .join(Location, Location.id == Room.location_id).where(Room.active.is_(True))
                            .order_by(Location.name, Room.name)).all()
    hours: dict[uuid.UUID, list[Any]] = {}
    for row in work.db.execute(select(RoomHours.id, RoomHours.room_id, RoomHours.weekday, RoomHours.opens,
                                      RoomHours.closes).order_by(RoomHours.weekday, RoomHours.opens)):
        hours.setdefault(row.room_id, []).append(row)
    return [{"id": r.id, "name": r.name, "location": r.location, "hours": hours.get(r.id, [])} for r in rooms]


def add_room_hours(work: Work, values: dict[str, str]) -> RoomHours:
    """``values``: room (an id), weekday, opens, closes ("HH:MM")."""
    work.require("availability.manage")
    try:
        room = work.db.get(Room, uuid.UUID(values.get("room", "").strip()))
    except ValueError:
        room = None
    if room is None or not room.active:
        raise ValidationFailed({"room": "Choose a room from the list."})
    day, lo, hi = _span(values, "opens", "closes", ("opening time", "closing time"))
    existing = work.db.execute(select(RoomHours.id, RoomHours.weekday, RoomHours.opens, RoomHours.closes)
                               .where(RoomHours.room_id == room.id)).all()
    _overlap(existing, day, lo, hi, "opens")
    row = RoomHours(room_id=room.id, weekday=day, opens=lo, closes=hi)
    work.db.add(row)
    work.db.flush()
    work.audit("availability.room_hours", record_type="room", record_id=room.id,
               reason=f"{DAYS[day]} {lo:%H:%M}-{hi:%H:%M} added")
    return row


def remove_room_hours(work: Work, row_id: uuid.UUID) -> None:
    work.require("availability.manage")
    row = work.db.get(RoomHours, row_id)
    if row is None:
        raise NotFound("no such hours")
    work.audit("availability.room_hours_remove", record_type="room", record_id=row.room_id,
               reason=f"{DAYS[row.weekday]} {row.opens:%H:%M}-{row.closes:%H:%M} removed")
    work.db.delete(row)
    work.db.flush()


def locations(work: Work) -> list[Any]:
    """The center's locations, for placing working hours at one of them."""
    work.require("schedule.read")
    return list(work.db.execute(select(Location.id, Location.name).order_by(Location.name)).all())
