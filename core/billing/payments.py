"""Payments and refunds by method, and the day's takings at the front desk."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from polymodal.core.billing.fees import settings_of
from polymodal.core.billing.invoices import get_invoice
from polymodal.core.billing.models import Payment
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.models import Client
from polymodal.core.practice import Work
from polymodal.core.timeutil import local_to_utc

METHODS = {"card": "Card (terminal)", "cash": "Cash", "transfer": "Bank transfer", "other": "Other"}
"""How money is taken at the desk; 'package' marks sessions paid from a bought bundle (no money moves)."""


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
    tz = work.center.timezone
    start = local_to_utc(dt.datetime.combine(day, dt.time()), tz)
    end = local_to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), tz)
    rows = work.db.execute(
        select(Payment.id, Payment.method, Payment.amount_minor, Payment.reference, Payment.received_at,
               Client.id.label("client_id"), Client.legal_first_name, Client.preferred_name, Client.legal_last_name)
        .join(Client, Client.id == Payment.client_id)
        .where(Payment.received_at >= start, Payment.received_at < end, Payment.method != "package")
        .order_by(Payment.received_at)).all()
    by_method: dict[str, int] = {}
    for row in rows:
        by_method[row.method] = by_method.get(row.method, 0) + row.amount_minor
    work.audit("billing.takings", record_type="payment", reason=day.isoformat())
    return {"rows": rows, "by_method": by_method, "total": sum(by_method.values())}
