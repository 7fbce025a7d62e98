"""Billing: fee selection, tax, gapless numbering, credit notes, payments, packages, CPT codes, superbills."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from polymodal.core.access import Actor
from polymodal.core.billing import documents, fees, invoices, packages, payments, reports, superbill
from polymodal.core.billing.models import Charge, Invoice
from polymodal.core.errors import AccessDenied, Conflict, ValidationFailed
from polymodal.core.models import Room
from polymodal.core.services import cases, center, clients, consent, scheduling, users
from tests.conftest import PASSWORD


@pytest.fixture
def biller(practice, staff) -> Actor:
    with practice.work(Actor.system("test")) as work:
        user = users.create_user(work, {"username": "bill", "display_name": "Bea Biller", "password": PASSWORD,
                                        "roles": ["biller"]})
        return Actor.of(user)


@pytest.fixture
def ada(practice, staff):
    with practice.work(staff["desk"]) as work:
        client = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                                "date_of_birth": "1990-01-01"})
        case = cases.open_case(work, title="Ada", kind="individual", client_ids=[client.id],
                               practitioner_ids=[staff["super"].user_id])
        # What check-in asks for, so sessions can be completed.
        consent.record_consent(work, client.id, "clinic/informed", method="in_person", signer_name="Ada Lovelace",
                               capacity="self")
        ids = client.id, case.id
    with practice.work(Actor.system("test")) as work:
        users.add_credential(work, staff["super"].user_id, "LMFT", "LMFT-55012", "US-CA", None)
    return ids


@pytest.fixture
def priced(practice, biller):
    """A 50-minute therapy hour at $150 everywhere, $160 in the Annex, an 80-minute one at $200."""
    with practice.work(Actor.system("test")) as work:
        annex = center.add_room(work, "Annex", "Oak").location_id
    with practice.work(biller) as work:
        fees.update_settings(work, {"tax_id": "12-3456789", "npi": "1234567893", "late_cancel_fee_minor": 7500,
                                    "no_show_fee_minor": 10000, "address": "1 River Rd, Los Angeles"})
        hour = fees.add_service(work, {"name": "Therapy hour", "modality_key": "clinic/therapy", "minutes": 50,
                                       "price_minor": 15000, "tiers": [{"name": "Community", "price_minor": 9000}]})
        fees.add_service(work, {"name": "Therapy hour (Annex)", "modality_key": "clinic/therapy", "minutes": 50,
                                "price_minor": 16000, "location_id": annex})
        fees.add_service(work, {"name": "Long session", "modality_key": "clinic/therapy", "minutes": 80,
                                "price_minor": 20000})
        fees.add_service(work, {"name": "Couple hour", "modality_key": "clinic/therapy", "minutes": 50,
                                "format": "couple", "price_minor": 18000})
        return hour.id


def book(practice, actor, case_id, start=dt.datetime(2026, 3, 2, 10, 0), **extra):
    with practice.work(actor) as work:
        extra.setdefault("room_id", work.db.scalar(select(Room.id).where(Room.name == "Willow")))
        return [s.id for s in scheduling.schedule_session(work, {"case_id": case_id, "modality_key": "clinic/therapy",
                                                                 "starts_at": start, **extra})]


def charges_of(practice, session_id):
    with practice.work(Actor.system("t"), write=False) as work:
        return work.db.scalars(select(Charge).where(Charge.session_id == session_id)).all()


def complete(practice, actor, session_id):
    with practice.work(actor) as work:
        scheduling.set_status(work, session_id, "checked_in")
        scheduling.set_status(work, session_id, "completed")


@pytest.mark.parametrize(("minutes", "in_annex", "expected"), [
    (50, True, ("Therapy hour (Annex)", 16000)),  # the location's own price wins
    (50, False, ("Therapy hour", 15000)),         # elsewhere: the price that applies everywhere
    (45, False, ("Therapy hour", 15000)),         # the nearest length
    (65, False, ("Long session", 20000)),         # equally near 50 and 80: the longer service
    (90, False, ("Long session", 20000)),
])
def test_a_booked_session_carries_the_fee_of_its_service(practice, staff, ada, priced, minutes, in_annex, expected):
    with practice.work(Actor.system("t"), write=False) as work:
        annex_room = work.db.scalar(select(Room.id).where(Room.name == "Oak"))
    [session] = book(practice, staff["desk"], ada[1], minutes=minutes, **({"room_id": annex_room} if in_annex else {}))
    [charge] = charges_of(practice, session)
    assert (charge.description, charge.price_minor, charge.tax_minor) == (*expected, 0)


def test_a_price_change_later_does_not_touch_booked_sessions(practice, staff, ada, priced, biller):
    [booked] = book(practice, staff["desk"], ada[1])
    with practice.work(biller) as work:
        fees.retire_service(work, priced)
        fees.add_service(work, {"name": "Therapy hour 2027", "modality_key": "clinic/therapy", "minutes": 50,
                                "price_minor": 17500})
    [later] = book(practice, staff["desk"], ada[1], start=dt.datetime(2026, 3, 3, 10, 0))
    assert [charges_of(practice, s)[0].price_minor for s in (booked, later)] == [15000, 17500]


def test_no_service_for_the_session_means_no_charge(practice, staff, ada):
    [unpriced] = book(practice, staff["desk"], ada[1])
    assert charges_of(practice, unpriced) == []


def test_tax_where_the_jurisdiction_taxes_the_modality_rounded_half_up(practice, staff, ada, priced, biller):
    with practice.work(biller) as work:
        fees.set_tax_rule(work, "US-CA", "clinic/therapy", "Sales tax", 825)
    [session] = book(practice, staff["desk"], ada[1])
    [charge] = charges_of(practice, session)
    assert (charge.price_minor, charge.tax_minor) == (15000, 1238)  # 1237.5 rounds up
    with practice.work(biller) as work, pytest.raises(ValidationFailed) as refused:
        fees.set_tax_rule(work, "US-CA", "clinic/therapy", "Sales tax", 9000)
    assert "rate_bp" in refused.value.errors


def test_sliding_scale_tier_and_agreed_rate(practice, staff, ada, priced, biller):
    with practice.work(biller) as work:
        fees.set_client_rate(work, ada[0], priced, tier="Community")
    [first] = book(practice, staff["desk"], ada[1])
    with practice.work(biller) as work:
        fees.set_client_rate(work, ada[0], priced, price_minor=4000)
        with pytest.raises(ValidationFailed) as refused:
            fees.set_client_rate(work, ada[0], priced, tier="Platinum")
    assert "tier" in refused.value.errors
    [second] = book(practice, staff["desk"], ada[1], start=dt.datetime(2026, 3, 3, 10, 0))
    assert [charges_of(practice, s)[0].price_minor for s in (first, second)] == [9000, 4000]


def test_invoices_are_numbered_without_gaps_and_a_rolled_back_one_frees_its_number(practice, staff, ada, priced,
                                                                                  biller):
    sessions = book(practice, staff["desk"], ada[1], weeks=3)
    for session in sessions:
        complete(practice, staff["super"], session)
    with practice.work(biller, write=False) as work:
        open_ids = [c.id for c in invoices.open_charges(work, ada[0])]
    with pytest.raises(RuntimeError), practice.work(biller) as work:
        invoices.issue_invoice(work, ada[0], open_ids[:1])
        raise RuntimeError("the printer jammed")
    with practice.work(biller) as work:
        numbers = [invoices.issue_invoice(work, ada[0], [charge_id]).number for charge_id in open_ids]
    assert numbers == [1, 2, 3]
    with practice.work(biller) as work, pytest.raises(Conflict):
        invoices.issue_invoice(work, ada[0], open_ids[:1])  # invoiced already


def test_concurrent_invoicing_takes_distinct_consecutive_numbers(practice, staff, biller):
    people = []
    with practice.work(staff["desk"]) as work:
        for i in range(8):
            client = clients.register_client(work, {"legal_first_name": f"C{i}", "legal_last_name": "Concurrent",
                                                    "date_of_birth": "1980-01-01"})
            people.append(client.id)
    with practice.work(biller) as work:
        fees.update_settings(work, {"no_show_fee_minor": 5000})
        charge_ids = []
        for client_id in people:
            charge = Charge(client_id=client_id, kind="fee", description="Report", price_minor=5000, currency="USD")
            work.db.add(charge)
            work.db.flush()
            charge_ids.append(charge.id)
    numbers, errors, start = [], [], threading.Barrier(len(people))

    def invoice(client_id, charge_id):
        try:
            start.wait()
            with practice.work(biller) as work:
                numbers.append(invoices.issue_invoice(work, client_id, [charge_id]).number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=invoice, args=pair) for pair in zip(people, charge_ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and sorted(numbers) == list(range(1, len(people) + 1))


def test_a_credit_note_reverses_an_issued_invoice_which_itself_never_changes(practice, staff, ada, priced, biller):
    [session] = book(practice, staff["desk"], ada[1])
    complete(practice, staff["super"], session)
    with practice.work(biller) as work:
        charge_ids = [c.id for c in invoices.open_charges(work, ada[0])]
        invoice = invoices.issue_invoice(work, ada[0], charge_ids)
        invoice_id = invoice.id
    with practice.work(biller) as work:
        with pytest.raises(ValidationFailed):
            invoices.issue_credit_note(work, invoice_id, "  ")
        credit = invoices.issue_credit_note(work, invoice_id, "Wrong rate: client is on the community tier")
        assert (credit.kind, credit.number, credit.total_minor) == ("credit", 1, -15000)
        with pytest.raises(Conflict):
            invoices.issue_credit_note(work, invoice_id, "again")
    with practice.work(biller, write=False) as work:
        assert invoices.balance(work, ada[0]) == 0
        assert [c.id for c in invoices.open_charges(work, ada[0])] == charge_ids  # to be invoiced anew
    with pytest.raises(DBAPIError), practice.engine.begin() as conn:
        conn.execute(text("UPDATE billing_invoices SET total_minor = 1 WHERE kind = 'invoice'"))


def test_partial_payments_refunds_balance_and_the_days_takings(practice, staff, ada, priced, biller):
    [session] = book(practice, staff["desk"], ada[1])
    complete(practice, staff["super"], session)
    with practice.work(staff["desk"]) as work:
        invoice = invoices.issue_invoice(work, ada[0], [c.id for c in invoices.open_charges(work, ada[0])])
        with pytest.raises(ValidationFailed) as refused:
            payments.record_payment(work, ada[0], 0, "card")
        assert set(refused.value.errors) == {"amount", "reference"}
        card = payments.record_payment(work, ada[0], 10000, "card", reference="T-881", invoice_id=invoice.id)
        payments.record_payment(work, ada[0], 5000, "cash")
    with practice.work(staff["desk"]) as work:
        assert invoices.balance(work, ada[0]) == 0
        with pytest.raises(Conflict):
            payments.refund(work, card.id, 10001, "overcharged")
        payments.refund(work, card.id, 2500, "Session shortened")
        assert invoices.balance(work, ada[0]) == 2500
        day = payments.takings(work, dt.date(2026, 3, 2))
    assert day["by_method"] == {"card": 7500, "cash": 5000} and day["total"] == 12500


def test_a_package_is_used_as_sessions_complete_until_empty_or_expired(practice, staff, ada, priced, biller):
    with practice.work(staff["desk"]) as work:
        package = packages.sell_package(work, ada[0], name="2 therapy hours", modality_key="clinic/therapy",
                                        sessions_total=2, price_minor=28000, expires_on=dt.date(2026, 3, 20))
        assert work.db.get(Invoice, package.invoice_id).total_minor == 28000
    sessions = book(practice, staff["desk"], ada[1], weeks=4)
    for session in sessions:
        complete(practice, staff["super"], session)
    with practice.work(staff["desk"], write=False) as work:
        [row] = packages.packages_of(work, ada[0])
        still_owed = [c.session_id for c in invoices.open_charges(work, ada[0])]
    assert (row["used"], row["left"]) == (2, 0)
    assert still_owed == sessions[2:]


def test_an_expired_package_pays_for_nothing(practice, staff, ada, priced, clock):
    with practice.work(staff["desk"]) as work:
        packages.sell_package(work, ada[0], name="1 hour", modality_key="clinic/therapy", sessions_total=1,
                              price_minor=14000, expires_on=dt.date(2026, 3, 5))
        with pytest.raises(ValidationFailed) as refused:
            packages.sell_package(work, ada[0], name="", modality_key="clinic/therapy", sessions_total=0,
                                  price_minor=-1, expires_on=dt.date(2026, 3, 1))
    assert set(refused.value.errors) == {"name", "sessions_total", "price", "expires_on"}
    [session] = book(practice, staff["desk"], ada[1], start=dt.datetime(2026, 3, 9, 10, 0))
    complete(practice, staff["super"], session)
    with practice.work(staff["desk"], write=False) as work:
        assert [c.session_id for c in invoices.open_charges(work, ada[0])] == [session]


def test_policy_fees_only_on_a_cancelled_or_missed_session(practice, staff, ada, priced, biller):
    [kept, cancelled] = book(practice, staff["desk"], ada[1], weeks=2)
    with practice.work(staff["desk"]) as work:
        with pytest.raises(Conflict):
            invoices.charge_policy_fee(work, kept, "late_cancel")
        scheduling.cancel_session(work, cancelled, "late_cancellation", "Client cancelled two hours before")
        [fee] = invoices.charge_policy_fee(work, cancelled, "late_cancel")
        assert (fee.price_minor, fee.kind) == (7500, "late_cancel")
        with pytest.raises(Conflict):
            invoices.charge_policy_fee(work, cancelled, "late_cancel")
        assert [c.kind for c in invoices.open_charges(work, ada[0])] == ["late_cancel"]


@pytest.mark.parametrize(("format", "minutes", "intake", "code"), [
    ("individual", 15, False, None), ("individual", 16, False, "90832"), ("individual", 37, False, "90832"),
    ("individual", 38, False, "90834"), ("individual", 52, False, "90834"), ("individual", 53, False, "90837"),
    ("individual", 90, False, "90837"), ("individual", 60, True, "90791"),
    ("couple", 25, False, None), ("couple", 26, False, "90847"), ("family", 50, False, "90847"),
    ("group", 90, False, "90853"),
])
def test_the_cpt_code_follows_the_time_rule_at_each_boundary(format, minutes, intake, code):
    assert superbill.cpt_for(format, minutes, intake=intake) == code


def test_a_superbill_pdf_names_codes_provider_and_payments(practice, staff, ada, priced, biller):
    with practice.work(Actor.system("t")) as work:
        users.add_credential(work, staff["super"].user_id, "NPI", "1467523891", "US", None)
    with practice.work(staff["super"]) as work:
        with pytest.raises(ValidationFailed) as refused:
            superbill.set_diagnoses(work, ada[1], [("F41.1", "Generalized anxiety disorder"), ("41.1X", "")])
        assert "Line 2" in refused.value.errors["codes"]
        superbill.set_diagnoses(work, ada[1], [("f41.1", "Generalized anxiety disorder")])
    first, second = book(practice, staff["desk"], ada[1], weeks=2, minutes=45)
    for session in (first, second):
        complete(practice, staff["super"], session)
    with practice.work(biller) as work:
        invoice = invoices.issue_invoice(work, ada[0], [c.id for c in invoices.open_charges(work, ada[0])])
        payments.record_payment(work, ada[0], 20000, "cash", invoice_id=invoice.id)  # part of 300.00
    with practice.work(biller, write=False) as work:
        bill = superbill.superbill(work, ada[0], dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert [(line.cpt, line.paid_minor) for line in bill.lines] == [("90791", 15000), ("90834", 5000)]
    pdf = PdfReader(io.BytesIO(documents.superbill_pdf(bill)))
    words = " ".join(page.extract_text() for page in pdf.pages)
    for expected in ("Ada Lovelace", "90791", "90834", "F41.1", "1467523891", "LMFT LMFT-55012", "12-3456789",
                     "1990-01-01", "150.00 USD"):
        assert expected in words, expected


def test_an_invoice_pdf_shows_its_lines_and_what_is_due(practice, staff, ada, priced, biller):
    [session] = book(practice, staff["desk"], ada[1])
    complete(practice, staff["super"], session)
    with practice.work(biller) as work:
        invoice = invoices.issue_invoice(work, ada[0], [c.id for c in invoices.open_charges(work, ada[0])],
                                         invoices.Payer(kind="third_party", name="Ünsal & Søn GmbH <b>"))
        pdf = documents.invoice_pdf(invoice, center="Test Center", address="", tax_id="12-3456789", paid_minor=5000,
                                   issued_on=dt.date(2026, 3, 2))
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Invoice 1" in words and "Ünsal & Søn GmbH <b>" in words and "due 100.00 USD" in words


def test_a_biller_sees_money_and_who_never_clinical_records(practice, staff, ada, biller):
    with practice.work(biller, write=False) as work:
        invoices.balance(work, ada[0])
        with pytest.raises(AccessDenied):
            work.require("clinical.read", ada[0])
    with practice.work(staff["desk"], write=False) as work, pytest.raises(AccessDenied):
        superbill.superbill(work, ada[0], dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    with practice.work(staff["other"], write=False) as work, pytest.raises(AccessDenied):
        invoices.balance(work, ada[0])


def test_revenue_by_month_modality_and_practitioner_and_outstanding_as_csv(practice, staff, ada, priced, biller):
    [session] = book(practice, staff["desk"], ada[1])
    complete(practice, staff["super"], session)
    with practice.work(biller) as work:
        invoices.issue_invoice(work, ada[0], [c.id for c in invoices.open_charges(work, ada[0])])
        payments.record_payment(work, ada[0], 4000, "cash")
    with practice.work(biller, write=False) as work:
        revenue = reports.revenue(work, 2026)
        owed = reports.outstanding(work)
    assert revenue == [{"month": "2026-03", "modality": "Therapy", "practitioner": "Super", "currency": "USD",
                        "amount_minor": 15000}]
    assert reports.as_csv(owed).splitlines() == ["name,due", "Ada Lovelace,110.00"]
    assert reports.as_csv([{"name": "=HYPERLINK(1)", "due_minor": 1}]).splitlines()[1] == "'=HYPERLINK(1),0.01"


def test_a_weekly_series_is_priced_once_not_once_a_week(practice, staff, ada, priced):
    from sqlalchemy import event

    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(practice.engine, "before_cursor_execute", count)
    try:
        sessions = book(practice, staff["desk"], ada[1], weeks=6)
    finally:
        event.remove(practice.engine, "before_cursor_execute", count)
    assert len([s for s in seen if "FROM billing_services" in s]) == 1
    assert [charges_of(practice, s)[0].price_minor for s in sessions] == [15000] * 6
