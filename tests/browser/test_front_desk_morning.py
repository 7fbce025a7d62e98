"""The front desk's morning on the time grid, in a real browser: find a client by first name and by phone,
book from a free slot, drag the session to another time, record a late cancellation and fill the slot from
the waitlist. Screenshots of the grid at desktop and phone width, and of the waitlist, go to docs/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from polymodal.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DAY = "2030-01-07"  # a Monday far from the demo's sessions


def test_front_desk_finds_books_from_the_grid_and_drags_a_session(page: Page, live_server: str):
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and r.status != 422
            else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/clients")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Found by first name (her preferred name shows), then by the end of the phone number.
    page.get_by_label("Find a client").press_sequentially("Sofia", delay=30)
    rows = page.locator("#client-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Alvarez, Sofi")
    page.get_by_label("Find a client").fill("")
    page.get_by_label("Find a client").press_sequentially("555-0104", delay=30)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Becker, Tom")

    # Maya's day as a column; the 10:00 free slot opens the booking form with the slot and Maya filled in.
    page.goto(f"{live_server}/schedule?view=day&date={DAY}&practitioner=all")
    maya = page.locator(".lane", has=page.get_by_role("heading", name="Maya Chen, LMT"))
    maya.locator('a.free[data-time="10:00"]').click()
    expect(page).to_have_url(re.compile(r"/schedule/new\?date=2030-01-07&time=10%3A00&practitioner_ids="))
    expect(page.locator("#f-date")).to_have_value(DAY)
    page.locator("#f-case_id").select_option(label="Tom: low back (individual)")
    expect(page.locator("#f-modality_key")).to_have_value("bodywork/massage")  # the case's refresh is in
    expect(page.get_by_label("Maya Chen, LMT")).to_be_checked()
    page.locator("#f-room_id").select_option(label="Willow (Main house)")
    expect(page.locator("#f-room_id")).not_to_have_value("")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page).to_have_url(re.compile(r"booked=1"))
    expect(page.locator(".notice")).to_contain_text("Booked 1 session")

    # Drag the card to 14:00 in the same column: the grid comes back with the session moved.
    page.goto(f"{live_server}/schedule?view=day&date={DAY}&practitioner=all")
    card = maya.locator("article.slot")
    expect(card).to_contain_text("10:00")
    card.drag_to(maya.locator('a.free[data-time="14:00"]'))
    expect(page.locator(".notice")).to_contain_text("Session moved to Mon 07 Jan 14:00")
    expect(maya.locator("article.slot")).to_contain_text("14:00")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".tgrid").screenshot(path=str(SCREENSHOTS / "calendar-day-desktop.png"))

    # Elena is put on the waitlist from her client page: a massage with anyone, Mondays or Wednesdays, by 17:00.
    page.goto(f"{live_server}/clients")
    page.get_by_label("Find a client").press_sequentially("Elena", delay=30)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Moreau, Elena")
    rows.first.get_by_role("link").first.click()
    page.get_by_role("link", name="Sessions", exact=True).click()
    page.get_by_role("link", name="Add to the waitlist").click()
    page.get_by_label("Waiting for").select_option(label="Massage therapy")
    page.get_by_label("Monday").check()
    page.get_by_label("Wednesday").check()
    page.get_by_label("Finished by").fill("17:00")
    page.get_by_label("Note for the front desk").fill("Can come at short notice")
    page.get_by_role("button", name="Add to the waitlist").click()
    expect(page.locator(".notice")).to_contain_text("Added to the waitlist.")
    expect(page.locator("#waitlist-rows tbody tr")).to_contain_text("Elena Moreau")
    page.screenshot(path=str(SCREENSHOTS / "waitlist-desktop.png"), full_page=True)
    # On a phone the list's table scrolls inside itself; a hidden label in its last column once widened the page.
    desktop = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 812})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the waitlist scrolls sideways at 375 px ({width} px wide)"
    page.set_viewport_size(desktop)

    # Tom cancels the 14:00 late; the confirmation offers the slot to the waitlist, and Elena is booked in a click.
    page.goto(f"{live_server}/schedule?view=day&date={DAY}&practitioner=all")
    card = maya.locator("article.slot", has_text="14:00")
    card.get_by_text("Move or cancel").dispatch_event("click")  # a pointer entering the card moves its summary
    card.get_by_label("Why is it cancelled?").select_option(label="Late cancellation")
    page.once("dialog", lambda dialog: dialog.accept())  # "Cancel this session?"
    card.get_by_role("button", name="Cancel session").click()
    expect(page.locator(".notice")).to_contain_text("Session of Mon 07 Jan 14:00 cancelled.")
    offer = page.locator("#waitlist-candidates")
    expect(offer.get_by_role("heading", name="Fill from the waitlist")).to_be_visible()
    expect(offer).to_contain_text("Mon 07 Jan 14:00 with Maya Chen, LMT")
    offer.screenshot(path=str(SCREENSHOTS / "waitlist-fill-desktop.png"))
    offer.get_by_role("button", name="Book Elena Moreau").click()
    expect(page.locator(".notice")).to_contain_text("Booked from the waitlist.")
    expect(maya.locator("article.slot", has_text="Elena Moreau")).to_contain_text("14:00")
    expect(maya.locator("article.slot.status-cancelled")).to_contain_text("Tom Becker")
    page.goto(f"{live_server}/waitlist")
    expect(page.locator("#waitlist-rows")).to_contain_text("Nobody is waiting")
    expect(page.get_by_role("link", name="Booked")).to_be_visible()
    page.goto(f"{live_server}/schedule?view=day&date={DAY}&practitioner=all")
    page.goto(f"{live_server}/schedule?view=week&date={DAY}&practitioner=all")
    page.locator(".tgrid").screenshot(path=str(SCREENSHOTS / "calendar-week-desktop.png"))
    # A practitioner checking their day on a phone: their own column fills the screen.
    page.goto(f"{live_server}/schedule?view=day&date={DAY}&practitioner=all")
    maya_id = page.locator(".lane", has=page.get_by_role("heading", name="Maya Chen, LMT")).get_attribute(
        "data-practitioner")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server}/schedule?view=day&date={DAY}&practitioner={maya_id}")
    expect(page.locator(".tgrid article.slot.status-scheduled")).to_contain_text("14:00")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px wide); only the grid should"
    page.locator(".tgrid").screenshot(path=str(SCREENSHOTS / "calendar-day-375.png"))
    assert problems == []
