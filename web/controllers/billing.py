"""Billing: the front desk's day sheet and takings, a client's billing tab, invoices, superbills, settings and
reports. Amounts are typed as 120.00 and kept as integer cents; every figure comes from core.billing."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from polymodal.core.access import Actor
from polymodal.core.billing import documents, fees, invoices, packages, payments, reports, superbill
from polymodal.core.errors import Conflict, ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.services import client_record
from polymodal.core.timeutil import to_local
from polymodal.web.controllers.client_tabs import PAYER_KINDS, local_day_of, tab_context
from polymodal.web.controllers.schedule_views import as_uuid
from polymodal.web.rendering import render
from polymodal.web.threads import on_long_thread

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
AMOUNT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


def _one(data: dict[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()[:limit]


def _ids(data: dict[str, Any], name: str) -> list[uuid.UUID]:
    value = data.get(name, [])
    found = [as_uuid(v) for v in (value if isinstance(value, list) else [value]) if v][:200]
    return [v for v in found if v is not None]


def _minor(text: str, field: str, *, required: bool = True) -> int | None:
    """'120', '120.5' or '120.50' as cents; anything else is an error that names the field."""
    text = text.replace(",", "").strip()
    if not text and not required:
        return None
    if not AMOUNT.match(text):
        raise ValidationFailed({field: "Enter an amount such as 120.00."})
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def _date(text: str, field: str, *, required: bool = True) -> dt.date | None:
    if not text and not required:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed({field: "Enter a date as YYYY-MM-DD."}) from None


def _today(work: Work) -> dt.date:
    return to_local(work.now, work.center.timezone).date()


def _period(work: Work, start: str, end: str) -> dict[str, str]:
    """The asked period, or this month so far."""
    today = _today(work)
    return {"start": start or today.replace(day=1).isoformat(), "end": end or today.isoformat()}


class BillingController(Controller):
    path = "/"

    # --- the front desk's day -----------------------------------------------------

    def _day(self, request: HTMXRequest, practice: Practice, actor: Actor, *, notice: str = "",
             errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
        with practice.work(actor, write=False) as work:
            day = _today(work)
            context = {"day": day, "due": payments.due_today(work, day), "takings": payments.takings(work, day),
                       "methods": payments.METHODS, "money": documents.money,
                       "currency": fees.settings_of(work).currency}
        return render(request, "billing/day.html", {**context, "notice": notice, "errors": errors or {}},
                      block="day_sheet", status_code=status_code)

    @get("/billing", opt={"action": "billing.read"}, sync_to_thread=True)
    def day(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor]) -> Template:
        return self._day(request, practice, actor)

    @post("/billing/clients/{client_id:uuid}/settle", opt={"action": "billing.manage"}, status_code=200,
          sync_to_thread=True)
    def settle(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], data: FormData) -> Response:
        try:
            with practice.work(actor) as work:
                invoice, payment = payments.settle(work, client_id, _ids(data, "charge_ids"), _one(data, "method"),
                                                   _one(data, "reference", 120))
                notice = (f"Invoice {invoice.number} issued and {documents.money(invoice.total_minor, invoice.currency)}"
                          f" taken by {payments.METHODS[payment.method].lower()}." if payment else
                          f"Invoice {invoice.number} issued.")
        except ValidationFailed as exc:
            return self._day(request, practice, actor, errors={f"{client_id}-{k}": v for k, v in exc.errors.items()},
                             status_code=422)
        except Conflict as exc:
            return self._day(request, practice, actor, errors={"form": str(exc)}, status_code=409)
        return self._day(request, practice, actor, notice=notice)

    # --- a client's billing tab ---------------------------------------------------

    def _tab(self, request: HTMXRequest, practice: Practice, actor: Actor, client_id: uuid.UUID, *,
             notice: str = "", errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
             status_code: int = 200) -> Template:
        with practice.work(actor, write=False) as work:
            context = tab_context(work, client_id, "billing")
        context.update(tab="billing", tab_label="Billing", notice=notice, errors=errors or {}, values=values or {})
        return render(request, "clients/detail.html", context, block="client_tab", status_code=status_code)

    def _change(self, request: HTMXRequest, practice: Practice, actor: Actor, client_id: uuid.UUID,
                data: dict[str, Any], change) -> Template:
        try:
            with practice.work(actor) as work:
                notice = change(work)
        except ValidationFailed as exc:
            return self._tab(request, practice, actor, client_id, errors=exc.errors,
                             values={k: _one(data, k, 300) for k in data if k != "_csrf"}, status_code=422)
        except Conflict as exc:
            return self._tab(request, practice, actor, client_id, errors={"form": str(exc)}, status_code=409)
        return self._tab(request, practice, actor, client_id, notice=notice)

    @get("/clients/{client_id:uuid}/billing", opt={"action": "billing.read"}, sync_to_thread=True)
    def tab(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
            client_id: FromPath[uuid.UUID]) -> Template:
        return self._tab(request, practice, actor, client_id)

    @post("/clients/{client_id:uuid}/billing/invoices", opt={"action": "billing.manage"}, status_code=200,
          sync_to_thread=True)
    def invoice(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                client_id: FromPath[uuid.UUID], data: FormData) -> Template:
        def change(work: Work) -> str:
            kind = _one(data, "payer_kind") or "client"
            if kind not in PAYER_KINDS:
                raise ValidationFailed({"payer_kind": "Choose who pays."})
            payer = invoices.Payer(kind=kind, name=_one(data, "payer_name"), address=_one(data, "payer_address", 500),
                                   guardian_id=as_uuid(_one(data, "guardian_id")))
            issued = invoices.issue_invoice(work, client_id, _ids(data, "charge_ids"), payer)
            return f"Invoice {issued.number} issued for {documents.money(issued.total_minor, issued.currency)}."
        return self._change(request, practice, actor, client_id, data, change)

    @post("/clients/{client_id:uuid}/billing/payments", opt={"action": "billing.manage"}, status_code=200,
          sync_to_thread=True)
    def payment(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                client_id: FromPath[uuid.UUID], data: FormData) -> Template:
        def change(work: Work) -> str:
            amount = _minor(_one(data, "amount"), "amount")
            paid = payments.record_payment(work, client_id, amount, _one(data, "method"),
                                           reference=_one(data, "reference", 120),
                                           invoice_id=as_uuid(_one(data, "invoice_id")))
            return f"Payment of {documents.money(paid.amount_minor, paid.currency)} recorded."
        return self._change(request, practice, actor, client_id, data, change)

    @post("/clients/{client_id:uuid}/billing/refunds", opt={"action": "billing.manage"}, status_code=200,
          sync_to_thread=True)
    def refund(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], data: FormData) -> Template:
        def change(work: Work) -> str:
            payment_id = as_uuid(_one(data, "payment_id"))
            if payment_id is None or payment_id not in {p.id for p in payments.payments_of(work, client_id)}:
                raise ValidationFailed({"payment_id": "Choose one of this client's payments."})
            back = payments.refund(work, payment_id, _minor(_one(data, "refund_amount"), "refund_amount"),
                                   _one(data, "refund_reason", 120))
            return f"Refund of {documents.money(-back.amount_minor, back.currency)} recorded."
        return self._change(request, practice, actor, client_id, data, change)

    @post("/clients/{client_id:uuid}/billing/packages", opt={"action": "billing.manage"}, status_code=200,
          sync_to_thread=True)
    def package(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                client_id: FromPath[uuid.UUID], data: FormData) -> Template:
        def change(work: Work) -> str:
            count = _one(data, "sessions_total")
            sold = packages.sell_package(
                work, client_id, name=_one(data, "name"), modality_key=_one(data, "modality_key"),
                sessions_total=int(count) if count.isdigit() else 0,
                price_minor=_minor(_one(data, "price"), "price"),
                expires_on=_date(_one(data, "expires_on"), "expires_on", required=False))
            return f"Package '{sold.name}' sold and invoiced."
        return self._change(request, practice, actor, client_id, data, change)

    @post("/clients/{client_id:uuid}/billing/fees", opt={"action": "billing.manage"}, status_code=200,
          sync_to_thread=True)
    def policy_fee(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                   client_id: FromPath[uuid.UUID], data: FormData) -> Template:
        def change(work: Work) -> str:
            session_id = as_uuid(_one(data, "session_id"))
            if session_id is None or session_id not in {c["session_id"] for c in
                                                        invoices.fee_candidates(work, client_id)}:
                raise ValidationFailed({"session_id": "Choose one of this client's cancelled or missed sessions."})
            [charge] = invoices.charge_policy_fee(work, session_id, _one(data, "kind"))
            return f"{charge.description} added: {documents.money(charge.price_minor, charge.currency)}."
        return self._change(request, practice, actor, client_id, data, change)

    # --- invoices -----------------------------------------------------------------

    def _invoice(self, request: HTMXRequest, practice: Practice, actor: Actor, invoice_id: uuid.UUID, *,
                 errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
        with practice.work(actor, write=False) as work:
            invoice = invoices.get_invoice(work, invoice_id)
            context = {"invoice": invoice, "lines": list(invoice.lines), "paid": invoices.paid_on(work, invoice.id),
                       "money": documents.money, "local_day": local_day_of(work),
                       "credited_by": invoices.credit_of(work, invoice.id),
                       "can_credit": work.may("billing.manage", invoice.client_id)}
            work.audit("invoice.read", record_type="invoice", record_id=invoice.id, client_id=invoice.client_id)
        return render(request, "billing/invoice.html", {**context, "errors": errors or {}}, status_code=status_code)

    @get("/billing/invoices/{invoice_id:uuid}", opt={"action": "billing.read"}, sync_to_thread=True)
    def invoice_page(self, request: HTMXRequest, practice: NamedDependency[Practice],
                     actor: NamedDependency[Actor], invoice_id: FromPath[uuid.UUID]) -> Template:
        return self._invoice(request, practice, actor, invoice_id)

    @get("/billing/invoices/{invoice_id:uuid}/pdf", opt={"action": "billing.read"})
    @on_long_thread
    def invoice_pdf(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                    invoice_id: FromPath[uuid.UUID]) -> Response:
        with practice.work(actor, write=False) as work:
            invoice = invoices.get_invoice(work, invoice_id)
            settings = fees.settings_of(work)
            pdf = documents.invoice_pdf(invoice, center=work.center.name, address=settings.address,
                                        tax_id=settings.tax_id, paid_minor=invoices.paid_on(work, invoice.id),
                                        issued_on=to_local(invoice.issued_at, work.center.timezone).date())
            work.audit("invoice.pdf", record_type="invoice", record_id=invoice.id, client_id=invoice.client_id)
            name = f"{'credit-note' if invoice.kind == 'credit' else 'invoice'}-{invoice.number}.pdf"
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @post("/billing/invoices/{invoice_id:uuid}/credit", opt={"action": "billing.manage"}, status_code=200,
          sync_to_thread=True)
    def credit(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               invoice_id: FromPath[uuid.UUID], data: FormData) -> Response:
        try:
            with practice.work(actor) as work:
                note = invoices.issue_credit_note(work, invoice_id, _one(data, "reason", 500))
                note_id = note.id
        except ValidationFailed as exc:
            return self._invoice(request, practice, actor, invoice_id, errors=exc.errors, status_code=422)
        except Conflict as exc:
            return self._invoice(request, practice, actor, invoice_id, errors={"form": str(exc)}, status_code=409)
        return Redirect(path=f"/billing/invoices/{note_id}", status_code=303)

    # --- superbills ---------------------------------------------------------------

    def _superbill(self, request: HTMXRequest, practice: Practice, actor: Actor, client_id: uuid.UUID,
                   start: str, end: str, errors: dict[str, str] | None = None) -> Template:
        errors = dict(errors or {})
        with practice.work(actor, write=False) as work:
            values = _period(work, start, end)
            bill = None
            try:
                bill = superbill.superbill(work, client_id, _date(values["start"], "start"),
                                           _date(values["end"], "end"))
            except ValidationFailed as exc:
                errors.update(exc.errors)
            can_edit = work.may("clinical.write", client_id)
            cases = [{"id": c.id, "title": c.title, "diagnoses": superbill.diagnoses_of(work, c.id)}
                     for c in client_record.cases_of(work, client_id)]
        return render(request, "billing/superbill.html", {
            "client_id": client_id, "bill": bill, "values": values, "errors": errors, "cases": cases,
            "can_edit": can_edit, "money": documents.money}, status_code=422 if errors else 200)

    @get("/clients/{client_id:uuid}/superbill", opt={"action": "superbill.create"}, sync_to_thread=True)
    def superbill_page(self, request: HTMXRequest, practice: NamedDependency[Practice],
                       actor: NamedDependency[Actor], client_id: FromPath[uuid.UUID],
                       start: Annotated[str, QueryParameter(max_length=10)] = "",
                       end: Annotated[str, QueryParameter(max_length=10)] = "") -> Template:
        return self._superbill(request, practice, actor, client_id, start, end)

    @get("/clients/{client_id:uuid}/superbill/pdf", opt={"action": "superbill.create"})
    @on_long_thread
    def superbill_pdf(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                      client_id: FromPath[uuid.UUID], start: Annotated[str, QueryParameter(max_length=10)] = "",
                      end: Annotated[str, QueryParameter(max_length=10)] = "") -> Response:
        with practice.work(actor, write=False) as work:
            period = _period(work, start, end)
            try:
                bill = superbill.superbill(work, client_id, _date(period["start"], "start"), _date(period["end"], "end"))
            except ValidationFailed as exc:
                # A link's parameter, named: the PDF has no form to show the message beside.
                return Response("; ".join(f"{field}: {message}" for field, message in exc.errors.items()),
                                status_code=422, media_type="text/plain")
        name = f"superbill-{bill.period[0].isoformat()}-{bill.period[1].isoformat()}.pdf"
        return Response(documents.superbill_pdf(bill), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @post("/clients/{client_id:uuid}/diagnoses", opt={"action": "clinical.write"}, status_code=200,
          sync_to_thread=True)
    def diagnoses(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                  client_id: FromPath[uuid.UUID], data: FormData) -> Response:
        """One code a line, its description after a space: 'F41.1 Generalized anxiety disorder'."""
        lines = [line.strip() for line in _one(data, "codes", 2000).splitlines() if line.strip()]
        codes = [(code, rest.strip()) for code, _, rest in (line.partition(" ") for line in lines)]
        case_id = as_uuid(_one(data, "case_id"))
        try:
            with practice.work(actor) as work:
                if case_id not in {c.id for c in client_record.cases_of(work, client_id)}:
                    raise ValidationFailed({"codes": "Choose one of this client's cases."})
                superbill.set_diagnoses(work, case_id, codes)
        except ValidationFailed as exc:
            return self._superbill(request, practice, actor, client_id, _one(data, "start", 10),
                                   _one(data, "end", 10), errors=exc.errors)
        return Redirect(path=f"/clients/{client_id}/superbill", status_code=303)

    # --- settings and reports -----------------------------------------------------

    def _settings(self, request: HTMXRequest, practice: Practice, actor: Actor, *, notice: str = "",
                  errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                  status_code: int = 200) -> Template:
        with practice.work(actor, write=False) as work:
            settings = fees.settings_of(work)
            context = {"settings": settings, "services": fees.services(work),
                       "modalities": [(m.key, m.name) for m in work.registry.modalities],
                       "locations": fees.locations(work), "money": documents.money,
                       "formats": fees.FORMATS}
        return render(request, "billing/settings.html", {**context, "notice": notice, "errors": errors or {},
                                                         "values": values or {}}, status_code=status_code)

    @get("/billing/settings", opt={"action": "billing.configure"}, sync_to_thread=True)
    def settings(self, request: HTMXRequest, practice: NamedDependency[Practice],
                 actor: NamedDependency[Actor]) -> Template:
        return self._settings(request, practice, actor)

    @post("/billing/settings", opt={"action": "billing.configure"}, status_code=200, sync_to_thread=True)
    def save_settings(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor], data: FormData) -> Template:
        values = {k: _one(data, k, 500) for k in ("currency", "tax_id", "npi", "address", "payment_terms_days",
                                                   "late_cancel_hours", "late_cancel_fee", "no_show_fee")}
        try:
            with practice.work(actor) as work:
                fees.update_settings(work, {
                    "currency": values["currency"].upper(), "tax_id": values["tax_id"], "npi": values["npi"],
                    "address": values["address"], "payment_terms_days": values["payment_terms_days"] or 14,
                    "late_cancel_hours": values["late_cancel_hours"] or 24,
                    "late_cancel_fee_minor": _minor(values["late_cancel_fee"] or "0", "late_cancel_fee"),
                    "no_show_fee_minor": _minor(values["no_show_fee"] or "0", "no_show_fee")})
        except ValidationFailed as exc:
            errors = {{"late_cancel_fee_minor": "late_cancel_fee", "no_show_fee_minor": "no_show_fee"}.get(k, k): v
                      for k, v in exc.errors.items()}
            return self._settings(request, practice, actor, errors=errors, values=values, status_code=422)
        return self._settings(request, practice, actor, notice="Billing settings saved.")

    @post("/billing/services", opt={"action": "billing.configure"}, status_code=200, sync_to_thread=True)
    def add_service(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor], data: FormData) -> Template:
        values = {k: _one(data, k, 300) for k in ("name", "modality_key", "minutes", "format", "location_id",
                                                   "price", "tiers")}
        try:
            tiers = []
            for number, line in enumerate(filter(None, (x.strip() for x in values["tiers"].split(";"))), 1):
                name, _, amount = line.rpartition(" ")
                if not name:
                    raise ValidationFailed({"tiers": f"Tier {number}: write a name and a price, e.g. 'Community 90.00'."})
                tiers.append({"name": name, "price_minor": _minor(amount, "tiers")})
            with practice.work(actor) as work:
                service = fees.add_service(work, {
                    "name": values["name"], "modality_key": values["modality_key"],
                    "minutes": values["minutes"] or 0, "format": values["format"] or "individual",
                    "location_id": as_uuid(values["location_id"]), "price_minor": _minor(values["price"], "price"),
                    "tiers": tiers})
                notice = f"Service '{service.name}' added."
        except ValidationFailed as exc:
            errors = {{"price_minor": "price"}.get(k, k): v for k, v in exc.errors.items()}
            return self._settings(request, practice, actor, errors=errors, values=values, status_code=422)
        return self._settings(request, practice, actor, notice=notice)

    @post("/billing/services/retire", opt={"action": "billing.configure"}, status_code=200, sync_to_thread=True)
    def retire_service(self, request: HTMXRequest, practice: NamedDependency[Practice],
                       actor: NamedDependency[Actor], data: FormData) -> Template:
        service_id = as_uuid(_one(data, "service_id"))
        if service_id is None:
            return self._settings(request, practice, actor, errors={"form": "Choose a service."}, status_code=422)
        with practice.work(actor) as work:
            fees.retire_service(work, service_id)
        return self._settings(request, practice, actor, notice="Service retired: booked sessions keep their price.")

    @get("/billing/reports", opt={"action": "billing.report"}, sync_to_thread=True)
    def reports_page(self, request: HTMXRequest, practice: NamedDependency[Practice],
                     actor: NamedDependency[Actor], year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
                     ) -> Template:
        with practice.work(actor, write=False) as work:
            year = year or _today(work).year
            context = {"year": year, "revenue": reports.revenue(work, year), "outstanding": reports.outstanding(work),
                       "money": documents.money, "currency": fees.settings_of(work).currency}
        return render(request, "billing/reports.html", context)

    def _csv(self, practice: Practice, actor: Actor, name: str, rows_of) -> Response:
        with practice.work(actor, write=False) as work:
            rows = rows_of(work)
        return Response(reports.as_csv(rows), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})

    @get("/billing/reports/revenue.csv", opt={"action": "billing.report"}, sync_to_thread=True)
    def revenue_csv(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                    year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None) -> Response:
        return self._csv(practice, actor, "revenue", lambda work: reports.revenue(work, year or _today(work).year))

    @get("/billing/reports/outstanding.csv", opt={"action": "billing.report"}, sync_to_thread=True)
    def outstanding_csv(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor]) -> Response:
        return self._csv(practice, actor, "outstanding", reports.outstanding)
