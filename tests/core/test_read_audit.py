"""Read-only work: no write lock while it reads, its audit events on disk before it returns, none lost."""

import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from polymodal.core import audit
from polymodal.core.access import Actor
from polymodal.core.db import ReadOnlyWork
from polymodal.core.models import AuditEvent, Client
from polymodal.core.services import clients


def _events(practice, action):
    with practice.work(Actor.system("test"), write=False) as work:
        return list(work.db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


@pytest.fixture
def ada(practice, staff):
    with practice.work(staff["desk"]) as work:
        return clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                              "date_of_birth": "1990-01-01"})


def test_a_read_is_audited_when_the_work_ends_with_the_same_fields(practice, staff, ada):
    with practice.work(staff["desk"], write=False) as work:
        clients.get_client(work, ada.id)
        assert _events(practice, "client.view") == []  # not before the read is over
    [event] = _events(practice, "client.view")
    assert (event.client_id, event.record_id, event.actor_name, event.at) == (
        ada.id, str(ada.id), staff["desk"].username, work.now)
    with practice.work(Actor.system("test"), write=False) as work:
        assert audit.verify(work.db).ok


def test_reads_from_many_threads_are_all_audited_in_one_valid_chain(practice, staff, ada):
    readers, failures = 12, []
    start = threading.Barrier(readers)

    def read() -> None:
        try:
            start.wait()
            with practice.work(staff["desk"], write=False) as work:
                clients.search_clients(work, "love")
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(_events(practice, "client.search")) == readers
    with practice.work(Actor.system("test"), write=False) as work:
        verification = audit.verify(work.db)
    assert verification.ok, verification.problems


def test_concurrent_reads_share_audit_transactions(practice, staff, ada):
    """While one batch is being written, the reads that end meanwhile queue and go in the next one together."""
    opened, gate, writing = [], threading.Event(), threading.Event()
    real_open = practice._read_audit_log._begin_write

    def slow_open():
        opened.append(1)
        if len(opened) == 1:
            writing.set()
            gate.wait(5)
        return real_open()

    practice._read_audit_log._begin_write = slow_open

    def read() -> None:
        with practice.work(staff["desk"], write=False) as work:
            clients.search_clients(work, "love")

    first = threading.Thread(target=read)
    first.start()
    writing.wait(5)
    others = [threading.Thread(target=read) for _ in range(6)]
    for t in others:
        t.start()
    deadline = time.monotonic() + 10
    while sum(len(t.events) for t in practice._read_audit_log._queue) < 6:
        assert time.monotonic() < deadline, "the six reads never queued behind the first batch"
        time.sleep(0.01)
    gate.set()
    for t in [first, *others]:
        t.join()
    assert len(_events(practice, "client.search")) == 7
    assert len(opened) == 2


def test_a_read_whose_audit_cannot_be_written_fails(practice, staff, ada):
    def broken():
        raise OperationalError("INSERT INTO audit_events", {}, Exception("disk I/O error"))

    practice._read_audit_log._begin_write = broken
    with pytest.raises(OperationalError):
        with practice.work(staff["desk"], write=False) as work:
            clients.get_client(work, ada.id)
    assert _events(practice, "client.view") == []


def test_read_only_work_refuses_to_change_data(practice, staff, ada):
    with pytest.raises(ReadOnlyWork):
        with practice.work(staff["desk"], write=False) as work:
            work.db.get(Client, ada.id).preferred_name = "Countess"
    with pytest.raises(ReadOnlyWork):
        with practice.work(staff["desk"], write=False) as work:
            work.db.execute(AuditEvent.__table__.delete())
    with practice.work(staff["desk"], write=False) as work:
        assert work.db.get(Client, ada.id).preferred_name != "Countess"
        assert work.db.scalar(select(func.count()).select_from(AuditEvent)) > 0


def test_a_read_nested_in_writing_work_is_audited_in_that_work(practice, staff, ada):
    with practice.work(staff["desk"]) as outer:
        with practice.work(staff["desk"], write=False) as inner:
            clients.get_client(inner, ada.id)
        outer.audit("test.outer")
    views, outers = _events(practice, "client.view"), _events(practice, "test.outer")
    assert len(views) == 1 and outers[0].seq == views[0].seq + 1


def test_read_only_work_asks_the_database_once_per_client_and_scopes(practice, staff, ada):
    """A page that checks a dozen actions on one client pays for one visibility query per set of scopes."""
    from sqlalchemy import event

    statements = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "FROM clients" in statement:
            statements.append(statement)

    event.listen(practice.engine, "before_cursor_execute", count)
    try:
        with practice.work(staff["desk"], write=False) as work:
            # the front desk's scopes: "any" for client.read and client.update, none for clinical.read
            assert work.may("client.read", ada.id) and work.may("client.update", ada.id)
            assert not work.may("clinical.read", ada.id)
            asked_once = len(statements)
        with practice.work(staff["desk"]) as work:
            assert work.may("client.read", ada.id) and work.may("client.update", ada.id)
            asked_in_writing_work = len(statements) - asked_once
    finally:
        event.remove(practice.engine, "before_cursor_execute", count)
    assert asked_once == 1
    assert asked_in_writing_work == 2  # writing work may change who is on the team: it asks every time


def test_reads_finished_later_are_committed_by_the_logs_writer_together_and_nothing_before(practice, staff, ada):
    """Pages read on the event loop leave their events to the audit log's writer thread: events submitted
    while it commits one batch go in its next transaction, and each page's future settles only when its
    events are committed. Work that writes cannot be opened where writes are left for later."""
    opened, gate, writing = [], threading.Event(), threading.Event()
    real_open = practice._read_audit_log._begin_write

    def slow_open():
        opened.append(threading.current_thread().name)
        if len(opened) == 1:
            writing.set()
            gate.wait(5)
        return real_open()

    practice._read_audit_log._begin_write = slow_open

    def read() -> list[audit.Pending]:
        with practice.finishing_later() as later:
            with practice.work(staff["desk"], write=False) as work:
                clients.search_clients(work, "love")
        assert later.steps == []
        return later.events

    first = practice.submit_read_audits(read())
    assert writing.wait(5)
    others = [practice.submit_read_audits(read()) for _ in range(6)]
    assert _events(practice, "client.search") == [] and not any(f.done() for f in [first, *others])
    gate.set()
    for future in [first, *others]:
        future.result(5)
    assert len(_events(practice, "client.search")) == 7
    assert opened == ["polymodal-audit", "polymodal-audit"]
    with practice.finishing_later(), pytest.raises(RuntimeError, match="cannot be finished later"):
        with practice.work(staff["desk"]):
            pass


def test_a_read_finished_later_whose_audit_cannot_be_written_fails_its_future(practice, staff, ada):
    def broken():
        raise OperationalError("INSERT INTO audit_events", {}, Exception("disk I/O error"))

    practice._read_audit_log._begin_write = broken
    with practice.finishing_later() as later:
        with practice.work(staff["desk"], write=False) as work:
            clients.get_client(work, ada.id)
    with pytest.raises(RuntimeError, match="could not be written"):
        practice.submit_read_audits(later.events).result(5)
    assert _events(practice, "client.view") == []
