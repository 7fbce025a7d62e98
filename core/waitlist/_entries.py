"""Waitlist entries: add, list, match a freed slot, book, remove (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.models import Case, CaseClient, Client, Session, User, WaitlistEntry
from polymodal.core.practice import Work
from polymodal.core.services import scheduling
from polymodal.core.timeutil import to_local, today_in

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_ROWS = 2000
"""At most this many entries are read for one list or one slot: a waitlist longer than that is not a list."""


@dataclass(frozen=True)
class Listed:
    """One entry as pages show it: names, never raw keys; no clinical content."""

    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    modality_key: str
    modality: str
    practitioner_id: uuid.UUID | None
    practitioner: str
    days: str
    hours: str
    note: str
    since: dt.date
    waited_days: int
    status: str
    case_id: uuid.UUID | None
    case_kind: str
    session_id: uuid.UUID | None
    closed_on: dt.date | None
    close_reason: str
    weekdays: tuple[int, ...]
    earliest: dt.time | None
    latest: dt.time | None


@dataclass(frozen=True)
class Candidate:
    entry: Listed
    minutes: int
    """The length it would be booked for: the modality's usual session for the case's format."""


def _text(data: dict[str, Any], name: str, limit: int = 100) -> str:
    value = data.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()[:limit]


def _uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _time(value: Any) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(str(value)) if value not in (None, "") else None


def add_entry(work: Work, data: dict[str, Any]) -> WaitlistEntry:
    """Put a client on the waitlist. ``data``: client_id, modality_key, and optionally practitioner_id,
    weekdays (0 = Monday; none means any day), earliest and latest ("HH:MM"), note, case_id.

    Every problem is reported at once, each under its field, in words for the person at the desk.
    """
    client_id = _uuid(data.get("client_id"))
    client = work.db.get(Client, client_id) if client_id else None
    if client is None:
        raise NotFound("no such client")
    work.require("session.manage", client.id, record_type="client", record_id=client.id)
    errors: dict[str, str] = {}
    modality_key = _text(data, "modality_key", 120)
    modality = work.registry.modalities.get(modality_key) if modality_key else None
    if modality is None:
        errors["modality_key"] = "Choose the modality the client is waiting for."
    practitioner_id = None
    if _text(data, "practitioner_id"):
        practitioner_id = _uuid(_text(data, "practitioner_id"))
        user = work.db.get(User, practitioner_id) if practitioner_id else None
        if user is None or not user.active or not ({"practitioner", "supervisor"} & set(user.roles or ())):
            errors["practitioner_id"] = "Choose a practitioner from the list, or anyone."
    raw_days = data.get("weekdays") or []
    raw_days = raw_days if isinstance(raw_days, list | tuple) else [raw_days]
    weekdays = sorted({int(d) for d in raw_days if str(d).isdigit() and 0 <= int(d) <= 6})
    if len(weekdays) != len({str(d) for d in raw_days if str(d) != ""}):
        errors["weekdays"] = "Choose days of the week from the list."
    times: dict[str, dt.time | None] = {}
    for name in ("earliest", "latest"):
        try:
            times[name] = _time(_text(data, name, 20))
        except ValueError:
            errors[name] = "Enter a time as hours and minutes, for example 09:00 or 17:30."
    if times.get("earliest") and times.get("latest") and times["latest"] <= times["earliest"]:
        errors["latest"] = "The latest time must be after the earliest."
    note = data.get("note") or ""
    note = note if isinstance(note, str) else str(note)
    if len(note) > 500:
        errors["note"] = "Keep the note to 500 characters."
    case_id = _uuid(_text(data, "case_id")) if _text(data, "case_id") else None
    if _text(data, "case_id") and (case_id is None or not work.db.scalar(
            select(CaseClient.case_id).join(Case, Case.id == CaseClient.case_id).where(
                CaseClient.case_id == case_id, CaseClient.client_id == client.id, Case.closed_on.is_(None)))):
        errors["case_id"] = "Choose one of the client's open cases, or none."
    if modality is not None and "modality_key" not in errors:
        since = work.db.scalar(select(WaitlistEntry.created_at).where(
            WaitlistEntry.client_id == client.id, WaitlistEntry.modality_key == modality_key,
            WaitlistEntry.status == "waiting"))
        if since is not None:
            errors["modality_key"] = (f"{client.display_name} is already waiting for {modality.name} "
                                      f"(since {to_local(since, work.center.timezone):%d %b %Y}).")
    if errors:
        raise ValidationFailed(errors)
    entry = WaitlistEntry(client_id=client.id, case_id=case_id, modality_key=modality_key,
                          practitioner_id=practitioner_id, weekdays=weekdays, earliest=times["earliest"],
                          latest=times["latest"], note=note.strip(), added_by=work.actor.user_id)
    work.db.add(entry)
    work.db.flush()
    work.audit("waitlist.add", record_type="waitlist", record_id=entry.id, client_id=client.id)
    return entry


def get_entry(work: Work, entry_id: uuid.UUID) -> WaitlistEntry:
    """One entry, for someone who may manage the client's sessions (NotFound, else AccessDenied)."""
    entry = work.db.get(WaitlistEntry, entry_id)
    if entry is None:
        raise NotFound("no such waitlist entry")
    work.require("session.manage", entry.client_id, record_type="waitlist", record_id=entry.id)
    return entry


def _still_waiting(work: Work, entry: WaitlistEntry) -> None:
    if entry.status != "waiting":
        done = "booked" if entry.status == "booked" else "taken off the list"
        when = to_local(entry.closed_at, work.center.timezone) if entry.closed_at else None
        raise Conflict(f"This client was {done} already{f' on {when:%d %b %Y at %H:%M}' if when else ''}.")


def remove_entry(work: Work, entry_id: uuid.UUID, reason: str) -> WaitlistEntry:
    """Take an entry off the list with a reason (found a slot elsewhere, no longer wanted); kept as history."""
    entry = get_entry(work, entry_id)
    _still_waiting(work, entry)
    if not reason.strip():
        raise ValidationFailed({"reason": "Say why the client leaves the waitlist."})
    if len(reason) > 500:
        raise ValidationFailed({"reason": "Keep the reason to 500 characters."})
    entry.status, entry.close_reason = "removed", reason.strip()
    entry.closed_at, entry.closed_by = work.now, work.actor.user_id
    work.db.flush()
    work.audit("waitlist.remove", record_type="waitlist", record_id=entry.id, client_id=entry.client_id)
    return entry


def book_entry(work: Work, entry_id: uuid.UUID, *, starts_at: dt.datetime, practitioner_id: uuid.UUID,
               room_id: uuid.UUID | None = None, delivery: str | None = None, minutes: int | None = None,
               outside_hours: bool = False) -> list[Session]:
    """Book the waiting client into a slot through ``scheduling.schedule_session`` (eligibility, hours,
    clashes), in the entry's case, else the client's open case of that modality, else a new case named by
    the modality. The entry leaves the list, marked booked with its session, in the same transaction: a
    refused booking leaves it waiting."""
    entry = get_entry(work, entry_id)
    _still_waiting(work, entry)
    case_id = entry.case_id if entry.case_id and _open(work, entry.case_id) else _case_of(work, entry)
    payload: dict[str, Any] = {
        "modality_key": entry.modality_key, "starts_at": starts_at, "minutes": minutes,
        "delivery": delivery or ("in_person" if room_id else "video"), "room_id": room_id,
        "practitioner_ids": [practitioner_id], "outside_hours": outside_hours,
    }
    if case_id is not None:
        payload["case_id"] = case_id
        payload["format"] = work.db.scalar(select(Case.kind).where(Case.id == case_id)) or "individual"
    else:
        payload["client_ids"] = [entry.client_id]
    sessions = scheduling.schedule_session(work, payload)
    entry.status, entry.session_id, entry.case_id = "booked", sessions[0].id, sessions[0].case_id
    entry.closed_at, entry.closed_by = work.now, work.actor.user_id
    work.db.flush()
    work.audit("waitlist.book", record_type="waitlist", record_id=entry.id, client_id=entry.client_id)
    return sessions


def _open(work: Work, case_id: uuid.UUID) -> bool:
    return work.db.scalar(select(Case.id).where(Case.id == case_id, Case.closed_on.is_(None))) is not None


def _case_of(work: Work, entry: WaitlistEntry) -> uuid.UUID | None:
    """The client's open case (theirs alone) that already had a session of this modality, the latest first."""
    return work.db.scalar(
        select(Session.case_id).join(Case, Case.id == Session.case_id)
        .join(CaseClient, CaseClient.case_id == Case.id)
        .where(CaseClient.client_id == entry.client_id, Case.closed_on.is_(None), Case.kind == "individual",
               Session.modality_key == entry.modality_key)
        .order_by(Session.starts_at.desc()).limit(1))


# --- reading -------------------------------------------------------------------------------------------

def _select(work: Work):
    practitioner = aliased(User)
    return (select(WaitlistEntry.id, WaitlistEntry.client_id, WaitlistEntry.case_id, WaitlistEntry.modality_key,
                   WaitlistEntry.practitioner_id, WaitlistEntry.weekdays, WaitlistEntry.earliest,
                   WaitlistEntry.latest, WaitlistEntry.note, WaitlistEntry.status, WaitlistEntry.session_id,
                   WaitlistEntry.created_at, WaitlistEntry.closed_at, WaitlistEntry.close_reason,
                   Client.preferred_name, Client.legal_first_name, Client.legal_last_name,
                   practitioner.display_name.label("practitioner_name"), Case.kind.label("case_kind"))
            .join(Client, Client.id == WaitlistEntry.client_id)
            .outerjoin(practitioner, practitioner.id == WaitlistEntry.practitioner_id)
            .outerjoin(Case, Case.id == WaitlistEntry.case_id)
            # The reachable ids too: with the filter alone, SQLite read the history by walking all 100,000 clients
            # and checking each one's care team (150 ms for a practitioner, with no entry at all).
            .where(work.client_filter("session.manage"),
                   work.client_ids_within(WaitlistEntry.client_id, "session.manage")))


def _listed(work: Work, row: Any) -> Listed:
    tz = work.center.timezone
    today = today_in(tz, work.now)
    since = to_local(row.created_at, tz).date()
    days = tuple(int(d) for d in (row.weekdays or ()))
    modality = work.registry.modalities.get(row.modality_key)
    if row.earliest and row.latest:
        hours = f"{row.earliest:%H:%M}–{row.latest:%H:%M}"
    elif row.earliest:
        hours = f"from {row.earliest:%H:%M}"
    elif row.latest:
        hours = f"until {row.latest:%H:%M}"
    else:
        hours = "any time"
    return Listed(
        id=row.id, client_id=row.client_id,
        client_name=f"{row.preferred_name or row.legal_first_name} {row.legal_last_name}",
        modality_key=row.modality_key, modality=modality.name if modality else "A modality no longer offered",
        practitioner_id=row.practitioner_id, practitioner=row.practitioner_name or "Anyone",
        days=", ".join(WEEKDAYS[d] for d in days) if days and len(days) < 7 else "any day", hours=hours,
        note=row.note, since=since, waited_days=(today - since).days, status=row.status,
        case_id=row.case_id, case_kind=row.case_kind or "individual", session_id=row.session_id,
        closed_on=to_local(row.closed_at, tz).date() if row.closed_at else None, close_reason=row.close_reason,
        weekdays=days, earliest=row.earliest, latest=row.latest)


def waiting(work: Work, *, modality_key: str = "", practitioner_id: uuid.UUID | None = None,
            limit: int = 200) -> list[Listed]:
    """Those waiting, longest first (one statement, one audit event whatever the length of the list)."""
    work.require("session.manage")
    stmt = _select(work).where(WaitlistEntry.status == "waiting")
    if modality_key:
        stmt = stmt.where(WaitlistEntry.modality_key == modality_key)
    if practitioner_id is not None:
        stmt = stmt.where((WaitlistEntry.practitioner_id == practitioner_id)
                          | WaitlistEntry.practitioner_id.is_(None))
    rows = work.db.execute(stmt.order_by(WaitlistEntry.created_at, WaitlistEntry.id)
                           .limit(min(max(limit, 1), MAX_ROWS))).all()
    work.audit("waitlist.view", record_type="waitlist", reason=f"{len(rows)} waiting")
    return [_listed(work, r) for r in rows]


def history(work: Work, *, limit: int = 50) -> list[Listed]:
    """Entries booked or taken off the list, the latest first."""
    work.require("session.manage")
    rows = work.db.execute(_select(work).where(WaitlistEntry.status != "waiting")
                           .order_by(WaitlistEntry.closed_at.desc(), WaitlistEntry.id)
                           .limit(min(max(limit, 1), 500))).all()
    return [_listed(work, r) for r in rows]


def entries_of_client(work: Work, client_id: uuid.UUID) -> list[Listed]:
    """One client's entries, waiting first, then their history (for the client's page)."""
    work.require("session.manage", client_id, record_type="client", record_id=client_id)
    rows = work.db.execute(_select(work).where(WaitlistEntry.client_id == client_id)
                           .order_by(WaitlistEntry.created_at.desc()).limit(100)).all()
    listed = [_listed(work, r) for r in rows]
    return [e for e in listed if e.status == "waiting"] + [e for e in listed if e.status != "waiting"]


def candidates(work: Work, *, starts_at: dt.datetime, practitioner_id: uuid.UUID, minutes: int | None = None,
               limit: int = 10) -> list[Candidate]:
    """Who on the waitlist fits a free slot of this practitioner from ``starts_at`` (local wall-clock time or
    aware): waiting for a modality the practitioner practises, for them or anyone, on that weekday and inside
    their hours for the session's usual length (``minutes`` when the slot is shorter or given); longest
    waiting first. Two statements whatever the length of the list.
    """
    work.require("session.manage")
    tz = work.center.timezone
    local = to_local(starts_at, tz).replace(tzinfo=None) if starts_at.tzinfo else starts_at
    who = work.db.execute(select(User.modalities, User.disciplines).where(User.id == practitioner_id)).first()
    if who is None:
        return []
    practises = set(who.modalities or ())
    disciplines = set(who.disciplines or ())
    rows = work.db.execute(
        _select(work).where(WaitlistEntry.status == "waiting",
                            (WaitlistEntry.practitioner_id == practitioner_id)
                            | WaitlistEntry.practitioner_id.is_(None))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id).limit(MAX_ROWS)).all()
    found: list[Candidate] = []
    for row in rows:
        modality = work.registry.modalities.get(row.modality_key)
        if modality is None or not (row.modality_key in practises or modality.discipline in disciplines):
            continue
        if row.weekdays and local.weekday() not in {int(d) for d in row.weekdays}:
            continue
        length = minutes or scheduling.default_minutes(work, row.modality_key, row.case_kind or "individual")
        end = local + dt.timedelta(minutes=length)
        if row.earliest and local.time() < row.earliest:
            continue
        if row.latest and (end.date() != local.date() or end.time() > row.latest):
            continue
        found.append(Candidate(_listed(work, row), length))
        if len(found) >= limit:
            break
    return found
