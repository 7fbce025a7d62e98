"""Eligibility in a real browser: the front desk is refused an excluded booking with the reason; a
re-screen is reviewed, a clearance recorded, and check-in succeeds; a note treating a declined region
cannot be signed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.demo import DEMO_PASSWORD
from polymodal.core.models import Client
from polymodal.core.practice import Practice
from polymodal.core.services import consent, forms
from tests.browser.conftest import demo_practice, serving

pytestmark = pytest.mark.browser
CLEAR = {"cardiovascular": False, "aneurysm": False, "epilepsy": False, "glaucoma": False,
         "retinal_detachment": False, "recent_injury_surgery": False, "blood_pressure": "normal", "asthma": "none",
         "kidney_disease": False, "severe_osteoporosis": False, "thyroid": False, "diabetes": False,
         "pregnant": False, "untreated_condition": False, "ptsd": False, "recent_crisis": False,
         "antidepressant_change": False, "active_addiction": False}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Practice]]:
    """A center of its own: this journey changes Hana's and Tom's records."""
    practice = demo_practice(tmp_path_factory.mktemp("eligibility-live"))
    with serving(practice) as base:
        yield base, practice
    practice.engine.dispose()


def client_named(practice: Practice, first: str) -> Client:
    with practice.work(Actor.system("t"), write=False) as work:
        return work.db.scalars(select(Client).where(Client.legal_first_name == first)).one()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_refused_booking_then_clearance_then_check_in_then_a_declined_region(page: Page, server, artifacts):
    base, practice = server
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    hana, tom = client_named(practice, "Hana"), client_named(practice, "Tom")
    with practice.work(Actor.system("t")) as work:
        forms.submit_form(work, hana.id, "breathwork/screening", {**CLEAR, "glaucoma": True})
        consent.record_consent(work, hana.id, "breathwork/risk", signer_name="Hana Sato",
                               answers={"touch_support": False})

    # The front desk picks Hana's case: the form says at once that breathwork is excluded, and booking is refused.
    sign_in(page, base, "frontdesk")
    page.goto(f"{base}/schedule/new")
    page.get_by_label("Case").select_option(label="Hana: breath (individual)")
    expect(page.locator("#booking-decision")).to_contain_text("Excluded")
    expect(page.locator("#booking-decision")).to_contain_text("This booking will be refused")
    page.get_by_label("Date").fill("2026-12-30")
    page.get_by_label("Start time").fill("07:00")
    page.get_by_label("Room").select_option(index=1)
    page.get_by_role("button", name="Book").click()
    refused = page.locator("#booking-refused")
    expect(refused).to_contain_text("Not booked: not eligible")
    expect(refused).to_contain_text("Excluded from Breathwork by the Breathwork health screening")
    expect(refused).to_contain_text("Next: Do not book Breathwork")
    expect(page.get_by_label("Start time")).to_have_value("07:00")  # nothing typed is lost
    page.screenshot(path=str(artifacts / "eligibility-refused.png"), full_page=True)
    sign_out(page)

    # A re-screen lowers the outcome to "clearance needed": Leo reviews it, then records the clearance.
    with practice.work(Actor.system("t")) as work:
        forms.submit_form(work, hana.id, "breathwork/screening", {**CLEAR, "ptsd": True})
    sign_in(page, base, "leo")
    page.goto(f"{base}/clients/{hana.id}/eligibility")
    page.get_by_role("button", name="Reviewed: apply it").click()
    expect(page.get_by_text("Re-screens waiting for review")).to_be_visible()
    page.get_by_text("Record a clearance…").click()
    page.get_by_label("Modality").select_option(label="Breathwork")
    page.get_by_label("Cleared by (name)").fill("Dr. Ines Okafor")
    page.get_by_role("textbox", name="Profession", exact=True).fill("Psychiatrist")  # the safety plan also has "Professionals ..."
    page.get_by_label("Licence number").fill("A-48213")
    page.get_by_label("Cleared on").fill("2026-10-20")
    page.get_by_role("button", name="Record clearance").click()
    expect(page.locator("#client-clearances")).to_contain_text("Dr. Ines Okafor, Psychiatrist, licence A-48213")

    # Check-in now succeeds, the clearance shown in the pre-flight.
    page.goto(f"{base}/clients/{hana.id}/sessions")
    page.locator("table.list a").first.click()
    expect(page.locator("#session-status")).to_contain_text("Cleared by Dr. Ines Okafor")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("#session-status h2").first).to_contain_text("checked in")
    sign_out(page)

    # Tom declined gluteal work: a note that records it cannot be signed, and says which region.
    with practice.work(Actor.system("t")) as work:
        consent.record_consent(work, tom.id, "bodywork/touch", signer_name="Tom Becker", answers={
            "techniques": "Swedish", "draping": "Sheet",
            "regions": {"low_back": {"consent": "consented"}, "gluteal": {"consent": "declined"}}})
    sign_in(page, base, "maya")
    page.goto(f"{base}/clients/{tom.id}/sessions")
    page.locator("table.list a").first.click()
    expect(page.locator("#session-regions")).to_contain_text("Gluteal: declined")
    page.get_by_label("Start a note from a template").select_option(label="Bodywork SOAP note")
    page.get_by_role("button", name="Start note").click()
    page.get_by_label("Chief complaint and goals for today").fill("Low back ache")
    page.get_by_label("Medications and changes since last visit").fill("no change")
    page.get_by_label("Record Gluteal").check()
    page.get_by_label("Gluteal: Consent").select_option("consented")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.locator("#note-editor")).to_contain_text("Gluteal: declined in the Consent to touch")
    expect(page.get_by_label("Chief complaint and goals for today")).to_have_value("Low back ache")
    page.screenshot(path=str(artifacts / "eligibility-region-refused.png"), full_page=True)
    assert not problems, problems
