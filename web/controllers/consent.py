"""Consent, staff side: the client's consents and their state, recording a signature in person, revoking.

The signer is the client or one of their guardians; whether a minor may sign
alone, and whether a guardian has authority, is the core's decision
(``core.services.consent``). A typed name and a confirmation stand for the
signature; the text signed is the chosen version's, kept by its hash.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core import display, eligibility
from polymodal.core.access import Actor
from polymodal.core.contributions import ConsentDocument, validate_fields
from polymodal.core.errors import Conflict, ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.services import client_record, clients, consent
from polymodal.core.timeutil import to_local
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.fields import answers_from_form
from polymodal.web.rendering import render

CONFIRM_MESSAGE = "Confirm that the signer has read this text and agrees to it."


def _required_for(work: Work, client_id: uuid.UUID) -> list[str]:
    keys: list[str] = []
    for modality_key in client_record.modalities_of(work, client_id):
        modality = work.registry.modalities.get(modality_key)
        keys += [k for k in getattr(modality, "consents_required", ()) if k not in keys]
    return keys


def tab(work: Work, client_id: uuid.UUID) -> dict[str, Any]:
    """The consents tab: every signature with its state, and required documents with none active."""
    tz = work.center.timezone
    rows = consent.consent_rows(work, client_id)
    listed = []
    for r in rows:
        doc = work.registry.consent_documents.get(r.document_key, r.document_version)
        listed.append({
            "id": r.id, "document": getattr(doc, "title", r.document_key), "version": r.document_version,
            "signer": r.signer_name, "capacity": r.signer_capacity, "method": r.method.replace("_", " "),
            "state": consent.state_at(r.expires_at, r.revoked_at, work.now),
            "signed": f"{to_local(r.signed_at, tz):%d %b %Y}",
            "expires": f"{to_local(r.expires_at, tz):%d %b %Y}" if r.expires_at else "",
            "assent": _assent_text(r.scope, tz),
        })
    active = {r.document_key for r in rows if consent.state_at(r.expires_at, r.revoked_at, work.now) == "active"}
    missing = [{"key": k, "title": getattr(work.registry.consent_documents.get(k), "title", k)}
               for k in _required_for(work, client_id) if k not in active]
    return {"consents": listed, "missing": missing, "can_record": work.may("consent.record", client_id)}


def _offered(work: Work, client_id: uuid.UUID) -> list[ConsentDocument]:
    required = _required_for(work, client_id)
    documents = list(work.registry.consent_documents)
    return sorted(documents, key=lambda d: (d.key not in required, d.title))


def _new_context(work: Work, client_id: uuid.UUID, key: str, version: int | None) -> dict[str, Any]:
    client = clients.get_client(work, client_id)
    work.require("consent.record", client.id, record_type="consent")
    document = work.registry.consent_documents.get(key, version) if key else None
    return {
        "client": client, "offered": _offered(work, client.id), "required": _required_for(work, client.id),
        "document": document,
        "versions": work.registry.consent_documents.versions(key) if document else (),
        "guardians": [{"id": g.id, "name": g.name, "relationship": g.relationship_, "can_consent": g.can_consent}
                      for g in client.guardians],
        "minor": clients.is_minor(work, client),
        "signs_alone": clients.may_consent_alone(work, client, document),
        "why_guardian": eligibility.guardian_reason(work, document),
    }


def _assent_text(scope: dict[str, Any] | None, tz: str) -> str:
    state, name, at = consent.assent_of(scope)
    if not state:
        return ""
    said = {"given": "agreed", "declined": "did not agree"}[state]
    return f"{said}{f' ({name})' if name else ''}{f', {to_local(at, tz):%d %b %Y}' if at else ''}"


def _signer(value: str) -> tuple[str, uuid.UUID | None]:
    if value.startswith("guardian:"):
        try:
            return "guardian", uuid.UUID(value.removeprefix("guardian:"))
        except ValueError:
            return "guardian", None
    return "self", None


class ConsentController(Controller):
    path = "/clients/{client_id:uuid}/consents"

    @get("/new", opt={"action": "consent.record"}, sync_to_thread=True)
    def new(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
            client_id: FromPath[uuid.UUID], document: Annotated[str, QueryParameter(max_length=120)] = "",
            version: Annotated[int | None, QueryParameter(ge=1, le=10_000)] = None) -> Template:
        with practice.work(actor, write=False) as work:
            context = _new_context(work, client_id, document, version)
        return render(request, "consent/form.html", {**context, "values": {}, "errors": {}}, block="consent_form")

    @post("/new", opt={"action": "consent.record"}, status_code=200, sync_to_thread=True)
    def record(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        key = one(data, "document_key", 120)
        raw_version = one(data, "version", 6)
        version = int(raw_version) if raw_version.isdigit() else None
        with practice.work(actor) as work:
            context = _new_context(work, client_id, key, version)
            document: ConsentDocument | None = context["document"]
            if document is None:
                return render(request, "consent/form.html", {
                    **context, "values": {}, "errors": {"document_key": "Choose one of the documents listed."},
                }, block="consent_form", status_code=422)
            answers = answers_from_form(document.fields, data)
            signer = one(data, "signer", 60)
            values = {**answers, "signer": signer, "signer_name": one(data, "signer_name", 300),
                      "confirm": one(data, "confirm", 10), "assent": one(data, "assent", 10),
                      "assent_name": one(data, "assent_name", 300)}
            errors: dict[str, str] = {}
            capacity, guardian_id = _signer(signer)
            if values["confirm"] != "yes":
                # Nothing is recorded without the confirmation; show every other problem at once too.
                errors = {"confirm": CONFIRM_MESSAGE, **validate_fields(document.fields, answers)[1]}
                if not values["signer_name"].strip():
                    errors["signer_name"] = "Type the signer's full name."
            else:
                try:
                    record = consent.record_consent(
                        work, client_id, document.key, version=document.version, signer_name=values["signer_name"],
                        capacity=capacity, guardian_id=guardian_id, method="in_person", answers=answers,
                        assent=values["assent"] if capacity == "guardian" else "", assent_name=values["assent_name"])
                    record_id = record.id
                except ValidationFailed as exc:
                    errors = dict(exc.errors)
                    for name in ("capacity", "guardian_id"):
                        if name in errors:
                            errors["signer"] = errors.pop(name)
            if errors:
                return render(request, "consent/form.html", {**context, "values": values, "errors": errors},
                              block="consent_form", status_code=422)
        return go(request, f"/clients/{client_id}/consents/{record_id}")

    @get("/{consent_id:uuid}", opt={"action": "consent.status"}, sync_to_thread=True)
    def detail(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], consent_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            context = self._detail(work, client_id, consent_id)
        return render(request, "consent/detail.html", {**context, "errors": {}, "reason": ""},
                      block="consent_detail")

    @post("/{consent_id:uuid}/revoke", opt={"action": "consent.record"}, status_code=200, sync_to_thread=True)
    def revoke(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], consent_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        reason = one(data, "reason", 1000)
        with practice.work(actor) as work:
            context = self._detail(work, client_id, consent_id)
            try:
                consent.revoke_consent(work, consent_id, reason)
            except (ValidationFailed, Conflict) as exc:
                errors = exc.errors if isinstance(exc, ValidationFailed) else {"reason": str(exc)}
                return render(request, "consent/detail.html", {**context, "errors": errors, "reason": reason},
                              block="consent_detail", status_code=422)
        return go(request, f"/clients/{client_id}/consents/{consent_id}")

    @staticmethod
    def _detail(work: Work, client_id: uuid.UUID, consent_id: uuid.UUID) -> dict[str, Any]:
        client = clients.get_client(work, client_id)
        # The front desk sees a consent's status (and may revoke it); its answers only the care team.
        contents = consent.may_read_contents(work, client.id)
        record = consent.get_consent(work, client.id, consent_id, contents=contents)
        document = work.registry.consent_documents.get(record.document_key, record.document_version)
        tz = work.center.timezone
        scope = (record.scope or {}) if contents else {}
        shown = display.describe(work.registry, "consent_documents", record.document_key, record.document_version,
                                 scope.get("answers") or {})
        state = record.state(work.now)
        return {
            "client": client, "record": record, "document": document, "shown": shown, "state": state,
            "contents": contents,
            "text_matches": bool(document and document.text_hash == record.text_hash),
            "signed": f"{to_local(record.signed_at, tz):%d %b %Y %H:%M}",
            "expires": f"{to_local(record.expires_at, tz):%d %b %Y}" if record.expires_at else "",
            "revoked": f"{to_local(record.revoked_at, tz):%d %b %Y %H:%M}" if record.revoked_at else "",
            "can_revoke": state == "active" and work.may("consent.record", client.id),
            "assent": _assent_text(scope, tz),
        }
