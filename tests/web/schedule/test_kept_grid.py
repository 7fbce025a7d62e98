"""The calendar's grid is kept by everything it shows (web/fragments.py): the same week is drawn once, and any
change to what it shows, or to who may see it, shows on the next view."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from markupsafe import Markup
from sqlalchemy import update

from polymodal.core import availability
from polymodal.core.access import Actor
from polymodal.core.models import Client, User
from polymodal.core.services import clients, scheduling
from polymodal.web.controllers import schedule_views
from polymodal.web.fragments import Drawn, Fragments

FAR_MONDAY = dt.date(2030, 1, 7)  # an empty week, far from the demo's sessions
HTMX = {"HX-Request": "true"}


def _grid(page: str) -> str:
    return re.search(r'<div class="tgrid.*</section>\s*</div>', page, re.S).group(0)


def _card(page: str, session_id) -> str:
    return re.search(rf'<article class="slot [^"]*" id="session-{session_id}".*?</article>', page, re.S).group(0)


def test_the_same_week_is_drawn_once_and_shown_alike_in_the_page_and_the_fragment(client, signed_in, book, ids,
                                                                                  monkeypatch):
    book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY, dt.time(9)), count=3, every=dt.timedelta(days=1))
    drawn = []
    real = schedule_views.grid_context
    monkeypatch.setattr(schedule_views, "grid_context", lambda *a, **k: drawn.append(1) or real(*a, **k))
    signed_in("frontdesk")
    week = f"/schedule?view=week&date={FAR_MONDAY}&practitioner={ids.user('rivera')}"
    first, again = client.get(week).text, client.get(week).text
    fragment = client.get(week, headers=HTMX).text
    assert len(drawn) == 1
    assert first == again and _grid(first) == _grid(fragment) and _grid(first).count('class="placed') == 3
    # Another week is drawn for itself.
    client.get(f"/schedule?view=week&date={FAR_MONDAY + dt.timedelta(days=7)}&practitioner={ids.user('rivera')}")
    assert len(drawn) == 2


def test_a_change_shows_on_the_next_view_of_a_week_drawn_before(client, signed_in, book, ids, web_practice,
                                                                client_id):
    (session_id,) = book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY, dt.time(9)), room="Willow")
    signed_in("frontdesk")
    week = f"/schedule?view=week&date={FAR_MONDAY}&practitioner={ids.user('rivera')}"
    assert "Jordan Ellis" in _card(client.get(week).text, session_id)
    system = Actor.system("test")
    with web_practice.engine.begin() as conn:  # by any path, not only the services
        conn.execute(update(Client).where(Client.id == uuid.UUID(client_id("Ellis", "Jordan")))
                     .values(preferred_name="Jo"))
    assert "Jo Ellis" in _card(client.get(week).text, session_id)
    with web_practice.engine.begin() as conn:  # the practitioner's name: on the card and in both filters
        conn.execute(update(User).where(User.id == ids.user("rivera")).values(display_name="Dr. Dana Rivera-Ng"))
    page = client.get(week).text
    assert "Dr. Dana Rivera-Ng" in _card(page, session_id)
    assert page.count(f'<option value="{ids.user("rivera")}" selected>Dr. Dana Rivera-Ng</option>') == 2
    with web_practice.work(system) as work:
        scheduling.move_session(work, session_id, dt.datetime.combine(FAR_MONDAY, dt.time(14)), outside_hours=True)
    assert ">14:00</time>" in _card(client.get(week).text, session_id)
    with web_practice.work(system) as work:
        availability.set_working_hours(work, ids.user("rivera"), 0, "09:00", "12:00")
    page = client.get(week).text
    assert 'title="Not working"' in page and "Book 12:30" not in page
    with web_practice.work(system) as work:
        scheduling.set_status(work, session_id, "cancelled", "client asked", cancel_reason="client")
    assert "status-cancelled" in _card(client.get(week).text, session_id)


def test_a_week_drawn_for_one_person_shows_another_only_what_they_may_see(client, signed_in, book, web_practice,
                                                                          client_id, ids):
    (session_id,) = book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    day = f"/schedule?view=day&date={FAR_MONDAY}&practitioner=all"
    signed_in("frontdesk")
    assert "Jordan Ellis" in _card(client.get(day).text, session_id)
    signed_in("trainee")  # not on Jordan's care team: the slot is taken, the name is not shown
    card = _card(client.get(day).text, session_id)
    assert "Jordan" not in card and "Booked" in card and "Move or cancel" not in card
    jordan, trainee = uuid.UUID(client_id("Ellis", "Jordan")), ids.user("trainee")
    with web_practice.work(Actor.system("test")) as work:
        clients.join_care_team(work, jordan, trainee)
    assert "Jordan Ellis" in _card(client.get(day).text, session_id)
    with web_practice.work(Actor.system("test")) as work:
        clients.remove_from_care_team(work, jordan, trainee, "moved to another team")
    card = _card(client.get(day).text, session_id)
    assert "Jordan" not in card and "Booked" in card


def test_a_failed_move_opens_its_card_with_the_forms_though_the_week_was_kept(client, signed_in, book, csrf_of):
    (session_id,) = book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    signed_in("frontdesk")
    week = f"/schedule?view=week&date={FAR_MONDAY}"
    assert "<details open>" not in _card(client.get(week).text, session_id)
    token = csrf_of(client.get(f"/schedule/sessions/{session_id}/change").text)
    response = client.post(f"/schedule/sessions/{session_id}/move", data={
        "_csrf": token, "back": f"view=week&date={FAR_MONDAY}", "date": str(FAR_MONDAY), "time": ""})
    assert response.status_code == 422
    card = _card(response.text, session_id)
    assert "<details open>" in card and f'id="mv-{session_id}-time-error"' in card and token in card
    assert "<details open>" not in _card(client.get(week).text, session_id)


def test_what_is_kept_stays_within_its_limit_the_earliest_drawn_going_first(client):
    env = client.app.template_engine.engine
    kept = Fragments(limit=4_000)
    drawn = []

    def context(n):
        return lambda: drawn.append(n) or {"s": {"id": n, "status": "scheduled"}, "problem": {}, "back_query": ""}

    for n in range(20):
        kept.draw(env, "schedule/_session.html", n, context(n))
    assert len(drawn) == 20 and 0 < len(kept) < 20
    assert sum(len(html) for html, _ in kept._kept.values()) <= 4_000
    kept.draw(env, "schedule/_session.html", 19, context(19))  # the latest drawn is kept
    kept.draw(env, "schedule/_session.html", 0, context(0))  # the first went first
    assert drawn[-1] == 0 and len(drawn) == 21
    # Markup larger than a quarter of the limit is drawn, and not kept.
    small = Fragments(limit=100)
    small.draw(env, "schedule/_session.html", "x", context("x"))
    assert len(small) == 0


def test_markup_with_names_in_it_is_drawn_again_and_let_go_ten_minutes_after_it_was_drawn(client):
    env = client.app.template_engine.engine
    now = [0.0]
    kept = Fragments(clock=lambda: now[0])
    drawn = []

    def context(n):
        return lambda: drawn.append(n) or {"s": {"id": n, "status": "scheduled"}, "problem": {}, "back_query": ""}

    kept.draw(env, "schedule/_session.html", "a", context("a"))
    now[0] = 599.0
    kept.draw(env, "schedule/_session.html", "a", context("a"))
    assert drawn == ["a"] and len(kept) == 1
    now[0] = 600.0  # ten minutes after it was drawn: drawn again
    kept.draw(env, "schedule/_session.html", "a", context("a"))
    assert drawn == ["a", "a"] and len(kept) == 1
    now[0] = 1300.0  # whatever is drawn next, what is past its time leaves memory
    kept.draw(env, "schedule/_session.html", "b", context("b"))
    assert len(kept) == 1 and drawn == ["a", "a", "b"]


def test_kept_markup_is_shown_as_drawn_and_other_markup_still_loses_its_bidi_controls(client):
    shown = client.app.template_engine.engine.shown
    kept = Drawn("<b>Rivera</b>")
    assert shown(kept) is kept
    assert shown(Markup("<b>\u202eRivera</b>")) == "<b>Rivera</b>"


def test_markup_in_a_name_stays_text_in_a_grid_shown_again(client, signed_in, book, ids, web_practice, client_id):
    (session_id,) = book("Jordan: anxiety", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    with web_practice.engine.begin() as conn:
        conn.execute(update(Client).where(Client.id == uuid.UUID(client_id("Ellis", "Jordan")))
                     .values(preferred_name="<script>alert(1)</script>\u202e"))
    signed_in("frontdesk")
    week = f"/schedule?view=week&date={FAR_MONDAY}&practitioner={ids.user('rivera')}"
    for page in (client.get(week).text, client.get(week).text):  # drawn, then kept
        card = _card(page, session_id)
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Ellis" in card
        assert "<script>" not in card and "\u202e" not in card
