"""Sessions on the calendar and their weekly series."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from polymodal.core.models._base import Base, IdMixin, Timestamps


class SessionSeries(IdMixin, Timestamps, Base):
    """A weekly recurrence, kept in the center's wall-clock time across DST changes."""

    __tablename__ = "session_series"
    interval_weeks: Mapped[int] = mapped_column(default=1)
    count: Mapped[int]
    local_start: Mapped[dt.time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))


class Session(IdMixin, Timestamps, Base):
    __tablename__ = "sessions"
    # A room's clash check and day sheet read one room's sessions in a time range. The start index holds what
    # the dashboard's week of consents due reads of each session (migration 0020).
    __table_args__ = (Index("ix_sessions_starts_status", "starts_at", "status", "modality_key", "id"),
                      Index("ix_sessions_room_starts", "room_id", "starts_at"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    modality_key: Mapped[str] = mapped_column(String(120))
    structure_key: Mapped[str | None] = mapped_column(String(120), default=None)
    structure_version: Mapped[int | None] = mapped_column(default=None)
    format: Mapped[str] = mapped_column(String(20), default="individual")
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    delivery: Mapped[str] = mapped_column(String(20), doc="in_person, phone or video")
    room_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rooms.id"), default=None)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    cancel_reason: Mapped[str] = mapped_column(String(40), default="",
                                               doc="client, practitioner, weather, illness or late_cancellation")
    late: Mapped[bool] = mapped_column(default=False, doc="Cancelled inside the center's late-cancellation window")
    pending_clearance: Mapped[bool] = mapped_column(
        default=False, doc="Booked while a clearance was needed: check-in waits for one.")
    series_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("session_series.id"), default=None, index=True)
    clients: Mapped[list[SessionClient]] = relationship(cascade="all, delete-orphan")
    practitioners: Mapped[list[SessionPractitioner]] = relationship(cascade="all, delete-orphan")


class SessionClient(Base):
    __tablename__ = "session_clients"
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True, index=True)


class SessionPractitioner(Base):
    __tablename__ = "session_practitioners"
    # A practitioner's day or week is one range on this index. Through the sessions' own start index it was
    # every session of the center in that week, each checked for this practitioner: ~8 ms a week at 1,000,000
    # sessions, against ~0.1 ms here.
    __table_args__ = (Index("ix_session_practitioners_user_starts", "user_id", "starts_at"),)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    starts_at: Mapped[dt.datetime] = mapped_column(doc="The session's start, copied: kept equal by scheduling")
