"""Intake and screening forms: pick one offered for the client's modalities, fill it in, read it back.

Every form is rendered from its plugin's definition (``_macros/fields.html``)
and validated by the core; a stored response is shown with the definition
version it was written under (``core.display``).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core import display
from polymodal.core.access import Actor
from polymodal.core.contributions import FormPurpose, FormSpec
from polymodal.core.errors import ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.services import client_record, clients, forms
from polymodal.core.timeutil import to_local
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.fields import answers_from_form
from polymodal.web.rendering import render

OFFERED = (FormPurpose.intake, FormPurpose.screening)
ANSWERED_BY = ("guardian", "client")
NOT_ELIGIBLE = ("modify", "review", "clearance", "excluded", "risk")


def offered_forms(work: Work, client_id: uuid.UUID) -> list[FormSpec]:
    """Intake and screening forms for the client's modalities; every such form before a first session."""
    modalities = set(client_record.modalities_of(work, client_id))
    candidates = [f for f in work.registry.forms if f.purpose in OFFERED]
    mine = [f for f in candidates if not f.modalities or modalities & set(f.modalities)]
    return mine if modalities else candidates


def tab(work: Work, client_id: uuid.UUID) -> dict[str, Any]:
    """The client page's intake tab: responses with their screening outcome."""
    tz = work.center.timezone
    responses = [{
        "id": r.id, "form": getattr(work.registry.forms.get(r.form_key, r.form_version), "title", r.form_key),
        "version": r.form_version, "outcome": r.outcome, "flagged": r.outcome in NOT_ELIGIBLE,
        "findings": [f for f in r.findings if isinstance(f, dict) and f.get("level") != "info"],
        "submitted": f"{to_local(r.submitted_at, tz):%d %b %Y}",
    } for r in forms.response_rows(work, client_id)]
    return {"responses": responses, "can_fill": work.may("clinical.write", client_id)}


def _form_context(work: Work, client_id: uuid.UUID, form_key: str, answered_by: str = "") -> dict[str, Any]:
    client = clients.get_client(work, client_id)
    work.require("clinical.write", client.id, record_type="form")
    offered = offered_forms(work, client.id)
    form = next((f for f in offered if f.key == form_key), None) if form_key else None
    minor = clients.is_minor(work, client)
    # A minor's intake is usually answered by a guardian at the desk; the questions are then worded for them.
    who = answered_by if minor and answered_by in ANSWERED_BY else ("guardian" if minor else "client")
    return {"client": client, "offered": offered, "form": form, "minor": minor, "answered_by": who}


class IntakeController(Controller):
    path = "/clients/{client_id:uuid}/intake"

    @get("/new", opt={"action": "clinical.write"}, sync_to_thread=True)
    def new(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
            client_id: FromPath[uuid.UUID],
            form: Annotated[str, QueryParameter(max_length=120)] = "",
            answered_by: Annotated[str, QueryParameter(max_length=10)] = "",
            from_response: Annotated[uuid.UUID | None, QueryParameter(name="from")] = None) -> Template:
        """The form, empty or filled from one of the client's responses (``?from=``): staff complete a
        portal response's staff-only sections without typing the client's answers again."""
        with practice.work(actor, write=False) as work:
            context = _form_context(work, client_id, form, answered_by)
            values: dict[str, Any] = {}
            if from_response is not None and context["form"] is not None:
                stored = forms.get_response(work, context["client"].id, from_response)
                if stored.form_key == context["form"].key:
                    values = dict(stored.answers)
        return render(request, "intake/form.html", {**context, "values": values, "errors": {}}, block="intake_form")

    @post("/new", opt={"action": "clinical.write"}, status_code=200, sync_to_thread=True)
    def submit(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        form_key = one(data, "form_key", 120)
        with practice.work(actor) as work:
            context = _form_context(work, client_id, form_key, one(data, "answered_by", 10))
            if context["form"] is None:
                return render(request, "intake/form.html", {
                    **context, "values": {}, "errors": {"form_key": "Choose one of the forms offered for this client."},
                }, block="intake_form", status_code=422)
            values = answers_from_form(context["form"].fields, data)
            if data.get("add_row") or data.get("_add"):  # "add a row": the form again, all kept, nothing stored
                return render(request, "intake/form.html", {**context, "values": values, "errors": {}},
                              block="intake_form")
            try:
                # Validation fails before anything is written, so the reads above still commit their audit.
                response = forms.submit_form(work, client_id, form_key, values,
                                             via="guardian_in_person" if context["answered_by"] == "guardian"
                                             else "staff")
            except ValidationFailed as exc:
                return render(request, "intake/form.html", {**context, "values": values, "errors": exc.errors},
                              block="intake_form", status_code=422)
            response_id = response.id
        return go(request, f"/clients/{client_id}/intake/{response_id}")

    @get("/{response_id:uuid}", opt={"action": "clinical.read"}, sync_to_thread=True)
    def response(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 client_id: FromPath[uuid.UUID], response_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            client = clients.get_client(work, client_id)
            stored = forms.get_response(work, client.id, response_id)
            shown = display.describe(work.registry, "forms", stored.form_key, stored.form_version, stored.answers)
            spec = work.registry.forms.get(stored.form_key, stored.form_version)
            staff_only = spec is not None and bool(spec.staff_keys)
            context = {
                "client": client, "shown": shown, "version": stored.form_version, "outcome": stored.outcome,
                "form_key": stored.form_key, "response_id": stored.id,
                # A portal response leaves the staff-only sections empty: staff complete them from its answers.
                "complete_staff": staff_only and stored.submitted_via == "portal"
                and work.may("clinical.write", client.id),
                "flagged": stored.outcome in NOT_ELIGIBLE, "via": stored.submitted_via.replace("_", " "),
                "findings": [f for f in stored.findings if isinstance(f, dict)],
                "submitted": f"{to_local(stored.submitted_at, work.center.timezone):%d %b %Y %H:%M}",
            }
        return render(request, "intake/response.html", context, block="intake_response")
