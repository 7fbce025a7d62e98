"""A session's move and cancel forms load on demand: a link (and htmx fragment) on the calendar, a page of its own."""

from __future__ import annotations

import datetime as dt
import html
import re

HTMX = {"HX-Request": "true"}
FAR_MONDAY = dt.date(2030, 1, 7)


def _card(page: str, session_id) -> str:
    return page.split(f'id="session-{session_id}"')[1].split("</article>")[0]


def _change_link(card: str) -> str:
    return html.unescape(re.search(r'<a href="([^"]+)">Open the forms', card).group(1))


def test_the_calendar_links_each_card_to_its_forms_instead_of_rendering_them(client, signed_in, book, ids):
    sessions = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)), count=3)
    signed_in("frontdesk")
    week = f"view=week&date={FAR_MONDAY}&practitioner={ids.user('maya')}"
    page = client.get(f"/schedule?{week}").text
    assert "<form method=\"post\" action=\"/schedule/sessions/" not in page and 'name="reason"' not in page
    for session_id in sessions:
        card = _card(page, session_id)
        assert f'id="mv-{session_id}-date"' not in card and f'id="cx-{session_id}-reason"' not in card
        assert "<summary>Move or cancel<" in card and "<details open>" not in card
        link = _change_link(card)
        assert link.startswith(f"/schedule/sessions/{session_id}/change?back=")
        assert link.split("back=", 1)[1] == week.replace("=", "%3D").replace("&", "%26")
        # With htmx, opening the card loads the same URL into it, once.
        assert f'hx-get="{html.escape(link)}" hx-trigger="toggle once from:closest details"' in card


def test_the_change_page_and_its_fragment_hold_both_forms(client, signed_in, book, ids):
    (session_id,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)), room="Cedar")
    signed_in("frontdesk")
    back = f"view=week&date={FAR_MONDAY}"
    url = f"/schedule/sessions/{session_id}/change"
    page = client.get(url, params={"back": back})
    assert page.status_code == 200 and "<html" in page.text and page.headers["vary"] == "HX-Request"
    text = page.text
    assert "Monday 07 January 2030, 09:00" in text and "Tom Becker" in text and "Maya Chen, LMT" in text
    for control in ("date", "time", "room"):
        assert f'id="mv-{session_id}-{control}"' in text, control
    assert f'id="cx-{session_id}-reason"' in text
    assert f'<option value="{ids.room("Cedar")}" selected>Cedar</option>' in text
    assert text.count(f'name="back" value="{html.escape(back)}"') == 2
    assert f'href="/schedule?{html.escape(back)}">Back to the calendar' in text
    # Without htmx in the way the forms post plainly and the answer is a redirect to the calendar.
    assert "hx-post" not in text.split("<main", 1)[1]
    fragment = client.get(url, params={"back": back}, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith("<form") and fragment.text.count("<form") == 2
    assert f'id="mv-{session_id}-date"' in fragment.text and f'id="cx-{session_id}-reason"' in fragment.text
    assert f'hx-post="/schedule/sessions/{session_id}/move"' in fragment.text
    assert f'hx-post="/schedule/sessions/{session_id}/cancel"' in fragment.text


def test_cancelling_from_the_change_page_returns_to_the_same_calendar(client, signed_in, book, ids, csrf_of):
    (session_id,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    signed_in("frontdesk")
    week = f"view=week&date={FAR_MONDAY}&practitioner={ids.user('maya')}"
    page = client.get(_change_link(_card(client.get(f"/schedule?{week}").text, session_id))).text
    back = html.unescape(re.search(r'name="back" value="([^"]*)"', page).group(1))
    assert back == week
    response = client.post(f"/schedule/sessions/{session_id}/cancel", follow_redirects=False,
                           data={"_csrf": csrf_of(page), "back": back, "cancel_reason": "client",
                                 "reason": "Client moved away"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/schedule?{week}&done=cancelled&freed={session_id}"
    # Now it cannot change any more: the page says so, and has no forms.
    after = client.get(f"/schedule/sessions/{session_id}/change")
    assert after.status_code == 200 and "can no longer be moved or cancelled" in after.text
    assert "<form method=\"post\" action=\"/schedule/sessions/" not in after.text
    fragment = client.get(f"/schedule/sessions/{session_id}/change", headers=HTMX).text
    assert "can no longer be moved or cancelled" in fragment and "<html" not in fragment


def test_a_failed_move_still_opens_that_card_with_its_errors(client, signed_in, book, csrf_of):
    (first,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    (second,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(11)))
    signed_in("frontdesk")
    token = csrf_of(client.get(f"/schedule/sessions/{second}/change").text)
    response = client.post(f"/schedule/sessions/{second}/move", data={
        "_csrf": token, "back": f"view=week&date={FAR_MONDAY}", "date": str(FAR_MONDAY), "time": ""})
    assert response.status_code == 422 and "<html" in response.text
    card = _card(response.text, second)
    assert "<details open>" in card and f'id="mv-{second}-time-error"' in card
    assert f'hx-post="/schedule/sessions/{second}/move"' in card  # the calendar's forms post with htmx
    other = _card(response.text, first)
    assert "<details open>" not in other and f'id="mv-{first}-date"' not in other and "Open the forms" in other


def test_who_may_open_the_change_page(client, signed_in, book):
    (session_id,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    url = f"/schedule/sessions/{session_id}/change"
    signed_in("frontdesk")
    assert client.get(url).status_code == 200
    assert client.get("/schedule/sessions/00000000-0000-4000-8000-000000000000/change").status_code == 404
    signed_in("maya")  # Tom's practitioner
    assert client.get(url).status_code == 200
    signed_in("trainee")  # another team's session: as if it did not exist
    response = client.get(url)
    assert response.status_code == 404 and "Tom" not in response.text
    signed_in("admin")  # no session.manage at all
    assert client.get(url).status_code == 403
    assert client.get(url, headers=HTMX).status_code == 403
