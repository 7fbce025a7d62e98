"""Consent: signatures on versioned documents, expiry and revocation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select

from polymodal.core.contributions import ConsentDocument, validate_fields
from polymodal.core.db import connection_of
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.events import ConsentEvent
from polymodal.core.models import Client, ClientConsentState, ConsentRecord, Guardian
from polymodal.core.practice import Work
from polymodal.core.services import client_record, consent_gaps
from polymodal.core.services.clients import may_consent_alone

CAPACITIES = ("self", "guardian")
METHODS = ("in_person", "portal")
REGION_STATES = ("consented", "declined", "ask-each-time")
ASSENT = ("", "given", "declined")


def record_consent(work: Work, client_id: uuid.UUID, document_key: str, *, signer_name: str,
                   capacity: str = "self", guardian_id: uuid.UUID | None = None, method: str = "in_person",
                   version: int | None = None, answers: dict[str, Any] | None = None,
                   regions: dict[str, str] | None = None, assent: str = "", assent_name: str = "") -> ConsentRecord:
    """Record a signature on a document version; a minor's consent comes from a guardian
    unless the law lets the minor consent alone to that kind of document (``core.minors``).

    ``assent`` ("given" or "declined", with the name the minor typed) is the minor's own
    agreement, kept beside a guardian's consent, never instead of it."""
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    work.require("portal.submit" if work.actor.is_portal else "consent.record", client.id, record_type="consent")
    document = work.registry.consent_documents.get(document_key, version)
    if document is None:
        raise ValidationFailed({"document_key": "Choose a consent document offered here."})
    errors: dict[str, str] = {}
    if not signer_name.strip() or len(signer_name) > 200:
        errors["signer_name"] = "Type the signer's full name."
    if capacity not in CAPACITIES:
        errors["capacity"] = "Say whether the client signs or a guardian signs for them."
    if method not in METHODS:
        errors["method"] = "Choose in person or portal."
    values, field_errors = validate_fields(document.fields, answers or {})
    errors.update(field_errors)
    scope: dict[str, Any] = {"answers": values}
    if document.per_body_region:
        body_map = next((f for f in document.fields if f.type == "body_map"), None)
        if body_map is not None and isinstance(values.get(body_map.key), dict):
            # The document's own body map holds the state per region.
            regions = {code: str(entry.get("consent", "")) for code, entry in values[body_map.key].items()}
        scope["regions"], region_errors = _regions(regions or {})
        if not (body_map is not None and body_map.key in field_errors):
            errors.update(region_errors)
    if assent not in ASSENT:
        errors["assent"] = "Say whether the minor agreed (gave assent), declined, or was not asked."
    if errors:
        raise ValidationFailed(errors)
    guardian = _check_signer(work, client, document, capacity, guardian_id)
    if assent and guardian is not None:
        scope["assent"] = {"state": assent, "name": " ".join(assent_name.split())[:200], "at": work.now.isoformat(),
                           "method": method}
    record = ConsentRecord(
        client_id=client.id, document_key=document.key, document_version=document.version,
        text_hash=document.text_hash, scope=scope, signer_name=" ".join(signer_name.split()),
        signer_capacity=capacity, guardian_id=guardian.id if guardian else None, method=method,
        recorded_by=work.actor.user_id, signed_at=work.now,
        expires_at=work.now + dt.timedelta(days=document.renewal_days) if document.renewal_days else None,
    )
    work.db.add(record)
    work.db.flush()
    keep_state(work, client.id, document.key)
    work.audit("consent.record", record_type="consent", record_id=record.id, client_id=client.id)
    return record


def _regions(regions: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    bad = {code: state for code, state in regions.items() if state not in REGION_STATES}
    if not regions:
        return {}, {"regions": "Mark each body region consented, declined or ask each time."}
    if bad:
        return {}, {"regions": f"Unknown consent state for {', '.join(sorted(bad))[:200]}."}
    return dict(sorted(regions.items())), {}


def _check_signer(work: Work, client: Client, document: ConsentDocument, capacity: str,
                  guardian_id: uuid.UUID | None) -> Guardian | None:
    if capacity == "self":
        if not may_consent_alone(work, client, document):
            from polymodal.core.eligibility import guardian_reason

            raise ValidationFailed({"capacity": f"This client is a minor: a guardian with authority must sign the "
                                                f"{document.title} ({guardian_reason(work, document)})."})
        return None
    guardian = work.db.get(Guardian, guardian_id) if guardian_id else None
    if guardian is None or guardian.client_id != client.id:
        raise ValidationFailed({"guardian_id": "Choose one of this client's guardians."})
    if not guardian.can_consent:
        raise ValidationFailed({"guardian_id": f"{guardian.name} has no authority to consent for this client."})
    return guardian


def revoke_consent(work: Work, consent_id: uuid.UUID, reason: str) -> ConsentRecord:
    record = work.db.get(ConsentRecord, consent_id)
    if record is None:
        raise NotFound("no such consent")
    work.require("consent.record", record.client_id, record_type="consent", record_id=record.id)
    if record.revoked_at is not None:
        raise Conflict("this consent is already revoked")
    if not reason.strip():
        raise ValidationFailed({"reason": "Say why the consent is revoked."})
    record.revoked_at, record.revoked_reason, record.revoked_by = work.now, reason.strip()[:1000], work.actor.user_id
    work.db.flush()
    keep_state(work, record.client_id, record.document_key)
    work.audit("consent.revoke", record_type="consent", record_id=record.id, client_id=record.client_id)
    event = ConsentEvent(consent_id=str(record.id), client_id=str(record.client_id),
                         document_key=record.document_key, document_version=record.document_version,
                         revoked_at=record.revoked_at)
    work.after_commit(lambda: work.practice.call_each("polymodal_on_consent_revoked", event=event))
    return record


def keep_state(work: Work, client_id: uuid.UUID, document_key: str) -> ClientConsentState | None:
    """Recompute the client's stored state for one document from all its signatures, in the caller's
    transaction: every change to a ``ConsentRecord`` calls it, so the state never disagrees with them. The
    client's consent gaps for the document follow (``services.consent_gaps``).

    On PostgreSQL two transactions may change the same client's consents at once; each would recompute from
    what it sees and the last to commit would drop the other's change. Locking the client row first (a lock
    foreign keys do not wait for) makes the second wait, and its read then sees the first's records. SQLite
    writes one transaction at a time already (``BEGIN IMMEDIATE``)."""
    work.db.execute(select(Client.id).where(Client.id == client_id).with_for_update(key_share=True))
    records = work.db.execute(
        select(ConsentRecord.document_version, ConsentRecord.signed_at, ConsentRecord.expires_at,
               ConsentRecord.revoked_at)
        .where(ConsentRecord.client_id == client_id, ConsentRecord.document_key == document_key)
        .order_by(ConsentRecord.signed_at, ConsentRecord.id)).all()
    row = work.db.get(ClientConsentState, (client_id, document_key))
    if not records:
        if row is not None:
            work.db.delete(row)
        row = None
    else:
        if row is None:
            row = ClientConsentState(client_id=client_id, document_key=document_key)
            work.db.add(row)
        ends = [cover_end(r.expires_at, r.revoked_at) for r in records]
        newest = records[-1]
        row.valid_until = None if None in ends else max(ends)
        row.state = "revoked" if newest.revoked_at is not None else "signed"
        row.document_version, row.signed_at, row.updated_at = newest.document_version, newest.signed_at, work.now
    consent_gaps.client_changed(connection_of(work.db), client_id, [document_key])
    return row


def cover_end(expires_at: dt.datetime | None, revoked_at: dt.datetime | None) -> dt.datetime | None:
    """When a signature stops being in force: at its expiry or revocation, the earlier; None: not yet known."""
    ends = [t for t in (expires_at, revoked_at) if t is not None]
    return min(ends) if ends else None


def active_consents(work: Work, client_id: uuid.UUID, at: dt.datetime | None = None) -> dict[str, ConsentRecord]:
    """The newest active signature per document (no access check: callers have done it)."""
    at = at or work.now
    records = work.db.scalars(select(ConsentRecord).where(ConsentRecord.client_id == client_id)
                              .order_by(ConsentRecord.signed_at)).all()
    return {r.document_key: r for r in records if r.state(at) == "active"}


def consents_of(work: Work, client_id: uuid.UUID) -> list[ConsentRecord]:
    """Whole records, answers included: for those who may read what a consent says."""
    work.require("consent.read", client_id, record_type="consent")
    records = list(work.db.scalars(select(ConsentRecord).where(ConsentRecord.client_id == client_id)
                                   .order_by(ConsentRecord.signed_at.desc())))
    work.audit("consent.list", record_type="consent", client_id=client_id)
    return records


def assent_of(scope: dict[str, Any] | None) -> tuple[str, str, dt.datetime | None]:
    """(state, name, when) of the minor's assent kept with a consent: state is "given", "declined" or ""
    (not recorded). Portal signatures before assent had a state stored only the typed name: given."""
    assent = (scope or {}).get("assent") or {}
    state = assent.get("state") or ("given" if assent.get("name") else "")
    when = dt.datetime.fromisoformat(assent["at"]) if assent.get("at") else None
    return state, str(assent.get("name") or ""), when


def state_at(expires_at: dt.datetime | None, revoked_at: dt.datetime | None, at: dt.datetime) -> str:
    """``ConsentRecord.state`` for a row of columns."""
    if revoked_at is not None and revoked_at <= at:
        return "revoked"
    if expires_at is not None and expires_at <= at:
        return "expired"
    return "active"


def consent_rows(work: Work, client_id: uuid.UUID) -> list[Any]:
    """The client's consents, newest first, as columns only: for the consent list."""
    work.require("consent.status", client_id, record_type="consent")
    rows = list(work.db.execute(
        select(ConsentRecord.id, ConsentRecord.document_key, ConsentRecord.document_version,
               ConsentRecord.signer_name, ConsentRecord.signer_capacity, ConsentRecord.method,
               ConsentRecord.signed_at, ConsentRecord.expires_at, ConsentRecord.revoked_at,
               ConsentRecord.revoked_reason, ConsentRecord.scope)
        .where(ConsentRecord.client_id == client_id).order_by(ConsentRecord.signed_at.desc())
    ).all())
    work.audit("consent.list", record_type="consent", client_id=client_id)
    return rows


def get_consent(work: Work, client_id: uuid.UUID, consent_id: uuid.UUID, *, contents: bool = True) -> ConsentRecord:
    """One of the client's consents; another client's id is 'not found'.

    ``contents=False`` is for showing its status only (signer, dates, state): checked as
    ``consent.status``, and the caller must not show the record's answers (``scope``).
    """
    return client_record.one_of_client(work, ConsentRecord, client_id, consent_id,
                                       action="consent.read" if contents else "consent.status",
                                       record_type="consent", missing="no such consent")


def may_read_contents(work: Work, client_id: uuid.UUID) -> bool:
    """Whether the actor may see what the client's consents say, beyond their status."""
    return work.may("consent.read", client_id)
