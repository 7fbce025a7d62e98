"""Payloads handed to plugins: plain ids and keys, never clinical text."""

from __future__ import annotations

import datetime as dt

from polymodal.core.contributions import Frozen, ModalitySpec


class NoteEvent(Frozen):
    note_id: str
    case_id: str
    client_id: str | None
    author_id: str
    template_key: str
    template_version: int
    psychotherapy_note: bool


class ConsentEvent(Frozen):
    consent_id: str
    client_id: str
    document_key: str
    document_version: int
    revoked_at: dt.datetime


class PreflightClient(Frozen):
    client_id: str
    age: int
    minor: bool
    active_consents: tuple[str, ...]
    screening_outcome: str
    screening_reasons: tuple[str, ...] = ()


class PreflightPractitioner(Frozen):
    user_id: str
    name: str
    credentials: tuple[str, ...]
    """Credential types valid on the session's day in the center's jurisdiction."""
    supervisor: str = ""
    """The practitioner's supervisor on record, if any (associates' credentials count only under supervision)."""


class PreflightContext(Frozen):
    session_id: str
    modality: ModalitySpec
    format: str
    delivery: str
    starts_at: dt.datetime
    jurisdiction: str
    clients: tuple[PreflightClient, ...]
    practitioners: tuple[PreflightPractitioner, ...]
