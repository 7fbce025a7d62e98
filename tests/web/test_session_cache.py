"""The signed-in session is read once a second, not on every page (issue 18), and ends at once when it ends here.

Other tests run with the cache off (tests/conftest.py) so that their statement counts do not depend on how
fast the machine is; here it is on, with a clock the test moves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, update

from polymodal.core.access import Actor
from polymodal.core.db import make_engine
from polymodal.core.models import User
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.services import signin, users
from polymodal.core.settings import Settings

CACHE = 5.0


class Ticks:
    """Stands in for time.monotonic."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def web_practice(web_engine: Engine, web_clock, tmp_path) -> Practice:
    return Practice(get_plugin_manager(), Settings(data_dir=tmp_path, session_cache=CACHE), engine=web_engine,
                    clock=web_clock)


@pytest.fixture
def ticks(web_practice) -> Iterator[Ticks]:
    ticks = Ticks()
    signin._recent_of(web_practice).clock = ticks
    yield ticks


def _session_reads(queries, client, url: str) -> int:
    queries.of_page(client, url)
    return sum("FROM web_sessions" in s for s in queries.statements)


def test_pages_within_the_cache_time_read_the_session_once(client, signed_in, queries, ticks):
    signed_in("frontdesk")
    ticks.now += CACHE  # whatever signing in remembered has gone
    assert _session_reads(queries, client, "/clients") == 1
    assert _session_reads(queries, client, "/clients") == 0
    assert _session_reads(queries, client, "/schedule") == 0
    ticks.now += CACHE
    assert _session_reads(queries, client, "/clients") == 1


def test_sign_out_ends_the_session_at_once(client, signed_in, ticks):
    token = signed_in("frontdesk")
    assert client.get("/clients").status_code == 200  # remembered now
    cookies = dict(client.cookies)
    client.post("/sign-out", data={"_csrf": token}, follow_redirects=False)
    for name, value in cookies.items():
        client.cookies.set(name, value)  # the old cookie, replayed at once
    page = client.get("/clients", follow_redirects=False)
    assert page.status_code in (302, 303) and "/sign-in" in page.headers["location"]


def test_a_user_disabled_here_is_refused_on_their_next_page(client, signed_in, web_practice, ticks):
    signed_in("frontdesk")
    assert client.get("/clients").status_code == 200
    with web_practice.work(Actor.system("test")) as work:
        user_id = work.db.scalar(select(User.id).where(User.username == "frontdesk"))
        users.set_active(work, user_id, False)
    page = client.get("/clients", follow_redirects=False)
    assert page.status_code in (302, 303) and "/sign-in" in page.headers["location"]


def test_a_change_made_by_another_process_reaches_this_one_within_the_cache_time(client, signed_in, web_engine,
                                                                                ticks):
    signed_in("frontdesk")
    assert client.get("/clients").status_code == 200
    other = make_engine(web_engine.url.render_as_string(hide_password=False))  # another worker process or the command line: its own connections
    try:
        with other.begin() as conn:
            conn.execute(update(User).where(User.username == "frontdesk").values(active=False))
    finally:
        other.dispose()
    ticks.now += CACHE - 0.1
    assert client.get("/clients").status_code == 200  # the bound the setting documents
    ticks.now += 0.1
    page = client.get("/clients", follow_redirects=False)
    assert page.status_code in (302, 303) and "/sign-in" in page.headers["location"]


def test_a_remembered_session_is_checked_without_a_worker_thread(client, signed_in, monkeypatch, ticks):
    """On either database: the sign-in guard hops to a worker thread only when it must read or write."""
    import anyio.to_thread

    signed_in("frontdesk")
    assert client.get("/clients/new").status_code == 200  # remembered now; the page runs on the event loop
    hops = []
    real = anyio.to_thread.run_sync
    monkeypatch.setattr(anyio.to_thread, "run_sync", lambda *a, **k: hops.append(a[0]) or real(*a, **k))
    assert client.get("/clients/new").status_code == 200
    assert hops == []
    ticks.now += CACHE  # forgotten: the guard reads the session in a worker thread again
    assert client.get("/clients/new").status_code == 200
    assert len(hops) == (0 if client.app.state.practice.quick_reads_inline else 1)
