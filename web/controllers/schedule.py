"""The schedule: day and week calendars, booking (single or weekly), moving and cancelling sessions.

Every change works as a plain form post followed by a redirect; with htmx
the calendar block (or the booking form) is re-rendered in place instead.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect, Template

from polymodal.core import availability
from polymodal.core.access import Actor
from polymodal.core.eligibility import Refused
from polymodal.core.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from polymodal.core.practice import Practice
from polymodal.core.services import calendar, scheduling
from polymodal.core.timeutil import to_local
from polymodal.web.controllers import waitlist as waitlist_views
from polymodal.web.controllers.schedule_views import (
    DELIVERY_NAMES,
    OUT_OF_RANGE,
    Draw,
    Period,
    as_date,
    as_time,
    as_uuid,
    booking_choices,
    booking_decision,
    calendar_context,
    change_context,
    drawn_here,
)
from polymodal.web.rendering import kept, render
from polymodal.web.threads import read_on_loop_if

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Query = Annotated[str, QueryParameter(max_length=64)]
Back = Annotated[str, QueryParameter(max_length=500)]
BOOKING_FIELDS = ("case_id", "client_id", "modality_key", "format", "structure_key", "date", "time", "minutes", "delivery",
                  "room_id", "weeks", "outside_hours")
# The service names its inputs; the form shows some of them under another field.
FIELD_OF = {"starts_at": "time", "client_ids": "case_id"}
DONE = {"moved": "Session moved.", "cancelled": "Session cancelled.", "waitlist": "Booked from the waitlist."}


def _one(data: dict[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()[:limit]


def _many(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name, [])
    return [str(v)[:64] for v in (value if isinstance(value, list) else [value]) if v][:20]


def _own(actor: Actor) -> uuid.UUID | None:
    """A practitioner's calendar opens on their own sessions; everyone else's on the whole center."""
    return actor.user_id if {"practitioner", "supervisor"} & actor.roles else None


def _one_persons(arguments: dict[str, Any]) -> bool:
    """The calendar asked for is one practitioner's, or one room's week: a few dozen sessions, read and drawn in
    milliseconds (issue 18)."""
    try:
        period = Period.parse(arguments.get("view", ""), arguments.get("date", ""),
                              arguments.get("practitioner", ""), arguments.get("room", ""),
                              own=_own(arguments["actor"]))
    except ValidationFailed:
        return False
    return period.practitioner is not None or (period.room is not None and period.kind == "week")


def _grid_drawer(request: HTMXRequest, *, keep: bool) -> Draw:
    """The calendar's grid as drawn before for the same data (``web/fragments.py``); drawn with the page when
    not ``keep``: after a failed move its card is open with the forms, the user's values and the CSRF token."""
    if not keep:
        return drawn_here
    return lambda key, grid: {"grid_html": kept(request, "schedule/_grid.html", key,
                                                lambda: {"problem": {}, **grid()})}


def _filter_options(request: HTMXRequest, context: dict[str, Any]) -> dict[str, Any]:
    """The practitioners and rooms the calendar's filters offer, kept by what they show (``web/fragments.py``)."""
    period, people, rooms = context["period"], context["practitioners"], context["rooms"]
    return {
        "practitioner_options": kept(request, "schedule/_options.html", (people, period.practitioner), lambda: {
            "options": [(p.id, p.display_name) for p in people], "chosen": period.practitioner}),
        "room_options": kept(request, "schedule/_options.html", (rooms, period.room), lambda: {
            "options": [(r.id, f"{r.name} ({r.location})") for r in rooms], "chosen": period.room}),
    }


def _go(request: HTMXRequest, path: str) -> Response:
    # htmx would swap a followed redirect into the form; HX-Redirect loads the page instead.
    return ClientRedirect(redirect_to=path) if request.htmx else Redirect(path=path, status_code=303)


def booking_values(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {name: _one(data, name) for name in BOOKING_FIELDS}
    values["practitioner_ids"] = _many(data, "practitioner_ids")
    return values


def booking_payload(values: dict[str, Any]) -> dict[str, Any]:
    """The service's input from the form's strings; raises ``ValidationFailed`` with every field's problem."""
    errors: dict[str, str] = {}
    case_id, client_id = as_uuid(values["case_id"]), as_uuid(values["client_id"])
    if case_id is None and client_id is None:
        errors["case_id"] = "Choose a case, or book from the client's page for a first appointment."
    if not values["modality_key"]:
        errors["modality_key"] = "Choose a modality."
    day, time = as_date(values["date"]), as_time(values["time"])
    if day is None:
        errors["date"] = f"Enter the date (YYYY-MM-DD). {OUT_OF_RANGE}"
    if time is None:
        errors["time"] = "Enter the start time (HH:MM)."
    minutes = None
    if values["minutes"]:
        minutes = int(values["minutes"]) if values["minutes"].isdigit() else None
        if minutes is None or not 5 <= minutes <= 720:
            errors["minutes"] = "Enter the length in minutes (5 to 720), or leave it empty."
    weeks = int(values["weeks"]) if values["weeks"].isdigit() else (1 if not values["weeks"] else None)
    if weeks is None or not 1 <= weeks <= 104:
        errors["weeks"] = "Enter a number of weeks from 1 to 104."
    if values["delivery"] not in DELIVERY_NAMES:
        errors["delivery"] = "Choose in person, phone or video."
    room_id = as_uuid(values["room_id"])
    if values["room_id"] and room_id is None:
        errors["room_id"] = "Choose a room of this center."
    practitioners = [as_uuid(v) for v in values["practitioner_ids"]]
    if None in practitioners:
        errors["practitioner_ids"] = "Choose practitioners from the list."
    if errors:
        raise ValidationFailed(errors)
    payload: dict[str, Any] = {
        "case_id": case_id, "modality_key": values["modality_key"], "format": values["format"] or "individual",
        "structure_key": values["structure_key"] or None, "starts_at": dt.datetime.combine(day, time),
        "minutes": minutes, "delivery": values["delivery"], "room_id": room_id, "weeks": weeks,
        "outside_hours": values["outside_hours"] == "1",
    }
    if practitioners:
        payload["practitioner_ids"] = practitioners
    if case_id is None:  # a first appointment: the service opens a case for it
        payload["client_ids"] = [client_id]
    return payload


def field_errors(exc: ValidationFailed) -> dict[str, str]:
    return {FIELD_OF.get(name, name): message for name, message in exc.errors.items()}


class ScheduleController(Controller):
    path = "/schedule"

    # --- the calendar ------------------------------------------------------------

    def _calendar(self, request: HTMXRequest, practice: Practice, actor: Actor, period: Period, *,
                  notice: str = "", problem: dict[str, Any] | None = None, status_code: int = 200,
                  freed: uuid.UUID | None = None, booked: uuid.UUID | None = None) -> Template:
        """``freed``: a session just cancelled, whose slot the waitlist may fill; ``booked``: a session just
        booked, whose practitioners may be missing from the care team (said beside the notice)."""
        problem = problem or {}
        with practice.work(actor, write=False) as work:
            context = calendar_context(work, period, _grid_drawer(request, keep=not problem.get("session")))
            context.update(waitlist_views.freed_slot(work, freed, period.query()) if freed else {"slot": None})
            context["care_team_gaps"] = scheduling.care_team_gaps(work, booked) if booked else []
        context.update(notice=notice, problem=problem, **_filter_options(request, context))
        return render(request, "schedule/index.html", context, block="schedule_calendar",
                      status_code=status_code)

    @get("/", opt={"action": "schedule.read"})
    @read_on_loop_if(_one_persons)
    def index(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
              view: Query = "", date: Query = "", practitioner: Query = "", room: Query = "",
              done: Query = "", booked: Query = "", by: Query = "", cancelled: Query = "", freed: Query = "",
              session: Query = "") -> Template:
        # After a plain (no-JS) change the redirect names what happened; only these fixed texts are shown.
        notice = DONE.get(done, "")
        if booked.isdigit() and 0 < int(booked) <= 104:
            notice = f"Booked {booked} session{'s' if int(booked) > 1 else ''}."
        period = Period.parse(view, date, practitioner, room, own=_own(actor), by=by, cancelled=cancelled)
        try:
            return self._calendar(request, practice, actor, period, notice=notice, freed=as_uuid(freed),
                                  booked=as_uuid(session))
        except NotFound:  # a stale or foreign id in the link: the calendar without the extra panel
            return self._calendar(request, practice, actor, period, notice=notice)

    @get("/next-free", opt={"action": "session.manage"}, sync_to_thread=True)
    def next_free(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                  practitioner: Query = "", room: Query = "", minutes: Query = "50") -> Response:
        """The first free slot for a practitioner, a room and a length: the booking form, filled in."""
        length = int(minutes) if minutes.isdigit() and 5 <= int(minutes) <= 720 else 50
        who, where = as_uuid(practitioner), as_uuid(room)
        with practice.work(actor, write=False) as work:
            found = availability.next_free(work, practitioner_id=who, room_id=where, minutes=length)
        if found is None:
            period = Period.parse("week", "", str(who or "all"), str(where or ""), own=_own(actor))
            return self._calendar(request, practice, actor, period,
                                  problem={"message": "No free slot of that length in the next four weeks."})
        # The booking form itself, filled in (a redirect would make the slot a second request away).
        values = booking_values({"date": found.date().isoformat(), "time": f"{found:%H:%M}",
                                 "minutes": str(length), "room_id": str(where or ""), "weeks": "1",
                                 "delivery": "in_person" if where else "video",
                                 "practitioner_ids": [str(who)] if who else []})
        return self._booking(request, practice, actor, values)

    @get("/sessions/{session_id:uuid}/change", opt={"action": "session.manage"}, sync_to_thread=True)
    def change(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               session_id: FromPath[uuid.UUID], back: Back = "") -> Template:
        """One session's move and cancel forms: a page of its own, or (htmx) the card's fragment.

        The calendar loads them only when a card is opened: rendering them for every session
        of a busy week was most of the page's cost. ``back`` is the calendar to return to.
        """
        period = Period.from_query(back, own=_own(actor))
        with practice.work(actor, write=False) as work:
            context = change_context(work, session_id)
        context.update(back=period.query(), problem={})
        return render(request, "schedule/change.html", context, block="session_forms")

    @post("/sessions/{session_id:uuid}/move", opt={"action": "session.manage"}, status_code=200,
          sync_to_thread=True)
    def move(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
             session_id: FromPath[uuid.UUID], data: FormData) -> Response:
        with practice.work(actor, write=False) as work:
            # Access before validation: a 422 for someone else's session would confirm it exists.
            scheduling.get_session(work, session_id, "session.manage")
        period = Period.from_query(_one(data, "back", 500), own=_own(actor))
        values = {name: _one(data, name) for name in ("date", "time", "room_id")}
        errors: dict[str, str] = {}
        outside = False
        day, time, room_id = as_date(values["date"]), as_time(values["time"]), as_uuid(values["room_id"])
        if day is None:
            errors["date"] = f"Enter the new date (YYYY-MM-DD). {OUT_OF_RANGE}"
        if time is None:
            errors["time"] = "Enter the new start time (HH:MM)."
        message = ""
        if not errors:
            try:
                with practice.work(actor) as work:
                    session = scheduling.move_session(work, session_id, dt.datetime.combine(day, time), room_id,
                                                      outside_hours=_one(data, "outside_hours") == "1")
                    moved_to = to_local(session.starts_at, work.center.timezone)
                return self._done(request, practice, actor, period, "moved",
                                  f"Session moved to {moved_to:%a %d %b %H:%M}.")
            except ValidationFailed as exc:
                errors = field_errors(exc)
            except IllegalTransition as exc:
                # The session has no move form any more (cancelled, done): say so above the calendar.
                return self._calendar(request, practice, actor, period, problem={"message": str(exc)},
                                      status_code=422)
            except Conflict as exc:
                message = str(exc)
                outside = isinstance(exc, scheduling.OutsideHours)
        problem = {"session": str(session_id), "form": "move", "errors": errors, "values": values,
                   "message": message, "outside": outside}
        return self._calendar(request, practice, actor, period, problem=problem, status_code=422)

    @post("/sessions/{session_id:uuid}/cancel", opt={"action": "session.manage"}, status_code=200,
          sync_to_thread=True)
    def cancel(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               session_id: FromPath[uuid.UUID], data: FormData) -> Response:
        period = Period.from_query(_one(data, "back", 500), own=_own(actor))
        values = {"reason": _one(data, "reason", 500), "cancel_reason": _one(data, "cancel_reason", 40)}
        errors: dict[str, str] = {}
        message = ""
        try:
            with practice.work(actor) as work:
                session = scheduling.cancel_session(work, session_id, values["cancel_reason"], values["reason"])
                when = to_local(session.starts_at, work.center.timezone)
            return self._done(request, practice, actor, period, "cancelled",
                              f"Session of {when:%a %d %b %H:%M} cancelled.", freed=session_id)
        except ValidationFailed as exc:
            errors = field_errors(exc)
        except IllegalTransition as exc:
            return self._calendar(request, practice, actor, period, problem={"message": str(exc)}, status_code=422)
        except Conflict as exc:
            message = str(exc)
        problem = {"session": str(session_id), "form": "cancel", "errors": errors, "values": values,
                   "message": message}
        return self._calendar(request, practice, actor, period, problem=problem, status_code=422)

    def _done(self, request: HTMXRequest, practice: Practice, actor: Actor, period: Period, done: str,
              notice: str, *, freed: uuid.UUID | None = None) -> Response:
        if request.htmx:
            return self._calendar(request, practice, actor, period, notice=notice, freed=freed)
        query = period.query()
        extra = f"&freed={freed}" if freed else ""
        return Redirect(path=f"/schedule?{query}{'&' if query else ''}done={done}{extra}", status_code=303)

    # --- booking -----------------------------------------------------------------

    def _booking(self, request: HTMXRequest, practice: Practice, actor: Actor, values: dict[str, Any], *,
                 errors: dict[str, str] | None = None, conflict: str = "", outside: bool = False,
                 refused: str = "", status_code: int = 200) -> Template:
        with practice.work(actor, write=False) as work:
            context = booking_choices(work, values)
            # Opened from a free slot of one practitioner: who on the waitlist fits it, beside the form.
            day, at = as_date(values["date"]), as_time(values["time"])
            who = [as_uuid(p) for p in values["practitioner_ids"]]
            context["slot"] = None
            if not request.htmx and day and at and len(who) == 1 and who[0]:
                context.update(waitlist_views.slot_context(work, dt.datetime.combine(day, at), who[0],
                                                           as_uuid(values["room_id"])))
        context.update(values=values, errors=errors or {}, conflict=conflict, outside=outside, refused=refused)
        return render(request, "schedule/new.html", context, block="booking_form", status_code=status_code)

    @get("/new", opt={"action": "session.manage"}, sync_to_thread=True)
    def new(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor]) -> Template:
        """The booking form; htmx asks again when the case or modality changes, to narrow the choices."""
        params = {k: v for k, v in request.query_params.dict().items() if k in (*BOOKING_FIELDS, "practitioner_ids")}
        values = booking_values(params)
        values["delivery"] = values["delivery"] or "in_person"
        values["weeks"] = values["weeks"] or "1"
        changed = request.htmx.trigger_name if request.htmx else None
        case_id = as_uuid(values["case_id"])
        if case_id is not None and (changed == "case_id" or not request.htmx):
            with practice.work(actor, write=False) as work:
                booking = calendar.case_booking(work, case_id)
            values["format"] = booking.kind
            values["practitioner_ids"] = [str(p) for p in booking.practitioner_ids]
            offered = booking.offered_modalities
            if values["modality_key"] not in offered and offered:
                values["modality_key"] = (booking.last_modality if booking.last_modality in offered
                                          else offered[0])
            elif not values["modality_key"]:
                values["modality_key"] = booking.last_modality or ""
        return self._booking(request, practice, actor, values)

    @get("/eligibility", opt={"action": "session.manage"}, sync_to_thread=True)
    def eligibility(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor]) -> Template:
        """The booking form's live decision: asked again whenever a field of the form changes."""
        params = {k: v for k, v in request.query_params.dict().items() if k in (*BOOKING_FIELDS, "practitioner_ids")}
        values = booking_values(params)
        if not request.htmx:  # without htmx: the whole booking form, which carries the decision
            return self._booking(request, practice, actor, values)
        with practice.work(actor, write=False) as work:
            context = booking_decision(work, values)
        return render(request, "schedule/new.html", context, block="booking_decision")

    @post("/sessions", opt={"action": "session.manage"}, status_code=200, sync_to_thread=True)
    def create(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               data: FormData) -> Response:
        values = booking_values(data)
        try:
            payload = booking_payload(values)
            with practice.work(actor) as work:
                sessions = scheduling.schedule_session(work, payload)
                first = to_local(sessions[0].starts_at, work.center.timezone).date()
                gaps = scheduling.care_team_gaps(work, sessions[0].id)
                # Named in the link only when a practitioner is missing from the care team: the calendar says why.
                extra = f"&session={sessions[0].id}" if gaps else ""
        except ValidationFailed as exc:
            return self._booking(request, practice, actor, values, errors=field_errors(exc), status_code=422)
        except Refused as exc:
            return self._booking(request, practice, actor, values, refused=str(exc), status_code=422)
        except Conflict as exc:
            return self._booking(request, practice, actor, values, conflict=str(exc),
                                 outside=isinstance(exc, scheduling.OutsideHours), status_code=422)
        return _go(request, f"/schedule?view=week&date={first.isoformat()}&booked={len(sessions)}{extra}")
