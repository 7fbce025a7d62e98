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

from sqlalchemy import select

from polymodal.core import audit
from polymodal.core.access import Actor
from polymodal.core.contributions import FormPurpose
from polymodal.core.errors import Conflict, NotFound, PolymodalError, ValidationFailed
from polymodal.core.models import (
    Client,
    Guardian,
    PortalLink,
    PortalPacket,
    PortalSession,
    Session,
    SessionClient,
)
from polymodal.core.practice import Practice, Work
from polymodal.core.services import assessments, consent, forms
from polymodal.core.services.clients import may_consent_alone

LINK_DAYS = 7
SESSION_MINUTES = 30


class LinkRefused(PolymodalError):
    """A portal link or session that cannot be used; ``reason`` is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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

    registry = work.registry
    for key in modality_keys:
        modality = registry.modalities.get(key)
        if modality is None:
            continue
        for form_key in modality.intake_forms:
            add("form", registry.forms.get(form_key))
        for form in registry.forms.for_modality(key):
            if form.purpose is FormPurpose.screening:
                add("form", form)
        for consent_key in modality.consents_required:
            add("consent", registry.consent_documents.get(consent_key))
    return items


def prepare_packet(work: Work, client_id: uuid.UUID, modality_keys: list[str] | None = None) -> PortalPacket:
    """A packet for the modalities given, or those of the client's upcoming sessions."""
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


def revoke_link(work: Work, link_id: uuid.UUID) -> None:
    link = work.db.get(PortalLink, link_id)
    if link is None:
        raise NotFound("no such link")
    work.require("portal.prepare", link.client_id, record_type="portal_link", record_id=link.id)
    if link.revoked_at is None:
        link.revoked_at = work.now
        work.audit("portal.link_revoke", record_type="portal_link", record_id=link.id, client_id=link.client_id)


def exchange_link(practice: Practice, token: str, origin: str = "") -> tuple[str, PortalLink]:
    """Trade a link token for a portal session token; refused links are audited."""
    with practice.work(Actor.system("portal"), write=True) as work:
        link = work.db.scalars(select(PortalLink).where(PortalLink.token_hash == _digest(token))).first()
        reason = _refusal(work, link)
        if reason:
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
        raise LinkRefused(reason)
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
    """The portal identity and packet of a portal session, checked on every request."""
    with practice.work(Actor.system("portal"), write=False) as work:
        row = work.db.scalars(select(PortalSession).where(PortalSession.token_hash == _digest(session_token))).first()
        if row is None or row.expires_at <= work.now:
            raise LinkRefused("Your session has ended. Open the link from your message again; "
                              "your saved answers are kept.")
        link = work.db.get(PortalLink, row.link_id)
        reason = _refusal(work, link)
        if reason:
            raise LinkRefused(reason)
        return Actor.portal(link.client_id, link.guardian_id, origin), link.packet_id


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
    packet.drafts = {**packet.drafts, item: answers}
    work.db.flush()
    work.audit("portal.save_step", record_type="portal_packet", record_id=packet.id, client_id=packet.client_id)
    return _step_errors(work, spec, answers)


def _step_errors(work: Work, spec: dict[str, Any], answers: dict[str, Any]) -> dict[str, str]:
    registry = work.registry
    if spec["kind"] == "form":
        return registry.forms.get(spec["key"], spec["version"]).validate_answers(answers)[1]
    if spec["kind"] == "assessment":
        return registry.assessments.get(spec["key"], spec["version"]).validate_answers(answers)[1]
    errors = {}
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
        step_errors = _step_errors(work, spec, packet.drafts.get(item_id(spec), {}))
        errors.update({f"{item_id(spec)}.{k}": v for k, v in step_errors.items()})
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
    if capacity == "self" and not may_consent_alone(work, client):
        raise ValidationFailed({f"{item_id(spec)}.signer_name": "A guardian must sign for this client."})
    fields = {k: v for k, v in answers.items() if k not in ("signer_name", "agree", "regions", "assent_name")}
    record = consent.record_consent(
        work, client.id, spec["key"], version=spec["version"], signer_name=str(answers["signer_name"]),
        capacity=capacity, guardian_id=guardian_id, method="portal", answers=fields,
        regions=answers.get("regions") or None)
    if guardian_id and answers.get("assent_name"):
        # A minor's own assent, kept beside (not instead of) the guardian's consent.
        record.scope = {**record.scope, "assent": {"name": str(answers["assent_name"])[:200],
                                                   "at": work.now.isoformat()}}
    return record


def links_of(work: Work, client_id: uuid.UUID) -> list[PortalLink]:
    work.require("portal.prepare", client_id, record_type="portal_link")
    return list(work.db.scalars(select(PortalLink).where(PortalLink.client_id == client_id)
                                .order_by(PortalLink.created_at.desc())))
