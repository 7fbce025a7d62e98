"""Query budgets of the five pages the benchmarks load: the SQL statements a page issues are counted, stay
within its budget, and do not grow when the data behind the page grows from 10 to 1,000 rows.

The budgets count every statement, BEGIN and COMMIT included, on SQLite; PostgreSQL adds one advisory lock
for the audit chain. bench/run.py measures the same pages at 100,000 clients and 1,000,000 sessions.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest

MONDAY = dt.date(2030, 1, 7)  # an empty week, far from the demo's sessions
EVERY = dt.timedelta(minutes=10)  # back to back, 10 minutes each: 1,000 from Monday 07:00 end on Sunday
# schedule: 2 of its statements read the practitioner's working hours and time off, shaded on the grid.
# session: 1 reads the note template the practitioner last wrote in the case, the new note's default.
BUDGETS = {"search": 8, "client": 16, "schedule": 12, "session": 26, "dashboard": 17, "desk dashboard": 7}


@pytest.fixture
def monday_morning(web_clock, web_practice):
    """The clock at 08:00 on MONDAY in the center's zone: the dashboard's 'today'."""
    from sqlalchemy import select

    from polymodal.core.models import Center

    with web_practice.engine.connect() as conn:
        tz = zoneinfo.ZoneInfo(conn.execute(select(Center.timezone)).scalar_one())
    web_clock.now = dt.datetime.combine(MONDAY, dt.time(8), tz).astimezone(dt.UTC)


def _statements(client, queries, url: str) -> int:
    client.get(url)  # the first view of a page may write the session's last-seen time
    return queries.of_page(client, url)


def _pages(client, queries, signed_in, ids, client_id, session_id) -> dict[str, int]:
    week = f"/schedule?view=week&date={MONDAY}&practitioner={ids.user('rivera')}"
    counts = {}
    signed_in("frontdesk")
    counts["search"] = _statements(client, queries, "/clients?q=extra")
    counts["schedule"] = _statements(client, queries, week)
    counts["desk dashboard"] = _statements(client, queries, "/")
    signed_in("rivera")
    counts["client"] = _statements(client, queries, f"/clients/{client_id('Ellis', 'Jordan')}")
    counts["session"] = _statements(client, queries, f"/sessions/{session_id}")
    counts["dashboard"] = _statements(client, queries, "/")
    return counts


def test_page_statements_stay_within_budget_from_10_to_1000_rows(client, signed_in, ids, client_id, book,
                                                                 add_clients, queries, monday_morning):
    start = dt.datetime.combine(MONDAY, dt.time(7))  # half of the first 10 are over by 08:00
    first = book("Jordan: anxiety", start, count=10, every=EVERY)
    add_clients(10)
    small = _pages(client, queries, signed_in, ids, client_id, first[0])
    book("Jordan: anxiety", start + 10 * EVERY, count=990, every=EVERY)
    add_clients(990)
    large = _pages(client, queries, signed_in, ids, client_id, first[0])
    assert small == large, (small, large)
    over = {page: n for page, n in large.items() if n > BUDGETS[page]}
    assert not over, (over, large)


def test_the_front_desk_dashboard_lists_the_next_50_sessions_and_links_the_day(client, signed_in, book,
                                                                               monday_morning):
    book("Jordan: anxiety", dt.datetime.combine(MONDAY, dt.time(6)), count=3, every=EVERY)  # over by 08:00
    book("Jordan: anxiety", dt.datetime.combine(MONDAY, dt.time(9)), count=60, every=EVERY)
    times = re.compile(r'<a href="/sessions/[^"]+">(\d\d:\d\d)–')
    signed_in("frontdesk")
    desk = client.get("/").text
    listed = times.findall(desk)
    assert len(listed) == 50 and listed[0] == "09:00" and listed[-1] == "17:10"
    assert "Sessions still to come today" in desk and 'href="/schedule?view=day"' in desk
    signed_in("rivera")
    own = times.findall(client.get("/").text)
    assert len(own) == 63 and own[0] == "06:00"  # a practitioner's own day, whole


def test_the_dashboard_reads_consents_due_in_the_same_statements_for_3_or_60_clients_lacking_one(
        client, signed_in, ids, queries, monday_morning, web_practice):
    """Each client below has a psychotherapy session this week and has signed nothing: the panel lists the
    first 20 (the stored gaps are read with the clients' names and consent states, not per client)."""
    from polymodal.core.access import Actor
    from polymodal.core.services import cases, clients, scheduling

    made = 0

    def lacking(count: int) -> None:
        nonlocal made
        with web_practice.work(Actor.system("test")) as work:
            for i in range(made, made + count):
                person = clients.register_client(work, {"legal_first_name": f"Unsigned{i:03d}",
                                                        "legal_last_name": "Due", "date_of_birth": "1980-01-01"})
                case = cases.open_case(work, title=f"Due {i}", kind="individual", client_ids=[person.id],
                                       practitioner_ids=[ids.user("rivera")])
                scheduling.schedule_session(work, {  # from Tuesday: not in the practitioner's own day
                    "case_id": case.id, "modality_key": "talk/psychotherapy", "format": "individual",
                    "starts_at": dt.datetime.combine(MONDAY, dt.time(7)) + dt.timedelta(days=1) + i * EVERY,
                    "minutes": 10, "delivery": "video", "room_id": None})
        made += count

    signed_in("rivera")
    lacking(3)
    few = _statements(client, queries, "/")
    assert client.get("/").text.count("Due: Informed consent") == 3
    lacking(57)
    many = _statements(client, queries, "/")
    page = client.get("/").text
    assert page.count(" Due: Informed consent") == 20 and "Unsigned000 Due" in page and "Unsigned020" not in page
    assert few == many <= BUDGETS["dashboard"], (few, many)
