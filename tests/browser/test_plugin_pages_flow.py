"""A plugin's page in a real browser (issue 17, item 6): reached from the menu, inside the app's layout, with
no script error and no failed request; the admin finds it with its action on the plugin page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from polymodal.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_example_plugin_page_opens_from_the_menu_inside_the_layout(page: Page, live_server: str):
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    sign_in(page, live_server, "frontdesk")
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("link", name="Outdoor checklist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outdoor session checklist")
    expect(page).to_have_title("Outdoor checklist · polymodal")
    # The layout's own parts: the current menu entry, the signed-in user, sign-out with its CSRF token.
    expect(menu.get_by_role("link", name="Outdoor checklist")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Fran Desk")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    menu.get_by_role("link", name="Clients").click()  # and back into the core's pages
    expect(page).to_have_url(f"{live_server}/clients")
    assert problems == []


def test_the_admin_sees_the_plugin_page_and_its_action(page: Page, live_server: str):
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/plugins")
    pages = page.get_by_role("table", name="Pages of ecotherapy")
    expect(pages).to_contain_text("GET /m/ecotherapy/checklist")
    expect(pages).to_contain_text("schedule.read")
    expect(page.locator("#plugin-ecotherapy-h").locator("xpath=..").locator("xpath=..")).to_contain_text(
        "Menu entries: Outdoor checklist")
