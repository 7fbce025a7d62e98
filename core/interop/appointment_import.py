"""Upcoming appointments from another system's CSV: matched to clients, practitioners and cases already here,
then booked through ``scheduling.schedule_session`` (the booking page's checks: access, clashes, modality).

Run after the clients are imported. Only future appointments are taken; a row whose client, practitioner,
modality or case cannot be found is a problem of that line and field, as for clients.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import select

from polymodal.core.access import Role
from polymodal.core.models import (
    Case,
    CaseClient,
    CasePractitioner,
    Client,
    Room,
    Session,
    SessionClient,
    User,
)
from polymodal.core.practice import Work
from polymodal.core.timeutil import local_to_utc

FIELDS: dict[str, str] = {
    "client_name": "Client (full name)", "client_first_name": "Client first name",
    "client_last_name": "Client last name", "client_date_of_birth": "Client date of birth",
    "date": "Date", "time": "Start time", "minutes": "Duration (minutes)",
    "practitioner": "Practitioner (name, username or email)", "modality": "Service / modality",
    "room": "Room", "delivery": "In person, video or phone",
}
REQUIRED = ("date", "time", "practitioner")
ALIASES: dict[str, tuple[str, ...]] = {
    "client_name": ("client", "client name", "patient", "patient name", "name"),
    "client_first_name": ("client first name", "patient first name", "first name"),
    "client_last_name": ("client last name", "patient last name", "last name"),
    "client_date_of_birth": ("date of birth", "dob", "birth date", "client date of birth"),
    "date": ("date", "appointment date", "start date", "session date"),
    "time": ("time", "start time", "appointment time", "start at", "starts at"),
    "minutes": ("duration", "duration minutes", "length", "minutes"),
    "practitioner": ("clinician", "practitioner", "staff member", "provider", "therapist", "staff"),
    "modality": ("service", "treatment", "service name", "appointment type", "modality"),
    "room": ("room", "location room", "resource"),
    "delivery": ("delivery", "location type", "video", "telehealth", "session type"),
}
DELIVERY = {"": "in_person", "in person": "in_person", "in office": "in_person", "office": "in_person",
            "video": "video", "telehealth": "video", "online": "video", "virtual": "video", "phone": "phone",
            "telephone": "phone"}
TIME_FORMATS = ("%H:%M", "%I:%M %p", "%I:%M%p", "%H:%M:%S")


def _fold(value: str) -> str:
    return " ".join(re.sub(r"[^\w@.+-]+", " ", value.casefold()).split())


class Directory:
    """What rows are matched against, read once per preview: clients, practitioners, modalities, cases."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.clients: dict[str, list[Any]] = {}
        for row in work.db.execute(select(Client.id, Client.legal_first_name, Client.legal_last_name,
                                          Client.preferred_name, Client.date_of_birth)
                                   .where(work.client_filter("client.read"))):
            for first in {row.legal_first_name, row.preferred_name} - {""}:
                self.clients.setdefault(_fold(f"{first} {row.legal_last_name}"), []).append(row)
        self.practitioners: dict[str, uuid.UUID] = {}
        for user in work.db.execute(select(User.id, User.username, User.email, User.display_name, User.roles)
                                    .where(User.active.is_(True))):
            if {Role.practitioner.value, Role.supervisor.value} & set(user.roles):
                for name in (user.username, user.email, user.display_name):
                    if name:
                        self.practitioners[_fold(name)] = user.id
        self.rooms = {_fold(r.name): r.id for r in work.db.execute(select(Room.id, Room.name))}
        self.modalities = {}
        for modality in work.registry.modalities:
            self.modalities[_fold(modality.key)] = modality.key
            self.modalities[_fold(modality.name)] = modality.key

    def client(self, name: str, born: dt.date | None) -> tuple[Any | None, str]:
        found = [c for c in self.clients.get(_fold(name), []) if born is None or c.date_of_birth == born]
        unique = {c.id: c for c in found}
        if not unique:
            return None, f"No client here is called '{name[:80]}'{' with that birth date' if born else ''}: import the clients first."
        if len(unique) > 1:
            return None, f"Several clients are called '{name[:80]}': add their date of birth to the file."
        return next(iter(unique.values())), ""

    def case_of(self, client_id: uuid.UUID, practitioner_id: uuid.UUID) -> uuid.UUID | None:
        """The client's open case that the practitioner works, else the client's only open case."""
        open_cases = list(self.work.db.execute(
            select(Case.id).join(CaseClient, CaseClient.case_id == Case.id)
            .where(CaseClient.client_id == client_id, Case.closed_on.is_(None))).scalars())
        worked = [c for c in open_cases if self.work.db.scalar(select(CasePractitioner.user_id).where(
            CasePractitioner.case_id == c, CasePractitioner.user_id == practitioner_id))]
        if len(worked) == 1:
            return worked[0]
        return open_cases[0] if len(open_cases) == 1 and not worked else None

    def booked(self, client_id: uuid.UUID, start: dt.datetime) -> bool:
        return self.work.db.scalar(select(Session.id).join(SessionClient, SessionClient.session_id == Session.id)
                                   .where(SessionClient.client_id == client_id, Session.starts_at == start,
                                          Session.status != "cancelled")) is not None


def _time(value: str) -> dt.time | None:
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(value.strip().upper(), fmt).time()
        except ValueError:
            continue
    return None


def check_row(directory: Directory, data: dict[str, str], date_format: str, formats: dict[str, str]
              ) -> tuple[dict[str, Any] | None, dict[str, str], bool]:
    """(booking, problems by field, duplicate?) for one row."""
    work = directory.work
    problems: dict[str, str] = {}
    name = data.get("client_name") or f"{data.get('client_first_name', '')} {data.get('client_last_name', '')}"
    born = None
    if data.get("client_date_of_birth"):
        try:
            born = dt.datetime.strptime(data["client_date_of_birth"], date_format).date()
        except ValueError:
            problems["client_date_of_birth"] = f"Write the date as {formats[date_format]}."
    client, why = directory.client(name, born) if name.strip() else (None, "Name the client.")
    if client is None and "client_date_of_birth" not in problems:
        problems["client_name"] = why
    try:
        day = dt.datetime.strptime(data.get("date", ""), date_format).date()
    except ValueError:
        day = None
        problems["date"] = f"Write the date as {formats[date_format]} ('{data.get('date', '')[:20]}' is not)."
    at = _time(data.get("time", ""))
    if at is None:
        problems["time"] = "Write the start time as 14:30 or 2:30 PM."
    minutes = data.get("minutes", "") or "50"
    if not minutes.isdigit() or not 5 <= int(minutes) <= 720:
        problems["minutes"] = "Give the duration in minutes (5 to 720)."
    practitioner = directory.practitioners.get(_fold(data.get("practitioner", "")))
    if practitioner is None:
        problems["practitioner"] = "No practitioner here by that name, username or email."
    modality = directory.modalities.get(_fold(data.get("modality", "")))
    if modality is None:
        problems["modality"] = "Name a modality offered here (its name or key)."
    delivery = DELIVERY.get(_fold(data.get("delivery", "")))
    room = directory.rooms.get(_fold(data.get("room", ""))) if data.get("room") else None
    if delivery is None:
        problems["delivery"] = "Write in person, video or phone."
    elif data.get("room") and room is None:
        problems["room"] = f"No room here is called '{data['room'][:60]}'."
    elif delivery == "in_person" and room is None:
        problems["room"] = "An in-person appointment needs a room here: add a room column, or mark it video."
    if problems:
        return None, problems, False
    local = dt.datetime.combine(day, at)
    start = local_to_utc(local, work.center.timezone)
    if start <= work.now:
        return None, {"date": "Only upcoming appointments are imported; this one is past."}, False
    case_id = directory.case_of(client.id, practitioner)
    if case_id is None:
        return None, {"client_name": "The client has no single open case with this practitioner: open one "
                                     "first."}, False
    if directory.booked(client.id, start):
        return None, {}, True
    return {"case_id": str(case_id), "modality_key": modality, "starts_at": local.isoformat(),
            "minutes": int(minutes), "client_ids": [str(client.id)], "practitioner_ids": [str(practitioner)],
            "delivery": delivery, "room_id": str(room) if room else None}, {}, False
