"""The schedule's day and week views: page, fragment, filters, paging, names by role, query counts."""

from __future__ import annotations

import datetime as dt
import re

FAR_MONDAY = dt.date(2030, 1, 7)  # an empty week, far from the demo's sessions

HTMX = {"HX-Request": "true"}


def _slots(html: str) -> list[str]:
    return re.findall(r'<article class="slot [^"]*" id="session-([0-9a-f-]{36})"', html)


def test_week_view_full_page(client, signed_in):
    signed_in("frontdesk")
    response = client.get("/schedule")
    assert response.status_code == 200 and "<html" in response.text
    assert response.headers["vary"] == "HX-Request"
    page = response.text
    assert re.search(r"<h2 id=\"cal-title\">Week of Mon \d\d \w{3} \d{4}", page)
    assert page.count('class="cal-day') == 7
    # Demo: seven cases, each with a weekly series starting today or in the next two days.
    assert len(_slots(page)) >= 1
    assert "Jordan Ellis" in page and "Dr. Dana Rivera" in page and "Willow" in page
    assert "Individual psychotherapy and counselling" in page
    assert 'aria-current="page">Schedule' in page or 'href="/schedule" aria-current="page"' in page


def test_week_view_fragment_is_the_calendar_block(client, signed_in):
    signed_in("frontdesk")
    fragment = client.get("/schedule?view=week", headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="schedule-calendar"') and "<html" not in fragment.text
    assert fragment.headers["vary"] == "HX-Request"


def test_history_restore_gets_the_whole_page(client, signed_in):
    signed_in("frontdesk")
    page = client.get("/schedule", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in page.text


def test_day_view_and_paging(client, signed_in, book):
    signed_in("frontdesk")
    book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)), count=2)
    book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY + dt.timedelta(days=1), dt.time(9)))
    day = client.get(f"/schedule?view=day&date={FAR_MONDAY}").text
    assert "Monday 07 January 2030" in day and len(_slots(day)) == 2
    assert 'href="/schedule?view=day&amp;date=2030-01-06"' in day  # previous day
    assert 'href="/schedule?view=day&amp;date=2030-01-08"' in day  # next day
    assert 'id="cal-today" href="/schedule?view=day"' in day
    nxt = client.get("/schedule?view=day&date=2030-01-08").text
    assert len(_slots(nxt)) == 1 and "Jordan Ellis" in nxt
    week = client.get("/schedule?view=week&date=2030-01-09").text  # a Wednesday: the week starts on Monday
    assert "Week of Mon 07 Jan 2030" in week and len(_slots(week)) == 3
    assert 'href="/schedule?view=week&amp;date=2029-12-31"' in week and 'date=2030-01-14' in week


def test_times_are_shown_in_the_centers_zone(client, signed_in, book):
    signed_in("frontdesk")
    # 2030-03-10: US clocks spring forward; a weekly 09:00 stays 09:00 on the wall clock.
    book("Tom: low back", dt.datetime(2030, 3, 4, 9, 0), count=2, every=dt.timedelta(weeks=1))
    for day in ("2030-03-04", "2030-03-11"):
        page = client.get(f"/schedule?view=day&date={day}").text
        assert ">09:00</time>–09:10" in page
    assert 'datetime="2030-03-04T09:00:00-08:00"' in client.get("/schedule?view=day&date=2030-03-04").text
    assert 'datetime="2030-03-11T09:00:00-07:00"' in client.get("/schedule?view=day&date=2030-03-11").text


def test_filter_by_practitioner_and_by_room(client, signed_in, book, ids):
    signed_in("frontdesk")
    book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)), room="Cedar")
    book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY, dt.time(9)), room="Willow")
    maya = client.get(f"/schedule?view=day&date={FAR_MONDAY}&practitioner={ids.user('maya')}").text
    assert len(_slots(maya)) == 1 and "Tom Becker" in maya and "Jordan Ellis" not in maya
    assert "· Maya Chen, LMT" in maya
    willow = client.get(f"/schedule?view=day&date={FAR_MONDAY}&room={ids.room('Willow')}").text
    assert len(_slots(willow)) == 1 and "Jordan Ellis" in willow and "· Room Willow" in willow
    # Paging keeps the filter.
    assert f"practitioner={ids.user('maya')}" in re.search(r'id="cal-next" href="([^"]+)"', maya).group(1)


def test_bad_parameters_fall_back_to_defaults(client, signed_in):
    signed_in("frontdesk")
    response = client.get("/schedule?view=month&date=not-a-date&practitioner=x&room=%00")
    assert response.status_code == 200 and "Week of" in response.text


def test_practitioners_see_names_only_of_their_own_clients(client, signed_in, book):
    book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    book("Sofia: school stress", dt.datetime.combine(FAR_MONDAY, dt.time(11)))
    signed_in("trainee")  # Sofia's practitioner; Jordan is Dr. Rivera's client
    page = client.get(f"/schedule?view=day&date={FAR_MONDAY}&practitioner=all").text
    assert len(_slots(page)) == 2
    assert "Sofi Alvarez" in page and "Jordan" not in page and "Ellis" not in page
    assert "Booked" in page
    # The trainee may change only the session of their own client: one card offers it, and links its forms.
    assert page.count("Move or cancel<") == 1 and page.count(">Open the forms<") == 1
    assert 'name="reason"' not in page  # the forms themselves load when the card is opened
    signed_in("rivera")  # supervisor of the trainee: both names
    page = client.get(f"/schedule?view=day&date={FAR_MONDAY}&practitioner=all").text
    assert "Sofi Alvarez" in page and "Jordan Ellis" in page


def test_a_practitioners_calendar_opens_on_their_own_sessions(client, signed_in, book, ids):
    book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    book("Sofia: school stress", dt.datetime.combine(FAR_MONDAY, dt.time(11)))
    signed_in("trainee")
    own = client.get(f"/schedule?view=day&date={FAR_MONDAY}").text
    assert len(_slots(own)) == 1 and "Sofi Alvarez" in own and "· Sam Okafor (associate)" in own
    assert f'<option value="{ids.user("trainee")}" selected>' in own
    # "Everyone" is explicit, and paging keeps it.
    everyone = client.get(f"/schedule?view=day&date={FAR_MONDAY}&practitioner=all").text
    assert len(_slots(everyone)) == 2 and '<option value="all" selected>Everyone' in everyone
    assert "practitioner=all" in re.search(r'id="cal-next" href="([^"]+)"', everyone).group(1)
    # A room asked for shows the room's sessions, whoever holds them.
    room = client.get(f"/schedule?view=day&date={FAR_MONDAY}&room={ids.room('Willow')}").text
    assert "· Room Willow" in room
    signed_in("frontdesk")  # the front desk opens on the whole center
    assert len(_slots(client.get(f"/schedule?view=day&date={FAR_MONDAY}").text)) == 2


def test_front_desk_sees_names_but_no_clinical_content(client, signed_in, book):
    book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    signed_in("frontdesk")
    page = client.get(f"/schedule?view=day&date={FAR_MONDAY}").text
    assert "Jordan Ellis" in page
    for clinical in ("note", "Note", "goal", "Goal", "assessment", "diagnos"):
        assert clinical not in page.split('<main', 1)[1], clinical


def test_admin_sees_the_schedule_without_change_controls(client, signed_in, book):
    book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    signed_in("admin")
    page = client.get(f"/schedule?view=day&date={FAR_MONDAY}").text
    assert len(_slots(page)) == 1 and "Move or cancel" not in page and "Book a session" not in page


def test_the_view_is_audited_once(client, signed_in, web_practice):
    from sqlalchemy import func, select

    from polymodal.core.models import AuditEvent

    signed_in("frontdesk")

    def views() -> int:
        with web_practice.engine.connect() as conn:
            return conn.execute(select(func.count()).where(AuditEvent.action == "schedule.view")).scalar_one()

    before = views()
    client.get("/schedule")
    assert views() == before + 1


def test_day_and_week_cost_the_same_with_4_or_40_sessions(client, signed_in, book, queries):
    signed_in("frontdesk")
    client.get("/schedule")  # warm up: the session's last-seen write happens at most once a minute
    quiet_day, busy_day = FAR_MONDAY, FAR_MONDAY + dt.timedelta(days=14)
    book("Tom: low back", dt.datetime.combine(quiet_day, dt.time(8)), count=4)
    book("Tom: low back", dt.datetime.combine(busy_day, dt.time(8)), count=40)
    counts = {}
    for name, day in (("quiet", quiet_day), ("busy", busy_day)):
        day_url, week_url = f"/schedule?view=day&date={day}", f"/schedule?view=week&date={day}"
        counts[name] = (queries.of_page(client, day_url), queries.of_page(client, week_url),
                        queries.of_page(client, day_url))
        assert len(_slots(client.get(day_url).text)) == (4 if name == "quiet" else 40)
    assert counts["quiet"] == counts["busy"], (counts, queries.statements)
    # Three BEGINs (session lookup, the read, its audit written after it), session lookup, center, sessions,
    # their clients, their practitioners, staff, rooms, audit (last, insert), and for the day's columns of
    # practitioners their working hours and time off: nothing per session or per practitioner.
    assert counts["busy"][0] <= 14, "\n".join(s[:70] for s in queries.statements)
