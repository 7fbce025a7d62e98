"""Clients, their guardians, care teams and cases."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from polymodal.core.models._base import Base, IdMixin, Timestamps
from polymodal.core.search.terms import fold


class Client(IdMixin, Timestamps, Base):
    __tablename__ = "clients"
    __table_args__ = (Index("ix_clients_search", "search_key"),)
    legal_first_name: Mapped[str] = mapped_column(String(100))
    legal_last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    pronouns: Mapped[str] = mapped_column(String(40), default="")
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(200), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(40), default="")
    emergency_contact_relationship: Mapped[str] = mapped_column(String(80), default="")
    # Lower-cased "last first preferred": SQLite's LIKE is case-insensitive
    # and cannot use a plain index, a prefix range on this key can.
    search_key: Mapped[str] = mapped_column(String(320))
    # Accent- and case-folded words the full-text index holds (core/search): names; e-mail and phone tails.
    search_names: Mapped[str] = mapped_column(String(400), default="")
    search_contact: Mapped[str] = mapped_column(String(1000), default="")
    search_rowid: Mapped[int] = mapped_column(BigInteger, default=0, index=True,
                                              doc="The client's row in SQLite's FTS5 table, from its id.")
    active: Mapped[bool] = mapped_column(default=True)
    restricted: Mapped[bool] = mapped_column(
        default=False, doc="Erasure requested: kept only for retention, hidden from lists and search.")
    guardians: Mapped[list[Guardian]] = relationship(back_populates="client", order_by="Guardian.name")

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"


def make_search_key(last: str, first: str, preferred: str = "") -> str:
    """The order clients are listed in: 'Álvarez' beside 'Alvarez', whatever the case."""
    return " ".join(p for p in (fold(last).strip(), fold(first).strip(), fold(preferred).strip()) if p)


class Guardian(IdMixin, Base):
    """A parent or other legal representative of a minor; an identity of its own."""

    __tablename__ = "guardians"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship_: Mapped[str] = mapped_column("relationship", String(80))
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    can_consent: Mapped[bool] = mapped_column(default=True, doc="Holds legal authority to consent for the minor.")
    client: Mapped[Client] = relationship(back_populates="guardians")


class CareTeamMember(Base):
    """Which practitioners may see a client's clinical record."""

    __tablename__ = "care_team_members"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(40), default="member")
    added_at: Mapped[dt.datetime]


class Case(IdMixin, Timestamps, Base):
    """An episode of care for one or more clients."""

    __tablename__ = "cases"
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), doc="individual, couple, family or group")
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status_reason: Mapped[str] = mapped_column(String(500), default="", doc="Why it was last closed or reopened")
    clients: Mapped[list[CaseClient]] = relationship(cascade="all, delete-orphan")
    practitioners: Mapped[list[CasePractitioner]] = relationship(cascade="all, delete-orphan")


class CaseClient(Base):
    __tablename__ = "case_clients"
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), primary_key=True, index=True)


class CasePractitioner(Base):
    __tablename__ = "case_practitioners"
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class Goal(IdMixin, Timestamps, Base):
    """What a case works toward; GIRP notes name the goals a session addressed."""

    __tablename__ = "goals"
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    text: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20), default="active", doc="active, met, revised, dropped")
    baseline: Mapped[str] = mapped_column(String(500), default="", doc="Where the client started")
    target: Mapped[str] = mapped_column(String(500), default="", doc="What 'met' will look like")
    target_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class BreakGlassGrant(IdMixin, Base):
    """An audited, time-limited emergency grant of one client's clinical record."""

    __tablename__ = "break_glass_grants"
    __table_args__ = (UniqueConstraint("user_id", "client_id", "granted_at"),)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    reason: Mapped[str] = mapped_column(String(1000))
    granted_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
