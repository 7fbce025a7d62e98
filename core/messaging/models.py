"""Tables of messaging: the outbox, editable templates, contact preferences, calendar feeds, meeting links."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from polymodal.core.models._base import Base, IdMixin, Timestamps


class OutboxMessage(IdMixin, Timestamps, Base):
    """One message to one recipient, written in the transaction of the change that causes it.

    The row is the message's whole life: ``queued`` until a worker claims it (``sending``), then ``sent``,
    ``retrying`` after a failure while tries remain, ``failed`` after the last, or ``cancelled`` when the
    change it announced was undone before it left (a moved or cancelled session's reminder).
    """

    __tablename__ = "outbox_messages"
    # Workers look for due messages; a session's pending reminders are re-timed when it moves.
    __table_args__ = (Index("ix_outbox_messages_state_due", "state", "send_after"),
                      Index("ix_outbox_messages_session", "session_id"))
    kind: Mapped[str] = mapped_column(String(40), doc="booking_confirmation, reminder, portal_link, ...")
    channel: Mapped[str] = mapped_column(String(40), default="email")
    recipient: Mapped[str] = mapped_column(String(320), doc="an address the channel understands")
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id"), default=None, index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"), default=None)
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    ics: Mapped[str] = mapped_column(Text, default="", doc="an iCalendar attachment (METHOD REQUEST or CANCEL)")
    secret: Mapped[bool] = mapped_column(default=False, doc="The body holds a one-time link: blanked once sent.")
    state: Mapped[str] = mapped_column(String(20), default="queued")
    send_after: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=4)
    last_error: Mapped[str] = mapped_column(String(1000), default="", doc="the server's answer to the last try")
    claimed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class MessageTemplate(Base):
    """The admin's wording of one kind of message; the built-in wording applies where there is none."""

    __tablename__ = "message_templates"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)


class ContactPreference(Base):
    """What a client agreed to receive; a client without a row may be e-mailed (they gave the address)."""

    __tablename__ = "contact_preferences"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    consent_to_contact: Mapped[bool] = mapped_column(default=True)
    email_notices: Mapped[bool] = mapped_column(default=True, doc="confirmations, changes, cancellations")
    email_reminders: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime]


class CalendarFeed(IdMixin, Base):
    """A private iCalendar URL: a practitioner's sessions, or a room's. Only the token's hash is kept."""

    __tablename__ = "calendar_feeds"
    kind: Mapped[str] = mapped_column(String(20), doc="practitioner or room")
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    room_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rooms.id"), default=None)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class MeetingLink(Base):
    """The video link of one session, or a practitioner's standing room (``session_id`` empty)."""

    __tablename__ = "meeting_links"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"), default=None, unique=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None, unique=True)
    url: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(80), default="standing room", doc="standing room or a plugin name")
