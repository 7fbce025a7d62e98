"""A practitioner's session in a real browser: pre-flight, check-in, a note autosaved and signed;
then a trainee's note co-signed by the supervisor from the queue."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from polymodal.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_session_note_autosave_sign_and_cosign(page: Page, live_server: str, artifacts):
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(f"{page.url} {msg.location} {msg.text[:80]}")
            if msg.type == "error" else None)

    # Rivera opens today's session from the dashboard and sees the pre-flight.
    sign_in(page, live_server, "rivera")
    page.locator("#today-sessions a").first.click()
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("psychotherapy")
    expect(page.locator("#session-status")).to_contain_text("Pre-flight")
    expect(page.locator("#session-status")).to_contain_text("Ready")
    expect(page.get_by_text("Check-in and risk check")).to_be_visible()

    # Check-in swaps the status panel in place.
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("#session-status h2").first).to_contain_text("checked in")
    expect(page.get_by_role("button", name="Mark completed")).to_be_visible()
    # (Screenshots leave style="" on inputs, which htmx's settle would copy: take them after the swaps.)
    page.screenshot(path=str(artifacts / "session-page.png"), full_page=True)

    # A SOAP note: typing autosaves, and the status line says when.
    page.get_by_label("Start a note from a template").select_option(label="SOAP note")
    page.get_by_role("button", name="Start note").click()
    expect(page).to_have_url(re.compile(r"/notes/[0-9a-f-]{36}$"))
    note_url = page.url
    page.get_by_label("Subjective").press_sequentially("Slept better; less worry at work.", delay=10)
    expect(page.locator("#note-save-status")).to_contain_text(re.compile(r"Draft saved at \d\d:\d\d"))
    page.get_by_label("Plan").fill("Continue weekly; practise the breathing exercise.")
    expect(page.locator('#note-save-status input[name="revision"]')).to_have_value("3")
    page.set_viewport_size({"width": 1000, "height": 900})
    page.evaluate("window.scrollTo(0, 0)")
    # Artefact on every run; the committed copy in docs/ only when asked, so a test run leaves the tree clean.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = page.screenshot(path=str(ARTIFACTS / "session-note.png"))
    assert len(shot) < 150_000
    if os.environ.get("POLYMODAL_UPDATE_SCREENSHOTS") == "1":
        (SCREENSHOTS / "session-note.png").write_bytes(shot)

    # Signing locks it: the content is shown read-only with an addendum form.
    page.get_by_role("button", name="Sign and lock").click()
    expect(page).to_have_url(note_url)
    expect(page.locator("#note-main")).to_contain_text("signed")
    expect(page.locator("#note-main")).to_contain_text("Slept better; less worry at work.")
    expect(page.get_by_label("Add an addendum")).to_be_visible()
    expect(page.locator("#note-form")).to_have_count(0)
    page.screenshot(path=str(artifacts / "note-signed.png"), full_page=True)
    sign_out(page)

    # The trainee writes and signs a note for their session today.
    sign_in(page, live_server, "trainee")
    page.locator("#today-sessions a").first.click()
    page.get_by_label("Start a note from a template").select_option(label="DAP note")
    page.get_by_role("button", name="Start note").click()
    page.get_by_label("Data").fill("Discussed the integration journal; sleep steadier.")
    expect(page.locator("#note-save-status")).to_contain_text("Draft saved at")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.locator("#note-main")).to_contain_text("awaiting co-signature")
    trainee_note = page.url
    sign_out(page)

    # Rivera co-signs it from the queue; it leaves the queue and the note says who co-signed.
    sign_in(page, live_server, "rivera")
    expect(page.locator("#cosign-waiting")).to_contain_text("DAP note")
    page.get_by_role("link", name="Co-signing").click()
    row = page.locator("#cosign-rows tbody tr", has_text="DAP note")
    expect(row).to_have_count(1)
    row.get_by_role("button", name=re.compile("Co-sign")).click()
    expect(page.locator("#cosign-rows")).to_contain_text("Co-signed.")
    expect(page.locator("#cosign-rows tbody tr", has_text="DAP note")).to_have_count(0)
    page.goto(trainee_note)
    expect(page.locator("#note-main")).to_contain_text(re.compile(r"co-signed by Dr\. Dana Rivera at"))
    page.screenshot(path=str(artifacts / "note-cosigned.png"), full_page=True)

    # 375 px wide: the note page does not overflow.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(note_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not problems, problems
