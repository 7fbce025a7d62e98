"""The client portal on a phone (375 px) in a real browser: an adult, a guardian for a 10-year-old, refusals.

Screenshots of every step go to test-artifacts/ (git-ignored); a few small ones to docs/screenshots/
(when missing, or with POLYMODAL_UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from polymodal.core import migrations
from polymodal.core.access import Actor
from polymodal.core.db import make_engine
from polymodal.core.demo import DEMO_PASSWORD, load_demo
from polymodal.core.models import Client
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.services import clients, portal
from polymodal.core.settings import Settings
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from tests.browser.conftest import _free_port
from tests.clocks import RunningClock

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def portal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Practice, RunningClock]]:
    """A live server whose clock the test can move (to expire a link)."""
    data = tmp_path_factory.mktemp("portal-live")
    engine = make_engine(f"sqlite:///{data / 'polymodal.db'}")
    migrations.upgrade(engine)
    clock = RunningClock()
    practice = Practice(get_plugin_manager(), Settings(data_dir=data), engine=engine, clock=clock)
    load_demo(practice)
    port = _free_port()
    settings = WebSettings(insecure_cookies=True, public_url=f"http://127.0.0.1:{port}")  # links point here
    server = uvicorn.Server(uvicorn.Config(create_app(practice, settings),
                                           host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", practice, clock
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def _phone(browser: Browser, problems: list[str]) -> Page:
    page = browser.new_context(viewport=PHONE, device_scale_factor=1).new_page()
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error"
            and not re.search(r"status of (4\d\d)", msg.text) else None)
    return page


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _shot(page: Page, artifacts: Path, name: str, docs: bool = False) -> None:
    page.screenshot(path=str(artifacts / f"portal-{name}.png"), full_page=True)
    target = DOCS / f"portal-{name}.png"
    if docs and (os.environ.get("POLYMODAL_UPDATE_SCREENSHOTS") == "1" or not target.exists()):
        # Committed images change only on request, so a test run leaves the work tree clean.
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / f"portal-{name}.png"))  # the visible phone screen only: small
        assert (DOCS / f"portal-{name}.png").stat().st_size < 100_000


def _answer_required(page: Page) -> None:
    """Answer each required question on the page the way a person would: a word, 'No', the first option."""
    for fieldset in page.locator("fieldset.choice").all():
        if fieldset.locator(".req").count() and fieldset.locator("input[type=radio]").count():
            no = fieldset.get_by_label("No", exact=True)
            (no if no.count() else fieldset.locator("input[type=radio]").first).check()
    for box in page.locator("div.field:has(.req) textarea, div.field:has(.req) input[type=text]").all():
        if box.get_attribute("name") != "signer_name" and not box.input_value():
            box.fill("None")


def test_an_adult_completes_a_packet_on_a_phone(browser: Browser, portal_server, artifacts):
    base, practice, _clock = portal_server
    problems: list[str] = []

    # The front desk prepares the forms and a link from the client's page.
    desk = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    desk.goto(f"{base}/sign-in")
    desk.get_by_label("Username").fill("frontdesk")
    desk.get_by_label("Password").fill(DEMO_PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.goto(f"{base}/clients")
    desk.get_by_label("Find a client").fill("Ellis")
    desk.get_by_role("link", name=re.compile("Ellis")).first.click()
    desk.get_by_role("link", name="Portal").click()
    expect(desk).to_have_url(re.compile(r"/clients/[0-9a-f-]{36}/portal$"))
    desk.get_by_label("PHQ-9: Patient Health Questionnaire-9").check()
    desk.get_by_role("button", name="Prepare and create link").click()
    link = desk.get_by_label("Link to copy")
    expect(link).to_have_value(re.compile(r"/p/[A-Za-z0-9_-]{43}$"))
    url = link.input_value()
    desk.get_by_role("button", name="Copy").click()
    expect(desk.get_by_role("button", name="Copied")).to_be_visible()
    expect(desk.locator("#portal-links .link-active")).to_have_count(1)
    desk.screenshot(path=str(artifacts / "portal-staff-link.png"), full_page=True)
    token = url.rsplit("/", 1)[1]

    # The client opens it on a phone: the token leaves the address bar at once.
    phone = _phone(browser, problems)
    phone.goto(url)
    expect(phone).to_have_url(f"{base}/portal")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello Jordan")
    _fits(phone)
    _shot(phone, artifacts, "1-overview", docs=True)
    phone.get_by_role("link", name="Start").click()

    # Step 1: a missing answer keeps what was typed and says what is missing.
    expect(phone.get_by_text("Step 1 of 3")).to_be_visible()
    phone.get_by_label("When did this start?").fill("Last spring")
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone.locator(".error-summary")).to_be_visible()
    expect(phone.get_by_label("When did this start?")).to_have_value("Last spring")
    _fits(phone)
    _shot(phone, artifacts, "2-step-errors", docs=True)
    phone.get_by_label("What brings you to us now?").fill("Low mood and poor sleep")
    _answer_required(phone)
    phone.get_by_role("button", name="Save and continue").click()

    # Step 2: the consent, signed by typing a name.
    expect(phone.get_by_text("Step 2 of 3")).to_be_visible()
    expect(phone.get_by_role("region", name=re.compile("Text of"))).to_be_visible()
    phone.get_by_label("Your full name").fill("Jordan Ellis")
    phone.get_by_label("I have read and agree").check()
    _fits(phone)
    _shot(phone, artifacts, "3-consent")
    phone.get_by_role("button", name="Save and continue").click()

    # Step 3: PHQ-9, item 9 endorsed.
    expect(phone.get_by_text("Step 3 of 3")).to_be_visible()
    for fieldset in phone.locator("fieldset.choice").all():
        fieldset.locator("input[type=radio]").first.check()
    phone.locator("fieldset#f-q9").get_by_label("Several days").check()
    _fits(phone)
    _shot(phone, artifacts, "4-phq9")
    phone.get_by_role("button", name="Save and review").click()

    expect(phone.get_by_role("heading", name="Review and send")).to_be_visible()
    expect(phone.locator(".status-completed")).to_have_count(3)
    _shot(phone, artifacts, "5-review")
    phone.get_by_role("button", name="Send to the center").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    _shot(phone, artifacts, "6-thanks")
    assert token not in phone.url and token not in phone.content()

    # The flag is in the record at once, for the practitioner's dashboard.
    with practice.work(Actor.system("t"), write=False) as work:
        from polymodal.core.models import AssessmentResult

        flags = [f["code"] for r in work.db.scalars(select(AssessmentResult)
                                                   .where(AssessmentResult.recorded_by.is_(None))) for f in r.flags]
    assert "phq9-item9" in flags

    # The spent link now says so.
    phone.goto(url)
    expect(phone.get_by_text("already submitted")).to_be_visible()
    assert not problems, problems


def test_a_guardian_completes_a_packet_for_a_ten_year_old(browser: Browser, portal_server, artifacts):
    base, practice, _clock = portal_server
    with practice.work(Actor.system("t")) as work:
        kid = clients.register_client(work, {"legal_first_name": "Noa", "legal_last_name": "Brandt",
                                             "date_of_birth": f"{work.now.year - 10}-03-01"})
        guardian = clients.add_guardian(work, kid.id, {"name": "Jonas Brandt", "relationship": "father"})
        packet = portal.prepare_packet(work, kid.id, ["talk/psychotherapy"])
        _, token = portal.issue_link(work, packet.id, guardian_id=guardian.id)
    problems: list[str] = []
    phone = _phone(browser, problems)
    phone.goto(f"{base}/p/{token}")
    expect(phone).to_have_url(f"{base}/portal")
    expect(phone.get_by_text("These forms are for")).to_contain_text("Noa Brandt")
    _shot(phone, artifacts, "guardian-1-overview")
    phone.get_by_role("link", name="Start").click()
    # The guardian is asked about Noa by name (the intake's guardian wording).
    expect(phone.get_by_text("You are answering about")).to_contain_text("Noa")
    phone.get_by_label("What brings Noa to us now?").fill("Worries at school")
    _answer_required(phone)
    phone.get_by_role("button", name="Save and continue").click()

    expect(phone.get_by_text("You are signing on behalf of")).to_contain_text("as their father")
    phone.get_by_label("Your full name (parent or guardian)").fill("Jonas Brandt")
    phone.get_by_label("I have read and agree, on behalf of Noa Brandt").check()
    phone.get_by_label("Noa types their name").fill("Noa")
    _fits(phone)
    _shot(phone, artifacts, "guardian-2-consent", docs=True)
    phone.get_by_role("button", name="Save and review").click()
    phone.get_by_role("button", name="Send to the center").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    with practice.work(Actor.system("t"), write=False) as work:
        from polymodal.core.models import ConsentRecord

        record = work.db.scalars(select(ConsentRecord).where(ConsentRecord.client_id == kid.id)).one()
    assert (record.signer_capacity, record.scope["assent"]["name"]) == ("guardian", "Noa")
    assert not problems, problems


@pytest.mark.parametrize("case", ["expired", "revoked"])
def test_expired_and_revoked_links_are_refused_with_a_clear_page(browser: Browser, portal_server, artifacts, case):
    base, practice, clock = portal_server
    with practice.work(Actor.system("t")) as work:
        hana = work.db.scalars(select(Client).where(Client.legal_first_name == "Hana")).one()
        packet = portal.prepare_packet(work, hana.id, ["breathwork/breathwork"])
        link, token = portal.issue_link(work, packet.id, days=1)
        if case == "revoked":
            portal.revoke_link(work, link.id)
    if case == "expired":
        clock.offset = dt.timedelta(days=2)
    try:
        phone = _phone(browser, [])
        response = phone.goto(f"{base}/p/{token}")
        assert response.status == 410
        expect(phone.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
        expect(phone.locator(".lead")).to_contain_text("expired" if case == "expired" else "withdrawn")
        assert token not in phone.content()
        _fits(phone)
        _shot(phone, artifacts, f"refused-{case}", docs=case == "expired")
        phone.goto(f"{base}/portal")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Please open your link again")
    finally:
        clock.offset = dt.timedelta()


def test_a_tampered_client_id_is_refused(browser: Browser, portal_server, artifacts):
    base, practice, _clock = portal_server
    with practice.work(Actor.system("t")) as work:
        ravi = work.db.scalars(select(Client).where(Client.legal_first_name == "Ravi")).one()
        other = work.db.scalars(select(Client).where(Client.legal_first_name == "Tom")).one()
        packet = portal.prepare_packet(work, ravi.id, ["arts/art-therapy"])
        _, token = portal.issue_link(work, packet.id)
    phone = _phone(browser, [])
    phone.goto(f"{base}/p/{token}")
    phone.goto(f"{base}/portal/step?n=1&client_id={other.id}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Request refused")
    # A field added to the form in the page (as devtools would) is refused too, and nothing is saved.
    phone.goto(f"{base}/portal/step?n=1")
    phone.evaluate("""id => { const i = document.createElement('input'); i.type = 'hidden'; i.name = 'client_id';
                              i.value = id; document.querySelector('form').appendChild(i); }""", str(other.id))
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Request refused")
    with practice.work(Actor.system("t"), write=False) as work:
        from polymodal.core.models import PortalPacket

        assert work.db.get(PortalPacket, packet.id).drafts == {}


def test_touch_consent_per_body_region_fits_a_phone(browser: Browser, portal_server, artifacts):
    base, practice, _clock = portal_server
    with practice.work(Actor.system("t")) as work:
        tom = work.db.scalars(select(Client).where(Client.legal_first_name == "Tom")).one()
        packet = portal.prepare_packet(work, tom.id, ["bodywork/massage"])
        _, token = portal.issue_link(work, packet.id)
        touch = next(n for n, i in enumerate(packet.items, start=1) if i["key"] == "bodywork/touch")
    phone = _phone(browser, [])
    phone.goto(f"{base}/p/{token}")
    phone.goto(f"{base}/portal/step?n={touch}")
    phone.get_by_label("Low back: Consent").select_option("consented")
    phone.get_by_label("Gluteal: Consent").select_option("declined")
    phone.get_by_label("Techniques planned").fill("Swedish massage")
    _fits(phone)
    _shot(phone, artifacts, "touch-consent")
    phone.get_by_role("button", name=re.compile("^Save and (continue|review)$")).click()
    expect(phone.locator(".error-summary")).to_contain_text("Draping method")
    expect(phone.get_by_label("Low back: Consent")).to_have_value("consented")
    expect(phone.get_by_label("Techniques planned")).to_have_value("Swedish massage")
