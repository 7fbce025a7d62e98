"""The front desk takes payment for the day's sessions in a real browser: a card without its terminal
reference is refused beside the field, then cash settles the client and the day's takings show it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.demo import DEMO_PASSWORD
from polymodal.core.models import Client, Session, SessionClient
from tests.browser.conftest import demo_practice, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def billing_server(tmp_path_factory):
    practice = demo_practice(tmp_path_factory.mktemp("billing-live"))
    # Two of today's sessions took place (check-in itself is shown by other journeys).
    with practice.work(Actor.system("test")) as work:
        for last in ("Ellis", "Becker"):
            session = work.db.scalar(select(Session).join(SessionClient, SessionClient.session_id == Session.id)
                                     .join(Client, Client.id == SessionClient.client_id)
                                     .where(Client.legal_last_name == last).order_by(Session.starts_at).limit(1))
            session.status = "completed"
    with serving(practice) as url:
        yield url
    practice.engine.dispose()


def test_front_desk_takes_payment_for_the_days_sessions(page: Page, billing_server: str, artifacts):
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and r.status != 422
            else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{billing_server}/billing")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Billing")).to_have_attribute("aria-current", "page")

    jordan = page.locator("li.row-entry", has_text="Jordan Ellis")
    expect(jordan).to_contain_text("160.00 USD")
    jordan.get_by_label("Method").select_option("card")
    jordan.get_by_role("button", name="Invoice and take payment").click()
    expect(page.locator("li.row-entry", has_text="Jordan Ellis")).to_contain_text(
        "Enter the card terminal's receipt reference.")
    jordan = page.locator("li.row-entry", has_text="Jordan Ellis")
    jordan.get_by_label("Method").select_option("card")
    jordan.get_by_label("Card terminal reference").fill("T-4471")
    jordan.get_by_role("button", name="Invoice and take payment").click()
    expect(page.get_by_role("status")).to_have_text("Invoice 1 issued and 160.00 USD taken by card (terminal).")

    tom = page.locator("li.row-entry", has_text="Tom Becker")
    tom.get_by_label("Method").select_option("cash")
    tom.get_by_role("button", name="Invoice and take payment").click()
    expect(page.get_by_role("status")).to_contain_text("Invoice 2 issued and 120.00 USD taken by cash.")
    expect(page.locator("#takings-total")).to_have_text("280.00 USD")
    expect(page.locator("li.row-entry")).to_have_count(0)
    page.screenshot(path=str(artifacts / "billing-day.png"), full_page=True)

    # The invoice is on the client's Billing tab, paid in full.
    page.goto(f"{billing_server}/clients")
    page.get_by_label("Find a client").press_sequentially("Ellis", delay=30)
    page.get_by_role("link", name="Ellis, Jordan").click()
    page.get_by_role("link", name="Billing").last.click()
    expect(page.locator("#client-tab")).to_contain_text("Balance: 0.00 USD")
    page.get_by_role("link", name="Invoice 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invoice 1")
    expect(page.locator("main")).to_contain_text("due 0.00 USD")
    assert problems == []
