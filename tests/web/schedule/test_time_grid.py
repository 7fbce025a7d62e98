"""The calendar as a time grid: a column per practitioner or room, hours shaded, free slots that book
pre-filled, cards that link to the session and the client, cancelled sessions struck through or hidden."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest

from polymodal.core import availability
from polymodal.core.access import Actor
from polymodal.core.services import scheduling
from polymodal.web.controllers import schedule_grid

MONDAY = dt.date(2030, 1, 7)
LA = zoneinfo.ZoneInfo("America/Los_Angeles")


def _lanes(page: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip()
            for m in re.findall(r'<h3 class="lane-head" id="lane-[^"]+">(.*?)</h3>', page, re.S)]


def _free(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a class="free[^"]*" href="([^"]+)"', page)]


@pytest.fixture
def maya_hours(web_practice, ids):
    """Maya works Mondays 09:00-13:00 and is away 10:00-11:00 that Monday (a training)."""
    with web_practice.work(Actor.system("test")) as work:
        availability.set_working_hours(work, ids.user("maya"), 0, "09:00", "13:00")
        availability.add_time_off(work, ids.user("maya"), dt.datetime.combine(MONDAY, dt.time(10), LA),
                                  dt.datetime.combine(MONDAY, dt.time(11), LA), "training")


def test_day_view_has_a_column_per_practitioner_or_per_room(client, signed_in, book):
    signed_in("frontdesk")
    book("Tom: low back", dt.datetime.combine(MONDAY, dt.time(9)), room="Willow")
    people = client.get(f"/schedule?view=day&date={MONDAY}&practitioner=all").text
    assert "Maya Chen, LMT" in _lanes(people) and "Dr. Dana Rivera" in _lanes(people)
    rooms = client.get(f"/schedule?view=day&date={MONDAY}&practitioner=all&by=room").text
    assert {"Willow", "Cedar", "Studio"} <= set(_lanes(rooms))
    assert people.count('class="placed') == rooms.count('class="placed') == 1


def test_a_free_slot_opens_the_booking_form_with_slot_practitioner_and_room(client, signed_in, ids, maya_hours):
    signed_in("frontdesk")
    page = client.get(f"/schedule?view=day&date={MONDAY}&practitioner={ids.user('maya')}").text
    maya = [f for f in _free(page) if f"practitioner_ids={ids.user('maya')}" in f]
    times = [re.search(r"time=(\d\d)%3A(\d\d)", f).groups() for f in maya]
    # Working 09:00-13:00, away 10:00-11:00: only 09:00, 09:30, 11:00 ... 12:30 are offered.
    assert times == [("09", "00"), ("09", "30"), ("11", "00"), ("11", "30"), ("12", "00"), ("12", "30")]
    form = client.get(maya[0]).text
    assert f'value="{MONDAY}"' in form and 'value="09:00"' in form
    assert re.search(rf'value="{ids.user("maya")}"[^>]*checked', form)


def test_a_slot_dropped_on_moves_a_card_to_its_lanes_day_and_room_at_its_time(client, signed_in):
    # A dragged card is moved to the day and room of the lane it is dropped in (web/static/app.js): each free
    # slot carries only its time, and its link books the same day, room and time (issue 18: half the
    # calendar's bytes were free slots repeating their lane).
    signed_in("frontdesk")
    page = client.get(f"/schedule?view=day&date={MONDAY}&practitioner=all&by=room").text
    checked = 0
    for day, room, body in re.findall(r'<section[^>]*data-day="([^"]*)" data-room="([^"]*)"[^>]*>(.*?)</section>',
                                      page, re.S):
        for href, time in re.findall(r'<a class="free[^"]*" href="([^"]+)" data-time="([^"]+)"', body):
            href = html.unescape(href)
            assert f"date={day}&" in href and f"time={time.replace(':', '%3A')}" in href, href
            assert href.endswith(f"&room_id={room}") and room, href
            checked += 1
    # Each is drawn as tall as the half hour it books (the template writes the height out).
    heights = {int(h) for h in re.findall(r'<a class="free t-\d+ h-(\d+)"', page)}
    assert heights == {schedule_grid.STEP // schedule_grid.GRAIN}
    assert checked >= 3 * 16  # three rooms, the center's hours in half hours


def test_hours_outside_work_and_time_away_are_shaded(client, signed_in, ids, maya_hours):
    signed_in("frontdesk")
    page = client.get(f"/schedule?view=day&date={MONDAY}&practitioner={ids.user('maya')}").text
    assert 'class="shade off' in page and "Away: training" in page


def test_cards_link_to_the_session_and_the_client_and_cancelled_ones_stay_struck_through(client, signed_in,
                                                                                          book, web_practice):
    signed_in("frontdesk")
    first, second = book("Jordan: anxiety", dt.datetime.combine(MONDAY, dt.time(9)), count=2,
                         every=dt.timedelta(hours=1))
    with web_practice.work(Actor.system("test")) as work:
        scheduling.cancel_session(work, second, "illness", "client ill")
    page = client.get(f"/schedule?view=day&date={MONDAY}&practitioner=all").text
    assert f'href="/sessions/{first}"' in page and re.search(r'href="/clients/[0-9a-f-]{36}">Jordan Ellis</a>', page)
    assert f'class="slot status-cancelled" id="session-{second}"' in page
    hidden = client.get(f"/schedule?view=day&date={MONDAY}&practitioner=all&cancelled=hide").text
    assert f'id="session-{second}"' not in hidden and f'id="session-{first}"' in hidden
    assert "Show cancelled sessions" in hidden


def test_overlapping_sessions_sit_side_by_side(client, signed_in, book):
    signed_in("frontdesk")
    book("Jordan: anxiety", dt.datetime.combine(MONDAY, dt.time(9)))
    book("Tom: low back", dt.datetime.combine(MONDAY, dt.time(9)))
    week = client.get(f"/schedule?view=week&date={MONDAY}&practitioner=all").text
    assert week.count("c-0of2") == 1 and week.count("c-1of2") == 1


def test_booking_outside_hours_is_explained(web_practice, ids, maya_hours):
    with web_practice.work(Actor.system("test")) as work:
        found = availability.outside_hours(work, [ids.user("maya")], None,
                                           dt.datetime.combine(MONDAY, dt.time(10, 30), LA),
                                           dt.datetime.combine(MONDAY, dt.time(11, 30), LA))
        sunday = availability.outside_hours(work, [ids.user("maya")], None,
                                            dt.datetime.combine(MONDAY - dt.timedelta(days=1), dt.time(9), LA),
                                            dt.datetime.combine(MONDAY - dt.timedelta(days=1), dt.time(10), LA))
    assert found == ["Maya Chen, LMT is away (training) 10:00–11:00."]
    assert sunday == ["Maya Chen, LMT does not work on Sundays."]


def test_find_the_next_free_slot_opens_the_booking_form_there(client, signed_in, ids, book, web_clock, maya_hours):
    web_clock.now = dt.datetime.combine(MONDAY, dt.time(8), LA).astimezone(dt.UTC)
    book("Tom: low back", dt.datetime.combine(MONDAY, dt.time(9)), minutes=60)
    signed_in("frontdesk")
    found = client.get(f"/schedule/next-free?practitioner={ids.user('maya')}&minutes=50").text
    # 09:00-10:00 booked, 10:00-11:00 away: the first 50 free minutes start at 11:00 (the booking form, filled in).
    assert f'value="{MONDAY}"' in found and 'value="11:00"' in found and 'value="50"' in found
    assert re.search(rf'value="{ids.user("maya")}"[^>]*checked', found)


def test_booking_outside_working_hours_needs_the_override(client, signed_in, ids, maya_hours):
    csrf = signed_in("frontdesk")
    form = {"case_id": str(ids.case("Tom: low back")), "modality_key": "bodywork/massage", "format": "individual",
            "date": MONDAY.isoformat(), "time": "14:00", "minutes": "60", "delivery": "video", "weeks": "1",
            "practitioner_ids": str(ids.user("maya")), "_csrf": csrf}
    refused = client.post("/schedule/sessions", data=form)
    assert refused.status_code == 422 and "Not booked: outside hours" in refused.text
    assert "Maya Chen, LMT works 09:00–13:00 on Mondays." in refused.text and 'name="outside_hours"' in refused.text
    booked = client.post("/schedule/sessions", data={**form, "outside_hours": "1"}, follow_redirects=False)
    assert booked.status_code == 303 and "booked=1" in booked.headers["location"]


def test_a_session_running_past_midnight_fills_its_day_to_the_end(client, signed_in, book):
    signed_in("frontdesk")
    book("Tom: low back", dt.datetime.combine(MONDAY, dt.time(23), LA), minutes=90)
    day = client.get(f"/schedule?view=day&date={MONDAY}&practitioner=all").text
    # The grid widens to midnight, and the card runs from 23:00 to its end (12 five-minute steps), not to 00:30.
    assert '<span class="hour t-180">23:00</span>' in day
    assert re.search(r'class="placed t-180 h-12 c-0of1"', day), re.findall(r'class="placed[^"]*"', day)
