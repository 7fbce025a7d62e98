"""iCalendar (RFC 5545) through the ``icalendar`` library: attachments to notices, and calendar feeds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Calendar, Event

PRODID = "-//polymodal//practice management//EN"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False
    sequence: int = 0


def calendar(entries: list[CalendarEntry], *, now: dt.datetime, method: str = "", name: str = "") -> str:
    """One VCALENDAR; ``method`` is REQUEST or CANCEL for a notice, empty for a subscribed feed."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now)
        event.add("dtstart", entry.starts_at)
        event.add("dtend", entry.ends_at)
        event.add("summary", entry.summary)
        event.add("sequence", entry.sequence)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        if entry.location:
            event.add("location", entry.location)
        if entry.description:
            event.add("description", entry.description)
        if entry.url:
            event.add("url", entry.url)
        cal.add_component(event)
    return cal.to_ical().decode()


def session_uid(session_id: object) -> str:
    return f"session-{session_id}@polymodal"


def sequence(changed_at: dt.datetime) -> int:
    """Later changes get higher numbers, so a calendar applies a move after the booking it replaces."""
    return int(changed_at.timestamp()) // 60 - 29_000_000
