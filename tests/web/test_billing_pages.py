"""Billing pages: the front desk takes the day's payments, a client's billing tab, invoices and credit notes,
superbills, fees and reports, with field errors that name the field and keep what was typed."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import Session, SessionClient

HTMX = {"HX-Request": "true"}


@pytest.fixture
def took_place(web_practice):
    """Mark a demo client's sessions of today as completed (how they got there is check-in's business)."""

    def mark(client_id: str, count: int = 1) -> list[uuid.UUID]:
        with web_practice.work(Actor.system("test")) as work:
            sessions = work.db.scalars(
                select(Session).join(SessionClient, SessionClient.session_id == Session.id)
                .where(SessionClient.client_id == uuid.UUID(client_id)).order_by(Session.starts_at).limit(count)).all()
            for session in sessions:
                session.status = "completed"
            return [s.id for s in sessions]

    return mark


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_front_desk_invoices_and_takes_the_days_payments(client, signed_in, client_id, took_place, queries):
    jordan = client_id("Ellis", "Jordan")
    took_place(jordan)
    token = signed_in("frontdesk")
    page = client.get("/billing")
    assert page.status_code == 200 and "Jordan Ellis" in page.text and "160.00 USD" in page.text
    charge = re.search(r'name="charge_ids" value="([0-9a-f-]{36})"', page.text).group(1)
    refused = client.post(f"/billing/clients/{jordan}/settle", headers=HTMX,
                          data={"_csrf": token, "charge_ids": charge, "method": "card", "reference": ""})
    assert refused.status_code == 422 and "Enter the card terminal&#39;s receipt reference." in refused.text
    done = client.post(f"/billing/clients/{jordan}/settle", headers=HTMX,
                       data={"_csrf": token, "charge_ids": charge, "method": "cash"})
    assert done.status_code == 200 and "Invoice 1 issued and 160.00 USD taken by cash." in done.text
    assert re.search(r'id="takings-total">160.00 USD<', done.text)
    assert "Every session that took place today is paid or invoiced." in done.text
    assert queries.of_page(client, "/billing") <= 12


def test_the_day_sheets_queries_do_not_grow_with_the_clients_who_owe(client, signed_in, client_id, took_place,
                                                                    queries):
    signed_in("frontdesk")
    took_place(client_id("Ellis", "Jordan"))
    one = queries.of_page(client, "/billing")
    for last, first in (("Becker", "Tom"), ("Natarajan", "Priya")):
        took_place(client_id(last, first))
    assert queries.of_page(client, "/billing") == one


def test_billing_tab_invoice_payment_errors_and_escaping(client, signed_in, client_id, took_place):
    tom = client_id("Becker", "Tom")
    took_place(tom)
    token = signed_in("billing")
    tab = client.get(f"/clients/{tom}/billing")
    assert tab.status_code == 200 and "Massage, 50 minutes" in tab.text and "Notes" not in tab.text
    charge = re.search(r'name="charge_ids" value="([0-9a-f-]{36})"', tab.text).group(1)
    no_payer = client.post(f"/clients/{tom}/billing/invoices", headers=HTMX,
                           data={"_csrf": token, "charge_ids": charge, "payer_kind": "third_party"})
    assert no_payer.status_code == 422 and "Name the third party who pays" in no_payer.text
    issued = client.post(f"/clients/{tom}/billing/invoices", headers=HTMX, data={
        "_csrf": token, "charge_ids": charge, "payer_kind": "third_party", "payer_name": "<script>x</script> Ltd"})
    assert "Invoice 1 issued for 120.00 USD." in issued.text
    invoice_id = re.search(r'href="/billing/invoices/([0-9a-f-]{36})"', issued.text).group(1)
    bad = client.post(f"/clients/{tom}/billing/payments", headers=HTMX,
                      data={"_csrf": token, "amount": "12O.00", "method": "cash"})
    assert bad.status_code == 422 and "Enter an amount such as 120.00." in bad.text and 'value="12O.00"' in bad.text
    paid = client.post(f"/clients/{tom}/billing/payments", headers=HTMX,
                       data={"_csrf": token, "amount": "100.5", "method": "transfer", "reference": "BACS 77",
                             "invoice_id": invoice_id})
    assert "Payment of 100.50 USD recorded." in paid.text and "Balance:</strong> 19.50 USD owed" in paid.text
    page = client.get(f"/billing/invoices/{invoice_id}")
    assert "&lt;script&gt;x&lt;/script&gt; Ltd" in page.text and "<script>x</script>" not in page.text
    assert "due 19.50 USD" in page.text
    pdf = client.get(f"/billing/invoices/{invoice_id}/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and "<script>x</script> Ltd" in _text(pdf.content)


def test_a_credit_note_needs_a_reason_and_cancels_the_invoice(client, signed_in, client_id, took_place):
    tom = client_id("Becker", "Tom")
    took_place(tom)
    token = signed_in("frontdesk")
    charge = re.search(r'name="charge_ids" value="([0-9a-f-]{36})"', client.get(f"/clients/{tom}/billing").text).group(1)
    issued = client.post(f"/clients/{tom}/billing/invoices", headers=HTMX, data={"_csrf": token, "charge_ids": charge})
    invoice_id = re.search(r'href="/billing/invoices/([0-9a-f-]{36})"', issued.text).group(1)
    refused = client.post(f"/billing/invoices/{invoice_id}/credit", data={"_csrf": token, "reason": ""})
    assert refused.status_code == 422 and "Say why the invoice is credited." in refused.text
    credited = client.post(f"/billing/invoices/{invoice_id}/credit", data={"_csrf": token, "reason": "Wrong client"},
                           follow_redirects=True)
    assert "Credit note 1" in credited.text and "-120.00 USD" in credited.text
    assert "Cancelled by" in client.get(f"/billing/invoices/{invoice_id}").text
    assert "Balance:</strong> 0.00 USD" in client.get(f"/clients/{tom}/billing").text


def test_late_cancellation_fee_from_the_centers_policy(client, signed_in, client_id, web_practice):
    from polymodal.core.services import scheduling

    tom = client_id("Becker", "Tom")
    with web_practice.work(Actor.system("test")) as work:
        session_id = work.db.scalar(select(SessionClient.session_id).where(SessionClient.client_id == uuid.UUID(tom)))
        scheduling.cancel_session(work, session_id, "late_cancellation", "Client cancelled an hour before")
    token = signed_in("frontdesk")
    tab = client.get(f"/clients/{tom}/billing")
    assert "Client cancelled an hour before" in tab.text
    done = client.post(f"/clients/{tom}/billing/fees", headers=HTMX,
                       data={"_csrf": token, "session_id": str(session_id), "kind": "late_cancel"})
    assert "Late cancellation fee" in done.text and "60.00 USD" in done.text
    assert "Charge late-cancellation fee" not in done.text


def test_superbill_for_the_treating_therapist_not_the_front_desk(client, signed_in, client_id, took_place,
                                                                web_practice):
    from polymodal.core.services import users

    jordan = client_id("Ellis", "Jordan")
    took_place(jordan)
    with web_practice.work(Actor.system("test")) as work:
        rivera = work.db.scalar(select(Session).join(SessionClient, SessionClient.session_id == Session.id)
                                .where(SessionClient.client_id == uuid.UUID(jordan))).practitioners[0].user_id
        users.add_credential(work, rivera, "NPI", "1467523891", "US", None)
    signed_in("frontdesk")
    assert client.get(f"/clients/{jordan}/superbill").status_code in (403, 404)
    token = signed_in("rivera")
    case_id = re.search(r'name="case_id" value="([0-9a-f-]{36})"', client.get(f"/clients/{jordan}/superbill").text).group(1)
    bad = client.post(f"/clients/{jordan}/diagnoses", data={"_csrf": token, "case_id": case_id,
                                                           "codes": "F41.1 Generalized anxiety\nanxious"})
    assert bad.status_code == 422 and "Line 2: &#39;ANXIOUS&#39; is not an ICD-10-CM code" in bad.text
    client.post(f"/clients/{jordan}/diagnoses", data={"_csrf": token, "case_id": case_id,
                                                     "codes": "F41.1 Generalized anxiety disorder"})
    page = client.get(f"/clients/{jordan}/superbill")
    assert "90791" in page.text and "F41.1 Generalized anxiety disorder" in page.text
    pdf = client.get(f"/clients/{jordan}/superbill/pdf")
    assert pdf.status_code == 200 and all(w in _text(pdf.content) for w in ("90791", "F41.1", "1467523891"))
    bad_pdf = client.get(f"/clients/{jordan}/superbill/pdf?start=2026-02-30&end=2026-03-01")
    assert (bad_pdf.status_code, bad_pdf.text) == (422, "start: Enter a date as YYYY-MM-DD.")


def test_fees_settings_keep_what_was_typed_and_name_the_field(client, signed_in):
    token = signed_in("billing")
    bad = client.post("/billing/services", data={"_csrf": token, "name": "Reiki <b>", "modality_key":
                                                 "bodywork/massage", "minutes": "60", "price": "ninety",
                                                 "tiers": "Community 60.00"})
    assert bad.status_code == 422 and "Enter an amount such as 120.00." in bad.text
    assert 'value="Reiki &lt;b&gt;"' in bad.text and 'value="Community 60.00"' in bad.text
    good = client.post("/billing/services", data={"_csrf": token, "name": "Massage, 80 minutes", "modality_key":
                                                  "bodywork/massage", "minutes": "80", "price": "150",
                                                  "tiers": "Community 100.00; Student 90"})
    assert "Service &#39;Massage, 80 minutes&#39; added." in good.text and "Student 90.00 USD" in good.text
    settings = client.post("/billing/settings", data={"_csrf": token, "currency": "usd", "npi": "12",
                                                       "late_cancel_fee": "45", "no_show_fee": "55"})
    assert settings.status_code == 422 and "Enter the center&#39;s 10-digit NPI, or leave it empty." in settings.text
    assert 'value="45"' in settings.text  # what was typed stays
    saved = client.post("/billing/settings", data={"_csrf": token, "currency": "usd", "npi": "1234567893",
                                                    "late_cancel_fee": "45", "no_show_fee": "55"})
    assert "Billing settings saved." in saved.text and 'value="45.00"' in saved.text


def test_reports_as_pages_and_csv_for_the_biller_only(client, signed_in, client_id, took_place):
    tom = client_id("Becker", "Tom")
    took_place(tom)
    token = signed_in("frontdesk")
    charge = re.search(r'name="charge_ids" value="([0-9a-f-]{36})"', client.get(f"/clients/{tom}/billing").text).group(1)
    client.post(f"/clients/{tom}/billing/invoices", headers=HTMX, data={"_csrf": token, "charge_ids": charge})
    assert client.get("/billing/reports").status_code == 403
    signed_in("billing")
    page = client.get("/billing/reports?year=2026")  # the fixed clock's year
    assert "Massage" in page.text and "Maya Chen, LMT" in page.text and "Tom Becker" in page.text
    csv = client.get("/billing/reports/outstanding.csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.splitlines() == ["name,due",
                                                                                          "Tom Becker,120.00"]


def test_the_superbills_statements_do_not_grow_with_its_sessions(client, signed_in, client_id, took_place, queries):
    jordan = client_id("Ellis", "Jordan")
    signed_in("rivera")
    took_place(jordan, 1)
    url = f"/clients/{jordan}/superbill?start=2026-10-01&end=2026-11-30"
    one = queries.of_page(client, url)
    took_place(jordan, 4)
    assert "90834" in client.get(url).text
    assert queries.of_page(client, url) == one


def test_an_evening_invoice_is_dated_by_the_centers_day_not_utcs(client, signed_in, client_id, took_place, web_clock):
    import datetime as dt

    tom = client_id("Becker", "Tom")
    took_place(tom)
    web_clock.now = dt.datetime(2026, 10, 22, 3, 30, tzinfo=dt.UTC)  # 20:30 on the 21st in Los Angeles
    token = signed_in("frontdesk")
    charge = re.search(r'name="charge_ids" value="([0-9a-f-]{36})"', client.get(f"/clients/{tom}/billing").text).group(1)
    issued = client.post(f"/clients/{tom}/billing/invoices", headers=HTMX, data={"_csrf": token, "charge_ids": charge})
    assert "<td>2026-10-21</td>" in issued.text and "2026-10-22" not in issued.text
    invoice_id = re.search(r'href="/billing/invoices/([0-9a-f-]{36})"', issued.text).group(1)
    assert "Issued 2026-10-21" in client.get(f"/billing/invoices/{invoice_id}").text
    assert "Issued 21 Oct 2026" in _text(client.get(f"/billing/invoices/{invoice_id}/pdf").content)
