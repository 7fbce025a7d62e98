"""The admin filters the center's audit trail, pages back through it and verifies it, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from polymodal.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_admin_filters_pages_and_verifies_the_trail(page: Page, live_server: str, artifacts):
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/admin/audit")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/admin/audit")
    rows = page.locator("table.audit-events tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == 50  # the demo's load alone fills more than a page
    page.get_by_label("Action").select_option(label="Client: created")
    page.get_by_role("button", name="Show events").click()
    expect(page).to_have_url(f"{live_server}/admin/audit?person=&client=&action=client.create&since=&until=")
    expect(rows.first).to_contain_text("Client: created")
    assert all("Client: created" in t for t in rows.all_inner_texts())
    page.get_by_role("link", name="Clear").click()
    newest = rows.first.inner_text()
    page.get_by_role("link", name="Older events").click()
    expect(page.get_by_role("link", name="Newest events")).to_be_visible()
    assert rows.first.inner_text() != newest
    page.get_by_role("button", name="Verify the trail").click()
    expect(page.locator("#verify-result")).to_contain_text("Intact.")
    page.screenshot(path=str(artifacts / "audit-page.png"), full_page=False)
    assert problems == []
