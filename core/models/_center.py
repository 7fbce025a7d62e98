"""The center, its places and its people (users, credentials)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from polymodal.core.models._base import Base, IdMixin, Timestamps


class Center(IdMixin, Timestamps, Base):
    __tablename__ = "centers"
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    jurisdiction: Mapped[str] = mapped_column(String(20), doc="ISO 3166, e.g. US-CA")
    age_of_majority: Mapped[int] = mapped_column(default=18)
    minor_consent_age: Mapped[int | None] = mapped_column(
        default=None, doc="Age from which a minor may consent to outpatient therapy alone, where the law allows."
    )
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Location(IdMixin, Base):
    __tablename__ = "locations"
    center_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("centers.id"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    rooms: Mapped[list[Room]] = relationship(back_populates="location", order_by="Room.name")


class Room(IdMixin, Base):
    __tablename__ = "rooms"
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id"))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True, doc="False once retired: kept for past sessions, not offered")
    location: Mapped[Location] = relationship(back_populates="rooms")


class User(IdMixin, Timestamps, Base):
    """Anyone who signs in: staff of every role. Practitioners are users with that role."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), default="")
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    roles: Mapped[list[Any]] = mapped_column(default=list)
    disciplines: Mapped[list[Any]] = mapped_column(default=list)
    modalities: Mapped[list[Any]] = mapped_column(default=list)
    supervisor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    credentials: Mapped[list[Credential]] = relationship(back_populates="user", order_by="Credential.type")


class Credential(IdMixin, Base):
    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("user_id", "type", "jurisdiction"),)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    type: Mapped[str] = mapped_column(String(40), doc="e.g. LMFT, LPCC, LMT, RDT, BC-DMT")
    number: Mapped[str] = mapped_column(String(80))
    jurisdiction: Mapped[str] = mapped_column(String(20))
    expires_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    user: Mapped[User] = relationship(back_populates="credentials")

    def valid_on(self, day: dt.date) -> bool:
        return self.expires_on is None or self.expires_on >= day
