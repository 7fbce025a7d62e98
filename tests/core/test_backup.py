"""Online backup and restore of a SQLite database in use: the copy holds every committed event and verifies."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text

from polymodal.core import backup
from polymodal.core.access import Actor
from polymodal.core.models import AuditEvent
from tests.tampering import without_triggers

SYSTEM = Actor.system("test")


@pytest.fixture
def live(practice):
    if practice.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite online backup; PostgreSQL is backed up with pg_dump (docs/operations.md)")
    return practice


def committed_head(practice) -> int:
    with practice.engine.connect() as conn:
        return conn.scalar(select(func.max(AuditEvent.seq)))


def test_a_backup_taken_while_another_thread_writes_verifies_and_holds_the_latest_committed_events(
        live, tmp_path):
    stop, written = threading.Event(), []

    def write() -> None:
        while not stop.is_set():
            with live.work(SYSTEM) as work:
                work.audit("test.write", reason=f"write {len(written)}")
            written.append(committed_head(live))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 20:  # the writer is well under way, its newest events still in the WAL
            time.sleep(0.01)
        before = committed_head(live)
        backup.backup(backup.sqlite_path(live.engine), tmp_path / "copy.db")
    finally:
        stop.set()
        writer.join()
    checked = backup.check(tmp_path / "copy.db", live.keys)
    assert checked.ok, checked.lines()
    # Every event committed before the backup began is in the copy (a copy of the main file alone lacks
    # those still in the WAL); events committed during it may be, as one consistent snapshot.
    assert before <= checked.verification.head_seq <= committed_head(live)
    assert checked.verification.events == checked.verification.head_seq


def test_a_backup_never_overwrites_a_file(live, tmp_path):
    (tmp_path / "copy.db").write_text("precious")
    with pytest.raises(backup.BackupRefused, match="exists already"):
        backup.backup(backup.sqlite_path(live.engine), tmp_path / "copy.db")
    assert (tmp_path / "copy.db").read_text() == "precious"


def test_restore_refuses_to_overwrite_without_force_then_puts_the_backup_in_place(live, tmp_path):
    backup.backup(backup.sqlite_path(live.engine), tmp_path / "copy.db")
    head = committed_head(live)
    with live.work(SYSTEM) as work:
        work.audit("test.after_backup")
    live.engine.dispose()
    target = backup.sqlite_path(live.engine)
    with pytest.raises(backup.BackupRefused, match="--force"):
        backup.restore(tmp_path / "copy.db", target, live.keys)
    assert committed_head(live) == head + 1  # untouched
    live.engine.dispose()
    restored = backup.restore(tmp_path / "copy.db", target, live.keys, force=True)
    assert restored.ok and restored.verification.head_seq == head
    assert committed_head(live) == head


def test_restore_refuses_a_backup_that_does_not_verify(live, tmp_path):
    with without_triggers(live.engine, "audit_events") as conn:
        conn.execute(text("UPDATE audit_events SET reason = 'edited' WHERE seq = 1"))
    backup.backup(backup.sqlite_path(live.engine), tmp_path / "copy.db")
    with pytest.raises(backup.BackupRefused, match="does not verify"):
        backup.restore(tmp_path / "copy.db", tmp_path / "new.db", live.keys)
    assert not (tmp_path / "new.db").exists()
    with pytest.raises(backup.BackupRefused, match="not a SQLite database"):
        backup.restore(tmp_path / "missing.db", tmp_path / "new.db", live.keys)
