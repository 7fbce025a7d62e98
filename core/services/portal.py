"""The client portal: packets of forms and consents, secure links, short portal sessions.

A link carries 256 random bits; only their SHA-256 is stored. The first visit
exchanges it for a short portal session; from then on the client's identity
comes from that session (``Actor.portal``), never from a request parameter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any

from sqlalchemy import func, select

from polymodal.core import audit
from polymodal.core.access import Actor
from polymodal.core.contributions import FormPurpose, validate_fields
from polymodal.core.errors import Conflict, NotFound, PolymodalError, ValidationFailed
from polymodal.core.models import (
    Client,
    Guardian,
    LoginFailure,
    PortalLink,
    PortalPacket,
    PortalSession,
    Session,
    SessionClient,
)
from polymodal.core.practice import Practice, Work
from polymodal.core.services import assessments, consent, forms
from polymodal.core.services.clients import is_minor, may_consent_alone

LINK_DAYS = 7
SESSION_MINUTES = 30
TOUCH_EVERY = dt.timedelta(seconds=60)
"""A portal session's end moves at most this often: one write a minute, not one per request."""
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_REFUSALS_PER_ADDRESS = 20
"""Refused link visits from one address in the window before every visit from it is refused."""
THROTTLED = "Too many attempts from this connection. Wait 15 minutes, then open the link again."


class LinkRefused(PolymodalError):
    """A portal link or session that cannot be used; ``reason`` is safe to show."""

    def __init__(self, reason: str, *, status: int = 410) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        """410 for a link that existed, 404 for an unknown one, 429 when throttled."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def item_id(item: dict[str, Any]) -> str:
    return f"{item['kind']}:{item['key']}"


def packet_items(work: Work, modality_keys: list[str]) -> list[dict[str, Any]]:
    """Consents, intake and screening forms the modalities ask for, each once, in a sensible order."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(kind: str, spec: Any) -> None:
        item = {"kind": kind, "key": spec.key, "version": spec.version, "title": getattr(spec, "title", spec.key)}
        if item_id(item) not in seen:
            seen.add(item_id(item))
            items.append(item)

    def add_form(form: Any) -> None:
        if form is not None and form.for_client().fields:  # a form of staff-only sections is not the client's
            add("form", form)

    registry = work.registry
    for key in modality_keys:
        modality = registry.modalities.get(key)
        if modality is None:
            continue
        for form_key in modality.intake_forms:
            add_form(registry.forms.get(form_key))
        for form in registry.forms.for_modality(key):
            if form.purpose is FormPurpose.screening:
                add_form(form)
        for consent_key in modality.consents_required:
            add("consent", registry.consent_documents.get(consent_key))
    return items


def prepare_packet(work: Work, client_id: uuid.UUID, modality_keys: list[str] | None = None,
                   assessment_keys: list[str] | tuple[str, ...] = (),
                   consent_keys: list[str] | tuple[str, ...] = ()) -> PortalPacket:
    """A packet for the modalities given, or those of the client's upcoming sessions.

    ``assessment_keys`` adds standardised instruments (PHQ-9, GAD-7...) chosen by staff:
    they are scored and flagged when the packet is submitted. ``consent_keys`` adds
    consents the modalities do not always need (telehealth, recording...).
    """
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    work.require("portal.prepare", client.id, record_type="portal_packet")
    if modality_keys is None:
        modality_keys = list(work.db.scalars(
            select(Session.modality_key).distinct()
            .join(SessionClient, SessionClient.session_id == Session.id)
            .where(SessionClient.client_id == client.id, Session.starts_at >= work.now,
                   Session.status == "scheduled")))
    items = packet_items(work, sorted(modality_keys))
    chosen = {item_id(i) for i in items}
    for key in dict.fromkeys(consent_keys):
        document = work.registry.consent_documents.get(key)
        if document is None:
            raise ValidationFailed({"consents": "Choose consent documents offered here."})
        if f"consent:{document.key}" not in chosen:
            items.append({"kind": "consent", "key": document.key, "version": document.version,
                          "title": document.title})
    for key in dict.fromkeys(assessment_keys):
        instrument = work.registry.assessments.get(key)
        if instrument is None or not instrument.items:
            raise ValidationFailed({"assessments": "Choose instruments that can be scored here."})
        items.append({"kind": "assessment", "key": instrument.key, "version": instrument.version,
                      "title": instrument.name})
    if not items:
        raise ValidationFailed({"modalities": "Nothing to complete: no forms or consents for these modalities."})
    packet = PortalPacket(client_id=client.id, created_by=work.actor.user_id, items=items)
    work.db.add(packet)
    work.db.flush()
    work.audit("portal.prepare", record_type="portal_packet", record_id=packet.id, client_id=client.id)
    return packet


def issue_link(work: Work, packet_id: uuid.UUID, *, guardian_id: uuid.UUID | None = None,
               days: int = LINK_DAYS) -> tuple[PortalLink, str]:
    """Returns the link row and the token, which is shown once and never stored."""
    packet = work.db.get(PortalPacket, packet_id)
    if packet is None:
        raise NotFound("no such packet")
    work.require("portal.prepare", packet.client_id, record_type="portal_packet", record_id=packet.id)
    if guardian_id is not None:
        guardian = work.db.get(Guardian, guardian_id)
        if guardian is None or guardian.client_id != packet.client_id:
            raise ValidationFailed({"guardian_id": "Choose one of this client's guardians."})
    if not 1 <= days <= 30:
        raise ValidationFailed({"days": "A link lasts 1 to 30 days."})
    token = secrets.token_urlsafe(32)
    link = PortalLink(packet_id=packet.id, client_id=packet.client_id, guardian_id=guardian_id,
                      token_hash=_digest(token), expires_at=work.now + dt.timedelta(days=days))
    work.db.add(link)
    work.db.flush()
    work.audit("portal.link_issue", record_type="portal_link", record_id=link.id, client_id=packet.client_id)
    return link, token


def revoke_link(work: Work, link_id: uuid.UUID, client_id: uuid.UUID | None = None) -> None:
    """``client_id``, when given, must be the link's own client (a URL naming both is checked)."""
    link = work.db.get(PortalLink, link_id)
    if link is None or (client_id is not None and link.client_id != client_id):
        raise NotFound("no such link")
    work.require("portal.prepare", link.client_id, record_type="portal_link", record_id=link.id)
    if link.revoked_at is None:
        link.revoked_at = work.now
        work.audit("portal.link_revoke", record_type="portal_link", record_id=link.id, client_id=link.client_id)


def exchange_link(practice: Practice, token: str, origin: str = "") -> tuple[str, PortalLink]:
    """Trade a link token for a portal session token; refused links are audited."""
    status = 410
    with practice.work(Actor.system("portal"), write=True) as work:
        since = work.now - THROTTLE_WINDOW
        throttled = work.db.scalar(
            select(func.count()).select_from(LoginFailure)
            .where(LoginFailure.kind == "portal", LoginFailure.key == origin[:200], LoginFailure.at > since)
        ) >= MAX_REFUSALS_PER_ADDRESS
        link = None if throttled or len(token) > 100 else work.db.scalars(
            select(PortalLink).where(PortalLink.token_hash == _digest(token))).first()
        reason = THROTTLED if throttled else _refusal(work, link)
        if throttled:
            status = 429
        elif link is None:
            status = 404
        if reason:
            # Counted per address, like failed sign-ins, so guessing tokens is slow whatever the cookie.
            work.db.add(LoginFailure(kind="portal", key=origin[:200], at=work.now))
            audit.append(work.db, Actor(None, "portal", frozenset({"portal_client"}), origin=origin),
                         "portal.link_use", at=work.now, record_type="portal_link",
                         record_id=link.id if link else "", client_id=link.client_id if link else None,
                         outcome="denied", reason=reason)
        else:
            session_token = secrets.token_urlsafe(32)
            work.db.add(PortalSession(link_id=link.id, token_hash=_digest(session_token), created_at=work.now,
                                      expires_at=min(link.expires_at,
                                                     work.now + dt.timedelta(minutes=SESSION_MINUTES))))
            link.uses, link.last_used_at = link.uses + 1, work.now
            audit.append(work.db, Actor.portal(link.client_id, link.guardian_id, origin), "portal.link_use",
                         at=work.now, record_type="portal_link", record_id=link.id, client_id=link.client_id)
    if reason:
        raise LinkRefused(reason, status=status)
    return session_token, link


def _refusal(work: Work, link: PortalLink | None) -> str | None:
    if link is None:
        return "This link is not valid. Ask the center for a new one."
    if link.revoked_at is not None:
        return "This link was withdrawn by the center. Ask the center for a new one."
    if link.expires_at <= work.now:
        return "This link has expired. Ask the center for a new one."
    packet = work.db.get(PortalPacket, link.packet_id)
    if packet.status == "submitted":
        return "This packet was already submitted. Thank you."
    return None


def resume(practice: Practice, session_token: str, origin: str = "") -> tuple[Actor, uuid.UUID]:
    """The portal identity and packet of a portal session, checked on every request.

    The session ends after ``SESSION_MINUTES`` without a request (and never outlives
    its link): someone working through a long form keeps it, an abandoned one does not.
    """
    with practice.work(Actor.system("portal"), write=False) as work:
        row = work.db.scalars(select(PortalSession).where(PortalSession.token_hash == _digest(session_token))).first()
        if row is None or row.expires_at <= work.now:
            raise LinkRefused("Your session has ended. Open the link from your message again; "
                              "your saved answers are kept.")
        link = work.db.get(PortalLink, row.link_id)
        reason = _refusal(work, link)
        if reason:
            raise LinkRefused(reason)
        renewed = min(link.expires_at, work.now + dt.timedelta(minutes=SESSION_MINUTES))
        touch = renewed - row.expires_at >= TOUCH_EVERY
        actor, packet_id, session_id = Actor.portal(link.client_id, link.guardian_id, origin), link.packet_id, row.id
    if touch:
        with practice.work(Actor.system("portal")) as work:
            work.db.get(PortalSession, session_id).expires_at = renewed
    return actor, packet_id


def _own_packet(work: Work, packet_id: uuid.UUID) -> PortalPacket:
    packet = work.db.get(PortalPacket, packet_id)
    if packet is None or packet.client_id != work.actor.client_id:
        raise NotFound("no such packet")
    work.require("portal.submit", packet.client_id, record_type="portal_packet", record_id=packet.id)
    return packet


def save_step(work: Work, packet_id: uuid.UUID, item: str, answers: dict[str, Any]) -> dict[str, str]:
    """Keep a step's answers as entered and return its validation errors (nothing is lost)."""
    packet = _own_packet(work, packet_id)
    if packet.status != "open":
        raise Conflict("This packet was already submitted.")
    spec = next((i for i in packet.items if item_id(i) == item), None)
    if spec is None:
        raise NotFound("no such step")
    if spec["kind"] == "form":
        # Staff-only sections are not the client's to fill: a posted answer to one is dropped, never kept.
        staff = work.registry.forms.get(spec["key"], spec["version"]).staff_keys
        answers = {k: v for k, v in answers.items() if k not in staff}
    packet.drafts = {**packet.drafts, item: answers}
    work.db.flush()
    work.audit("portal.save_step", record_type="portal_packet", record_id=packet.id, client_id=packet.client_id)
    return step_errors(work, spec, answers)


def step_errors(work: Work, spec: dict[str, Any], answers: dict[str, Any]) -> dict[str, str]:
    """What is still missing or wrong in one step's answers (no access check: callers have done it)."""
    registry = work.registry
    if spec["kind"] == "form":
        return registry.forms.get(spec["key"], spec["version"]).for_client().validate_answers(answers)[1]
    if spec["kind"] == "assessment":
        return registry.assessments.get(spec["key"], spec["version"]).validate_answers(answers)[1]
    document = registry.consent_documents.get(spec["key"], spec["version"])
    # The document's own fields (body map per region, telehealth location...) are checked at each step,
    # so a mistake shows on its page and not only when the whole packet is submitted.
    errors = validate_fields(document.fields, _document_answers(document, answers))[1] if document else {}
    if document is not None and document.per_body_region and not errors.get("regions"):
        body_map = next((f for f in document.fields if f.type == "body_map"), None)
        entries = answers.get(body_map.key) if body_map else None
        if isinstance(entries, dict) and any(
                not isinstance(e, dict) or e.get("consent") not in consent.REGION_STATES for e in entries.values()):
            errors[body_map.key] = "Mark each body region consented, declined or ask each time."
    if not str(answers.get("signer_name", "")).strip():
        errors["signer_name"] = "Type your full name to sign."
    if answers.get("agree") not in (True, "yes", "on"):
        errors["agree"] = "Confirm that you have read and agree."
    return errors


def submit_packet(work: Work, packet_id: uuid.UUID) -> list[str]:
    """File every step in the client's record in one transaction; on any error nothing is filed."""
    packet = _own_packet(work, packet_id)
    if packet.status != "open":
        raise Conflict("This packet was already submitted.")
    errors = {}
    for spec in packet.items:
        found = step_errors(work, spec, packet.drafts.get(item_id(spec), {}))
        errors.update({f"{item_id(spec)}.{k}": v for k, v in found.items()})
    if errors:
        raise ValidationFailed(errors)
    client = work.db.get(Client, packet.client_id)
    filed = []
    for spec in packet.items:
        answers = packet.drafts.get(item_id(spec), {})
        if spec["kind"] == "form":
            filed.append(str(forms.submit_form(work, client.id, spec["key"], answers, via="portal").id))
        elif spec["kind"] == "assessment":
            filed.append(str(assessments.record_assessment(work, client.id, spec["key"], answers).id))
        else:
            filed.append(str(_sign(work, client, spec, answers).id))
    packet.status, packet.submitted_at = "submitted", work.now
    work.audit("portal.submit", record_type="portal_packet", record_id=packet.id, client_id=client.id)
    return filed


def _sign(work: Work, client: Client, spec: dict[str, Any], answers: dict[str, Any]):
    guardian_id = work.actor.guardian_id
    capacity = "guardian" if guardian_id else "self"
    document = work.registry.consent_documents.get(spec["key"], spec["version"])
    if capacity == "self" and not may_consent_alone(work, client, document):
        raise ValidationFailed({f"{item_id(spec)}.signer_name": "A guardian must sign this for the client."})
    fields = _document_answers(document, answers) if document else {}
    regions = None if document and any(f.key == "regions" for f in document.fields) else answers.get("regions")
    # A minor's own assent (the name they typed), kept beside, not instead of, the guardian's consent.
    assent_name = str(answers.get("assent_name") or "") if guardian_id else ""
    return consent.record_consent(
        work, client.id, spec["key"], version=spec["version"], signer_name=str(answers["signer_name"]),
        capacity=capacity, guardian_id=guardian_id, method="portal", answers=fields,
        regions=regions or None, assent="given" if assent_name.strip() else "", assent_name=assent_name)


def _document_answers(document: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """Only the document's own fields: the signature, agreement and assent are kept apart."""
    keys = {f.key for f in document.fields}
    return {k: v for k, v in answers.items() if k in keys}


def links_of(work: Work, client_id: uuid.UUID) -> list[PortalLink]:
    work.require("portal.prepare", client_id, record_type="portal_link")
    return list(work.db.scalars(select(PortalLink).where(PortalLink.client_id == client_id)
                                .order_by(PortalLink.created_at.desc())))


def link_state(link_revoked: bool, link_expired: bool, packet_status: str) -> str:
    if packet_status == "submitted":
        return "used"
    if link_revoked:
        return "revoked"
    return "expired" if link_expired else "active"


def link_overview(work: Work, client_id: uuid.UUID) -> list[dict[str, Any]]:
    """The client's links with their state (active, used, expired, revoked), newest first, in one query."""
    work.require("portal.prepare", client_id, record_type="portal_link")
    rows = work.db.execute(
        select(PortalLink.id, PortalLink.packet_id, PortalLink.created_at, PortalLink.expires_at,
               PortalLink.revoked_at, PortalLink.last_used_at, PortalLink.uses, PortalPacket.status,
               PortalPacket.items, PortalPacket.submitted_at, Guardian.name, Guardian.relationship_)
        .join(PortalPacket, PortalPacket.id == PortalLink.packet_id)
        .outerjoin(Guardian, Guardian.id == PortalLink.guardian_id)
        .where(PortalLink.client_id == client_id)
        .order_by(PortalLink.created_at.desc())).all()
    return [{
        "id": r.id, "packet_id": r.packet_id, "created_at": r.created_at, "expires_at": r.expires_at,
        "last_used_at": r.last_used_at, "uses": r.uses, "submitted_at": r.submitted_at,
        "recipient": f"{r.name} ({r.relationship_})" if r.name else "the client",
        "items": [i.get("title", i["key"]) for i in r.items],
        "state": link_state(r.revoked_at is not None, r.expires_at <= work.now, r.status),
        "packet_open": r.status == "open",
    } for r in rows]


def reissue_link(work: Work, link_id: uuid.UUID, client_id: uuid.UUID | None = None) -> tuple[PortalLink, str]:
    """A new link to the same packet and recipient (drafts kept), e.g. after one expired."""
    old = work.db.get(PortalLink, link_id)
    if old is None or (client_id is not None and old.client_id != client_id):
        raise NotFound("no such link")
    work.require("portal.prepare", old.client_id, record_type="portal_link", record_id=old.id)
    packet = work.db.get(PortalPacket, old.packet_id)
    if packet.status != "open":
        raise Conflict("This packet was already submitted.")
    return issue_link(work, packet.id, guardian_id=old.guardian_id)


def packet_view(work: Work, packet_id: uuid.UUID) -> dict[str, Any]:
    """What the portal pages show: the own packet, who fills it in, and whether they sign (audited)."""
    packet = _own_packet(work, packet_id)
    client = work.db.get(Client, packet.client_id)
    guardian = work.db.get(Guardian, work.actor.guardian_id) if work.actor.guardian_id else None
    if guardian is not None and guardian.client_id != client.id:
        raise NotFound("no such packet")
    minor = is_minor(work, client)
    work.audit("portal.view", record_type="portal_packet", record_id=packet.id, client_id=client.id)
    return {
        "packet": packet, "items": list(packet.items), "drafts": dict(packet.drafts),
        "client_name": client.preferred_name or client.legal_first_name,
        "client_full_name": f"{client.legal_first_name} {client.legal_last_name}",
        "guardian": {"name": guardian.name, "relationship": guardian.relationship_,
                     "can_consent": guardian.can_consent} if guardian else None,
        "minor": minor,
        # Per document: a minor may sign a psychotherapy consent alone where the law allows, never touch etc.
        "signs_alone": {i["key"]: may_consent_alone(work, client, work.registry.consent_documents.get(
            i["key"], i["version"])) for i in packet.items if i["kind"] == "consent"},
        "ask_assent": bool(guardian and minor and work.center.settings.get("minor_assent")),
    }
