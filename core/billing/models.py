"""Billing tables. Kept beside the core's own tables, in the same metadata and migrations."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from polymodal.core.models._base import Base, IdMixin, Timestamps


class Service(IdMixin, Timestamps, Base):
    """What the center charges for: a modality at a length and format, optionally at one location."""

    __tablename__ = "billing_services"
    name: Mapped[str] = mapped_column(String(200))
    modality_key: Mapped[str] = mapped_column(String(120), index=True)
    minutes: Mapped[int]
    format: Mapped[str] = mapped_column(String(20), default="individual")
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"), default=None)
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    tiers: Mapped[list[Any]] = mapped_column(default=list, doc="Sliding scale: [{'name', 'price_minor'}]")
    active: Mapped[bool] = mapped_column(default=True)


class TaxRule(IdMixin, Base):
    """A jurisdiction that taxes a modality's services (the center enters its own rates)."""

    __tablename__ = "billing_tax_rules"
    __table_args__ = (UniqueConstraint("jurisdiction", "modality_key"),)
    jurisdiction: Mapped[str] = mapped_column(String(20))
    modality_key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(80))
    rate_bp: Mapped[int] = mapped_column(doc="Basis points: 825 is 8.25 %")


class ClientRate(IdMixin, Timestamps, Base):
    """A client's own price for a service: a sliding-scale tier or an agreed amount."""

    __tablename__ = "billing_client_rates"
    __table_args__ = (UniqueConstraint("client_id", "service_id"),)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("billing_services.id"))
    tier: Mapped[str] = mapped_column(String(80), default="")
    price_minor: Mapped[int | None] = mapped_column(default=None)


class Charge(IdMixin, Timestamps, Base):
    """What one client owes for one session (or a policy fee), fixed when the session is booked."""

    __tablename__ = "billing_charges"
    __table_args__ = (UniqueConstraint("session_id", "client_id", "kind"),)
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"), default=None)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("billing_services.id"), default=None)
    kind: Mapped[str] = mapped_column(String(20), default="session", doc="session, late_cancel or no_show")
    description: Mapped[str] = mapped_column(String(300))
    price_minor: Mapped[int]
    tax_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("billing_invoices.id"), default=None)
    package_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("billing_packages.id"), default=None)


class InvoiceCounter(Base):
    """The next number per series: taken in the invoice's own transaction, so a rollback leaves no gap."""

    __tablename__ = "billing_invoice_counters"
    series: Mapped[str] = mapped_column(String(20), primary_key=True, doc="invoice or credit")
    next_number: Mapped[int] = mapped_column(default=1)


class Invoice(IdMixin, Timestamps, Base):
    """Issued and immutable. A credit note is an Invoice of kind 'credit' that refers to the one it corrects."""

    __tablename__ = "billing_invoices"
    __table_args__ = (UniqueConstraint("kind", "number"),)
    kind: Mapped[str] = mapped_column(String(10), default="invoice")
    number: Mapped[int]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    payer_kind: Mapped[str] = mapped_column(String(20), default="client", doc="client, guardian or third_party")
    payer_name: Mapped[str] = mapped_column(String(200))
    payer_address: Mapped[str] = mapped_column(String(500), default="")
    issued_at: Mapped[dt.datetime]
    due_on: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_minor: Mapped[int]
    tax_minor: Mapped[int]
    total_minor: Mapped[int]
    credits_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("billing_invoices.id"), default=None)
    reason: Mapped[str] = mapped_column(String(500), default="")
    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.position", cascade="all, delete-orphan")


class InvoiceLine(IdMixin, Base):
    __tablename__ = "billing_invoice_lines"
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("billing_invoices.id"), index=True)
    position: Mapped[int]
    charge_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("billing_charges.id"), default=None)
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"), default=None)
    service_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    description: Mapped[str] = mapped_column(String(300))
    amount_minor: Mapped[int]
    tax_minor: Mapped[int] = mapped_column(default=0)


class Payment(IdMixin, Timestamps, Base):
    """Money received (positive) or refunded (negative), by method, optionally against an invoice."""

    __tablename__ = "billing_payments"
    __table_args__ = (Index("ix_billing_payments_received", "received_at"),)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("billing_invoices.id"), default=None)
    method: Mapped[str] = mapped_column(String(20), doc="card, cash, transfer, package or other")
    reference: Mapped[str] = mapped_column(String(120), default="")
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    received_at: Mapped[dt.datetime]
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    refund_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("billing_payments.id"), default=None)


class Package(IdMixin, Timestamps, Base):
    """A bought bundle of sessions of one modality, used up as sessions are completed."""

    __tablename__ = "billing_packages"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    modality_key: Mapped[str] = mapped_column(String(120))
    sessions_total: Mapped[int]
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    bought_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("billing_invoices.id"), default=None)


class CaseDiagnosis(IdMixin, Base):
    """ICD-10-CM codes on a case, in the order the superbill lists them."""

    __tablename__ = "billing_case_diagnoses"
    __table_args__ = (UniqueConstraint("case_id", "code"),)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(200), default="")
