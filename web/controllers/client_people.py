"""The people around a client: guardians and the care team, edited in place on the overview tab."""

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
from polymodal.core.errors import ValidationFailed
from polymodal.core.messaging import preferences
from polymodal.core.practice import Practice, Work
from polymodal.core.services import clients, users
from polymodal.web.controllers.client_tabs import TABS, tab_context
from polymodal.web.rendering import render

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
GUARDIAN_FIELDS = ("name", "relationship", "email", "phone")


def _overview(request: HTMXRequest, work: Work, client_id: uuid.UUID, *, team_error: dict[str, str] | None = None,
              status_code: int = 200) -> Template | Response:
    """After a change: htmx gets the refreshed overview in place of the tab, a plain form a redirect.

    ``team_error`` (member id to message) shows a refused removal beside that member, on the whole page.
    """
    if not request.htmx and not team_error:
        return Redirect(path=f"/clients/{client_id}", status_code=303)
    context = tab_context(work, client_id, "overview")
    context.update(tab="overview", tab_label=TABS["overview"].label, team_error=team_error or {})
    return render(request, "clients/detail.html", context, block="client_tab",
                  headers={"HX-Retarget": "#client-tab", "HX-Reswap": "outerHTML"}, status_code=status_code)


class ClientPeopleController(Controller):
    path = "/clients/{client_id:uuid}"

    # --- guardians ----------------------------------------------------------------

    @get("/guardians/new", opt={"action": "client.update"}, sync_to_thread=True)
    def new_guardian(self, request: HTMXRequest, practice: NamedDependency[Practice],
                     actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            client = clients.get_client(work, client_id)
            work.require("client.update", client.id, record_type="client", record_id=client.id)
        return render(request, "clients/guardian_form.html",
                      {"client": client, "values": {"can_consent": "true"}, "errors": {}}, block="guardian_form")

    @post("/guardians", opt={"action": "client.update"}, status_code=200, sync_to_thread=True)
    def add_guardian(self, request: HTMXRequest, practice: NamedDependency[Practice],
                     actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID], data: FormData) -> Response:
        values = {name: str(data.get(name, ""))[:500] for name in GUARDIAN_FIELDS}
        # An unticked checkbox sends nothing; say "false" rather than let the service default to yes.
        values["can_consent"] = "true" if data.get("can_consent") else "false"
        try:
            with practice.work(actor) as work:
                # A blank email means none; the guardian model validates a given one as an address.
                clients.add_guardian(work, client_id, {**values, "email": values["email"].strip() or None})
                return _overview(request, work, client_id)
        except ValidationFailed as exc:
            with practice.work(actor, write=False) as work:
                client = clients.get_client(work, client_id)
            return render(request, "clients/guardian_form.html",
                          {"client": client, "values": values, "errors": exc.errors},
                          block="guardian_form", status_code=422)

    # --- care team ----------------------------------------------------------------

    @get("/care-team/new", opt={"action": "care_team.manage"}, sync_to_thread=True)
    def new_member(self, request: HTMXRequest, practice: NamedDependency[Practice],
                   actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            context = self._member_context(work, client_id)
        return render(request, "clients/care_team_form.html", {**context, "selected": "", "errors": {}},
                      block="care_team_form")

    @post("/care-team", opt={"action": "care_team.manage"}, status_code=200, sync_to_thread=True)
    def add_member(self, request: HTMXRequest, practice: NamedDependency[Practice],
                   actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID], data: FormData) -> Response:
        selected = str(data.get("user_id", ""))[:40]
        try:
            user_id = uuid.UUID(selected)
        except ValueError:
            user_id = None
        try:
            with practice.work(actor) as work:
                if user_id is None:
                    raise ValidationFailed({"user_id": "Choose a practitioner."})
                clients.add_to_care_team(work, client_id, user_id)
                return _overview(request, work, client_id)
        except ValidationFailed as exc:
            with practice.work(actor, write=False) as work:
                context = self._member_context(work, client_id)
            return render(request, "clients/care_team_form.html",
                          {**context, "selected": selected, "errors": exc.errors},
                          block="care_team_form", status_code=422)

    @post("/care-team/{user_id:uuid}/remove", opt={"action": "care_team.manage"}, status_code=200,
          sync_to_thread=True)
    def remove_member(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                      client_id: FromPath[uuid.UUID], user_id: FromPath[uuid.UUID], data: FormData) -> Response:
        reason = str(data.get("reason", ""))[:1000]
        try:
            with practice.work(actor) as work:
                clients.remove_from_care_team(work, client_id, user_id, reason)
                return _overview(request, work, client_id)
        except ValidationFailed as exc:
            with practice.work(actor, write=False) as work:
                return _overview(request, work, client_id, team_error={str(user_id): exc.errors.get("reason", "")},
                                 status_code=422)

    @staticmethod
    def _member_context(work: Work, client_id: uuid.UUID) -> dict:
        client = clients.get_client(work, client_id)
        work.require("care_team.manage", client.id, record_type="client", record_id=client.id)
        on_team = {u.id for u in clients.care_team(work, client.id)}
        # Nobody adds themselves (the service refuses it too), so the actor is not offered.
        choices = [p for p in users.practitioners(work) if p.id not in on_team and p.id != work.actor.user_id]
        return {"client": client, "choices": choices}

    # --- what the client agreed to receive ----------------------------------------------

    @post("/contact-preferences", opt={"action": "client.update"}, status_code=200, sync_to_thread=True)
    def contact_preferences(self, request: HTMXRequest, practice: NamedDependency[Practice],
                            actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID],
                            data: FormData) -> Response:
        """Unticked boxes send nothing: each choice is what was ticked, never a default."""
        with practice.work(actor) as work:
            preferences.save_contact_preference(
                work, client_id, consent_to_contact=data.get("consent_to_contact") == "yes",
                email_notices=data.get("email_notices") == "yes", email_reminders=data.get("email_reminders") == "yes")
            return _overview(request, work, client_id)
