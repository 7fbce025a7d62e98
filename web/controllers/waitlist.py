"""The waitlist page: who is waiting, adding someone (from their client page or a search here), taking them
off with a reason, and the candidates for a freed slot, each booked in a click through the booking service.

Every change is a plain form post and a redirect; with htmx the list, the form or the candidates panel is
re-rendered in place.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core import waitlist
from polymodal.core.access import Actor
from polymodal.core.eligibility import Refused
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.services import calendar, client_record, clients, scheduling
from polymodal.core.timeutil import to_local
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.controllers.schedule_views import Period, as_date, as_time, as_uuid
from polymodal.web.rendering import render

Query = Annotated[str, QueryParameter(max_length=100)]
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DONE = {"added": "Added to the waitlist.", "removed": "Taken off the waitlist; it stays in the history."}
ENTRY_FIELDS = ("client_id", "modality_key", "practitioner_id", "earliest", "latest", "note", "case_id")


def slot_context(work: Work, starts_at: dt.datetime, practitioner_id: uuid.UUID | None,
                 room_id: uuid.UUID | None, back: str = "", *, freed: bool = False) -> dict[str, Any]:
    """The candidates panel for one slot: what the slot is, who fits it, and where each Book button posts."""
    if practitioner_id is None:
        return {"slot": None}
    found = waitlist.candidates(work, starts_at=starts_at, practitioner_id=practitioner_id)
    whose = next((p.display_name for p in calendar.directory(work).practitioners if p.id == practitioner_id), "")
    return {"slot": {"date": starts_at.date().isoformat(), "time": f"{starts_at:%H:%M}",
                     "label": f"{starts_at:%a %d %b %H:%M}", "practitioner_id": str(practitioner_id),
                     "practitioner": whose, "room_id": str(room_id or ""), "back": back, "freed": freed},
            "candidates": found}


def freed_slot(work: Work, session_id: uuid.UUID, back: str) -> dict[str, Any]:
    """Candidates for the slot a cancelled session left (its first practitioner, start and room)."""
    session = scheduling.get_session(work, session_id, "session.manage")
    if session.status != "cancelled" or not session.practitioners:
        return {"slot": None}
    start = to_local(session.starts_at, work.center.timezone).replace(tzinfo=None)
    return slot_context(work, start, session.practitioners[0].user_id, session.room_id, back, freed=True)


def _entry_values(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {name: one(data, name, 600 if name == "note" else 100).strip() for name in ENTRY_FIELDS}
    days = data.get("weekdays", [])
    values["weekdays"] = [str(d)[:2] for d in (days if isinstance(days, list) else [days]) if d][:7]
    return values


def _page(work: Work, *, client: str = "", q: str = "", modality: str = "", practitioner: str = "",
          values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    people = calendar.directory(work)
    chosen = as_uuid(practitioner)
    rows = waitlist.waiting(work, modality_key=modality if modality in work.registry.modalities else "",
                            practitioner_id=chosen)
    client_id = as_uuid(client or (values or {}).get("client_id"))
    adding = None
    if client_id is not None:
        found = clients.get_client(work, client_id)
        cases = [c for c in client_record.cases_of(work, client_id) if c.closed_on is None]
        adding = {"id": str(found.id), "name": found.display_name,
                  "case_options": [(str(c.id), f"{c.title} ({c.kind})") for c in cases]}
    matches = clients.search_clients(work, q, limit=10) if q.strip() and adding is None else []
    return {
        "rows": rows, "history": waitlist.history(work, limit=20), "adding": adding, "q": q,
        "matches": [{"id": m.id, "name": f"{m.preferred_name or m.legal_first_name} {m.legal_last_name}",
                     "born": f"{m.date_of_birth:%d %b %Y}"} for m in matches],
        "modality_options": [(m.key, m.name) for m in work.registry.modalities],
        "practitioner_options": [(str(p.id), p.display_name) for p in people.practitioners],
        "day_options": [(str(i), name) for i, name in enumerate(DAY_NAMES)],
        "filter_modality": modality, "filter_practitioner": practitioner,
        "values": values or {"client_id": str(client_id or ""), "weekdays": []}, "errors": errors or {},
    }


class WaitlistController(Controller):
    path = "/waitlist"

    @get("/", opt={"action": "session.manage"}, sync_to_thread=True)
    def index(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
              client: Query = "", q: Query = "", modality: Query = "", practitioner: Query = "",
              done: Query = "") -> Template:
        with practice.work(actor, write=False) as work:
            context = _page(work, client=client, q=q, modality=modality, practitioner=practitioner)
        context["notice"] = DONE.get(done, "")
        # The filters ask again for the list alone.
        block = "waitlist_rows" if request.htmx and request.htmx.target == "waitlist-rows" else None
        return render(request, "waitlist/index.html", context, block=block or "waitlist_page")

    @post("/", opt={"action": "session.manage"}, status_code=200, sync_to_thread=True)
    def add(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
            data: AnyForm) -> Response:
        values = _entry_values(data)
        try:
            with practice.work(actor) as work:
                waitlist.add_entry(work, values)
        except ValidationFailed as exc:
            with practice.work(actor, write=False) as work:
                context = _page(work, values=values, errors=exc.errors)
            return render(request, "waitlist/index.html", context, block="waitlist_form", status_code=422)
        return go(request, "/waitlist?done=added")

    @post("/{entry_id:uuid}/remove", opt={"action": "session.manage"}, status_code=200, sync_to_thread=True)
    def remove(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               entry_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        reason = one(data, "reason", 600)
        try:
            with practice.work(actor) as work:
                waitlist.remove_entry(work, entry_id, reason)
        except (ValidationFailed, Conflict) as exc:
            message = exc.errors.get("reason", "") if isinstance(exc, ValidationFailed) else str(exc)
            with practice.work(actor, write=False) as work:
                context = _page(work)
            context.update(notice="", remove_problem={"id": str(entry_id), "message": message, "reason": reason})
            return render(request, "waitlist/index.html", context, block="waitlist_page", status_code=422)
        return go(request, "/waitlist?done=removed")

    @get("/candidates", opt={"action": "session.manage"}, sync_to_thread=True)
    def candidates(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                   date: Query = "", time: Query = "", practitioner: Query = "", room: Query = "",
                   back: Annotated[str, QueryParameter(max_length=500)] = "") -> Template:
        """Who fits a slot: the panel alone for htmx, else the waitlist page with the panel on top."""
        day, at, who = as_date(date), as_time(time), as_uuid(practitioner)
        with practice.work(actor, write=False) as work:
            # The panel alone reads only the slot's candidates; the page around it reads the list too.
            context = {} if request.htmx else _page(work)
            if day is None or at is None or who is None:
                context.update(slot=None, slot_problem="Choose the day, the time and the practitioner.")
            else:
                context.update(slot_context(work, dt.datetime.combine(day, at), who, as_uuid(room), back))
        context.setdefault("notice", "")
        return render(request, "waitlist/index.html", context, block="waitlist_candidates")

    @post("/{entry_id:uuid}/book", opt={"action": "session.manage"}, status_code=200, sync_to_thread=True)
    def book(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
             entry_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        """Book a waiting client into the slot; the same checks as any booking, the reason shown if refused."""
        with practice.work(actor, write=False) as work:
            waitlist.get_entry(work, entry_id)  # someone else's entry: refused before anything about the form
        day, at = as_date(one(data, "date", 20)), as_time(one(data, "time", 20))
        who, room = as_uuid(one(data, "practitioner_id", 64)), as_uuid(one(data, "room_id", 64))
        back = one(data, "back", 500)
        problem = ""
        if day is None or at is None or who is None:
            problem = "Choose the day, the time and the practitioner."
        else:
            try:
                with practice.work(actor) as work:
                    (first, *_) = waitlist.book_entry(work, entry_id, starts_at=dt.datetime.combine(day, at),
                                                      practitioner_id=who, room_id=room)
                    session_id = first.id
                # Back to the calendar the slot was on (rebuilt from its parts, never echoed), else that day.
                calendar_query = (Period.from_query(back).query() if back else "") or (
                    f"view=day&date={day.isoformat()}&practitioner=all")
                return go(request, f"/schedule?{calendar_query}&done=waitlist&session={session_id}")
            except NotFound:
                raise
            except ValidationFailed as exc:
                problem = " ".join(exc.errors.values())
            except (Refused, Conflict) as exc:
                problem = str(exc)
        with practice.work(actor, write=False) as work:
            context = {} if request.htmx else _page(work)
            context.update(slot_context(work, dt.datetime.combine(day, at), who, room, back)
                           if day and at and who else {"slot": None})
        context.update(notice="", book_problem={"id": str(entry_id), "message": problem})
        return render(request, "waitlist/index.html", context, block="waitlist_candidates", status_code=422)


__all__ = ["WaitlistController", "freed_slot", "slot_context"]
