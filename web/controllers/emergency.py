"""Break the glass: an admin's audited, time-limited access to one client's record, and its review."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from polymodal.core.access import Actor
from polymodal.core.errors import AccessDenied, ValidationFailed
from polymodal.core.practice import Practice
from polymodal.core.services import clients, privacy
from polymodal.web.rendering import render

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class EmergencyAccessController(Controller):
    @get("/clients/{client_id:uuid}/break-glass", opt={"action": "break_glass.grant"}, sync_to_thread=True)
    def form(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
             client_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            client = clients.get_client(work, client_id)
        return render(request, "emergency/break_glass.html",
                      {"client": client, "values": {"minutes": "60"}, "errors": {}}, block="break_glass_form")

    @post("/clients/{client_id:uuid}/break-glass", opt={"action": "break_glass.grant"}, status_code=200,
          sync_to_thread=True)
    def grant(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
              client_id: FromPath[uuid.UUID], data: FormData) -> Response:
        values = {"reason": str(data.get("reason", ""))[:1000], "minutes": str(data.get("minutes", "60"))[:4]}
        try:
            minutes = int(values["minutes"]) if values["minutes"].isdigit() else 0
            with practice.work(actor) as work:
                privacy.break_glass(work, client_id, values["reason"], str(data.get("password", "")), minutes)
            return Redirect(path=f"/clients/{client_id}/notes", status_code=303)
        except (ValidationFailed, AccessDenied) as exc:
            errors = exc.errors if isinstance(exc, ValidationFailed) else {"password": "That is not your password."}
            with practice.work(actor, write=False) as work:
                client = clients.get_client(work, client_id)
            # The password is never sent back into the form.
            return render(request, "emergency/break_glass.html", {"client": client, "values": values,
                                                                   "errors": errors},
                          block="break_glass_form", status_code=422)

    @get("/admin/emergency-access", opt={"action": "break_glass.review"}, sync_to_thread=True)
    def review_list(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor, write=False) as work:
            grants = privacy.grants_to_review(work)
        return render(request, "emergency/review.html", {"grants": grants}, block="grant_rows")

    @post("/admin/emergency-access/{grant_id:uuid}/review", opt={"action": "break_glass.review"},
          status_code=200, sync_to_thread=True)
    def review(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               grant_id: FromPath[uuid.UUID]) -> Response:
        with practice.work(actor) as work:
            privacy.review_grant(work, grant_id)
        with practice.work(actor) as work:
            grants = privacy.grants_to_review(work)
        if not request.htmx:
            return Redirect(path="/admin/emergency-access", status_code=303)
        return render(request, "emergency/review.html", {"grants": grants}, block="grant_rows")
