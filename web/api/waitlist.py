"""/api/v1/waitlist: who is waiting, who fits a slot, booking one, taking one off; the waitlist page's services."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from polymodal.core import waitlist
from polymodal.core.access import Actor
from polymodal.core.errors import ValidationFailed
from polymodal.core.interop import records
from polymodal.core.practice import Practice, Work
from polymodal.web.api._shared import listing
from polymodal.web.api.schemas import Booked, CandidatePage, WaitlistOut, WaitlistPage


def entry_dict(entry: waitlist.Listed) -> dict[str, Any]:
    return {"id": str(entry.id), "client_id": str(entry.client_id), "modality_key": entry.modality_key,
            "practitioner_id": str(entry.practitioner_id) if entry.practitioner_id else None,
            "weekdays": list(entry.weekdays), "earliest": f"{entry.earliest:%H:%M}" if entry.earliest else None,
            "latest": f"{entry.latest:%H:%M}" if entry.latest else None, "note": entry.note, "status": entry.status,
            "since": entry.since.isoformat(), "case_id": str(entry.case_id) if entry.case_id else None,
            "session_id": str(entry.session_id) if entry.session_id else None,
            "closed_on": entry.closed_on.isoformat() if entry.closed_on else None, "close_reason": entry.close_reason}


def _start(value: Any) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed({"starts_at": "Give the start as a date and time, e.g. 2026-11-02T10:00."}) from None


def _practitioner(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed({"practitioner_id": "Name the practitioner of the slot by their id."}) from None


def _one(work: Work, client_id: uuid.UUID, entry_id: uuid.UUID) -> dict[str, Any]:
    return entry_dict(next(e for e in waitlist.entries_of_client(work, client_id) if e.id == entry_id))


class WaitlistApi(Controller):
    path = "/waitlist"
    tags = ["waitlist"]

    @get("/", opt={"action": "session.manage"}, sync_to_thread=True)
    def waiting(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                modality_key: str = Parameter(default="", max_length=120)) -> WaitlistPage:
        """Those waiting, longest first (the actor's reach: a practitioner sees their care teams' clients)."""
        with practice.work(actor, write=False) as work:
            return listing([entry_dict(e) for e in waitlist.waiting(work, modality_key=modality_key)])

    @post("/", opt={"action": "session.manage"}, status_code=201, sync_to_thread=True)
    def add(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
            data: JSONBody[dict[str, Any]]) -> WaitlistOut:
        """Put a client on the list: client_id, modality_key, and optionally practitioner_id, weekdays
        (0 = Monday), earliest and latest ("HH:MM"), note, case_id. Every bad field is named (422)."""
        with practice.work(actor) as work:
            entry = waitlist.add_entry(work, data)
            return _one(work, entry.client_id, entry.id)

    @get("/candidates", opt={"action": "session.manage"}, sync_to_thread=True)
    def candidates(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                   starts_at: str = Parameter(max_length=40), practitioner_id: str = Parameter(max_length=40),
                   ) -> CandidatePage:
        """Who fits a free slot of a practitioner from ``starts_at`` (the center's wall-clock time), longest
        waiting first, each with the length it would be booked for."""
        start, who = _start(starts_at), _practitioner(practitioner_id)
        with practice.work(actor, write=False) as work:
            found = waitlist.candidates(work, starts_at=start, practitioner_id=who)
            return listing([{**entry_dict(c.entry), "minutes": c.minutes} for c in found])

    @post("/{entry_id:uuid}/book", opt={"action": "session.manage"}, status_code=201, sync_to_thread=True)
    def book(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor], entry_id: FromPath[uuid.UUID],
             data: JSONBody[dict[str, Any]]) -> Booked:
        """Book the waiting client: starts_at, practitioner_id, and optionally room_id, delivery, minutes. The
        booking page's checks apply (a clash or an exclusion is a 409, the client stays on the list)."""
        with practice.work(actor, write=False) as work:
            waitlist.get_entry(work, entry_id)  # someone else's entry: refused before anything about the body
        room = data.get("room_id")
        try:
            room_id = uuid.UUID(str(room)) if room else None
        except ValueError:
            raise ValidationFailed({"room_id": "Name a room of this center by its id, or none."}) from None
        minutes = data.get("minutes")
        if minutes is not None and (not isinstance(minutes, int) or not 5 <= minutes <= 720):
            raise ValidationFailed({"minutes": "Give the length in minutes, 5 to 720, or leave it out."})
        with practice.work(actor) as work:
            booked = waitlist.book_entry(work, entry_id, starts_at=_start(data.get("starts_at")),
                                         practitioner_id=_practitioner(data.get("practitioner_id")),
                                         room_id=room_id, delivery=data.get("delivery") or None, minutes=minutes)
            return {"data": [records.session_dict(s) for s in booked]}

    @post("/{entry_id:uuid}/remove", opt={"action": "session.manage"}, status_code=200, sync_to_thread=True)
    def remove(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               entry_id: FromPath[uuid.UUID], data: JSONBody[dict[str, Any]]) -> WaitlistOut:
        """Take a client off the list with a ``reason``; the entry stays in their history."""
        with practice.work(actor) as work:
            entry = waitlist.remove_entry(work, entry_id, str(data.get("reason") or ""))
            return _one(work, entry.client_id, entry.id)
