"""Safety in a real browser: a client who reports suicidal thoughts in the portal sees the crisis text at once;
their therapist writes a safety plan with them (an error keeps what was typed) and acknowledges the risk,
relying on that plan."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import Client
from polymodal.core.practice import Practice
from polymodal.core.services import portal
from tests.browser.conftest import center_of_its_own
from tests.browser.test_eligibility_flow import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Practice]]:
    """A center of its own: this journey changes Jordan's record."""
    with center_of_its_own(tmp_path_factory, "safety-live") as served:
        yield served


def test_crisis_text_then_a_safety_plan_then_the_risk_acknowledged(browser: Browser, page: Page, server, artifacts):
    base, practice = server
    problems: list[str] = []
    with practice.work(Actor.system("t")) as work:
        jordan = work.db.scalars(select(Client).where(Client.legal_first_name == "Jordan")).one()
        packet = portal.prepare_packet(work, jordan.id, [], ["talk/phq-9"])
        _, token = portal.issue_link(work, packet.id)

    # The client, on a phone, answers the PHQ-9 with item 9 endorsed and sends it.
    phone = browser.new_page(viewport={"width": 375, "height": 740})
    phone.on("pageerror", lambda exc: problems.append(str(exc)))
    phone.goto(f"{base}/p/{token}")
    phone.get_by_role("link", name="Start").click()
    for fieldset in phone.locator("fieldset.choice").all():
        fieldset.locator("input[type=radio]").first.check()
    phone.locator("fieldset#f-q9").get_by_label("Several days").check()
    phone.get_by_role("button", name="Save and review").click()
    phone.get_by_role("button", name="Send to the center").click()
    crisis = phone.get_by_role("alert")
    expect(crisis).to_contain_text("Call or text 988")
    expect(crisis).to_contain_text("call 911")
    assert crisis.bounding_box()["y"] < 400  # in view at once, above the thanks
    phone.screenshot(path=str(artifacts / "safety-portal-crisis.png"), full_page=True)
    phone.close()

    # The therapist sees the risk, writes the safety plan with the client, then acknowledges the risk.
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    sign_in(page, base, "rivera")
    page.goto(f"{base}/clients/{jordan.id}/eligibility")
    expect(page.locator("#client-risks")).to_contain_text("PHQ-9 item 9")
    expect(page.locator("#safety-plan")).to_contain_text("No safety plan on file")
    expect(page.get_by_label("5. Professionals and crisis lines")).to_have_value(re.compile("Call or text 988"))
    page.get_by_label("2. Coping on my own").fill("Walk the dog <after dinner>")
    page.get_by_role("button", name="Save the safety plan").click()
    expect(page.locator(".error-summary").first).to_contain_text("Write this step (warning signs)")
    expect(page.get_by_label("2. Coping on my own")).to_have_value("Walk the dog <after dinner>")  # kept
    for label, text in (("1. Warning signs", "Not sleeping; pulling away"),
                        ("3. People and places that distract", "Cafe on Main St"),
                        ("4. People to ask for help", "Sam (sister) 555-0101"),
                        ("6. Making the environment safe", "Sam keeps the medication")):
        page.get_by_label(label).fill(text)
    page.get_by_role("button", name="Save the safety plan").click()
    expect(page.locator("#safety-plan-current")).to_contain_text("Walk the dog <after dinner>")
    page.get_by_label("Plan (assessment, safety plan, who is told)").fill("Assessed today; no intent; plan made.")
    expect(page.get_by_label(re.compile("Relies on the safety plan, version 1"))).to_be_checked()
    page.get_by_role("button", name="Acknowledge with this plan").click()
    expect(page.locator("#client-risks")).to_contain_text("Safety plan: version 1.")
    page.screenshot(path=str(artifacts / "safety-plan-tab.png"), full_page=True)
    assert not problems, problems
