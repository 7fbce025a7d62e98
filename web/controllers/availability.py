"""Working hours and time off (a practitioner's own, or anyone's for the front desk and admins) and room
opening hours: the pages that fill what the calendar shades and booking checks (core/availability)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor
from polymodal.core.availability import entries
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.services import users
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.rendering import render

HOURS_FIELDS = ("weekday", "starts", "ends", "location")
AWAY_FIELDS = ("starts_at", "ends_at", "reason")
ROOM_FIELDS = ("room", "weekday", "opens", "closes")


def _id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("no such entry") from None


class AvailabilityController(Controller):
    path = "/availability"

    def _person(self, request: HTMXRequest, work: Work, user_id: uuid.UUID, *, values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
        person = next((p for p in users.practitioners(work) if p.id == user_id), None)
        if person is None:
            raise NotFound("no such practitioner")
        context = {"person": person, "hours": entries.working_hours(work, user_id),
                   "away": entries.time_off(work, user_id), "days": entries.DAYS,
                   "locations": entries.locations(work), "may_edit": entries.may_edit(work, user_id),
                   "zone": work.center.timezone, "values": values or {}, "errors": errors or {}}
        return render(request, "availability/person.html", context, block="availability", status_code=status_code)

    @get("", opt={"action": "schedule.read"}, sync_to_thread=True)
    def index(self, request: HTMXRequest, practice: NamedDependency[Practice],
              actor: NamedDependency[Actor]) -> Template:
        """Whose hours to see or change: every practitioner, with one's own first."""
        with practice.work(actor, write=False) as work:
            people = sorted(users.practitioners(work), key=lambda p: (p.id != actor.user_id, p.display_name))
            context = {"people": people, "me": actor.user_id, "rooms": work.may("availability.manage")}
        return render(request, "availability/index.html", context, block="people")

    @get("/{user_id:uuid}", opt={"action": "schedule.read"}, sync_to_thread=True)
    def person(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               user_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            return self._person(request, work, user_id)

    def _change(self, request: HTMXRequest, practice: Practice, actor: Actor, user_id: uuid.UUID,
                values: dict[str, str], change: Any) -> Response:
        with practice.work(actor) as work:
            try:
                change(work)
            except ValidationFailed as exc:
                return self._person(request, work, user_id, values=values, errors=exc.errors, status_code=422)
        return go(request, f"/availability/{user_id}")

    # Who may change these hours is decided in core (their own, or availability.manage): the route only
    # needs someone signed in who may read the schedule.
    @post("/{user_id:uuid}/hours", opt={"action": "schedule.read"}, status_code=200, sync_to_thread=True)
    def hours_add(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                  user_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        values = {name: one(data, name, 40) for name in HOURS_FIELDS} | {"form": "hours"}
        return self._change(request, practice, actor, user_id, values,
                            lambda work: entries.add_working_hours(work, user_id, values))

    @post("/{user_id:uuid}/hours/remove", opt={"action": "schedule.read"}, status_code=200, sync_to_thread=True)
    def hours_remove(self, request: HTMXRequest, practice: NamedDependency[Practice],
                     actor: NamedDependency[Actor], user_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        row = _id(one(data, "entry", 40))
        return self._change(request, practice, actor, user_id, {},
                            lambda work: entries.remove_working_hours(work, user_id, row))

    @post("/{user_id:uuid}/time-off", opt={"action": "schedule.read"}, status_code=200, sync_to_thread=True)
    def away_add(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 user_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        values = {name: one(data, name, 300) for name in AWAY_FIELDS} | {"form": "away"}
        return self._change(request, practice, actor, user_id, values,
                            lambda work: entries.add_time_off(work, user_id, values))

    @post("/{user_id:uuid}/time-off/remove", opt={"action": "schedule.read"}, status_code=200,
          sync_to_thread=True)
    def away_remove(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor], user_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        row = _id(one(data, "entry", 40))
        return self._change(request, practice, actor, user_id, {},
                            lambda work: entries.remove_time_off(work, user_id, row))

    # --- rooms ---------------------------------------------------------------------------------------------

    def _rooms(self, request: HTMXRequest, work: Work, *, values: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
        context = {"rooms": entries.room_hours(work), "days": entries.DAYS, "values": values or {},
                   "errors": errors or {}, "zone": work.center.timezone, "section": "rooms"}
        return render(request, "availability/rooms.html", context, block="room_hours", status_code=status_code)

    @get("/rooms", opt={"action": "availability.manage"}, sync_to_thread=True)
    def rooms(self, request: HTMXRequest, practice: NamedDependency[Practice],
              actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor, write=False) as work:
            return self._rooms(request, work)

    @post("/rooms", opt={"action": "availability.manage"}, status_code=200, sync_to_thread=True)
    def room_add(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 data: AnyForm) -> Response:
        values = {name: one(data, name, 40) for name in ROOM_FIELDS}
        with practice.work(actor) as work:
            try:
                entries.add_room_hours(work, values)
            except ValidationFailed as exc:
                return self._rooms(request, work, values=values, errors=exc.errors, status_code=422)
        return go(request, "/availability/rooms")

    @post("/rooms/remove", opt={"action": "availability.manage"}, status_code=200, sync_to_thread=True)
    def room_remove(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor], data: AnyForm) -> Response:
        row = _id(one(data, "entry", 40))
        with practice.work(actor) as work:
            entries.remove_room_hours(work, row)
        return go(request, "/availability/rooms")
