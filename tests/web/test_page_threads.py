"""Pages run on a few threads sized to the database; long work (verifying the trail, exports) on threads of its
own, so one long request never holds the center's pages behind it (web/threads.py, issue 18)."""

from __future__ import annotations

import threading
import uuid

import pytest
from litestar.testing import TestClient

from polymodal.core.audit_trail import check
from polymodal.core.errors import StartupError
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from polymodal.web.threads import page_threads
from tests.web.conftest import sign_in


def test_a_page_is_served_while_a_long_request_runs_with_one_page_thread(web_practice, monkeypatch):
    monkeypatch.setenv("POLYMODAL_PAGE_THREADS", "1")
    started, release = threading.Event(), threading.Event()
    threads: dict[str, str] = {}
    real_verify = check.verify

    def slow_verify(work):
        threads["verify"] = threading.current_thread().name
        started.set()
        release.wait(20)
        return real_verify(work)

    monkeypatch.setattr(check, "verify", slow_verify)
    with TestClient(app=create_app(web_practice, WebSettings(insecure_cookies=True))) as client:
        csrf = sign_in(client, "admin")
        answers: list[int] = []
        verifying = threading.Thread(target=lambda: answers.append(
            client.post("/admin/audit/verify", data={"_csrf": csrf}).status_code))
        verifying.start()
        try:
            assert started.wait(20), "the verification never started"
            page = client.get("/clients")
            # The page came back while the verification still waits: it did not queue behind it.
            still_running = not release.is_set() and verifying.is_alive()
        finally:
            release.set()
            verifying.join(30)
    assert page.status_code == 200 and still_running
    assert answers == [200]
    assert threads["verify"].startswith("polymodal-long")


def test_page_threads_default_to_the_database_and_a_bad_setting_names_the_variable(monkeypatch):
    monkeypatch.delenv("POLYMODAL_PAGE_THREADS", raising=False)
    assert page_threads("sqlite") == 2
    assert page_threads("postgresql") >= 5  # cores + 4: round trips to the server free the interpreter
    monkeypatch.setenv("POLYMODAL_PAGE_THREADS", "3")
    assert page_threads("sqlite") == 3
    for bad in ("0", "many", "-2", "65", "1.5"):
        monkeypatch.setenv("POLYMODAL_PAGE_THREADS", bad)
        with pytest.raises(StartupError, match="POLYMODAL_PAGE_THREADS must be a whole number from 1 to 64"):
            page_threads("sqlite")


def test_serve_refuses_a_bad_thread_count_before_starting(monkeypatch, capsys):
    # Before uvicorn: with --workers N the app is made in each worker, where the message would be a traceback.
    import uvicorn

    from polymodal.core import cli

    monkeypatch.setattr(uvicorn, "run", lambda *_a, **_k: pytest.fail("uvicorn started"))
    # Set here, so the value serve writes from its option is undone after the test.
    monkeypatch.setenv("POLYMODAL_PAGE_THREADS", "2")
    monkeypatch.setenv("POLYMODAL_INSECURE_COOKIES", "1")
    monkeypatch.setenv("POLYMODAL_JOBS_IN_PROCESS", "0")
    assert cli.main(["serve", "--page-threads", "-2"]) == 3
    assert "POLYMODAL_PAGE_THREADS must be a whole number from 1 to 64; it is '-2'" in capsys.readouterr().err


def test_reading_pages_run_on_the_event_loop_on_sqlite_and_leave_after_their_audit_is_committed(
        client, signed_in, client_id, web_practice, monkeypatch):
    # Handing a read to a page thread cost more than the read on SQLite (issue 18, "Pages on the event
    # loop"); PostgreSQL reads wait on round trips, and run on page threads still.
    from sqlalchemy import func, select

    from polymodal.core.models import AuditEvent
    from polymodal.web.controllers import client_tabs, clients

    ran_on: dict[str, str] = {}
    for module, name in ((clients, "tab_context"), (client_tabs.clients, "get_client")):
        real = getattr(module, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            ran_on[_name] = threading.current_thread().name
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    signed_in("rivera")
    jordan = client_id("Ellis", "Jordan")

    def views() -> int:
        with web_practice.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "client.view", AuditEvent.client_id == uuid.UUID(jordan)))

    before = views()
    assert client.get(f"/clients/{jordan}").status_code == 200
    assert views() == before + 1  # committed before the page came back
    assert client.get(f"/clients/{jordan}/edit").status_code == 200  # a form: still on a page thread
    on_loop = web_practice.engine.dialect.name == "sqlite"
    assert ran_on["tab_context"].startswith("polymodal-page") is not on_loop, ran_on
    assert ran_on["get_client"].startswith("polymodal-page"), ran_on


def test_one_persons_calendar_is_drawn_on_the_event_loop_and_the_whole_centers_on_a_page_thread(
        client, signed_in, web_practice, monkeypatch):
    # One practitioner's week is a few milliseconds; the whole center's week took a fifth of a second at
    # 100,000 clients, and on the loop it would hold every other request of the worker (issue 18).
    from sqlalchemy import func, select

    from polymodal.core.models import AuditEvent
    from polymodal.web.controllers import schedule

    drawn_on: list[str] = []
    real = schedule.calendar_context

    def spy(*args, **kwargs):
        drawn_on.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(schedule, "calendar_context", spy)

    def views() -> int:
        with web_practice.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "schedule.view"))

    signed_in("rivera")
    before = views()
    own, everyone = client.get("/schedule"), client.get("/schedule?view=week&practitioner=all")
    assert own.status_code == everyone.status_code == 200
    assert views() == before + 2  # each committed before its page came back
    on_loop = web_practice.quick_reads_inline
    assert [name.startswith("polymodal-page") for name in drawn_on] == [not on_loop, True], drawn_on


def test_the_whole_centers_calendar_read_on_a_page_thread_fails_when_its_audit_cannot_be_committed(
        client, signed_in, web_practice, monkeypatch):
    # Read on a page thread, its audit events still go to the audit log's writer with the loop's turn.
    if not web_practice.quick_reads_inline:
        pytest.skip(ON_THREADS)
    from sqlalchemy.exc import OperationalError

    signed_in("frontdesk")
    commits = _writer_commits(web_practice, monkeypatch)
    assert "Ellis" in client.get("/schedule?practitioner=all").text
    assert commits == ["polymodal-audit"]  # the writer's, not a commit of the page thread's own

    def broken():
        raise OperationalError("INSERT INTO audit_events", {}, Exception("disk I/O error"))

    monkeypatch.setattr(web_practice._read_audit_log, "_begin_write", broken)
    page = client.get("/schedule?practitioner=all")
    assert page.status_code == 500 and "Ellis" not in page.text


def _at_once(client, paths: list[str]) -> list:
    """GET ``paths`` together on the app's event loop, as a server does with requests that arrive at once."""
    import asyncio

    import httpx

    async def together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                     cookies=dict(client.cookies)) as pages:
            return await asyncio.gather(*(pages.get(path) for path in paths))

    with client.portal() as portal:
        return portal.call(together)


def _writer_commits(web_practice, monkeypatch) -> list[str]:
    """The threads the audit log's writes are opened on, one entry per transaction, from now on."""
    log = web_practice._read_audit_log
    real_open, commits = log._begin_write, []

    def counted_open():
        commits.append(threading.current_thread().name)
        return real_open()

    monkeypatch.setattr(log, "_begin_write", counted_open)
    return commits


ON_THREADS = "PostgreSQL pages run on page threads and commit their own audit events"


def test_pages_read_in_one_turn_of_the_event_loop_share_one_audit_commit(client, signed_in, web_practice,
                                                                        monkeypatch):
    # Handed to the writer one by one, each page paid a commit and an fsync of its own under load: the writer
    # was always done with one page before the loop had finished the next (issue 18, "Audit commits per turn").
    if not web_practice.quick_reads_inline:
        pytest.skip(ON_THREADS)
    from sqlalchemy import func, select

    from polymodal.core.models import AuditEvent

    signed_in("frontdesk")
    commits = _writer_commits(web_practice, monkeypatch)

    def searches() -> int:
        with web_practice.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "client.search"))

    before = searches()
    answers = _at_once(client, [f"/clients?q=e&page={n}" for n in range(1, 9)])
    assert [a.status_code for a in answers] == [200] * 8
    assert searches() == before + 8
    assert commits == ["polymodal-audit"]


def test_every_page_of_a_turn_fails_when_the_turns_audit_commit_fails(client, signed_in, web_practice,
                                                                      monkeypatch):
    if not web_practice.quick_reads_inline:
        pytest.skip(ON_THREADS)
    from sqlalchemy.exc import OperationalError

    signed_in("frontdesk")

    def broken():
        raise OperationalError("INSERT INTO audit_events", {}, Exception("disk I/O error"))

    monkeypatch.setattr(web_practice._read_audit_log, "_begin_write", broken)
    answers = _at_once(client, ["/clients?q=ellis"] * 3)
    # Nothing read leaves unaudited: every page of the turn is refused, none shows a client.
    assert [a.status_code for a in answers] == [500] * 3
    assert not any("Ellis" in a.text for a in answers)
