"""Invoices and superbills as PDF (fpdf2), with the same content as their pages."""

from __future__ import annotations

import datetime as dt

from polymodal.core.billing.models import Invoice
from polymodal.core.billing.superbill import Superbill


def money(minor: int, currency: str) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100:,}.{abs(minor) % 100:02d} {currency}"


def invoice_pdf(invoice: Invoice, *, center: str, address: str, tax_id: str, paid_minor: int,
                issued_on: dt.date) -> bytes:
    from polymodal.core.billing.pdf_page import Document  # on first use: see its module

    label = "Credit note" if invoice.kind == "credit" else "Invoice"
    doc = Document(f"{label} {invoice.number}")
    doc.line_of(center, size=14, bold=True)
    if address:
        doc.line_of(address, size=9)
    if tax_id:
        doc.line_of(f"Tax id: {tax_id}", size=9)
    doc.ln(4)
    doc.line_of(f"{label} {invoice.number}", size=16, bold=True)
    doc.line_of(f"Issued {issued_on:%d %b %Y}" + ("" if invoice.kind == "credit"
                                                            else f" - due {invoice.due_on:%d %b %Y}"))
    doc.line_of(f"Bill to: {invoice.payer_name}")
    if invoice.payer_address:
        doc.line_of(invoice.payer_address, size=9)
    if invoice.reason:
        doc.line_of(f"Reason: {invoice.reason}", size=9)
    doc.ln(3)
    doc.table(["Date", "Description", "Amount", "Tax"],
              [[line.service_date.isoformat() if line.service_date else "", line.description,
                money(line.amount_minor, invoice.currency), money(line.tax_minor, invoice.currency)]
               for line in invoice.lines], [28, 92, 30, 30])
    doc.line_of(f"Subtotal {money(invoice.subtotal_minor, invoice.currency)}")
    doc.line_of(f"Tax {money(invoice.tax_minor, invoice.currency)}")
    doc.line_of(f"Total {money(invoice.total_minor, invoice.currency)}", bold=True)
    if invoice.kind == "invoice":
        doc.line_of(f"Paid {money(paid_minor, invoice.currency)} - "
                    f"due {money(invoice.total_minor - paid_minor, invoice.currency)}")
    return bytes(doc.output())


def superbill_pdf(bill: Superbill) -> bytes:
    from polymodal.core.billing.pdf_page import Document

    doc = Document(f"Superbill {bill.client_name}")
    doc.line_of("Superbill (statement for insurance reimbursement)", size=14, bold=True)
    doc.line_of(f"{bill.center}" + (f" - {bill.center_address}" if bill.center_address else ""))
    doc.line_of(f"Tax id (EIN): {bill.tax_id or 'not set'}" + (f" - NPI {bill.center_npi}" if bill.center_npi else ""))
    doc.ln(2)
    doc.line_of(f"Client: {bill.client_name}, born {bill.date_of_birth.isoformat()}", bold=True)
    if bill.client_address:
        doc.line_of(bill.client_address, size=9)
    doc.line_of(f"Period: {bill.period[0].isoformat()} to {bill.period[1].isoformat()}")
    doc.ln(2)
    for provider in bill.providers:
        doc.line_of(f"Provider: {provider['name']} - NPI {provider['npi'] or 'not on file'} - "
                    f"{'; '.join(provider['licences']) or 'no licence on file'}", size=9)
    doc.line_of("Diagnoses (ICD-10-CM): " + ("; ".join(f"{c} {d}".strip() for c, d in bill.diagnoses)
                                            or "none on the case"), size=9)
    doc.ln(2)
    doc.table(["Date", "CPT", "POS", "Minutes", "Diagnosis", "Fee", "Paid"],
              [[line.date.isoformat(), line.cpt, line.place, str(line.minutes), line.diagnoses,
                money(line.fee_minor, bill.currency), money(line.paid_minor, bill.currency)]
               for line in bill.lines], [24, 16, 12, 18, 40, 32, 32])
    doc.line_of(f"Total fees {money(bill.total_fee, bill.currency)} - total paid {money(bill.total_paid, bill.currency)}",
                bold=True)
    doc.line_of("POS 11: office; POS 10: telehealth in the client's home.", size=8)
    return bytes(doc.output())
