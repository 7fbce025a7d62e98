"""A practitioner's tabs and the Back button: htmx swaps, history restores whole pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from polymodal.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_tabs_swap_in_place_and_back_restores_the_page(page: Page, live_server: str, artifacts):
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Username").fill("rivera")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    page.screenshot(path=str(artifacts / "dashboard-supervisor.png"), full_page=True)

    page.get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="Ellis, Jordan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Ellis")
    page.evaluate("window.__marker = 'still the same document'")

    page.get_by_role("link", name="Assessments").click()
    expect(page).to_have_url(re.compile(r"/clients/[0-9a-f-]{36}/assessments$"))
    expect(page.locator("#client-tab h2")).to_have_text("Assessments")
    # The tab came in as a fragment: the document (and the marker) survived.
    assert page.evaluate("window.__marker") == "still the same document"
    assert not page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('htmx'))")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/clients/[0-9a-f-]{36}$"))
    expect(page.locator("#client-tab h2")).to_have_text("Overview")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Ellis")
    expect(page.locator("header.top")).to_have_count(1)  # a whole page, not a fragment in a bare document
