"""The dashboard's list of today's sessions is kept by everything it shows (web/fragments.py): the same rows
are drawn once, and a change to any of them, to the time or to who may see a name shows on the next view."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo

import pytest
from sqlalchemy import select, update

from polymodal.core.access import Actor
from polymodal.core.models import Center, Client
from polymodal.core.services import clients, scheduling
from polymodal.web.controllers import dashboard

MONDAY = dt.date(2030, 1, 7)  # an empty day, far from the demo's sessions
HTMX = {"HX-Request": "true"}
LISTED = re.compile(r'<a href="/sessions/([^"]+)">(\d\d:\d\d)–')


@pytest.fixture
def at(web_clock, web_practice):
    """Sets the clock to a time of MONDAY in the center's zone."""
    with web_practice.engine.connect() as conn:
        tz = zoneinfo.ZoneInfo(conn.execute(select(Center.timezone)).scalar_one())

    def set_to(hour: int, minute: int = 0) -> None:
        web_clock.now = dt.datetime.combine(MONDAY, dt.time(hour, minute), tz).astimezone(dt.UTC)

    return set_to


def _list(page: str) -> str:
    return re.search(r'<div id="today-sessions">.*?</div>\s*</section>', page, re.S).group(0)


def _row(page: str, session_id) -> str:
    return re.search(rf'<tr><td><a href="/sessions/{session_id}">.*?</tr>', page, re.S).group(0)


def test_the_same_rows_are_drawn_once_and_shown_alike_in_the_page_and_the_fragment(
        client, signed_in, book, at, monkeypatch):
    at(8)
    book("Jordan: anxiety", dt.datetime.combine(MONDAY, dt.time(9)), count=3, every=dt.timedelta(hours=1))
    drawn = []
    real = dashboard._today_context
    monkeypatch.setattr(dashboard, "_today_context", lambda *a: drawn.append(1) or real(*a))
    signed_in("frontdesk")
    first, again = client.get("/").text, client.get("/").text
    fragment = client.get("/", headers=HTMX).text
    assert len(drawn) == 1
    assert _list(first) == _list(again)
    assert fragment.strip() == _list(first).removesuffix("</section>").strip()
    assert [t for _, t in LISTED.findall(first)] == ["09:00", "10:00", "11:00"]
    signed_in("rivera")  # her own day: another list, drawn for itself
    assert [t for _, t in LISTED.findall(client.get("/").text)] == ["09:00", "10:00", "11:00"]
    assert len(drawn) == 2


def test_a_change_to_a_listed_session_shows_on_the_next_view(client, signed_in, book, at, web_practice,
                                                             client_id):
    at(8)
    first, second = book("Jordan: anxiety", dt.datetime.combine(MONDAY, dt.time(9)), count=2,
                         every=dt.timedelta(hours=1))
    signed_in("frontdesk")
    assert "Jordan Ellis" in _row(client.get("/").text, first)
    with web_practice.engine.begin() as conn:  # by any path, not only the services
        conn.execute(update(Client).where(Client.id == uuid.UUID(client_id("Ellis", "Jordan")))
                     .values(preferred_name="<b>Jo</b>"))
    drawn, kept = _row(client.get("/").text, first), _row(client.get("/").text, first)
    assert drawn == kept and "&lt;b&gt;Jo&lt;/b&gt; Ellis" in kept and "<b>" not in kept
    with web_practice.work(Actor.system("test")) as work:
        scheduling.set_status(work, first, "cancelled", "client asked", cancel_reason="client")
        scheduling.move_session(work, second, dt.datetime.combine(MONDAY, dt.time(14)), outside_hours=True)
    page = client.get("/").text
    assert "status-cancelled" in _row(page, first) and "14:00–14:10" in _row(page, second)
    at(10)  # the first has ended: it is no longer "still to come"
    signed_in("frontdesk")  # again: half an hour idle ends a sign-in
    assert [sid for sid, _ in LISTED.findall(client.get("/").text)] == [str(second)]


def test_a_name_leaves_a_kept_list_when_its_client_leaves_the_practitioners_care(
        client, signed_in, at, web_practice, client_id, ids):
    at(8)
    jordan, trainee = uuid.UUID(client_id("Ellis", "Jordan")), ids.user("trainee")
    with web_practice.work(Actor.system("test")) as work:  # co-led: the trainee joins Jordan's care team
        (session,) = scheduling.schedule_session(work, {
            "case_id": ids.case("Jordan: anxiety"), "modality_key": "talk/psychotherapy",
            "format": "individual", "starts_at": dt.datetime.combine(MONDAY, dt.time(9)), "minutes": 50,
            "delivery": "video", "practitioner_ids": [ids.user("rivera"), trainee]})
    session_id = session.id
    signed_in("trainee")
    assert "Jordan Ellis" in _row(client.get("/").text, session_id)
    with web_practice.work(Actor.system("test")) as work:
        clients.remove_from_care_team(work, jordan, trainee, "moved to another team")
    row = _row(client.get("/").text, session_id)
    assert "Jordan" not in row and "—" in row
