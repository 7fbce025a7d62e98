"""The waitlist pages: adding from the client page, candidates after a cancellation and beside a free slot,
booking one in a click, taking someone off; words for people; statements not growing with the list."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from polymodal.core.access import Actor
from polymodal.core.models import Session, WaitlistEntry
from polymodal.core.services import clients

DAY = "2030-01-07"  # a Monday far from the demo's sessions


@pytest.fixture
def desk(client, signed_in):
    return signed_in("frontdesk")


def add(client, token, client_id, **extra):
    return client.post("/waitlist", data={"_csrf": token, "client_id": client_id,
                                          "modality_key": "bodywork/massage", **extra}, follow_redirects=False)


def test_adding_from_the_client_page_and_the_list(client, desk, client_id):
    elena = client_id("Moreau", "Elena")
    page = client.get(f"/clients/{elena}/sessions")
    assert f'href="/waitlist?client={elena}"' in page.text
    form = client.get(f"/waitlist?client={elena}")
    assert "Elena Moreau" in form.text and "Add to the waitlist" in form.text
    response = add(client, desk, elena, weekdays=["0", "2"], earliest="09:00", latest="17:00",
                   note="<script>alert(1)</script> prefers mornings")
    assert response.status_code == 303 and response.headers["location"] == "/waitlist?done=added"
    listing = client.get("/waitlist?done=added").text
    assert "Added to the waitlist." in listing
    row = re.search(r'<tr id="entry-[^"]+">.*?</tr>', listing, re.S).group(0)
    for text in ("Elena Moreau", "Massage", "Anyone", "Mon, Wed, 09:00–17:00"):
        assert text in row
    assert "&lt;script&gt;alert(1)&lt;/script&gt; prefers mornings" in row and "<script>alert" not in listing


def test_bad_input_comes_back_with_every_field_named_and_nothing_lost(client, desk, client_id):
    elena = client_id("Moreau", "Elena")
    response = client.post("/waitlist", data={"_csrf": desk, "client_id": elena, "modality_key": "",
                                              "earliest": "soon", "latest": "", "note": "<b>keep me</b>",
                                              "weekdays": ["0", "8"]}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="waitlist-form">')
    for message in ("Choose the modality the client is waiting for.", "Choose days of the week from the list.",
                    "Enter a time as hours and minutes, for example 09:00 or 17:30."):
        assert message in response.text
    assert "&lt;b&gt;keep me&lt;/b&gt;</textarea>" in response.text
    assert 'value="0" checked' in response.text


def test_a_cancellation_offers_the_waitlist_and_one_click_books_the_candidate(client, desk, client_id, ids, book):
    elena = client_id("Moreau", "Elena")
    assert add(client, desk, elena).status_code == 303
    (session_id,) = book("Tom: low back", dt.datetime(2030, 1, 7, 10, 0), minutes=50, room="Willow")
    back = f"view=day&date={DAY}&practitioner=all"
    cancelled = client.post(f"/schedule/sessions/{session_id}/cancel",
                            data={"_csrf": desk, "cancel_reason": "late_cancellation", "back": back},
                            headers={"HX-Request": "true"})
    assert cancelled.status_code == 200
    assert "Fill from the waitlist" in cancelled.text
    assert "Mon 07 Jan 10:00 with Maya Chen, LMT" in cancelled.text
    entry = re.search(r'action="/waitlist/([0-9a-f-]+)/book"', cancelled.text).group(1)
    assert "Book Elena Moreau" in cancelled.text
    booked = client.post(f"/waitlist/{entry}/book", data={
        "_csrf": desk, "date": DAY, "time": "10:00", "practitioner_id": str(ids.user("maya")),
        "room_id": str(ids.room("Willow")), "back": back}, follow_redirects=False)
    assert booked.status_code == 303
    assert booked.headers["location"].startswith(f"/schedule?{back}&done=waitlist&session=")
    calendar = client.get(booked.headers["location"]).text
    assert "Booked from the waitlist." in calendar
    listing = client.get("/waitlist").text
    assert "Nobody is waiting" in listing
    assert re.search(r'<a href="/sessions/[0-9a-f-]+">Booked</a>', listing)
    with client.app.state.practice.work(Actor.system("test"), write=False) as work:
        entry_row = work.db.get(WaitlistEntry, uuid.UUID(entry))
        session = work.db.get(Session, entry_row.session_id)
        assert (entry_row.status, session.modality_key, session.status) == ("booked", "bodywork/massage",
                                                                             "scheduled")


def test_a_refused_booking_says_why_and_the_client_stays_on_the_list(client, desk, client_id, ids, book):
    elena = client_id("Moreau", "Elena")
    add(client, desk, elena)
    book("Tom: low back", dt.datetime(2030, 1, 7, 10, 0), minutes=50, room="Willow")  # Maya is busy then
    panel = client.get(f"/waitlist/candidates?date={DAY}&time=10:00&practitioner={ids.user('maya')}",
                       headers={"HX-Request": "true"})
    entry = re.search(r'action="/waitlist/([0-9a-f-]+)/book"', panel.text).group(1)
    refused = client.post(f"/waitlist/{entry}/book", data={
        "_csrf": desk, "date": DAY, "time": "10:00", "practitioner_id": str(ids.user("maya")),
        "room_id": str(ids.room("Cedar"))}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert "Not booked" in refused.text and "Maya Chen, LMT is already booked" in refused.text
    assert "Elena Moreau" in client.get("/waitlist").text


def test_the_booking_form_from_a_free_slot_shows_who_is_waiting(client, desk, client_id, ids):
    add(client, desk, client_id("Moreau", "Elena"))
    form = client.get(f"/schedule/new?date={DAY}&time=10:00&practitioner_ids={ids.user('maya')}")
    assert "Waiting for this slot" in form.text and "Book Elena Moreau" in form.text


def test_taking_someone_off_needs_a_reason_and_keeps_the_history(client, desk, client_id):
    add(client, desk, client_id("Moreau", "Elena"))
    entry = re.search(r'action="/waitlist/([0-9a-f-]+)/remove"', client.get("/waitlist").text).group(1)
    missing = client.post(f"/waitlist/{entry}/remove", data={"_csrf": desk, "reason": " "})
    assert missing.status_code == 422 and "Say why the client leaves the waitlist." in missing.text
    done = client.post(f"/waitlist/{entry}/remove", data={"_csrf": desk, "reason": "Found a place nearer home"})
    assert done.status_code == 200 and "Taken off the waitlist" in done.text
    assert "Taken off: Found a place nearer home" in done.text


def test_the_page_costs_the_same_statements_however_long_the_list(client, desk, web_practice, queries, ids):
    def fill(count: int, last: str) -> None:
        from polymodal.core import waitlist

        with web_practice.work(Actor.system("test")) as work:
            for i in range(count):
                person = clients.register_client(work, {"legal_first_name": f"W{i}", "legal_last_name": last,
                                                        "date_of_birth": "1980-01-01"})
                waitlist.add_entry(work, {"client_id": person.id, "modality_key": "bodywork/massage"})

    panel = f"/waitlist/candidates?date={DAY}&time=10:00&practitioner={ids.user('maya')}"
    fill(2, "Few")
    few = (queries.of_page(client, "/waitlist"), queries.of_page(client, panel))
    fill(25, "Many")
    assert (queries.of_page(client, "/waitlist"), queries.of_page(client, panel)) == few
    assert few[0] <= 20, queries.statements
