"""What the schedule pages show: the calendar's period and filters, session cards, the booking form's choices."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from polymodal.core import availability, eligibility
from polymodal.core.contributions import SessionFormat
from polymodal.core.errors import ValidationFailed
from polymodal.core.practice import Work
from polymodal.core.services import calendar, scheduling
from polymodal.core.timeutil import local_to_utc, to_local, today_in, zone
from polymodal.web.controllers import schedule_grid

DELIVERIES = (("in_person", "In person"), ("phone", "Phone"), ("video", "Video"))
DELIVERY_NAMES = dict(DELIVERIES)
CHANGEABLE = ("scheduled", "checked_in")


def as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
"""The dates the schedule takes: a week around 0001-01-01 or 9999-12-31 does not exist in Python."""
OUT_OF_RANGE = "Choose a date from 1900-01-01 to 2199-12-31."


def _iso_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def as_date(value: Any) -> dt.date | None:
    """A date in the schedule's range, or None (not a date, or outside 1900 to 2199)."""
    day = _iso_date(value)
    return day if day is None or FIRST_DAY <= day <= LAST_DAY else None


def _calendar_day(value: str) -> dt.date | None:
    day = _iso_date(value)
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        # A real date the calendar cannot reach: say so, rather than quietly show today.
        raise ValidationFailed({"date": OUT_OF_RANGE})
    return day


def as_time(value: Any) -> dt.time | None:
    try:
        return dt.time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Period:
    """The calendar the user asked for: a day or a week, optionally one practitioner's or one room's."""

    kind: str = "week"
    day: dt.date | None = None
    practitioner: uuid.UUID | None = None
    room: uuid.UUID | None = None
    everyone: bool = False
    """Chosen explicitly ("all"): a practitioner's calendar otherwise opens on their own sessions."""
    by: str = "practitioner"
    """The day view's columns: one per practitioner, or one per room."""
    hide_cancelled: bool = False

    @classmethod
    def parse(cls, view: str = "", date: str = "", practitioner: str = "", room: str = "", *,
              own: uuid.UUID | None = None, by: str = "", cancelled: str = "") -> Period:
        """Bad values fall back to defaults: a calendar link should never fail.

        ``own`` is the signed-in practitioner: without a practitioner or a room
        asked for, the calendar shows their sessions.
        """
        room_id, day = as_uuid(room), _calendar_day(date)
        extra = {"by": "room" if by == "room" else "practitioner", "hide_cancelled": cancelled == "hide"}
        if practitioner == "all":
            return cls("day" if view == "day" else "week", day, None, room_id, everyone=True, **extra)
        chosen = as_uuid(practitioner) or (own if room_id is None else None)
        return cls("day" if view == "day" else "week", day, chosen, room_id, **extra)

    @classmethod
    def from_query(cls, query: str, *, own: uuid.UUID | None = None) -> Period:
        params = {k: v[0] for k, v in parse_qs(query[:500]).items()}
        if as_date(params.get("date", "")) is None:
            params.pop("date", None)  # a way back to the calendar: a bad date there means no date
        return cls.parse(params.get("view", ""), params.get("date", ""), params.get("practitioner", ""),
                         params.get("room", ""), own=own, by=params.get("by", ""),
                         cancelled=params.get("cancelled", ""))

    def first_day(self, today: dt.date) -> dt.date:
        day = self.day or today
        return day - dt.timedelta(days=day.weekday()) if self.kind == "week" else day

    def days(self, today: dt.date) -> list[dt.date]:
        first = self.first_day(today)
        return [first + dt.timedelta(days=i) for i in range(7 if self.kind == "week" else 1)]

    def query(self, **changes: Any) -> str:
        period = replace(self, **changes)
        params = {"view": period.kind, "date": period.day.isoformat() if period.day else "",
                  "practitioner": str(period.practitioner or ("all" if period.everyone else "")),
                  "room": str(period.room or ""), "by": "room" if period.by == "room" else "",
                  "cancelled": "hide" if period.hide_cancelled else ""}
        return urlencode({k: v for k, v in params.items() if v})

    def step(self, today: dt.date, direction: int) -> str:
        days = 7 if self.kind == "week" else 1
        return self.query(day=self.first_day(today) + dt.timedelta(days=days * direction))


def local_midnight(day: dt.date, tz: str) -> dt.datetime:
    # A zone whose clocks jump at midnight has no 00:00 that day; zoneinfo then gives the first instant after.
    return dt.datetime.combine(day, dt.time(), tzinfo=zone(tz)).astimezone(dt.UTC)


def modality_name(work: Work, key: str) -> str:
    return getattr(work.registry.modalities.get(key), "name", key)


def session_card(work: Work, s: calendar.CalendarSession, tz: str) -> dict[str, Any]:
    start, end = to_local(s.starts_at, tz), to_local(s.ends_at, tz)
    hidden = sum(1 for c in s.clients if not c.visible)
    names = [c.name for c in s.clients if c.visible]
    if hidden:
        names.append(f"{hidden} other client{'s' if hidden > 1 else ''}" if names else "Booked")
    delivery = DELIVERY_NAMES.get(s.delivery, s.delivery)
    where = f"{s.room_name} ({delivery.lower()})" if s.room_name and s.delivery != "in_person" else (
        s.room_name or delivery)
    day, clock = start.date(), f"{start:%H:%M}"
    return {
        "id": str(s.id), "date": day, "start": clock, "end": f"{end:%H:%M}",
        "span": schedule_grid.span_of(start, end),
        "start_iso": start.isoformat(), "date_value": day.isoformat(), "time_value": clock,
        "clients": ", ".join(names) or "No client", "modality": modality_name(work, s.modality_key),
        "where": where, "room_id": str(s.room_id or ""), "delivery": s.delivery,
        "practitioners": ", ".join(p.name for p in s.practitioners), "status": s.status,
        "status_label": s.status.replace("_", " "), "series": s.series_id is not None,
        "movable": s.manageable and s.status == "scheduled",
        "practitioner_ids": [str(p.id) for p in s.practitioners],
        "client_links": [(str(c.id), c.name) for c in s.clients if c.visible],
        "others": names[-1] if hidden else "",
        "cancellable": s.manageable and s.status in CHANGEABLE,
    }


Draw = Callable[[Hashable, Callable[[], dict[str, Any]]], dict[str, Any]]


def drawn_here(key: Hashable, grid: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    return grid()


def calendar_context(work: Work, period: Period, draw: Draw = drawn_here) -> dict[str, Any]:
    """Everything the calendar block shows (a fixed number of statements).

    Its time grid comes from ``draw(key, grid)``, which gives ``grid()`` (the grid's own context) or, for a key
    it has drawn before, the markup it drew then (``grid_html``). The key holds everything the grid shows: the
    period and the day it is, the sessions as this actor may see them, the staff and rooms, the hours."""
    tz = work.center.timezone
    today = today_in(tz, work.now)
    days = period.days(today)
    links = _links(period, today)
    back, back_query = links["back"], links["back_query"]
    rows = calendar.calendar(work, local_midnight(days[0], tz), local_midnight(days[-1] + dt.timedelta(days=1), tz),
                             practitioner_id=period.practitioner, room_id=period.room)
    if period.hide_cancelled:
        rows = [row for row in rows if row.status != "cancelled"]
    people = calendar.directory(work)
    can_book = bool(work.may("session.manage"))
    hours = availability.for_days(work, days, **_shaded(period, people))
    key = (period, today, tz, can_book, tuple(rows), hours.frozen(), people)
    grid = draw(key, lambda: grid_context(work, period, days, today, rows, people, hours, can_book, back, back_query))
    whose = next((p.display_name for p in people.practitioners if p.id == period.practitioner), "")
    room = next((r.name for r in people.rooms if r.id == period.room), "")
    return {
        "period": period, "today": today, "scope": whose or (f"Room {room}" if room else ""),
        "practitioners": people.practitioners, "rooms": people.rooms, "can_book": can_book, "tz": tz, **links, **grid,
    }


@functools.lru_cache(maxsize=512)
def _links(period: Period, today: dt.date) -> dict[str, str]:
    """The calendar's title and the links around it: the same for every view of a period on a day, and seven
    queries encoded each time were a twentieth of a kept week calendar (issue 18). A copy goes into each page."""
    first = period.days(today)[0]
    back = period.query()
    return {
        "title": f"Week of {first:%a %d %b %Y}" if period.kind == "week" else f"{first:%A %d %B %Y}",
        "prev_query": period.step(today, -1), "next_query": period.step(today, 1),
        "today_query": period.query(day=None), "back": back,
        # Each card's link to its forms carries the way back; quoted once here, not per card.
        "back_query": f"?back={quote(back, safe='/')}" if back else "",
        "by_room_query": period.query(by="room", kind="day"), "by_person_query": period.query(by="practitioner"),
        "cancelled_query": period.query(hide_cancelled=not period.hide_cancelled),
    }


def _shaded(period: Period, people: calendar.Directory) -> dict[str, list[uuid.UUID]]:
    """Whose hours the lanes shade: a week of everyone's sessions reads none."""
    if period.kind == "week" or period.by == "room":
        user_ids = [period.practitioner] if period.practitioner else []
    else:
        user_ids = [p.id for p in people.practitioners if period.practitioner in (None, p.id)]
    if period.room or (period.kind == "day" and period.by == "room"):
        room_ids = [r.id for r in people.rooms if period.room in (None, r.id)]
    else:
        room_ids = []
    return {"user_ids": user_ids, "room_ids": room_ids}


def grid_context(work: Work, period: Period, days: list[dt.date], today: dt.date,
                 rows: list[calendar.CalendarSession], people: calendar.Directory, hours: availability.Availability,
                 bookable: bool, back: str, back_query: str) -> dict[str, Any]:
    """The time grid's lanes: a day each in the week view; in the day view a practitioner or a room each."""
    tz = work.center.timezone
    by_day: dict[dt.date, list[dict[str, Any]]] = {d: [] for d in days}
    for row in rows:
        card = session_card(work, row, tz)
        # A session shows on the day it starts; one that began before the period shows on its first day.
        by_day[card["date"] if card["date"] in by_day else days[0]].append(card)
    lo, hi = schedule_grid.bounds([c for d in days for c in by_day[d]], hours.center)
    lanes = []
    if period.kind == "week":
        for d in days:
            lanes.append(schedule_grid.lane(d.isoformat(), f"{d:%a %d %b}", d, by_day[d], hours, lo, hi,
                                            practitioner=period.practitioner, room=period.room,
                                            bookable=bookable and bool(period.practitioner or period.room),
                                            href="/schedule?" + period.query(kind="day", day=d)))
    elif period.by == "room":
        rooms = [r for r in people.rooms if period.room in (None, r.id)]
        placed: dict[Any, list[dict[str, Any]]] = {r.id: [] for r in rooms}
        elsewhere: dict[str, list[dict[str, Any]]] = {}
        for card in by_day[days[0]]:
            target = as_uuid(card["room_id"])
            if target in placed:
                placed[target].append(card)
            else:  # no room, or a retired one: its past sessions still show, in a lane nobody books
                elsewhere.setdefault(card["room_id"], []).append(card)
        lanes = [schedule_grid.lane(str(r.id), r.name, days[0], placed[r.id], hours, lo, hi, practitioner=None,
                                    room=r.id, bookable=bookable) for r in rooms]
        for key, cards in elsewhere.items():
            label = f"{cards[0]['where']} (retired)" if key else "No room"
            lanes.append(schedule_grid.lane(key or "elsewhere", label, days[0], cards, hours, lo, hi,
                                            practitioner=None, room=None, bookable=False))
    else:
        staff = [p for p in people.practitioners if period.practitioner in (None, p.id)]
        by_person: dict[str, list[dict[str, Any]]] = {str(p.id): [] for p in staff}
        for card in by_day[days[0]]:
            # One card per session: in its first practitioner's column shown here.
            target = next((pid for pid in card["practitioner_ids"] if pid in by_person), None)
            if target is not None:
                by_person[target].append(card)
        lanes = [schedule_grid.lane(str(p.id), p.display_name, days[0], by_person[str(p.id)], hours, lo, hi,
                                    practitioner=p.id, room=period.room, bookable=bookable) for p in staff]
    return {"lanes": lanes, "hours": schedule_grid.hour_marks(lo, hi), "grid_minutes": hi - lo, "period": period,
            "days": [{"is_today": d == today} for d in days], "back": back, "back_query": back_query,
            "can_book": bookable}


def change_context(work: Work, session_id: uuid.UUID) -> dict[str, Any]:
    """One session's card and the rooms it may move to; ``NotFound`` unless the actor may manage it."""
    session = scheduling.get_session(work, session_id, "session.manage")
    (row,) = calendar.calendar(work, session.starts_at, session.ends_at, session_id=session.id)
    return {"s": session_card(work, row, work.center.timezone), "rooms": calendar.directory(work).rooms}


def format_choices() -> list[str]:
    return [f.value for f in SessionFormat]


def booking_choices(work: Work, values: dict[str, Any]) -> dict[str, Any]:
    """Cases, modalities (those the case's practitioners offer, else all), structures, rooms, staff."""
    people = calendar.directory(work)
    case_id, client_id = as_uuid(values.get("case_id")), as_uuid(values.get("client_id"))
    # From a client's page: their open cases, or none for a first appointment (a case is opened for it).
    first_for = calendar.first_appointment_client(work, client_id) if client_id else None
    cases = calendar.bookable_cases(work, client_id=first_for.id if first_for else None)
    offered: tuple[str, ...] = ()
    if case_id is not None:
        offered = calendar.case_booking(work, case_id).offered_modalities
    modalities = [m for m in work.registry.modalities if not offered or m.key in offered]
    chosen = values.get("modality_key") or ""
    # A modality's own structures in the order its plugin gave them: the first one for the format is its usual.
    structures = list(work.registry.session_structures.for_modality(chosen) if chosen
                      else work.registry.session_structures)
    fmt = values.get("format") or "individual"
    usual = next((s for s in structures if fmt in s.formats), None) if chosen else None
    picked = next((s for s in structures if s.key == values.get("structure_key")), None) or usual
    practitioners = people.practitioners
    if chosen:  # only those whose credential covers the modality here are offered for it
        day = as_date(values.get("date")) or today_in(work.center.timezone, work.now)
        covered = eligibility.qualified(work, chosen, [p.id for p in practitioners], day)
        practitioners = [p for p in practitioners if p.id in covered]
        values["practitioner_ids"] = [v for v in values.get("practitioner_ids", []) if as_uuid(v) in covered]
    return {
        "case_options": [(c.id, f"{c.title} ({c.kind})") for c in cases],
        "first_for": first_for,
        "modality_options": [(m.key, m.name) for m in modalities], "narrowed": bool(offered),
        "structure_options": [(s.key, f"{s.name} · {s.minutes} min" + (
            "" if chosen else f" ({', '.join(modality_name(work, k) for k in s.modalities)})")) for s in structures],
        "default_minutes": picked.minutes if picked else None,
        "format_options": [(f, f.capitalize()) for f in format_choices()], "deliveries": DELIVERIES,
        "room_options": [(r.id, f"{r.name} ({r.location})") for r in people.rooms],
        "practitioner_options": [(p.id, p.display_name) for p in practitioners],
        "tz": work.center.timezone, **booking_decision(work, values),
    }


def booking_decision(work: Work, values: dict[str, Any]) -> dict[str, Any]:
    """The eligibility decision for what the booking form holds so far (shown live as it changes)."""
    case_id, modality_key = as_uuid(values.get("case_id")), values.get("modality_key") or ""
    client_id = as_uuid(values.get("client_id"))
    if (case_id is None and client_id is None) or not modality_key:
        return {"decision": None}
    chosen = [p for p in (as_uuid(v) for v in values.get("practitioner_ids", [])) if p]
    if case_id is not None:
        booking = calendar.case_booking(work, case_id)
        client_ids, practitioner_ids = list(booking.client_ids), chosen or list(booking.practitioner_ids)
    else:
        client_ids, practitioner_ids = [client_id], chosen
        if not practitioner_ids:
            return {"decision": None}
    day, time = as_date(values.get("date")), as_time(values.get("time"))
    tz = work.center.timezone
    try:
        starts_at = local_to_utc(dt.datetime.combine(day, time), tz) if day and time else work.now
    except ValidationFailed:  # a time the clocks skip: the form says so beside the field
        starts_at = work.now
    decision = eligibility.decide(work, scheduling.eligibility_ask(
        modality_key, client_ids, practitioner_ids, starts_at, values.get("delivery") or "in_person",
        values.get("format") or "individual"))
    shown = [f.shown_to(f.client_id is None or work.may("clinical.read", f.client_id)) for f in decision.findings]
    return {"decision": decision, "decision_findings": shown,
            "decision_label": eligibility.LABELS[decision.verdict],
            "decision_refuses": bool(decision.blocking(eligibility.Gate.book)),
            "decision_pending_clearance": bool(decision.of_verdict(eligibility.Verdict.clearance, settled=False))}
