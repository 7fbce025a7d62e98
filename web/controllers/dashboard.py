"""The start page: today's sessions for everyone, the co-signature queue for supervisors."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor, scopes_for
from polymodal.core.practice import Practice
from polymodal.core.services import client_record, privacy, scheduling
from polymodal.core.timeutil import clock_time, local_to_utc, to_local, today_in
from polymodal.web.controllers._attention import attention_panels
from polymodal.web.controllers.notes import dashboard_panel as notes_panel
from polymodal.web.rendering import kept, render
from polymodal.web.threads import read_on_loop

CENTER_ROWS = 50
"""Sessions listed on the center-wide dashboard; the day's schedule shows the rest."""


class DashboardController(Controller):
    path = "/"

    @get("/", opt={"action": "schedule.read"})
    @read_on_loop
    def dashboard(self, request: HTMXRequest, practice: NamedDependency[Practice],
                  actor: NamedDependency[Actor]) -> Template:
        # Practitioners see their own day; the front desk and admins see the whole center's.
        mine_only = bool({"practitioner", "supervisor"} & actor.roles)
        with practice.work(actor, write=False) as work:
            tz = work.center.timezone
            today = today_in(tz, work.now)
            start = local_to_utc(dt.datetime.combine(today, dt.time()), tz)
            end = local_to_utc(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()), tz)
            more = False
            if mine_only:
                rows = scheduling.sessions_between(work, start, end, practitioner_id=actor.user_id)
            else:
                # A center runs hundreds of sessions a day: the desk sees the next ones still to end, and the
                # day's schedule has them all.
                rows = scheduling.sessions_between(work, max(start, work.now), end, limit=CENTER_ROWS + 1)
                more, rows = len(rows) > CENTER_ROWS, rows[:CENTER_ROWS]
            who = client_record.attendees(work, [r[0] for r in rows])
            panel = notes_panel(work, actor)
            reviews_glass = bool(scopes_for(actor, "break_glass.review"))
            glass = privacy.grants_to_review(work) if reviews_glass else []
            panels = attention_panels(work)
        reads_plugins = bool(scopes_for(actor, "plugins.read"))
        plugin_errors = practice.recent_plugin_errors(limit=5) if reads_plugins else []
        names = {m.key: m.name for m in practice.registry.modalities}
        # What the list shows, row by row: the key its markup is kept by, so the same rows are drawn once.
        # Rows unpacked in sessions_between's column order: read by name, they cost two thirds of the list.
        shown = tuple((sid, starts_at, ends_at, names.get(modality, modality), status, delivery,
                       tuple(who.get(sid, ())))
                      for sid, starts_at, ends_at, modality, status, delivery, _room, _case in rows)
        today_sessions = kept(request, "dashboard/_today.html", (tz, mine_only, more, shown),
                              lambda: _today_context(shown, tz, mine_only, more))
        grants = [{"granted": f"{to_local(g.granted_at, tz):%d %b %H:%M}",
                   "expires": f"{to_local(g.expires_at, tz):%d %b %H:%M}", "reason": g.reason} for g in glass]
        errors = [{"at": f"{to_local(e.at, tz):%d %b %H:%M}", "plugin": e.plugin, "hook": e.hook}
                  for e in plugin_errors]
        return render(request, "dashboard/index.html", {
            "today": today, "today_sessions": today_sessions, "mine_only": mine_only, **panel,
            "can_register": bool(scopes_for(actor, "client.create")),
            "show_glass": reviews_glass, "grants": grants, "show_plugin_errors": reads_plugins,
            "plugin_errors": errors,
            **panels,
        }, block="today_sessions")


def _today_context(shown: tuple, tz: str, mine_only: bool, more: bool) -> dict:
    return {"mine_only": mine_only, "more_sessions": more, "sessions": [{
        "id": sid, "start": clock_time(starts_at, tz), "end": clock_time(ends_at, tz), "modality": modality,
        "delivery": delivery.replace("_", " "), "status": status, "status_label": status.replace("_", " "),
        "clients": clients,
    } for sid, starts_at, ends_at, modality, status, delivery, clients in shown]}
