"""Invoices and credit notes: numbered without gaps, immutable once issued, and the balances they make."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from polymodal.core.billing.fees import settings_of
from polymodal.core.billing.models import Charge, Invoice, InvoiceCounter, InvoiceLine, Payment
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.models import Client, Guardian, Session, SessionClient
from polymodal.core.practice import Work
from polymodal.core.timeutil import to_local

BILLABLE_STATUSES = ("checked_in", "completed")
"""A session's own fee is owed once it took place; a cancelled or missed one owes only a policy fee."""


def next_number(work: Work, series: str) -> int:
    """Take the series' next number in this transaction: PostgreSQL holds the counter's row lock until commit,
    SQLite's write lock is held already, so concurrent invoices queue and a rolled-back one frees its number."""
    take = (update(InvoiceCounter).where(InvoiceCounter.series == series)
            .values(next_number=InvoiceCounter.next_number + 1).returning(InvoiceCounter.next_number))
    number = work.db.execute(take).scalar_one_or_none()
    if number is None:
        # A series' first invoice creates its counter, after the highest number issued (a database restored
        # without its counters continues the series). Two first invoices at once: one insert wins, the other
        # waits for it, fails on the key, and takes the next number from the winner's row.
        kind = "credit" if series == "credit" else "invoice"
        last = work.db.scalar(select(func.coalesce(func.max(Invoice.number), 0)).where(Invoice.kind == kind))
        try:
            with work.db.begin_nested():
                work.db.add(InvoiceCounter(series=series, next_number=last + 1))
        except IntegrityError:
            pass
        number = work.db.execute(take).scalar_one()
    return number - 1


def _client(work: Work, client_id: uuid.UUID, action: str) -> Client:
    work.require(action, client_id, record_type="billing")
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    return client


def open_charges(work: Work, client_id: uuid.UUID) -> list[Charge]:
    """What the client owes that is on no invoice yet and no package covers."""
    _client(work, client_id, "billing.read")
    return list(work.db.scalars(
        select(Charge).outerjoin(Session, Session.id == Charge.session_id)
        .where(Charge.client_id == client_id, Charge.invoice_id.is_(None), Charge.package_id.is_(None),
               or_(Charge.kind != "session", Session.status.in_(BILLABLE_STATUSES)))
        .order_by(Session.starts_at, Charge.created_at)))


@dataclass(frozen=True)
class Payer:
    kind: str = "client"
    name: str = ""
    address: str = ""
    guardian_id: uuid.UUID | None = None


CLIENT_PAYS = Payer()

def _payer_name(work: Work, client: Client, payer: Payer) -> str:
    if payer.kind == "client":
        return f"{client.legal_first_name} {client.legal_last_name}"
    if payer.kind == "guardian":
        guardian = work.db.get(Guardian, payer.guardian_id) if payer.guardian_id else None
        if guardian is None or guardian.client_id != client.id:
            raise ValidationFailed({"payer": "Choose one of the client's guardians."})
        return guardian.name
    if payer.kind == "third_party" and payer.name.strip():
        return payer.name.strip()[:200]
    raise ValidationFailed({"payer": "Name the third party who pays (an employer, a fund, a relative)."})


def issue_invoice(work: Work, client_id: uuid.UUID, charge_ids: list[uuid.UUID], payer: Payer = CLIENT_PAYS) -> Invoice:
    """One invoice for the chosen open charges of one client."""
    client = _client(work, client_id, "billing.manage")
    wanted = set(charge_ids)
    charges = [c for c in open_charges(work, client_id) if c.id in wanted]
    if not wanted:
        raise ValidationFailed({"charge_ids": "Choose at least one session or fee to invoice."})
    if len(charges) != len(wanted):
        raise Conflict("Some of those charges are invoiced already, covered by a package, or not owed yet.")
    currencies = {c.currency for c in charges}
    if len(currencies) > 1:
        raise ValidationFailed({"charge_ids": "Invoice one currency at a time."})
    settings = settings_of(work)
    sessions = {s.id: s for s in work.db.scalars(select(Session).where(
        Session.id.in_([c.session_id for c in charges if c.session_id])))}
    tz = work.center.timezone
    invoice = Invoice(kind="invoice", number=next_number(work, "invoice"), client_id=client.id,
                      payer_kind=payer.kind, payer_name=_payer_name(work, client, payer),
                      payer_address=payer.address.strip()[:500], issued_at=work.now,
                      due_on=to_local(work.now, tz).date() + dt.timedelta(days=settings.payment_terms_days),
                      currency=currencies.pop(), subtotal_minor=sum(c.price_minor for c in charges),
                      tax_minor=sum(c.tax_minor for c in charges), total_minor=0)
    invoice.total_minor = invoice.subtotal_minor + invoice.tax_minor
    for position, charge in enumerate(charges, 1):
        session = sessions.get(charge.session_id)
        invoice.lines.append(InvoiceLine(
            position=position, charge_id=charge.id, session_id=charge.session_id,
            service_date=to_local(session.starts_at, tz).date() if session else None,
            description=charge.description, amount_minor=charge.price_minor, tax_minor=charge.tax_minor))
    work.db.add(invoice)
    work.db.flush()
    for charge in charges:
        charge.invoice_id = invoice.id
    work.audit("invoice.issue", record_type="invoice", record_id=invoice.id, client_id=client.id)
    return invoice


def issue_credit_note(work: Work, invoice_id: uuid.UUID, reason: str) -> Invoice:
    """Cancel an issued invoice in full: its charges are open again, to be corrected and invoiced anew."""
    original = get_invoice(work, invoice_id, "billing.manage")
    if original.kind != "invoice":
        raise Conflict("A credit note cannot itself be credited.")
    if work.db.scalar(select(Invoice.id).where(Invoice.credits_id == original.id)) is not None:
        raise Conflict(f"Invoice {original.number} has been credited already.")
    if not reason.strip():
        raise ValidationFailed({"reason": "Say why the invoice is credited."})
    credit = Invoice(kind="credit", number=next_number(work, "credit"), client_id=original.client_id,
                     payer_kind=original.payer_kind, payer_name=original.payer_name,
                     payer_address=original.payer_address, issued_at=work.now,
                     due_on=to_local(work.now, work.center.timezone).date(), currency=original.currency,
                     subtotal_minor=-original.subtotal_minor, tax_minor=-original.tax_minor,
                     total_minor=-original.total_minor, credits_id=original.id, reason=reason.strip()[:500])
    for line in original.lines:
        credit.lines.append(InvoiceLine(position=line.position, session_id=line.session_id,
                                        service_date=line.service_date, description=line.description,
                                        amount_minor=-line.amount_minor, tax_minor=-line.tax_minor))
    work.db.add(credit)
    work.db.flush()
    for charge in work.db.scalars(select(Charge).where(Charge.invoice_id == original.id)):
        charge.invoice_id = None
    work.audit("invoice.credit", record_type="invoice", record_id=credit.id, client_id=original.client_id,
               reason=reason.strip()[:200])
    return credit


def get_invoice(work: Work, invoice_id: uuid.UUID, action: str = "billing.read") -> Invoice:
    invoice = work.db.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound("no such invoice")
    work.require(action, invoice.client_id, record_type="invoice", record_id=invoice.id)
    return invoice


def invoices_of(work: Work, client_id: uuid.UUID) -> list[Invoice]:
    _client(work, client_id, "billing.read")
    return list(work.db.scalars(select(Invoice).where(Invoice.client_id == client_id)
                                .order_by(Invoice.issued_at.desc(), Invoice.number.desc())))


def paid_on(work: Work, invoice_id: uuid.UUID) -> int:
    return work.db.scalar(select(func.coalesce(func.sum(Payment.amount_minor), 0))
                          .where(Payment.invoice_id == invoice_id)) or 0


def balance(work: Work, client_id: uuid.UUID) -> int:
    """Invoiced (less credits) minus paid: positive is owed by the client, negative is their credit."""
    _client(work, client_id, "billing.read")
    invoiced = work.db.scalar(select(func.coalesce(func.sum(Invoice.total_minor), 0))
                              .where(Invoice.client_id == client_id)) or 0
    paid = work.db.scalar(select(func.coalesce(func.sum(Payment.amount_minor), 0))
                          .where(Payment.client_id == client_id)) or 0
    return invoiced - paid


def charge_policy_fee(work: Work, session_id: uuid.UUID, kind: str) -> list[Charge]:
    """The center's late-cancellation or no-show fee on a session that was cancelled late or missed."""
    session = work.db.get(Session, session_id)
    if session is None:
        raise NotFound("no such session")
    for link in session.clients:
        work.require("billing.manage", link.client_id, record_type="session", record_id=session.id)
    settings = settings_of(work)
    if kind == "late_cancel" and session.status == "cancelled" and session.late:
        amount, label = settings.late_cancel_fee_minor, "Late cancellation fee"
    elif kind == "no_show" and session.status == "no_show":
        amount, label = settings.no_show_fee_minor, "Missed appointment fee"
    else:
        raise Conflict("That fee applies only to a session cancelled late or missed.")
    if amount <= 0:
        raise Conflict("The center charges no such fee: set it in the billing settings first.")
    exists = work.db.scalar(select(Charge.id).where(Charge.session_id == session.id, Charge.kind == kind))
    if exists is not None:
        raise Conflict("That fee is charged already.")
    when = to_local(session.starts_at, work.center.timezone)
    charge = Charge(session_id=session.id, client_id=session.clients[0].client_id, kind=kind,
                    description=f"{label} ({when:%d %b %Y %H:%M})", price_minor=amount,
                    currency=settings.currency)
    work.db.add(charge)
    work.db.flush()
    work.audit(f"billing.fee.{kind}", record_type="session", record_id=session.id, client_id=charge.client_id)
    return [charge]


def credit_of(work: Work, invoice_id: uuid.UUID) -> Invoice | None:
    """The credit note that cancelled this invoice, if any."""
    return work.db.scalar(select(Invoice).where(Invoice.credits_id == invoice_id))


def fee_candidates(work: Work, client_id: uuid.UUID) -> list[dict]:
    """The client's late-cancelled and missed sessions that carry no policy fee yet."""
    _client(work, client_id, "billing.read")
    charged = select(Charge.session_id).where(Charge.kind.in_(("late_cancel", "no_show")),
                                              Charge.session_id.is_not(None))
    rows = work.db.execute(
        select(Session.id, Session.starts_at, Session.status, Session.status_reason)
        .join(SessionClient, SessionClient.session_id == Session.id)
        .where(SessionClient.client_id == client_id,
               ((Session.status == "cancelled") & Session.late.is_(True)) | (Session.status == "no_show"),
               Session.id.not_in(charged))
        .order_by(Session.starts_at.desc()).limit(20)).all()
    tz = work.center.timezone
    return [{"session_id": r.id, "when": f"{to_local(r.starts_at, tz):%a %d %b %Y %H:%M}",
             "kind": "late_cancel" if r.status == "cancelled" else "no_show", "reason": r.status_reason}
            for r in rows]
