"""A practitioner sets up a second factor from the account page, then signs in with a code (issue 12)."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from polymodal.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _sign_in_with_password(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Username").fill("ari")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_totp_enrolment_then_sign_in_with_a_code(page: Page, live_server: str, live_clock, artifacts):
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and r.status != 422
            else None)

    _sign_in_with_password(page, live_server)
    expect(page).to_have_url(f"{live_server}/")
    page.get_by_role("link", name="Ari Vance, ATR-BC").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_role("link", name="Set up a second factor").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: URI renders under the CSP
    secret = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.screenshot(path=str(artifacts / "second-factor-enrol.png"), full_page=True)
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(live_clock()))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)

    page.get_by_role("button", name="Sign out").click()
    _sign_in_with_password(page, live_server)
    expect(page).to_have_url(f"{live_server}/sign-in/second-step")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    # The next time step: the code used at enrolment must not work twice.
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(live_clock().timestamp() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("link", name="Ari Vance, ATR-BC")).to_be_visible()
    assert problems == []
