"""The center-wide audit page: every event, filtered and paged, and a "verify the trail" button.

Whoever holds ``audit.read`` (admins) reads it. The query and the check are core's
(``polymodal.core.audit_trail``); this module turns query parameters into filters and rows into words.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor
from polymodal.core.audit_trail import check, listing, words
from polymodal.core.errors import ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.timeutil import to_local
from polymodal.web.rendering import render
from polymodal.web.threads import on_long_thread

FILTERS = ("person", "client", "client_id", "action", "since", "until")
SHOWN_PROBLEMS = 100


def _who(row: Any) -> str:
    if row.actor_display:
        return row.actor_display
    if row.actor_name.startswith("portal/"):
        return "The client portal"
    return f"System ({row.actor_name})" if row.actor_name else "System"


def _client(row: Any) -> str:
    if row.client_id is None:
        return ""
    if row.legal_last_name is None:
        return "a record no longer held"
    first = row.preferred_name or row.legal_first_name
    return f"{first} {row.legal_last_name}"


def _row(row: Any, tz: str) -> dict[str, Any]:
    at = to_local(row.at, tz)
    return {"seq": row.seq, "when": f"{at:%d %b %Y %H:%M:%S}", "zone": f"{at:%Z}", "iso": at.isoformat(),
            "who": _who(row), "role": row.actor_role.replace("_", " ").replace(",", ", "),
            "what": words.describe(row.action), "action": row.action,
            "record": words.THINGS.get(row.record_type, row.record_type.replace("_", " ").capitalize()),
            "client_id": row.client_id, "client": _client(row), "outcome": row.outcome, "reason": row.reason,
            "origin": row.origin}


def _actions() -> list[tuple[str, str]]:
    # Every action the core writes, by its words; a plugin's own action is still found by a row's link.
    return sorted(((a, words.describe(a)) for a in words.KNOWN), key=lambda pair: pair[1])


class AuditTrailController(Controller):
    path = "/admin/audit"

    def _page(self, request: HTMXRequest, work: Work, *, values: dict[str, str], errors: dict[str, str],
              page: listing.Page | None, checked: check.TrailCheck | None = None, block: str = "audit_events",
              status_code: int = 200) -> Template:
        tz = work.center.timezone
        kept = {k: v for k, v in values.items() if v and k in FILTERS}
        more = f"?{urlencode({**kept, 'before': page.next_before})}" if page and page.next_before else ""
        actions = _actions()
        if values.get("action") and values["action"] not in dict(actions):
            actions.insert(0, (values["action"], words.describe(values["action"])))
        context = {"section": "audit", "values": values, "errors": errors,
                   "rows": [_row(r, tz) for r in page.rows] if page else [], "more": more,
                   "first_page": "?" + urlencode(kept) if values.get("before") else "",
                   "any_client": "?" + urlencode({k: v for k, v in kept.items() if k not in ("client", "client_id")}),
                   "people": listing.people(work), "actions": actions, "zone": tz, "checked": checked,
                   "problems": checked.problems[:SHOWN_PROBLEMS] if checked else ()}
        return render(request, "admin/audit.html", context, block=block, status_code=status_code)

    @get("", opt={"action": "audit.read"}, sync_to_thread=True)
    def index(self, request: HTMXRequest, practice: NamedDependency[Practice],
              actor: NamedDependency[Actor]) -> Template:
        values = {name: request.query_params.get(name, "")[:100] for name in (*FILTERS, "before")}
        with practice.work(actor, write=False) as work:
            before = values["before"]
            try:
                if before and not (before.isdigit() and len(before) < 19):
                    raise ValidationFailed({"form": "That page link is broken: start again from the first page."})
                filters = listing.parse(work, values)
            except ValidationFailed as exc:
                return self._page(request, work, values=values, errors=exc.errors, page=None, status_code=422)
            found = listing.page(work, filters, int(before) if before else None)
            return self._page(request, work, values=values, errors={}, page=found)

    @post("/verify", opt={"action": "audit.read"}, status_code=200)
    @on_long_thread
    def verify(self, request: HTMXRequest, practice: NamedDependency[Practice],
               actor: NamedDependency[Actor]) -> Template:
        # Read-only work: the check reads the whole trail; its own audit event is written when it ends.
        with practice.work(actor, write=False) as work:
            checked = check.verify(work)
            # Without htmx the whole page comes back: the result above the newest events.
            found = None if request.htmx else listing.page(work, listing.Filters())
            return self._page(request, work, values={}, errors={}, page=found, checked=checked,
                              block="verify_result")
