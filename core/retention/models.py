"""Tables of retention: legal holds and the tombstones destruction leaves."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from polymodal.core.models._base import Base, IdMixin


class LegalHold(IdMixin, Base):
    """Keep a client's record, or every record of one case, whatever its retention says, until lifted.

    A row is never deleted; lifting fills ``lifted_*`` once (a trigger refuses any other change).
    """

    __tablename__ = "legal_holds"
    __table_args__ = (CheckConstraint("(client_id IS NULL) <> (case_id IS NULL)", name="one_target"),)
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id"), default=None, index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), default=None, index=True)
    reason: Mapped[str] = mapped_column(String(1000))
    placed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    placed_at: Mapped[dt.datetime]
    lifted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    lift_reason: Mapped[str] = mapped_column(String(1000), default="")


class Destruction(IdMixin, Base):
    """The tombstone of one client's destroyed clinical content: what went, when, by whom, under which rule.

    While ``completed_at`` is empty the row is the permit that lets the integrity triggers allow deleting
    signed notes, addenda, co-signatures and consents (core/migrations/integrity.py); it is filled in the
    same transaction, so no other transaction ever sees the permit open. Once filled, the row is fixed.
    """

    __tablename__ = "retention_destructions"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    rule_key: Mapped[str] = mapped_column(String(20))
    rule_summary: Mapped[str] = mapped_column(String(500))
    last_contact_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    destroyed: Mapped[dict[str, Any]] = mapped_column(default=dict, doc="rows removed per kind of content")
    reason: Mapped[str] = mapped_column(String(1000))
    destroyed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    destroyed_at: Mapped[dt.datetime]
    completed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
