"""With JavaScript off every page still reads and every form still works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from polymodal.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_front_desk_without_javascript(browser: Browser, live_server: str, artifacts):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/sign-in")
        page.get_by_label("Username").fill("frontdesk")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Today")

        page.goto(f"{live_server}/clients")
        page.get_by_label("Find a client").fill("Sato")
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_url(re.compile(r"/clients\?q=Sato$"))
        expect(page.locator("#client-rows tbody tr")).to_have_count(1)

        page.get_by_role("link", name="Register a client").click()
        page.get_by_label("Legal first name").fill("Noor")
        page.get_by_label("Legal last name").fill("Haddad")
        page.get_by_label("Date of birth").fill("2999-02-02")
        page.get_by_role("button", name="Register client").click()
        expect(page.locator("#f-date_of_birth-error")).to_be_visible()
        expect(page.get_by_label("Legal last name")).to_have_value("Haddad")
        page.get_by_label("Date of birth").fill("1985-02-02")
        page.get_by_role("button", name="Register client").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Noor Haddad")

        page.get_by_role("link", name="Cases").click()
        expect(page).to_have_url(re.compile(r"/cases$"))
        expect(page.locator("#client-tab h2")).to_have_text("Cases")
        page.get_by_role("link", name="Overview").click()
        page.get_by_role("link", name="Add a guardian").click()
        page.get_by_label("Name").fill("Samir Haddad")
        page.get_by_label("Relationship").fill("brother")
        page.get_by_role("button", name="Add guardian").click()
        expect(page.get_by_text("Samir Haddad (brother)")).to_be_visible()
        page.screenshot(path=str(artifacts / "no-js-client.png"), full_page=True)

        # A calendar card's forms are a link away; a cancel without a reason comes back beside its field.
        page.goto(f"{live_server}/schedule")
        page.locator("#cal-next").click()  # next week: the demo's weekly series, all still to come
        card = page.locator("article.slot").filter(has=page.locator("details")).first
        card.get_by_text("Move or cancel").dispatch_event("click")  # a pointer entering the card moves its summary
        card.get_by_role("link", name=re.compile(r"^Open the forms")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Move or cancel a session")
        page.get_by_role("button", name="Cancel session").click()
        expect(page.locator("#cal-title")).to_contain_text("Week of")
        expect(page.locator("details[open] .error")).to_have_text("Choose why the session is cancelled.")

        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(f"{live_server}/sign-in")
    finally:
        context.close()
