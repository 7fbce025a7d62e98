"""Records the eligibility decision reads: clearances, overrides, risk acknowledgements, per-session checks."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from polymodal.core.models._base import Base, IdMixin


class Clearance(IdMixin, Base):
    """Someone outside the session (a physician, the treating therapist) cleared the client for a modality."""

    __tablename__ = "clearances"
    __table_args__ = (Index("ix_clearances_client_modality", "client_id", "modality_key"),)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    modality_key: Mapped[str] = mapped_column(String(120))
    techniques: Mapped[str] = mapped_column(String(500), default="", doc="Empty: the whole modality.")
    cleared_by_name: Mapped[str] = mapped_column(String(200))
    cleared_by_profession: Mapped[str] = mapped_column(String(120))
    cleared_by_licence: Mapped[str] = mapped_column(String(120))
    cleared_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date, default=None)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_at: Mapped[dt.datetime]

    def valid_on(self, day: dt.date) -> bool:
        return self.cleared_on <= day and (self.valid_until is None or day <= self.valid_until)


class EligibilityOverride(IdMixin, Base):
    """A clinician's decision to go ahead despite one finding, with the reason typed out."""

    __tablename__ = "eligibility_overrides"
    __table_args__ = (Index("ix_eligibility_overrides_client_modality", "client_id", "modality_key"),)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    modality_key: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(120), doc="The finding overridden.")
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"), default=None)
    reason: Mapped[str] = mapped_column(Text)
    overridden_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    overridden_at: Mapped[dt.datetime]


class RiskAcknowledgement(IdMixin, Base):
    """A clinician has seen a risk finding and recorded the plan; newer risk needs a new acknowledgement."""

    __tablename__ = "risk_acknowledgements"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    code: Mapped[str] = mapped_column(String(120))
    plan: Mapped[str] = mapped_column(Text)
    safety_plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("safety_plans.id"), default=None, doc="The safety plan version this plan relies on, if any.")
    acknowledged_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[dt.datetime]


class SessionCheck(IdMixin, Base):
    """Something confirmed during one session: the client's location (telehealth), or a body region
    confirmed or withdrawn. Append-only: the newest check of a region wins."""

    __tablename__ = "session_checks"
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    kind: Mapped[str] = mapped_column(String(20), doc="location, region_confirmed or region_withdrawn")
    subject: Mapped[str] = mapped_column(String(120), default="", doc="A region code, or the jurisdiction")
    detail: Mapped[str] = mapped_column(String(500), default="", doc="The location as the client gave it")
    checked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    checked_at: Mapped[dt.datetime]
