"""Clinical records: consents, form responses, notes, assessment results."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from polymodal.core.models._base import Base, IdMixin, Timestamps


class ConsentRecord(IdMixin, Base):
    """A signature on one version of a consent document (its text hash kept)."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_client_doc", "client_id", "document_key"),)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    document_key: Mapped[str] = mapped_column(String(120))
    document_version: Mapped[int]
    text_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[dict[str, Any]] = mapped_column(default=dict, doc="e.g. consent state per body region")
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_capacity: Mapped[str] = mapped_column(String(40), doc="self, guardian, or legal representative")
    guardian_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("guardians.id"), default=None)
    method: Mapped[str] = mapped_column(String(20), doc="in_person or portal")
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    signed_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str] = mapped_column(String(1000), default="")
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    def state(self, at: dt.datetime) -> str:
        if self.revoked_at is not None and self.revoked_at <= at:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= at:
            return "expired"
        return "active"


class ClientConsentState(Base):
    """Where a client stands with one consent document, kept from its ``ConsentRecord`` rows in the same
    transaction as every signature, revocation and destruction (``services.consent.keep_state``).

    The dashboard asks "is this document in force at this session?" for every client of the week: one
    primary-key read here instead of all the client's signatures. Expiry is not stored as a state: a
    signature lapses by the clock, so readers compare ``valid_until`` with their own time (``covered``).
    """

    __tablename__ = "client_consent_states"
    # On SQLite the rows live in the primary key's own tree: the panel's probe is one search, not two.
    __table_args__ = {"sqlite_with_rowid": False}
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    document_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    valid_until: Mapped[dt.datetime | None] = mapped_column(default=None, doc=(
        "The end of the latest signature's cover: its expiry or revocation, whichever comes first, the latest "
        "over all signatures. None: a signature with no end stands (valid until revoked)."))
    state: Mapped[str] = mapped_column(String(20), doc=(
        "'signed' or 'revoked': what happened last to the newest signature. Whether it is in force now "
        "depends on the time: see ``valid_until``."))
    document_version: Mapped[int] = mapped_column(doc="The version the newest signature is on.")
    signed_at: Mapped[dt.datetime] = mapped_column(doc="The newest signature's time.")
    updated_at: Mapped[dt.datetime] = mapped_column(doc="The time of the last signature or revocation.")

    def covered(self, at: dt.datetime) -> bool:
        """Some signature of the document is in force at ``at`` (``ConsentRecord.state(at) == 'active'``)."""
        return self.valid_until is None or self.valid_until > at


class ConsentRequirement(Base):
    """A consent document a modality requires before its sessions, as the plugins said when the app last
    started (``services.consent_gaps.sync``): the rule ``consent_gaps`` are kept by, in the database so the
    rows can be kept in the same statement as the change that moves them."""

    __tablename__ = "consent_requirements"
    modality_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    document_key: Mapped[str] = mapped_column(String(120), primary_key=True)


class ConsentGap(Base):
    """A session one of its clients lacks a required consent for: no signature of the document is in force
    at the session's start. Kept in the transaction of every booking, move, signature, revocation and
    destruction (``services.consent_gaps``), so the dashboard reads the week's few gaps from the start index
    instead of testing every session of the week (issue 18).

    Time does not move a row: whether a signature covers a session compares two stored times. Whether a
    lacking consent is "missing" or "expiring" depends on the reader's clock and is decided when it is read."""

    __tablename__ = "consent_gaps"
    __table_args__ = (Index("ix_consent_gaps_starts_at", "starts_at"),)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True, index=True)
    document_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    starts_at: Mapped[dt.datetime] = mapped_column(doc="The session's start, copied: kept equal by scheduling")


class FormResponse(IdMixin, Base):
    __tablename__ = "form_responses"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    form_key: Mapped[str] = mapped_column(String(120))
    form_version: Mapped[int]
    answers: Mapped[dict[str, Any]]
    findings: Mapped[list[Any]] = mapped_column(default=list)
    outcome: Mapped[str] = mapped_column(String(20), default="eligible")
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    submitted_via: Mapped[str] = mapped_column(String(20), default="staff")
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"), default=None)
    submitted_at: Mapped[dt.datetime]
    review: Mapped[str] = mapped_column(
        String(20), default="", doc="'pending': a re-screen that lowers the outcome, not applied until reviewed")
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Note(IdMixin, Timestamps, Base):
    """A clinical note. Once signed, the row never changes (a trigger enforces it)."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_client", "client_id", "created_at"),)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id"), default=None)
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"), default=None, index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    template_key: Mapped[str] = mapped_column(String(120))
    template_version: Mapped[int]
    content: Mapped[dict[str, Any]]
    visibility: Mapped[str] = mapped_column(String(20))
    psychotherapy_note: Mapped[bool] = mapped_column(default=False)
    goal_ids: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    revision: Mapped[int] = mapped_column(default=1, doc="Bumped on every draft save; a stale save is a conflict.")
    updated_at: Mapped[dt.datetime]
    needs_cosign: Mapped[bool] = mapped_column(default=False)
    signed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    """The seal set at signing: an HMAC under ``content_key`` (see ``polymodal.core.seals``)."""
    content_key: Mapped[str | None] = mapped_column(String(40), default=None)


class NoteAddendum(IdMixin, Base):
    """A correction or addition to a signed note; append-only."""

    __tablename__ = "note_addenda"
    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notes.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    content_key: Mapped[str | None] = mapped_column(String(40), default=None)


class NoteCosignature(Base):
    """A supervisor's co-signature; one per note, append-only, never undone."""

    __tablename__ = "note_cosignatures"
    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notes.id"), primary_key=True)
    cosigner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    cosigned_at: Mapped[dt.datetime]
    note_hash: Mapped[str] = mapped_column(String(64), doc="The content hash the supervisor saw.")


class AssessmentResult(IdMixin, Base):
    __tablename__ = "assessment_results"
    __table_args__ = (Index("ix_assessment_results_client", "client_id", "instrument_key", "administered_at"),)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    instrument_key: Mapped[str] = mapped_column(String(120))
    instrument_version: Mapped[int]
    answers: Mapped[dict[str, Any]]
    total: Mapped[float]
    band: Mapped[str | None] = mapped_column(String(120), default=None)
    subscales: Mapped[dict[str, Any]] = mapped_column(default=dict)
    flags: Mapped[list[Any]] = mapped_column(default=list)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"), default=None)
    administered_at: Mapped[dt.datetime]
