"""Payloads handed to plugins: plain ids and keys, never clinical text."""

from __future__ import annotations

import datetime as dt

from polymodal.core.contributions import Frozen, ModalitySpec


class NoteEvent(Frozen):
    """What ``polymodal_on_note_signed`` receives: ids and keys, no note text."""

    note_id: str
    """The signed note's id (a UUID as text)."""
    case_id: str
    """The id of the case the note belongs to."""
    client_id: str | None
    """The client's id; None for a note on a group session, which has several clients."""
    author_id: str
    """The user id of the note's author."""
    template_key: str
    """The ``NoteTemplate.key`` it was written with."""
    template_version: int
    """That template's version."""
    psychotherapy_note: bool
    """Whether it is a psychotherapy (process) note, which only its author may read."""


class ConsentEvent(Frozen):
    """What ``polymodal_on_consent_revoked`` receives: ids and keys, no reason text."""

    consent_id: str
    """The revoked consent record's id."""
    client_id: str
    """The client's id."""
    document_key: str
    """The ``ConsentDocument.key`` that was signed."""
    document_version: int
    """The version of the document that was signed."""
    revoked_at: dt.datetime
    """When it was revoked (UTC, timezone-aware)."""


class PreflightClient(Frozen):
    """One client of the session, as pre-flight checks see them."""

    client_id: str
    """The client's id."""
    age: int
    """Age in whole years today, in the center's time zone."""
    minor: bool
    """Younger than the center's age of majority today."""
    active_consents: tuple[str, ...]
    """Keys of the consent documents active at the session's start, sorted."""
    screening_outcome: str
    """The strongest screening outcome for this modality so far: ``eligible``, ``modify``, ``clearance`` or
    ``excluded`` (an ``Outcome`` value)."""
    screening_reasons: tuple[str, ...] = ()
    """The reasons behind the client's screening and consent findings, as shown to the practitioner."""


class PreflightPractitioner(Frozen):
    """One practitioner of the session, as pre-flight checks see them."""

    user_id: str
    """The practitioner's user id."""
    name: str
    """Their display name."""
    credentials: tuple[str, ...]
    """Credential types valid on the session's day in the center's jurisdiction."""
    supervisor: str = ""
    """The practitioner's supervisor on record, if any (associates' credentials count only under supervision)."""


class PreflightContext(Frozen):
    """What ``polymodal_preflight_checks`` receives: the session asked about, as plain values."""

    session_id: str
    """The session's id; empty when booking or moving asks before the session exists."""
    modality: ModalitySpec
    """The session's modality definition."""
    format: str
    """The session format: a ``SessionFormat`` value."""
    delivery: str
    """``in_person``, ``phone`` or ``video``."""
    starts_at: dt.datetime
    """When the session starts (UTC, timezone-aware)."""
    jurisdiction: str
    """Whose rules apply: the confirmed location of a remote client, else the center's (e.g. ``US-CA``)."""
    clients: tuple[PreflightClient, ...]
    """The session's clients (several for a couple, family or group)."""
    practitioners: tuple[PreflightPractitioner, ...]
    """The session's practitioners."""
