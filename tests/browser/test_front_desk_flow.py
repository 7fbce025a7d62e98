"""A front-desk morning in a real browser: sign in, find a client, register one, fix a mistake."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from polymodal.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_front_desk_searches_registers_and_opens_a_client(page: Page, live_server: str, artifacts):
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)  # 422 is the form's answer
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and r.status != 422
            else None)

    page.goto(f"{live_server}/clients")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/clients$"))
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/clients")

    # Active search: rows change as the name is typed, and the URL follows.
    page.get_by_label("Find a client").press_sequentially("nat", delay=40)
    rows = page.locator("#client-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Natarajan")
    expect(page).to_have_url(re.compile(r"/clients\?q=nat$"))
    expect(page.locator("#client-rows")).to_have_count(1)  # the results replace the results, not nest in them
    page.screenshot(path=str(artifacts / "clients-search.png"), full_page=True)

    # Register with a date of birth in the future: the error shows beside the field, values stay.
    page.get_by_role("link", name="Register a client").click()
    page.get_by_label("Legal first name").fill("Ada")
    page.get_by_label("Legal last name").fill("Byron")
    page.get_by_label("Pronouns").fill("she/her")
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_role("button", name="Register client").click()
    expect(page.locator("#f-date_of_birth-error")).to_contain_text("date of birth in the past")
    expect(page.get_by_label("Legal first name")).to_have_value("Ada")
    expect(page.get_by_label("Pronouns")).to_have_value("she/her")
    expect(page.get_by_label("Date of birth")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary")).to_be_focused()
    page.screenshot(path=str(artifacts / "client-form-422.png"), full_page=True)

    page.get_by_label("Date of birth").fill("1990-05-17")
    page.get_by_role("button", name="Register client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Byron")
    expect(page).to_have_url(re.compile(r"/clients/[0-9a-f-]{36}$"))

    # Tabs swap in place with htmx and push their own URL.
    page.get_by_role("link", name="Sessions").click()
    expect(page).to_have_url(re.compile(r"/clients/[0-9a-f-]{36}/sessions$"))
    expect(page.locator("#client-tab h2")).to_have_text("Sessions")
    expect(page.get_by_role("link", name="Notes")).to_have_count(0)  # no clinical tabs at the front desk
    page.screenshot(path=str(artifacts / "client-page.png"), full_page=True)

    # 375 px wide: nothing overflows the viewport.
    client_url = page.url.rsplit("/", 1)[0]
    page.set_viewport_size({"width": 375, "height": 800})
    for name, url in (("clients", "/clients"), ("dashboard", "/"), ("form", "/clients/new"),
                      ("client", client_url.removeprefix(live_server))):
        page.goto(f"{live_server}{url}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
        page.screenshot(path=str(artifacts / f"{name}-375.png"), full_page=True)

    assert not problems, problems
