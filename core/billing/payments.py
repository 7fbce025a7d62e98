"""Payments and refunds by method, and the day's takings at the front desk."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from polymodal.core.billing.fees import settings_of
from polymodal.core.billing.invoices import BILLABLE_STATUSES, get_invoice, issue_invoice
from polymodal.core.billing.models import Charge, Payment
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.models import Client, Session
from polymodal.core.practice import Work
from polymodal.core.timeutil import local_days

METHODS = {"card": "Card (terminal)", "cash": "Cash", "transfer": "Bank transfer", "other": "Other"}
"""How money is taken at the desk. Sessions a package pays for carry no payment: their charge names the package."""


def record_payment(work: Work, client_id: uuid.UUID, amount_minor: int, method: str, *, reference: str = "",
                   invoice_id: uuid.UUID | None = None) -> Payment:
    work.require("billing.manage", client_id, record_type="payment")
    if work.db.get(Client, client_id) is None:
        raise NotFound("no such client")
    errors = {}
    if method not in METHODS:
        errors["method"] = "Choose card, cash, bank transfer or other."
    if not isinstance(amount_minor, int) or not 0 < amount_minor <= 10_000_000:
        errors["amount"] = "Enter an amount greater than zero."
    if method == "card" and not reference.strip():
        errors["reference"] = "Enter the card terminal's receipt reference."
    if errors:
        raise ValidationFailed(errors)
    currency = settings_of(work).currency
    if invoice_id is not None:
        invoice = get_invoice(work, invoice_id, "billing.manage")
        if invoice.client_id != client_id or invoice.kind != "invoice":
            raise ValidationFailed({"invoice_id": "Choose one of this client's invoices."})
        currency = invoice.currency
    payment = Payment(client_id=client_id, invoice_id=invoice_id, method=method, reference=reference.strip()[:120],
                      amount_minor=amount_minor, currency=currency, received_at=work.now,
                      recorded_by=work.actor.user_id)
    work.db.add(payment)
    work.db.flush()
    work.audit("payment.record", record_type="payment", record_id=payment.id, client_id=client_id)
    return payment


def refund(work: Work, payment_id: uuid.UUID, amount_minor: int, reason: str) -> Payment:
    original = work.db.get(Payment, payment_id)
    if original is None or original.amount_minor <= 0:
        raise NotFound("no such payment")
    work.require("billing.manage", original.client_id, record_type="payment", record_id=original.id)
    refunded = -(work.db.scalar(select(func.coalesce(func.sum(Payment.amount_minor), 0))
                                .where(Payment.refund_of == original.id)) or 0)
    if not reason.strip():
        raise ValidationFailed({"reason": "Say why the money is refunded."})
    if not 0 < amount_minor <= original.amount_minor - refunded:
        raise Conflict(f"At most {original.amount_minor - refunded} can be refunded on that payment.")
    back = Payment(client_id=original.client_id, invoice_id=original.invoice_id, method=original.method,
                   reference=reason.strip()[:120], amount_minor=-amount_minor, currency=original.currency,
                   received_at=work.now, recorded_by=work.actor.user_id, refund_of=original.id)
    work.db.add(back)
    work.db.flush()
    work.audit("payment.refund", record_type="payment", record_id=back.id, client_id=original.client_id)
    return back


def payments_of(work: Work, client_id: uuid.UUID) -> list[Payment]:
    work.require("billing.read", client_id, record_type="payment")
    return list(work.db.scalars(select(Payment).where(Payment.client_id == client_id)
                                .order_by(Payment.received_at.desc())))


def takings(work: Work, day: dt.date) -> dict:
    """Money taken on a local day, per method and per payment (refunds subtract)."""
    work.require("billing.read")
    start, end = local_days(day, day, work.center.timezone)
    rows = work.db.execute(
        select(Payment.id, Payment.method, Payment.amount_minor, Payment.reference, Payment.received_at,
               Client.id.label("client_id"), Client.legal_first_name, Client.preferred_name, Client.legal_last_name)
        .join(Client, Client.id == Payment.client_id)
        .where(Payment.received_at >= start, Payment.received_at < end)
        .order_by(Payment.received_at)).all()
    by_method: dict[str, int] = {}
    for row in rows:
        by_method[row.method] = by_method.get(row.method, 0) + row.amount_minor
    work.audit("billing.takings", record_type="payment", reason=day.isoformat())
    return {"rows": rows, "by_method": by_method, "total": sum(by_method.values())}


def settle(work: Work, client_id: uuid.UUID, charge_ids: list[uuid.UUID], method: str, reference: str = ""):
    """The front desk's one step after a session: invoice what is owed and take its payment, all or nothing."""
    invoice = issue_invoice(work, client_id, charge_ids)
    payment = record_payment(work, client_id, invoice.total_minor, method, reference=reference,
                             invoice_id=invoice.id) if invoice.total_minor > 0 else None
    return invoice, payment


def due_today(work: Work, day: dt.date) -> list[dict]:
    """Clients whose sessions on ``day`` took place and still owe their fee, with what they owe."""
    work.require("billing.read")
    start, end = local_days(day, day, work.center.timezone)
    rows = work.db.execute(
        select(Charge.id, Charge.client_id, Charge.description, Charge.price_minor, Charge.tax_minor,
               Charge.currency, Session.starts_at, Client.legal_first_name, Client.preferred_name,
               Client.legal_last_name)
        .join(Session, Session.id == Charge.session_id).join(Client, Client.id == Charge.client_id)
        .where(Session.starts_at >= start, Session.starts_at < end, Session.status.in_(BILLABLE_STATUSES),
               Charge.invoice_id.is_(None), Charge.package_id.is_(None))
        .order_by(Session.starts_at)).all()
    clients: dict[uuid.UUID, dict] = {}
    for row in rows:
        entry = clients.setdefault(row.client_id, {
            "client_id": row.client_id, "charges": [], "total_minor": 0, "currency": row.currency,
            "name": f"{row.preferred_name or row.legal_first_name} {row.legal_last_name}"})
        entry["charges"].append(row)
        entry["total_minor"] += row.price_minor + row.tax_minor
    work.audit_each("billing.due_today", list(clients), record_type="billing")
    return list(clients.values())
