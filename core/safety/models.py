"""The safety plan: one row per version, never edited (a trigger refuses it); a revision is a new row."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from polymodal.core.models._base import Base, IdMixin


class SafetyPlan(IdMixin, Base):
    """One version of a client's safety plan, in the steps of the safety-planning intervention.

    The steps and their order are Stanley and Brown's (see ``polymodal.core.safety.plans``). The
    client's own words go in each step; ``reviewed_on`` is the day the plan was gone through with them.
    """

    __tablename__ = "safety_plans"
    # Two clinicians revising at once both aim at the same next version: the second is refused, not merged.
    __table_args__ = (UniqueConstraint("client_id", "version"),)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    version: Mapped[int]
    warning_signs: Mapped[str] = mapped_column(Text)
    coping_strategies: Mapped[str] = mapped_column(Text)
    social_distractions: Mapped[str] = mapped_column(Text)
    people_to_ask: Mapped[str] = mapped_column(Text)
    professionals: Mapped[str] = mapped_column(Text)
    safe_environment: Mapped[str] = mapped_column(Text)
    reasons_for_living: Mapped[str] = mapped_column(Text, default="")
    change_note: Mapped[str] = mapped_column(String(500), default="", doc="What changed from the version before.")
    reviewed_on: Mapped[dt.date] = mapped_column(Date)
    written_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[dt.datetime]
