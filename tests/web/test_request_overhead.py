"""What a page does per request besides its own work, kept to what it needs (issue 18): one guard, dependencies
resolved without a task group, the search's statement built once, the audit appended without the ORM."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event

from polymodal.web.guards import every_route


def test_every_route_runs_one_guard_holding_the_four_checks(client):
    # Litestar copies the route handler once per guard on every request.
    handlers = [h for route in client.app.routes for h in getattr(route, "route_handlers", [])]
    assert len(handlers) > 100
    assert {tuple(h.resolve_guards()) for h in handlers} == {(every_route,)}


def test_a_page_resolves_its_dependencies_without_a_task_group(client, signed_in, monkeypatch):
    import litestar._kwargs.kwargs_model as kwargs_model

    def refuse():
        raise AssertionError("a task group was opened to resolve a page's dependencies")

    monkeypatch.setattr(kwargs_model, "create_task_group", refuse)
    signed_in("rivera")
    page = client.get("/clients?q=ellis")
    assert page.status_code == 200 and "Ellis" in page.text


def test_searches_by_one_person_run_one_statement_and_the_audit_none_of_the_orm(client, signed_in, web_practice):
    from polymodal.core import audit

    executed = []
    signed_in("frontdesk")

    @event.listens_for(web_practice.engine, "before_execute")
    def remember(_conn, statement, *_args):
        executed.append(statement)

    try:
        for words in ("ellis", "jordan", "e", ""):
            assert client.get(f"/clients?q={words}").status_code == 200
    finally:
        event.remove(web_practice.engine, "before_execute", remember)
    searches = [s for s in executed if "clients.legal_first_name" in str(s)]
    # Two kinds of search here: ranked by relevance (words) and in name order (none); one statement each.
    assert len(searches) == 4 and len({id(s) for s in searches}) == 2
    inserts = [s for s in executed if str(s).startswith("INSERT INTO audit_events")]
    assert len(inserts) == 4 and all(s is audit._INSERT for s in inserts)


@pytest.mark.parametrize("url", ["/clients?q=ellis", "/schedule?view=week"])
def test_pages_name_their_media_type(client, signed_in, url, monkeypatch):
    import jinja2_fragments.litestar as fragments

    def refuse(*_args, **_kwargs):
        raise AssertionError("a page's media type was guessed from its template's file name")

    monkeypatch.setattr(fragments, "guess_type", refuse)
    signed_in("frontdesk")
    page = client.get(url)
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"


def statements_run(client, engine, url: str, status: int = 200) -> list:
    executed = []

    @event.listens_for(engine, "before_execute")
    def remember(_conn, statement, *_args):
        executed.append(statement)

    try:
        assert client.get(url).status_code == status
    finally:
        event.remove(engine, "before_execute", remember)
    return executed


def test_a_client_pages_access_checks_reuse_their_statements(client, signed_in, web_practice, client_id):
    # Built anew for every check, the "may this person see this client" statement's cache key was 30 % of a
    # client page's CPU. Now one statement per shape of check, its values bound at each execution.
    signed_in("rivera")
    shapes = []
    for last, first, status in (("Ellis", "Jordan", 200), ("Natarajan", "Priya", 200), ("Ellis", "Jordan", 200),
                                ("Sato", "Hana", 404)):  # Hana Sato is not on Dr. Rivera's team
        executed = statements_run(client, web_practice.engine, f"/clients/{client_id(last, first)}", status)
        shapes.append({id(s) for s in executed if "FROM care_team_members" in str(s)
                       and "clients.id = :client_id" in str(s)})
    assert shapes[0] and shapes[0] == shapes[1] == shapes[2] and shapes[3] <= shapes[0]


def test_session_pages_run_the_same_statement_objects_for_different_sessions(client, signed_in, web_practice,
                                                                              session_of):
    # Their cache keys, computed again for each statement built, were a third of the session page's CPU.
    signed_in("rivera")
    first, second = (statements_run(client, web_practice.engine, f"/sessions/{session_of(last, name)}")
                     for last, name in (("Ellis", "Jordan"), ("Natarajan", "Priya")))
    selects = [s for s in first if str(s).startswith("SELECT")]
    kept = {id(s) for s in selects} & {id(s) for s in second}
    notes = [s for s in selects if "FROM notes JOIN users" in str(s)]
    assert notes and all(id(s) in kept for s in notes)
    assert len(kept) >= 8, [str(s)[:80] for s in selects if id(s) not in kept]


def test_the_dashboards_consents_panel_keeps_its_statement(client, signed_in, web_practice):
    # A clause per required document made its cache key a seventh of the dashboard's CPU, computed per page.
    signed_in("frontdesk")
    first, second = (statements_run(client, web_practice.engine, "/") for _ in range(2))
    gaps = [s for s in first if str(s).startswith("SELECT") and "FROM consent_gaps" in str(s)]
    assert len(gaps) == 1 and any(s is gaps[0] for s in second)


def test_the_dashboards_day_list_and_its_clients_keep_their_statements(client, signed_in, web_practice):
    # Built per page and run through the ORM session, the day's sessions and their clients cost the front desk's
    # dashboard more than reading their rows; both statements are the same objects from one page to the next.
    signed_in("frontdesk")
    first, second = (statements_run(client, web_practice.engine, "/") for _ in range(2))
    day = [s for s in first if str(s).startswith("SELECT sessions.id, sessions.starts_at")
           or "FROM session_clients JOIN clients" in str(s)]
    assert len(day) == 2 and all(any(s is t for t in second) for s in day), [str(s)[:80] for s in day]


def test_the_calendar_keeps_its_statements_from_week_to_week(client, signed_in, web_practice):
    # Its statement carries two access filters; built per page, the cache keys were computed each time.
    signed_in("frontdesk")
    weeks = [statements_run(client, web_practice.engine, f"/schedule?view=week&date={day}")
             for day in ("2026-10-19", "2026-10-26")]
    shown = [[s for s in run if "FROM sessions LEFT OUTER JOIN rooms" in str(s)] for run in weeks]
    assert len(shown[0]) == 1 and [id(s) for s in shown[0]] == [id(s) for s in shown[1]]


def test_the_calendar_encodes_its_links_once_per_period_and_day(client, signed_in, monkeypatch):
    # Seven queries encoded on every page were a twentieth of a week calendar drawn before.
    from polymodal.web.controllers.schedule_views import Period

    encoded = []
    real = Period.query
    monkeypatch.setattr(Period, "query", lambda self, **changes: encoded.append(changes) or real(self, **changes))
    signed_in("frontdesk")
    week = "/schedule?view=week&date=2026-10-19&practitioner=all"
    first = client.get(week).text
    once = len(encoded)
    again = client.get(week).text
    assert once >= 7 and len(encoded) == once and first == again
    assert 'id="cal-next" href="/schedule?view=week&amp;date=2026-10-26&amp;practitioner=all"' in again


def test_a_practitioners_week_keeps_its_staff_rooms_and_hours_statements(client, signed_in, web_practice):
    # Built per page, with the rows read through the ORM session, the staff and room lists and the hours were
    # a seventh of the week calendar's handler.
    signed_in("rivera")
    weeks = [statements_run(client, web_practice.engine, f"/schedule?view=week&date={day}")
             for day in ("2026-10-19", "2026-10-26")]
    wanted = ("FROM working_hours", "FROM time_off", "FROM users \nWHERE users.active", "FROM rooms JOIN locations")
    kept = [[s for s in run if any(w in str(s) for w in wanted)] for run in weeks]
    assert len(kept[0]) == 4 and [id(s) for s in kept[0]] == [id(s) for s in kept[1]], [str(s) for s in kept[0]]


def test_the_client_page_and_a_past_sessions_page_load_no_orm_objects(client, signed_in, client_id, session_of,
                                                                      web_practice):
    # Loading the client, its guardians, care team, contact preference and the center through the ORM was a
    # third of the client page's CPU, and the session with its client links the largest part of the session
    # page's database work. Only a scheduled session's pre-flight still needs the ORM's session.
    from sqlalchemy import update

    from polymodal.core.models import Session
    from polymodal.core.models._base import Base

    loaded: list[str] = []

    def remember(target, _context):
        loaded.append(type(target).__name__)

    csrf = signed_in("rivera")
    jordan, session_id = client_id("Ellis", "Jordan"), session_of("Ellis", "Jordan")
    assert client.post(f"/clients/{jordan}/guardians", headers={"X-CSRF-Token": csrf},
                       data={"name": "Kim Ellis", "relationship": "spouse"}).status_code in (200, 303)
    with web_practice.engine.begin() as conn:
        conn.execute(update(Session).where(Session.id == uuid.UUID(session_id)).values(status="completed"))
    event.listen(Base, "load", remember, propagate=True)
    try:
        overview = client.get(f"/clients/{jordan}")
        assert overview.status_code == 200 and "Kim Ellis (spouse)" in overview.text
        page = client.get(f"/sessions/{session_id}")
        assert page.status_code == 200 and "Jordan Ellis" in page.text and "completed" in page.text
    finally:
        event.remove(Base, "load", remember)
    assert not loaded, loaded


def test_a_served_worker_leaves_its_start_up_objects_out_of_every_later_collection(web_engine, tmp_path,
                                                                                   monkeypatch):
    # A full collection walked the ~190,000 objects start-up made, pausing a worker about 90 ms every hundred
    # or so week calendars (issue 18, "Start-up objects frozen").
    import gc
    import weakref

    from polymodal.web import server

    monkeypatch.setenv("POLYMODAL_DATABASE_URL", web_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("POLYMODAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("POLYMODAL_INSECURE_COOKIES", "1")
    gc.unfreeze()
    app = server.serving_app()
    try:
        assert gc.get_freeze_count() > 10_000
        tracked = gc.get_objects()
        assert not any(o is app for o in tracked) and len(tracked) < gc.get_freeze_count() // 10

        class Page:
            pass

        garbage = Page()
        garbage.itself = garbage  # a cycle a page leaves behind is still collected
        gone = weakref.ref(garbage)
        del garbage
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
        app.state.practice.engine.dispose()
