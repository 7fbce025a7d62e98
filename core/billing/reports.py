"""Revenue by modality, practitioner and month, and outstanding balances; CSV for the center's accountant."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import func, select

from polymodal.core.billing.models import Invoice, InvoiceLine, Payment
from polymodal.core.models import Client, Session, SessionPractitioner, User
from polymodal.core.practice import Work
from polymodal.core.timeutil import local_days, to_local


def revenue(work: Work, year: int) -> list[dict]:
    """Invoiced amounts (credit notes subtract) per month, modality and practitioner, in local months.

    A session with two practitioners counts for each: the rows say who earned, the totals are per row."""
    work.require("billing.report")
    tz = work.center.timezone
    start, end = local_days(dt.date(year, 1, 1), dt.date(year, 12, 31), tz)
    rows = work.db.execute(
        select(Invoice.issued_at, Invoice.currency, InvoiceLine.amount_minor, Session.modality_key,
               User.display_name)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .outerjoin(Session, Session.id == InvoiceLine.session_id)
        .outerjoin(SessionPractitioner, SessionPractitioner.session_id == Session.id)
        .outerjoin(User, User.id == SessionPractitioner.user_id)
        .where(Invoice.issued_at >= start, Invoice.issued_at < end)).all()
    totals: dict[tuple, int] = {}
    for issued_at, currency, amount, modality_key, practitioner in rows:
        local = to_local(issued_at, tz)
        modality = work.registry.modalities.get(modality_key) if modality_key else None
        key = (f"{local:%Y-%m}", modality.name if modality else "Packages and fees", practitioner or "-", currency)
        totals[key] = totals.get(key, 0) + amount
    work.audit("billing.report", record_type="report", reason=f"revenue {year}")
    return [{"month": m, "modality": mod, "practitioner": p, "currency": c, "amount_minor": a}
            for (m, mod, p, c), a in sorted(totals.items())]


def outstanding(work: Work) -> list[dict]:
    """Clients whose invoices exceed their payments."""
    work.require("billing.report")
    invoiced = (select(Invoice.client_id, func.sum(Invoice.total_minor).label("amount"))
                .group_by(Invoice.client_id).subquery())
    paid = (select(Payment.client_id, func.sum(Payment.amount_minor).label("amount"))
            .group_by(Payment.client_id).subquery())
    due = invoiced.c.amount - func.coalesce(paid.c.amount, 0)
    rows = work.db.execute(
        select(Client.id, Client.legal_first_name, Client.legal_last_name, due.label("due"))
        .join(invoiced, invoiced.c.client_id == Client.id).outerjoin(paid, paid.c.client_id == Client.id)
        .where(due > 0).order_by(due.desc())).all()
    work.audit("billing.report", record_type="report", reason="outstanding balances")
    return [{"client_id": r.id, "name": f"{r.legal_first_name} {r.legal_last_name}", "due_minor": r.due}
            for r in rows]


def as_csv(rows: list[dict]) -> str:
    """Amounts in major units with two decimals, so a spreadsheet reads them as numbers."""
    if not rows:
        return ""
    out = io.StringIO()
    fields = [k for k in rows[0] if k != "client_id"]
    writer = csv.writer(out)
    writer.writerow([f.removesuffix("_minor") for f in fields])
    for row in rows:
        writer.writerow([f"{row[f] / 100:.2f}" if f.endswith("_minor") else _cell(row[f]) for f in fields])
    return out.getvalue()


def _cell(value: object) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: a client's name must never run as one.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
