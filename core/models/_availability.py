"""When people and rooms can be booked, and who is waiting for a slot (issue 13)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from polymodal.core.models._base import Base, IdMixin, Timestamps


class WorkingHours(IdMixin, Base):
    """A practitioner's regular hours on one weekday (0 = Monday), local time, at one location or any."""

    __tablename__ = "working_hours"
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"), default=None)
    weekday: Mapped[int]
    starts: Mapped[dt.time] = mapped_column(Time)
    ends: Mapped[dt.time] = mapped_column(Time)


class TimeOff(IdMixin, Base):
    """A practitioner away (holiday, training, illness): no bookings without an explicit override."""

    __tablename__ = "time_off"
    __table_args__ = (Index("ix_time_off_user_starts", "user_id", "starts_at"),)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    reason: Mapped[str] = mapped_column(String(200), default="")


class RoomHours(IdMixin, Base):
    """When a room is open on one weekday (0 = Monday), local time; a room without rows follows the center."""

    __tablename__ = "room_hours"
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rooms.id"), index=True)
    weekday: Mapped[int]
    opens: Mapped[dt.time] = mapped_column(Time)
    closes: Mapped[dt.time] = mapped_column(Time)


class WaitlistEntry(IdMixin, Timestamps, Base):
    """A client waiting for a slot: a modality, optionally a practitioner, some weekdays and a time range.

    An entry is never deleted: booking or removing it closes it (who, when, why), so the list of those
    waiting stays short and each client's history keeps what was asked and what came of it.
    """

    __tablename__ = "waitlist_entries"
    __table_args__ = (Index("ix_waitlist_status_created", "status", "created_at"),)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), default=None)
    modality_key: Mapped[str] = mapped_column(String(120))
    practitioner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    weekdays: Mapped[list[Any]] = mapped_column(default=list, doc="0 = Monday; empty means any day")
    earliest: Mapped[dt.time | None] = mapped_column(Time, default=None)
    latest: Mapped[dt.time | None] = mapped_column(Time, default=None)
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default="waiting", doc="waiting, booked or removed")
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"), default=None)
    added_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None, doc="When it was booked or removed")
    closed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    close_reason: Mapped[str] = mapped_column(String(500), default="", doc="Why it was removed")
