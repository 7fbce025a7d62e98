"""The calendar grid's cards: the links (session, client) and the "Move or cancel" summary never overlap,
at desktop width and at 375 px, and the summary can be clicked where it is drawn."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from polymodal.core.demo import DEMO_PASSWORD
from polymodal.core.timeutil import today_in
from tests.clocks import FIXED_NOW

pytestmark = pytest.mark.browser

OVERLAPS = """() => {
  // What is drawn of an element: its boxes cut to the clipping card body (overflow: hidden) they sit in.
  const drawn = (e, card) => {
    const clip = (e.closest('.slot-body') || card).getBoundingClientRect();
    return [...e.getClientRects()].map(r => ({left: Math.max(r.left, clip.left), right: Math.min(r.right, clip.right),
      top: Math.max(r.top, clip.top), bottom: Math.min(r.bottom, clip.bottom)})).filter(r => r.right > r.left && r.bottom > r.top);
  };
  const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const found = [];
  for (const card of document.querySelectorAll('.tgrid .placed .slot')) {
    const summary = card.querySelector('summary');
    if (!summary) continue;
    const s = summary.getBoundingClientRect();
    const others = [...card.querySelectorAll('h4 a, h4, .slot-body p')].flatMap(e => drawn(e, card));
    if (others.some(box => hit(s, box))) found.push(card.id);
  }
  return found;
}"""
ON_TOP = """s => {
  const r = s.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + 4, r.top + r.height / 2);
  return top === s || s.contains(top);
}"""


def toggle(card) -> None:
    # Opened or closed from the keyboard: a pointer that enters a short card grows it (hover shows the whole
    # session), which moves its summary while the click is under way on a slow machine. Whether the summary and
    # the forms are what the pointer reaches is asserted apart, with ON_TOP.
    card.locator("summary").press("Enter")


@pytest.mark.parametrize("width", [1280, 375])
def test_card_links_and_the_move_or_cancel_summary_do_not_overlap(page: Page, live_server: str, artifacts, width):
    day = today_in("America/Los_Angeles", FIXED_NOW) + dt.timedelta(days=7)  # the demo's weekly sessions
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server}/schedule")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/schedule")
    page.goto(f"{live_server}/schedule?view=day&date={day.isoformat()}&practitioner=all")
    cards = page.locator(".tgrid .placed .slot")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 3
    page.screenshot(path=str(artifacts / f"grid-cards-{width}.png"), full_page=True)
    assert page.evaluate(OVERLAPS) == []
    # Every summary drawn is the thing under the pointer where it is drawn: clickable, not covered.
    for i in range(cards.count()):
        # The card, not its summary, is scrolled to: scrolling to the summary would scroll inside the clipped card.
        cards.nth(i).scroll_into_view_if_needed()
        page.mouse.move(0, 0)  # no card hovered: each is seen at rest
        assert cards.nth(i).locator("summary").evaluate(ON_TOP), f"card {i}: its summary is covered or clipped"
    first = cards.first
    toggle(first)
    expect(first.locator("details")).to_have_attribute("open", "")
    expect(first.get_by_role("button", name="Move").or_(first.get_by_role("link", name="Open the forms")).first
           ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= max(width, page.evaluate(
        "document.querySelector('.tgrid').scrollWidth + 64"))


def test_an_opened_cards_forms_are_above_the_cards_after_it(page: Page, live_server: str):
    # Each placed card is its own stacking context: without raising the opened one, the card below covered its
    # forms and took the clicks meant for "Move".
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/schedule")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/schedule?view=week")
    cards = page.locator('.tgrid .placed .slot[draggable="true"]:has(details)')  # the movable ones
    expect(cards.first).to_be_visible()
    assert cards.count() >= 3
    for i in range(min(cards.count(), 6)):
        card = cards.nth(i)
        toggle(card)
        move = card.get_by_role("button", name="Move")
        expect(move).to_be_visible()
        move.scroll_into_view_if_needed()
        page.mouse.move(0, 0)  # the pointer away: the card stays above because it is open, not because it is hovered
        assert move.evaluate(ON_TOP), f"card {i}: its Move button is covered"
        toggle(card)
        expect(card.locator("details")).not_to_have_attribute("open", "")
