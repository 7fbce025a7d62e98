"""Retention: the admin reviews the records due for destruction, places and lifts legal holds, destroys.

Nothing here shows clinical content: names, dates, the rule and who did what. Every change is made by
the services in core/retention, which check the actor, the dates and the holds again.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor
from polymodal.core.errors import ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.retention import destroy, due, holds
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.rendering import render

CONFIRM_WORD = "destroy"


def _listed(data: dict[str, Any], name: str) -> list[str]:
    raw = data.get(name, [])
    return [str(v)[:40] for v in (raw if isinstance(raw, list) else [raw]) if v]


def _ids(data: dict[str, Any], name: str, field: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(v) for v in _listed(data, name)]
    except ValueError:
        raise ValidationFailed({field: "Choose from the list."}) from None


def _count(value: str) -> int | None:
    """The number of records just destroyed, from the redirect's query (nothing else is echoed)."""
    return int(value) if value.isdigit() and len(value) < 6 else None


class RetentionController(Controller):
    path = "/admin/retention"

    def _page(self, request: HTMXRequest, work: Work, *, block: str = "due_form", errors: dict[str, str] | None = None,
              values: dict[str, Any] | None = None, status_code: int = 200) -> Template:
        context = {"section": "retention", "review": due.review(work), "holds": holds.holds_in_force(work),
                   "destroyed": destroy.destroyed_records(work), "errors": errors or {},
                   "values": values or {"client": []}, "confirm_word": CONFIRM_WORD,
                   "done": _count(request.query_params.get("destroyed", ""))}
        return render(request, "admin/retention.html", context, block=block, status_code=status_code)

    @get("", opt={"action": "retention.review"}, sync_to_thread=True)
    def index(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor, write=False) as work:
            return self._page(request, work)

    @post("/destroy", opt={"action": "retention.destroy"}, status_code=200, sync_to_thread=True)
    def destroy(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                data: AnyForm) -> Response:
        reason = one(data, "reason", 2000)
        values = {"client": _listed(data, "client"), "reason": reason, "confirm": one(data, "confirm", 40)}
        try:
            client_ids = _ids(data, "client", "client")
            if values["confirm"].strip().casefold() != CONFIRM_WORD:
                raise ValidationFailed({"confirm": f"Type the word {CONFIRM_WORD} to confirm: this cannot be undone."})
            with practice.work(actor) as work:
                done = destroy.destroy(work, client_ids, reason)
        except ValidationFailed as exc:
            with practice.work(actor, write=False) as work:
                return self._page(request, work, errors=exc.errors, values=values, status_code=422)
        return go(request, f"/admin/retention?destroyed={len(done)}")

    @get("/hold", opt={"action": "legal_hold.manage"}, sync_to_thread=True)
    def hold_form(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                  client: FromQuery[uuid.UUID | None] = None) -> Template:
        with practice.work(actor, write=False) as work:
            return self._hold_page(request, work, client, errors={}, values={"target": "client"})

    def _hold_page(self, request: HTMXRequest, work: Work, client_id: uuid.UUID | None, *, errors: dict[str, str],
                   values: dict[str, Any], status_code: int = 200) -> Template:
        client, cases = holds.hold_targets(work, client_id) if client_id else (None, [])
        return render(request, "admin/retention_hold.html",
                      {"section": "retention", "client": client, "cases": cases, "errors": errors, "values": values},
                      block="hold_form", status_code=status_code)

    @post("/hold", opt={"action": "legal_hold.manage"}, status_code=200, sync_to_thread=True)
    def hold(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
             data: AnyForm) -> Response:
        values = {"client": one(data, "client", 40), "target": one(data, "target", 40),
                  "reason": one(data, "reason", 2000)}
        client_id = None
        try:
            client_id = next(iter(_ids(data, "client", "client")), None)
            if client_id is None:
                raise ValidationFailed({"client": "Open the hold form from a client's row in the list."})
            case_id = None if values["target"] == "client" else next(iter(_ids(data, "target", "target")), None)
            with practice.work(actor) as work:
                if case_id is not None and case_id not in {c.id for c in holds.hold_targets(work, client_id)[1]}:
                    raise ValidationFailed({"target": "Choose the whole record or one of this client's cases."})
                holds.place_hold(work, reason=values["reason"], client_id=None if case_id else client_id,
                                 case_id=case_id)
        except ValidationFailed as exc:
            with practice.work(actor, write=False) as work:
                return self._hold_page(request, work, client_id, errors=exc.errors, values=values, status_code=422)
        return go(request, "/admin/retention")

    @post("/lift", opt={"action": "legal_hold.manage"}, status_code=200, sync_to_thread=True)
    def lift(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
             data: AnyForm) -> Response:
        values = {"hold": one(data, "hold", 40), "lift_reason": one(data, "lift_reason", 2000)}
        try:
            hold_id = next(iter(_ids(data, "hold", "lift_reason")), None)
            if hold_id is None:
                raise ValidationFailed({"lift_reason": "Choose a hold to lift."})
            with practice.work(actor) as work:
                holds.lift_hold(work, hold_id, values["lift_reason"])
        except ValidationFailed as exc:
            with practice.work(actor, write=False) as work:
                return self._page(request, work, block="holds", errors=exc.errors, values=values, status_code=422)
        return go(request, "/admin/retention")
