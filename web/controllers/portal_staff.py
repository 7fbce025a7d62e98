"""Staff side of the portal, a tab of the client page: prepare a packet, issue, list and revoke links.

The link's token is shown once, in the response to the request that made it
(never in a URL, never stored), and e-mailed through the outbox when asked.
"""

from __future__ import annotations

import uuid
from typing import Any

import anyio.to_thread
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor
from polymodal.core.errors import ValidationFailed
from polymodal.core.messaging import notices
from polymodal.core.models import Client, Guardian
from polymodal.core.practice import Practice, Work
from polymodal.core.services import clients, portal
from polymodal.core.timeutil import to_local
from polymodal.web.controllers.client_tabs import tab_context as client_context
from polymodal.web.rendering import render

PREPARE = {"action": "portal.prepare"}


def _when(work: Work, moment: Any) -> str:
    return f"{to_local(moment, work.center.timezone):%d %b %Y %H:%M}" if moment else ""


def _render(request: HTMXRequest, practice: Practice, actor: Actor, client_id: uuid.UUID, *,
            values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
            new_link: dict[str, Any] | None = None, status_code: int = 200) -> Template:
    with practice.work(actor, write=False) as work:
        context = client_context(work, client_id, "portal")
        links = portal.link_overview(work, client_id)
        for row in links:
            row["created"], row["expires"] = _when(work, row["created_at"]), _when(work, row["expires_at"])
            row["submitted"] = _when(work, row["submitted_at"])
        context.update(
            links=links,
            guardians=[{"id": str(g.id), "name": g.name, "relationship": g.relationship_,
                        "can_consent": g.can_consent} for g in clients.guardians_of(work, client_id)],
            modalities=[(m.key, m.name) for m in work.registry.modalities],
            instruments=[(a.key, f"{a.abbreviation}: {a.name}") for a in work.registry.assessments if a.items],
            consents=[(d.key, d.title) for d in work.registry.consent_documents],
        )
    context.update(tab="portal", tab_label="Portal", values=values or {},
                   errors=errors or {}, new_link=new_link)
    return render(request, "clients/detail.html", context, block="client_tab", status_code=status_code)


def _issue(practice: Practice, actor: Actor, client_id: uuid.UUID, issue, link_base: str,
           email: bool) -> dict[str, Any]:
    """Run ``issue(work)`` → (link, token); describe the new link for its one-time display, and queue its
    e-mail in the same transaction when asked (a link that fails to issue sends nothing)."""
    with practice.work(actor) as work:
        link, token = issue(work)
        client = work.db.get(Client, link.client_id)
        guardian = work.db.get(Guardian, link.guardian_id) if link.guardian_id else None
        info = {"recipient": f"{guardian.name} ({guardian.relationship_})" if guardian else client.display_name,
                "expires": _when(work, link.expires_at), "url": f"{link_base}/p/{token}",
                "emailed_to": "", "email_error": ""}
        if email:
            try:
                info["emailed_to"] = notices.portal_link(work, link, info["url"], info["expires"])
            except ValidationFailed as exc:
                info["email_error"] = exc.errors["email"]
    return info


class PortalStaffController(Controller):
    path = "/clients/{client_id:uuid}/portal"

    @get("/", opt=PREPARE, sync_to_thread=True)
    def tab(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
            client_id: FromPath[uuid.UUID]) -> Template:
        return _render(request, practice, actor, client_id)

    @post("/", opt=PREPARE, status_code=200)
    async def prepare(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID]) -> Response:
        """Prepare a packet and issue its first link, for the client or one of their guardians."""
        form = await request.form()
        values = {"modality": form.getall("modality", []), "instrument": form.getall("instrument", []),
                  "consent": form.getall("consent", []),
                  "recipient": str(form.get("recipient", "client"))[:40], "days": str(form.get("days", "7"))[:4],
                  "email": form.get("email") == "yes"}

        def issue(work: Work):
            errors = {}
            try:
                days = int(values["days"])
            except ValueError:
                errors["days"] = "Enter a number of days, 1 to 30."
            try:
                guardian_id = None if values["recipient"] == "client" else uuid.UUID(values["recipient"])
            except ValueError:
                errors["recipient"] = "Choose the client or one of their guardians."
            if errors:
                raise ValidationFailed(errors)
            packet = portal.prepare_packet(work, client_id, values["modality"] or None, values["instrument"],
                                           values["consent"])
            return portal.issue_link(work, packet.id, guardian_id=guardian_id, days=days)

        link_base = request.app.state.web_settings.link_base
        try:
            new_link = await anyio.to_thread.run_sync(_issue, practice, actor, client_id, issue, link_base,
                                                      values["email"])
        except ValidationFailed as exc:
            errors = exc.errors
            return await anyio.to_thread.run_sync(lambda: _render(
                request, practice, actor, client_id, values=values, errors=errors, status_code=422))
        return await anyio.to_thread.run_sync(lambda: _render(request, practice, actor, client_id,
                                                              new_link=new_link))

    @post("/links/{link_id:uuid}/reissue", opt=PREPARE, status_code=200)
    async def reissue(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID],
                      link_id: FromPath[uuid.UUID]) -> Response:
        """A fresh link to the same packet and recipient; the answers saved so far are kept."""
        form = await request.form()
        new_link = await anyio.to_thread.run_sync(
            _issue, practice, actor, client_id, lambda work: portal.reissue_link(work, link_id, client_id),
            request.app.state.web_settings.link_base, form.get("email") == "yes")
        return await anyio.to_thread.run_sync(lambda: _render(request, practice, actor, client_id,
                                                              new_link=new_link))

    @post("/links/{link_id:uuid}/revoke", opt=PREPARE, status_code=200, sync_to_thread=True)
    def revoke(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], link_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor) as work:
            portal.revoke_link(work, link_id, client_id)
        return _render(request, practice, actor, client_id)
