"""The schedule's read side: names by reach, change rights, fixed statement counts; case pages and choices."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from polymodal.core.access import Actor
from polymodal.core.errors import AccessDenied
from polymodal.core.services import calendar, case_record, cases, clients, scheduling
from polymodal.core.timeutil import to_local

DAY = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


@pytest.fixture
def two_cases(practice, staff, rooms):
    """Ada (Super's client) and Bo (Other's client), each with a session on 2 March."""
    made = {}
    with practice.work(staff["desk"]) as work:
        for first, who, hour, room in (("Ada", "super", 10, rooms[0]), ("Bo", "other", 12, rooms[1])):
            client = clients.register_client(work, {"legal_first_name": first, "legal_last_name": "Test",
                                                    "date_of_birth": "1990-01-01"})
            case = cases.open_case(work, title=first, kind="individual", client_ids=[client.id],
                                   practitioner_ids=[staff[who].user_id])
            scheduling.schedule_session(work, {"case_id": case.id, "modality_key": "clinic/therapy",
                                               "starts_at": dt.datetime(2026, 3, 2, hour), "room_id": room})
            made[first] = case.id
    return made


def _day(practice, actor, **filters):
    with practice.work(actor) as work:
        return calendar.calendar(work, DAY, DAY + dt.timedelta(days=1), **filters)


def test_names_show_only_to_those_who_may_read_the_client(practice, staff, two_cases):
    desk = _day(practice, staff["desk"])
    assert [[c.name for c in s.clients] for s in desk] == [["Ada Test"], ["Bo Test"]]
    assert all(s.manageable for s in desk)
    assert desk[0].practitioners[0].name == "Super" and desk[0].room_name == "Cedar"
    other = _day(practice, staff["other"])
    assert [(c.name, c.visible) for s in other for c in s.clients] == [("", False), ("Bo Test", True)]
    assert [s.manageable for s in other] == [False, True]
    assert [s.manageable for s in _day(practice, staff["admin"])] == [False, False]


def test_filters_by_practitioner_and_room(practice, staff, rooms, two_cases):
    assert [s.case_id for s in _day(practice, staff["desk"], practitioner_id=staff["other"].user_id)] == \
        [two_cases["Bo"]]
    assert [s.case_id for s in _day(practice, staff["desk"], room_id=rooms[0])] == [two_cases["Ada"]]


def test_statement_count_does_not_grow_with_sessions(practice, staff, two_cases):
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(practice.engine, "before_cursor_execute", count)
    try:
        _day(practice, staff["desk"])
        two = len(statements)
        with practice.work(staff["desk"]) as work:
            scheduling.schedule_session(work, {"case_id": two_cases["Ada"], "modality_key": "clinic/therapy",
                                               "starts_at": dt.datetime(2026, 3, 2, 14), "delivery": "video",
                                               "weeks": 1})
        statements.clear()
        _day(practice, staff["desk"])
        assert len(statements) == two
    finally:
        event.remove(practice.engine, "before_cursor_execute", count)


def test_bookable_cases_are_those_of_the_actors_clients(practice, staff, two_cases):
    with practice.work(staff["other"], write=False) as work:
        assert [c.title for c in calendar.bookable_cases(work)] == ["Bo"]
    with practice.work(staff["desk"], write=False) as work:
        assert [c.title for c in calendar.bookable_cases(work)] == ["Ada", "Bo"]
    with practice.work(staff["admin"], write=False) as work, pytest.raises(AccessDenied):
        calendar.bookable_cases(work)


def test_case_booking_prefills_from_the_case(practice, staff, two_cases):
    with practice.work(staff["desk"], write=False) as work:
        booking = calendar.case_booking(work, two_cases["Ada"])
    assert booking.kind == "individual" and booking.practitioner_ids == (staff["super"].user_id,)
    assert booking.last_modality == "clinic/therapy"
    with practice.work(staff["other"], write=False) as work, pytest.raises(AccessDenied):
        calendar.case_booking(work, two_cases["Ada"])


def test_directory_lists_active_practitioners_and_rooms(practice, staff):
    with practice.work(staff["desk"], write=False) as work:
        found = calendar.directory(work)
    assert {p.display_name for p in found.practitioners} == {"Super", "Trainee", "Other", "Masseur"}
    assert [r.name for r in found.rooms] == ["Cedar", "Willow"]


def test_case_record_hides_goals_from_the_front_desk(practice, staff, two_cases):
    with practice.work(staff["super"]) as work:
        cases.add_goal(work, two_cases["Ada"], "Sleep better")
    with practice.work(staff["super"]) as work:
        record = case_record.case_record(work, two_cases["Ada"])
    assert [g.text for g in record.goals] == ["Sleep better"] and record.can_add_goal and record.can_book
    with practice.work(staff["desk"]) as work:
        record = case_record.case_record(work, two_cases["Ada"])
    assert record.goals is None and not record.can_add_goal and record.can_book
    assert [c.legal_first_name for c in record.clients] == ["Ada"] and len(record.sessions) == 1
    with practice.work(staff["other"]) as work, pytest.raises(AccessDenied):
        case_record.case_record(work, two_cases["Ada"])


def test_case_choices_offer_the_actors_clients(practice, staff, two_cases):
    with practice.work(staff["other"], write=False) as work:
        choices = case_record.case_choices(work)
    assert [c.legal_first_name for c in choices["clients"]] == ["Bo"]
    with practice.work(Actor.system("t"), write=False) as work:
        assert len(case_record.case_choices(work)["clients"]) == 2


def test_a_session_that_began_before_the_window_still_shows(practice, staff, two_cases):
    # overlapping() bounds starts_at from below by MAX_SESSION: a session running across the window's start shows.
    bo = next(s for s in _day(practice, staff["desk"]) if s.case_id == two_cases["Bo"])
    late = bo.starts_at + dt.timedelta(minutes=10)
    with practice.work(staff["desk"]) as work:
        assert [s.case_id for s in calendar.calendar(work, late, late + dt.timedelta(hours=1))] == [two_cases["Bo"]]
        assert [s.id for s in scheduling.sessions_between(work, late, late + dt.timedelta(hours=1))] == [bo.id]


def _plan(engine, *where) -> list[str]:
    compiled = scheduling.Session.__table__.select().where(*where).compile(engine)
    params = tuple(str(compiled.params[name]) for name in compiled.positiontup)  # the plan ignores the values
    with engine.connect() as conn:
        return [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)]


def test_overlap_queries_search_the_start_time_index_with_both_bounds(practice, staff, engine):
    # Without a lower bound SQLite walked the start index from the first session ever (bench/run.py: about
    # 3 s per dashboard at 1,000,000 sessions); a practitioner's week read every session of the center that week.
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    start, end = DAY, DAY + dt.timedelta(days=7)
    center = _plan(engine, *scheduling.overlapping(start, end))
    assert any("ix_sessions_starts_status (starts_at>? AND starts_at<?)" in step for step in center), center
    own = _plan(engine, *scheduling.overlapping(start, end),
                scheduling.with_practitioner(staff["super"].user_id, start, end))
    assert any("ix_session_practitioners_user_starts (user_id=? AND starts_at>? AND starts_at<?)" in step
               for step in own), own


def test_moving_a_session_moves_it_in_its_practitioners_calendars(practice, staff, two_cases):
    bo = next(s for s in _day(practice, staff["desk"]) if s.case_id == two_cases["Bo"])
    who = staff["other"].user_id
    later = DAY + dt.timedelta(days=3)
    with practice.work(staff["desk"]) as work:
        scheduling.move_session(work, bo.id, dt.datetime.combine(later.date(), dt.time(15)))
    with practice.work(staff["desk"], write=False) as work:
        tz = work.center.timezone
        old_day = calendar.calendar(work, DAY, DAY + dt.timedelta(days=1), practitioner_id=who)
        new_day = calendar.calendar(work, later, later + dt.timedelta(days=1), practitioner_id=who)
        own = scheduling.sessions_between(work, later, later + dt.timedelta(days=1), practitioner_id=who)
    assert bo.id not in [s.id for s in old_day]
    assert [s.id for s in new_day] == [bo.id] == [s.id for s in own]
    assert to_local(new_day[0].starts_at, tz).time() == dt.time(15)


def test_a_session_longer_than_the_maximum_is_refused(practice, staff, two_cases, rooms):
    assert scheduling.MAX_SESSION == dt.timedelta(hours=12)
    with practice.work(staff["desk"]) as work, pytest.raises(scheduling.ValidationFailed):
        scheduling.schedule_session(work, {"case_id": two_cases["Ada"], "modality_key": "clinic/therapy",
                                           "starts_at": dt.datetime(2026, 3, 3, 8), "room_id": rooms[0],
                                           "minutes": 12 * 60 + 1})


def test_the_sessions_and_their_names_are_one_statement_reading_the_time_window_once(practice, staff, two_cases):
    # At 1,000,000 sessions re-running the window as a subquery for clients and practitioners cost ~30 ms a week;
    # reading them by the ids found cost a third of a practitioner's week calendar in expanding the ids (issue 18).
    statements: list[str] = []

    def keep(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(practice.engine, "before_cursor_execute", keep)
    try:
        rows = _day(practice, staff["desk"])
    finally:
        event.remove(practice.engine, "before_cursor_execute", keep)
    read = [s for s in statements if "session_clients" in s or "session_practitioners" in s]
    assert len(read) == 1 and read[0].count("sessions.starts_at >") == 1, read
    assert [p.name for s in rows for p in s.practitioners] == ["Super", "Other"]


def test_the_week_of_consents_due_is_a_range_of_the_gaps_start_index(practice, staff, engine):
    # Testing each of the week's sessions against its clients' consent states (1,700 at 1,000,000 sessions,
    # 10.8 ms cold) became a range of the stored gaps: their start index, then each gap's session by key.
    from sqlalchemy import event

    from polymodal.core.services import attention

    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    sent = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM consent_gaps" in statement and statement.startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        with practice.work(staff["desk"], write=False) as work:
            attention.consents_due(work)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    (statement, parameters), = sent
    with engine.connect() as conn:
        plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert any("consent_gaps USING INDEX ix_consent_gaps_starts_at (starts_at>? AND starts_at<?)" in step
               for step in plan), plan
    assert any("sessions USING INDEX sqlite_autoindex_sessions_1 (id=?)" in step or
               "sessions USING PRIMARY KEY" in step for step in plan), plan


def test_every_sqlite_connection_keeps_more_pages_than_a_week_calendar_walks(engine):
    # One practitioner's week at 100,000 clients walks 2-4 MB of index and table pages; in SQLite's default
    # 2 MB cache the statement evicted its own pages and took 451 us of CPU instead of 187 (issue 18).
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's buffers are the server's")
    from polymodal.core.db import PAGE_CACHE_KIB

    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -PAGE_CACHE_KIB
    assert PAGE_CACHE_KIB >= 4096


def test_the_calendar_statement_reads_ranges_and_keys_never_a_whole_table(practice, staff, engine):
    # One statement for sessions, clients and practitioners (issue 18): joined by key from the window's range, so
    # that no table of the center (1,000,000 sessions, 100,000 clients) is walked for one week.
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    from tests.plans import plans_of

    start, end = DAY, DAY + dt.timedelta(days=7)

    def weeks() -> None:
        with practice.work(staff["desk"], write=False) as work:
            calendar.calendar(work, start, end)
            calendar.calendar(work, start, end, practitioner_id=staff["super"].user_id)

    center, own = plans_of(engine, weeks, ("FROM sessions LEFT OUTER JOIN rooms",))
    assert any("ix_sessions_starts_status (starts_at>? AND starts_at<?)" in step for step in center), center
    assert any("ix_session_practitioners_user_starts (user_id=? AND starts_at>?" in step for step in own), own
    for plan in (center, own):
        assert not [step for step in plan if step.startswith("SCAN")], plan
