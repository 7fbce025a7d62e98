"""What the center chose (reminder times, how much a message says) and what each client agreed to receive."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import bindparam, select

from polymodal.core.db import connection_of
from polymodal.core.messaging.models import ContactPreference
from polymodal.core.services.center import parse

if TYPE_CHECKING:
    from polymodal.core.practice import Work


class CenterMessaging(BaseModel):
    reminder_hours: list[int] = Field(default=[48, 2], max_length=4)
    """Hours before a session at which a reminder leaves; empty: no reminders."""
    detail: Literal["modality_and_practitioner", "practitioner", "none"] = "modality_and_practitioner"
    """How much a client's message says about the session beyond its time and place."""
    signature: str = Field(default="", max_length=500)
    feed_client_names: Literal["initials", "full", "none"] = "initials"
    """How a practitioner's private calendar feed names clients."""

    @field_validator("reminder_hours", mode="before")
    @classmethod
    def _hours(cls, value: object) -> object:
        if isinstance(value, str):
            value = [v for v in value.replace(";", ",").split(",") if v.strip()]
        return value

    @field_validator("reminder_hours")
    @classmethod
    def _range(cls, value: list[int]) -> list[int]:
        if any(not 1 <= h <= 24 * 14 for h in value):
            raise ValueError("each reminder is 1 to 336 hours before the session")
        return sorted(set(value), reverse=True)


def center_messaging(work: Work) -> CenterMessaging:
    return CenterMessaging.model_validate(work.center.settings.get("messaging", {}))


def save_center_messaging(work: Work, data: dict) -> CenterMessaging:
    work.require("messages.manage")
    values = parse(CenterMessaging, data)
    # A new dict: JSON columns notice reassignment, not changes inside.
    work.center.settings = {**work.center.settings, "messaging": values.model_dump()}
    work.audit("messages.settings", record_type="center", record_id=work.center.id)
    return values


_PREFERENCE = select(ContactPreference.consent_to_contact, ContactPreference.email_notices,
                     ContactPreference.email_reminders, ContactPreference.updated_at
                     ).where(ContactPreference.client_id == bindparam("id"))


def contact_preference(work: Work, client_id: uuid.UUID) -> ContactPreference:
    """The client's choices, to read (an object apart from the session: ``save_contact_preference`` changes
    them); a client with none recorded may be e-mailed notices and reminders."""
    # A column read: the ORM's load, usually a miss, cost a tenth of the client page's CPU.
    row = connection_of(work.db).execute(_PREFERENCE, {"id": client_id}).first()
    consent, notices, reminders, updated_at = row or (True, True, True, work.now)
    return ContactPreference(client_id=client_id, consent_to_contact=consent, email_notices=notices,
                             email_reminders=reminders, updated_at=updated_at)


def save_contact_preference(work: Work, client_id: uuid.UUID, *, consent_to_contact: bool, email_notices: bool,
                            email_reminders: bool) -> ContactPreference:
    work.require("client.update", client_id, record_type="client", record_id=client_id)
    row = work.db.get(ContactPreference, client_id)
    if row is None:
        row = ContactPreference(client_id=client_id, updated_at=work.now)
        work.db.add(row)
    row.consent_to_contact, row.email_notices, row.email_reminders = consent_to_contact, email_notices, \
        email_reminders
    row.updated_at = work.now
    work.audit("client.contact_preferences", record_type="client", record_id=client_id, client_id=client_id)
    return row
