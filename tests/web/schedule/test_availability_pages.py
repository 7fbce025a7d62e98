"""Working hours, time off and room opening hours are entered on pages: by the admin or front desk for
anyone, by a practitioner for themself; each wrong entry is named by field and kept."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from polymodal.core import availability
from polymodal.core.access import Actor
from polymodal.core.models import AuditEvent, RoomHours, TimeOff, WorkingHours
from tests.clocks import FIXED_NOW
from tests.web.conftest import HTMX

NEXT_MONDAY = dt.date(2026, 10, 26)


def count(web_practice, model, **where) -> int:
    with web_practice.engine.connect() as conn:
        return len(conn.execute(select(model.id).filter_by(**where)).all())


def test_a_practitioner_keeps_their_own_hours_and_the_grid_and_booking_read_them(client, signed_in, ids, web_practice):
    token = signed_in("maya")
    maya = ids.user("maya")
    listed = client.get("/availability").text
    assert f'href="/availability/{maya}">Maya' in listed and "(you)" in listed
    assert f'href="/availability/{maya}"' in client.get("/me/calendar").text
    page = client.get(f"/availability/{maya}")
    assert page.status_code == 200 and "Add working hours" in page.text and "America/Los_Angeles" in page.text
    added = client.post(f"/availability/{maya}/hours", data={"_csrf": token, "weekday": "0", "starts": "09:00",
                                                             "ends": "13:00", "location": ""}, follow_redirects=False)
    assert added.status_code == 303
    assert "Monday" in client.get(f"/availability/{maya}").text
    with web_practice.work(Actor.system("test"), write=False) as work:
        late = dt.datetime.combine(NEXT_MONDAY, dt.time(15), ZoneInfo("America/Los_Angeles"))
        problems = availability.outside_hours(work, [maya], None, late, late + dt.timedelta(minutes=50))
    assert any("works 09:00–13:00 on Mondays" in p for p in problems), problems
    # Someone else's hours are read, not changed.
    rivera = ids.user("rivera")
    others = client.get(f"/availability/{rivera}")
    assert others.status_code == 200 and "Add working hours" not in others.text
    refused = client.post(f"/availability/{rivera}/hours", data={"_csrf": token, "weekday": "0", "starts": "09:00",
                                                                 "ends": "10:00"})
    assert refused.status_code in (403, 404) and count(web_practice, WorkingHours, user_id=rivera) == 0


def test_wrong_hours_are_named_by_field_and_kept(client, signed_in, ids, web_practice):
    token = signed_in("admin")
    maya = ids.user("maya")
    url = f"/availability/{maya}/hours"
    backwards = client.post(url, headers=HTMX, data={"_csrf": token, "weekday": "2", "starts": "17:00",
                                                     "ends": "09:00"})
    assert backwards.status_code == 422 and 'id="f-ends-error"' in backwards.text
    assert "The end must be after the start." in backwards.text and 'value="17:00"' in backwards.text
    assert "<html" not in backwards.text
    garbled = client.post(url, headers=HTMX, data={"_csrf": token, "weekday": "Someday", "starts": "<b>9</b>",
                                                   "ends": ""})
    assert garbled.status_code == 422
    for name in ("weekday", "starts", "ends"):
        assert f'id="f-{name}-error"' in garbled.text
    assert "&lt;b&gt;9&lt;/b&gt;" in garbled.text and "<b>9</b>" not in garbled.text
    client.post(url, data={"_csrf": token, "weekday": "2", "starts": "09:00", "ends": "12:00"})
    overlap = client.post(url, headers=HTMX, data={"_csrf": token, "weekday": "2", "starts": "11:30",
                                                   "ends": "15:00"})
    assert overlap.status_code == 422 and "Overlaps 09:00–12:00 on Wednesdays" in overlap.text
    assert 'value="11:30"' in overlap.text
    assert count(web_practice, WorkingHours, user_id=maya) == 1
    with web_practice.engine.connect() as conn:
        row = conn.execute(select(WorkingHours.id).where(WorkingHours.user_id == maya)).scalar_one()
    removed = client.post(f"/availability/{maya}/hours/remove", data={"_csrf": token, "entry": str(row)},
                          follow_redirects=False)
    assert removed.status_code == 303 and count(web_practice, WorkingHours, user_id=maya) == 0
    with web_practice.engine.connect() as conn:
        done = conn.execute(select(AuditEvent.action).where(AuditEvent.action.like("availability.%"))
                            .order_by(AuditEvent.seq)).scalars().all()
    assert done == ["availability.hours", "availability.hours_remove"]


def test_time_off_is_local_time_in_the_centers_zone_and_never_overlaps(client, signed_in, ids, web_practice):
    token = signed_in("rivera")
    rivera = ids.user("rivera")
    url = f"/availability/{rivera}/time-off"
    ok = client.post(url, data={"_csrf": token, "starts_at": "2026-12-24T00:00", "ends_at": "2026-12-27T00:00",
                                "reason": "Holiday"}, follow_redirects=False)
    assert ok.status_code == 303
    with web_practice.engine.connect() as conn:
        row = conn.execute(select(TimeOff.starts_at).where(TimeOff.user_id == rivera)).scalar_one()
    assert row.replace(tzinfo=dt.UTC) == dt.datetime(2026, 12, 24, 8, tzinfo=dt.UTC)  # midnight in Los Angeles
    page = client.get(f"/availability/{rivera}").text
    assert "Thu 24 Dec 2026 00:00" in page and "Holiday" in page
    backwards = client.post(url, headers=HTMX, data={"_csrf": token, "starts_at": "2027-01-05T10:00",
                                                     "ends_at": "2027-01-05T09:00", "reason": ""})
    assert backwards.status_code == 422 and 'id="f-ends_at-error"' in backwards.text
    assert 'value="2027-01-05T10:00"' in backwards.text
    zoned = client.post(url, headers=HTMX, data={"_csrf": token, "starts_at": "2027-01-05T10:00+01:00",
                                                 "ends_at": "2027-01-05T12:00", "reason": ""})
    assert zoned.status_code == 422 and "in the center&#39;s time (America/Los_Angeles)" in zoned.text
    skipped = client.post(url, headers=HTMX, data={"_csrf": token, "starts_at": "2027-03-14T02:30",
                                                   "ends_at": "2027-03-14T05:00", "reason": ""})
    assert skipped.status_code == 422 and 'id="f-starts_at-error"' in skipped.text and "clocks change" in skipped.text
    overlap = client.post(url, headers=HTMX, data={"_csrf": token, "starts_at": "2026-12-26T09:00",
                                                   "ends_at": "2026-12-28T09:00", "reason": ""})
    assert overlap.status_code == 422 and "Overlaps the time off from 24 Dec 00:00 to 27 Dec 00:00" in overlap.text
    assert count(web_practice, TimeOff, user_id=rivera) == 1


def test_room_hours_are_kept_by_the_front_desk_and_admins_only(client, signed_in, ids, web_practice):
    token = signed_in("maya")
    assert client.get("/availability/rooms").status_code == 403
    client.cookies.clear()
    token = signed_in("frontdesk")
    willow = ids.room("Willow")
    page = client.get("/availability/rooms")
    assert page.status_code == 200 and "Willow" in page.text and "the center's hours" in page.text
    bad = client.post("/availability/rooms", headers=HTMX, data={"_csrf": token, "room": str(willow),
                                                                 "weekday": "4", "opens": "18:00", "closes": "08:00"})
    assert bad.status_code == 422 and 'id="f-closes-error"' in bad.text
    assert "The closing time must be after the opening time." in bad.text
    no_room = client.post("/availability/rooms", headers=HTMX, data={"_csrf": token, "room": "", "weekday": "4",
                                                                     "opens": "08:00", "closes": "12:00"})
    assert no_room.status_code == 422 and 'id="f-room-error"' in no_room.text and 'value="08:00"' in no_room.text
    ok = client.post("/availability/rooms", data={"_csrf": token, "room": str(willow), "weekday": "4",
                                                  "opens": "08:00", "closes": "12:00"}, follow_redirects=False)
    assert ok.status_code == 303 and count(web_practice, RoomHours, room_id=willow) == 1
    assert "Friday 08:00–12:00" in client.get("/availability/rooms").text
    assert FIXED_NOW  # the zone note on the page is the center's, whatever the day
