"""Clients: find (active search), register, edit, and the client page with its tabs."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect, Template

from polymodal.core.access import Actor, scopes_for
from polymodal.core.errors import ValidationFailed
from polymodal.core.practice import Practice
from polymodal.core.services import client_record, clients
from polymodal.web.controllers.client_tabs import TABS, tab_context
from polymodal.web.rendering import render
from polymodal.web.threads import read_on_loop

PAGE_SIZE = 25
FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
FIELDS = tuple(clients.ClientInput.model_fields)


def _values(data: dict[str, Any]) -> dict[str, str]:
    """Only the form's own fields, as entered (ids or roles slipped into the post are dropped)."""
    return {name: str(data.get(name, ""))[:1000] for name in FIELDS}


def _go(request: HTMXRequest, path: str) -> Response:
    # htmx would swap a followed redirect into the form; HX-Redirect loads the page instead.
    return ClientRedirect(redirect_to=path) if request.htmx else Redirect(path=path, status_code=303)


class ClientsController(Controller):
    path = "/clients"

    @get("/", opt={"action": "client.read"})
    @read_on_loop
    def index(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
              q: Annotated[str, QueryParameter(max_length=100)] = "",
              page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1) -> Template:
        with practice.work(actor, write=False) as work:
            # "Ellis, Jo" is how people type a name; the search key has no comma.
            rows = clients.search_clients(work, q.replace(",", " "), limit=PAGE_SIZE + 1,
                                          offset=(page - 1) * PAGE_SIZE)
        return render(request, "clients/list.html", {
            "q": q, "page": page, "rows": rows[:PAGE_SIZE], "has_next": len(rows) > PAGE_SIZE,
            "can_register": bool(scopes_for(actor, "client.create")),
        }, block="client_rows")

    @get("/new", opt={"action": "client.create"}, sync_to_thread=False)
    def new(self, request: HTMXRequest) -> Template:
        return render(request, "clients/form.html", {"values": {}, "errors": {}, "client_id": None},
                      block="client_form")

    @post("/", opt={"action": "client.create"}, status_code=200, sync_to_thread=True)
    def create(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               data: FormData) -> Response:
        values = _values(data)
        try:
            with practice.work(actor) as work:
                clients.check_client(work, values)
                # Shown once: registering anyway after seeing the matches is a deliberate choice.
                matches = [] if data.get("_confirm_new") == "1" else clients.likely_duplicates(work, values)
                client_id = None if matches else clients.register_client(work, values).id
        except ValidationFailed as exc:
            return render(request, "clients/form.html", {"values": values, "errors": exc.errors, "client_id": None},
                          block="client_form", status_code=422)
        if matches:
            return render(request, "clients/form.html", {"values": values, "errors": {}, "client_id": None,
                                                         "matches": matches}, block="client_form")
        return _go(request, f"/clients/{client_id}")

    @get("/{client_id:uuid}/edit", opt={"action": "client.update"}, sync_to_thread=True)
    def edit(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
             client_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            client = clients.get_client(work, client_id)
            # Reading for an edit form needs update rights too: check before showing the values.
            work.require("client.update", client.id, record_type="client", record_id=client.id)
            values = client_record.editable_values(client)
            version = client_record.version_of(client)
        return render(request, "clients/form.html", {"values": values, "errors": {}, "client_id": client_id,
                                                     "version": version}, block="client_form")

    @post("/{client_id:uuid}", opt={"action": "client.update"}, status_code=200, sync_to_thread=True)
    def update(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], data: FormData) -> Response:
        values, version = _values(data), str(data.get("_version", ""))[:64]
        try:
            with practice.work(actor) as work:
                client_record.update_client_if_unchanged(work, client_id, values, version)
        except ValidationFailed as exc:
            return render(request, "clients/form.html", {"values": values, "errors": exc.errors,
                                                         "client_id": client_id, "version": version},
                          block="client_form", status_code=422)
        except client_record.StaleClient as exc:
            # Keep what this person typed, show what is saved now; saving again is a deliberate overwrite.
            changed = {k: v for k, v in exc.current.items() if v != values.get(k, "")}
            return render(request, "clients/form.html", {
                "values": values, "errors": {"form": str(exc)}, "client_id": client_id,
                "version": exc.version, "changed": changed}, block="client_form", status_code=409)
        return _go(request, f"/clients/{client_id}")

    # --- the client page: one route per tab, each with its own declared action -----

    def _tab(self, request: HTMXRequest, practice: Practice, actor: Actor, client_id: uuid.UUID,
             tab: str) -> Template:
        with practice.work(actor, write=False) as work:
            context = tab_context(work, client_id, tab)
        context.update(tab=tab, tab_label=TABS[tab].label)
        return render(request, "clients/detail.html", context, block="client_tab")

    @get("/{client_id:uuid}", opt={"action": "client.read"})
    @read_on_loop
    def overview(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 client_id: FromPath[uuid.UUID]) -> Template:
        return self._tab(request, practice, actor, client_id, "overview")

    @get("/{client_id:uuid}/cases", opt={"action": "client.read"})
    @read_on_loop
    def cases(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
              client_id: FromPath[uuid.UUID]) -> Template:
        return self._tab(request, practice, actor, client_id, "cases")

    @get("/{client_id:uuid}/sessions", opt={"action": "client.read"})
    @read_on_loop
    def sessions(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 client_id: FromPath[uuid.UUID]) -> Template:
        return self._tab(request, practice, actor, client_id, "sessions")

    @get("/{client_id:uuid}/consents", opt={"action": "consent.status"})
    @read_on_loop
    def consents(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 client_id: FromPath[uuid.UUID]) -> Template:
        return self._tab(request, practice, actor, client_id, "consents")

    @get("/{client_id:uuid}/intake", opt={"action": "clinical.read"})
    @read_on_loop
    def intake(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID]) -> Template:
        return self._tab(request, practice, actor, client_id, "intake")

    @get("/{client_id:uuid}/notes", opt={"action": "clinical.read"})
    @read_on_loop
    def notes(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
              client_id: FromPath[uuid.UUID]) -> Template:
        return self._tab(request, practice, actor, client_id, "notes")

    @get("/{client_id:uuid}/assessments", opt={"action": "clinical.read"})
    @read_on_loop
    def assessments(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID]) -> Template:
        return self._tab(request, practice, actor, client_id, "assessments")

    @get("/{client_id:uuid}/eligibility", opt={"action": "clinical.read"})
    @read_on_loop
    def eligibility(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID]) -> Template:
        return self._tab(request, practice, actor, client_id, "eligibility")
