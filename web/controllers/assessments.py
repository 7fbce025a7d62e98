"""Assessments: administer an instrument item by item, read the score, band and flags, follow the trend.

Only instruments that ship their items (free to reproduce) are offered; the
core scores them. The trend is an SVG drawn here, with a data table.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core import display
from polymodal.core.access import Actor
from polymodal.core.contributions import Assessment
from polymodal.core.errors import ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.services import assessments, clients
from polymodal.core.timeutil import to_local, today_in
from polymodal.web.charts import Trend, trend
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.rendering import render


def scorable(work: Work) -> list[Assessment]:
    return [a for a in work.registry.assessments if a.items]


def _dom_id(key: str) -> str:
    return "chart-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def trends(work: Work, client_id: uuid.UUID, instrument_key: str | None = None) -> tuple[list[Trend], list[Any]]:
    """One chart per instrument the client has results for (columns only, one query), and the rows
    of instruments no longer installed, which still show, as a plain table."""
    by_key: dict[str, list[Any]] = defaultdict(list)
    for row in assessments.result_rows(work, client_id, instrument_key):
        by_key[row.instrument_key].append(row)
    charts, orphans = [], []
    tz = work.center.timezone
    for key, rows in sorted(by_key.items()):
        instrument = work.registry.assessments.get(key)
        if instrument is None or not instrument.items:
            orphans += [{"id": r.id, "key": f"{r.instrument_key}@{r.instrument_version}", "total": f"{r.total:g}",
                         "band": r.band or "", "when": f"{to_local(r.administered_at, tz):%d %b %Y}"} for r in rows]
            continue
        charts.append(trend(instrument, rows, tz, _dom_id(key)))
    return charts, orphans


def tab(work: Work, client_id: uuid.UUID) -> dict[str, Any]:
    charts, orphans = trends(work, client_id)
    return {"charts": charts, "orphans": orphans, "can_administer": work.may("clinical.write", client_id)}


def _new_context(work: Work, client_id: uuid.UUID, instrument_key: str) -> dict[str, Any]:
    client = clients.get_client(work, client_id)
    work.require("clinical.write", client.id, record_type="assessment")
    offered = scorable(work)
    instrument = next((a for a in offered if a.key == instrument_key), None) if instrument_key else None
    tz = work.center.timezone
    today = today_in(tz, work.now)
    sessions = [(str(s.id), f"{to_local(s.starts_at, tz):%a %d %b %H:%M}, "
                            f"{getattr(work.registry.modalities.get(s.modality_key), 'name', 'session')}")
                for s in assessments.recent_sessions(work, client.id)] if instrument else []
    return {"client": client, "offered": offered, "instrument": instrument, "sessions": sessions,
            "today": today.isoformat(),
            "earliest": (today - dt.timedelta(days=assessments.RECENT_DAYS - 1)).isoformat()}


def _given(values: dict[str, str]) -> tuple[uuid.UUID | None, dt.date | None, dict[str, str]]:
    """The session and the date from the form; what cannot be read is named, the rest left to the service."""
    errors: dict[str, str] = {}
    session_id = administered_on = None
    if values["session_id"]:
        try:
            session_id = uuid.UUID(values["session_id"])
        except ValueError:
            errors["session_id"] = "Choose a session from the list, or no session."
    if values["administered_on"]:
        try:
            administered_on = dt.date.fromisoformat(values["administered_on"])
        except ValueError:
            errors["administered_on"] = "Enter the date as YYYY-MM-DD."
    return session_id, administered_on, errors


class AssessmentsController(Controller):
    path = "/clients/{client_id:uuid}/assessments"

    @get("/new", opt={"action": "clinical.write"}, sync_to_thread=True)
    def new(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
            client_id: FromPath[uuid.UUID],
            instrument: Annotated[str, QueryParameter(max_length=120)] = "") -> Template:
        with practice.work(actor, write=False) as work:
            context = _new_context(work, client_id, instrument)
        return render(request, "assessments/form.html", {**context, "values": {}, "errors": {}, "given": {}},
                      block="assessment_form")

    @post("/new", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def record(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        key = one(data, "instrument_key", 120)
        with practice.work(actor) as work:
            context = _new_context(work, client_id, key)
            instrument = context["instrument"]
            if instrument is None:
                return render(request, "assessments/form.html", {
                    **context, "values": {}, "errors": {"instrument_key": "Choose one of the instruments listed."},
                }, block="assessment_form", status_code=422)
            values = {item.key: one(data, f"a.{item.key}", 1000 if item.free_text else 40) for item in instrument.items}
            given = {name: one(data, name, 40).strip() for name in ("session_id", "administered_on")}
            session_id, administered_on, unreadable = _given(given)
            try:
                if unreadable:
                    raise ValidationFailed(unreadable)
                result = assessments.record_assessment(work, client_id, key, values, session_id=session_id,
                                                       administered_on=administered_on)
            except ValidationFailed as exc:
                return render(request, "assessments/form.html", {**context, "values": values, "given": given,
                                                                 "errors": exc.errors},
                              block="assessment_form", status_code=422)
            result_id = result.id
        return go(request, f"/clients/{client_id}/assessments/{result_id}")

    @get("/{result_id:uuid}", opt={"action": "clinical.read"}, sync_to_thread=True)
    def result(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], result_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            client = clients.get_client(work, client_id)
            stored = assessments.get_result(work, client.id, result_id)
            instrument = work.registry.assessments.get(stored.instrument_key, stored.instrument_version)
            shown = display.describe(work.registry, "assessments", stored.instrument_key, stored.instrument_version,
                                     stored.answers)
            flags = [f for f in stored.flags if isinstance(f, dict)]
            context = {
                "client": client, "shown": shown, "total": f"{stored.total:g}", "band": stored.band or "",
                "version": stored.instrument_version, "flags": flags,
                "risk": any(f.get("severity") == "risk" for f in flags),
                "name": instrument.name if instrument else stored.instrument_key,
                "when": f"{to_local(stored.administered_at, work.center.timezone):%d %b %Y %H:%M}",
                "charts": trends(work, client.id, stored.instrument_key)[0],
                "can_administer": work.may("clinical.write", client.id),
                "instrument_key": stored.instrument_key,
            }
        return render(request, "assessments/result.html", context, block="assessment_result")
