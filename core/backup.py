"""Backing up and restoring a SQLite database while it is in use, and checking the copy's audit trail.

Copying the database file is not a backup: the newest committed transactions
live in the ``-wal`` file until a checkpoint moves them, so a copy of the main
file alone misses them (and still verifies, being a shorter valid chain).
SQLite's online backup API reads every page as one consistent snapshot,
through the WAL, without stopping writers (a WAL reader never blocks them).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as DbSession

from polymodal.core import audit, seals
from polymodal.core.errors import PolymodalError
from polymodal.core.keys import SESSION_INFO, Keyring


class BackupRefused(PolymodalError):
    """The backup or restore would lose or corrupt data; the message says what to do."""


@dataclass(frozen=True)
class Check:
    """What ``polymodal audit verify`` would say of a database file."""

    verification: audit.Verification
    broken: list[seals.Broken]

    @property
    def ok(self) -> bool:
        return self.verification.ok and not self.broken

    def lines(self) -> list[str]:
        return ([f"event {p.seq}: {p.kind}: {p.detail}" for p in self.verification.problems]
                + [f"{b.record_type} {b.record_id}: altered: {b.detail}" for b in self.broken])


def sqlite_path(engine: Engine) -> Path | None:
    """The database file of a SQLite engine; None for PostgreSQL (or an in-memory database)."""
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return None
    return Path(engine.url.database)


def check(path: Path, keys: Keyring) -> Check:
    """Verify the audit trail and note seals of the database file at ``path`` (only read)."""
    if not _is_sqlite(path):
        raise BackupRefused(f"{path} is not a SQLite database")
    engine = create_engine(f"sqlite:///{path}")  # not make_engine: nothing here may create or change files
    try:
        with DbSession(engine, info={SESSION_INFO: keys}) as db:
            return Check(audit.verify(db), list(seals.scan(db, keys)))
    finally:
        engine.dispose()


def backup(source: Path, target: Path) -> None:
    """Copy the live database at ``source`` to a new file ``target``, safe while others write."""
    if target.exists():
        raise BackupRefused(f"{target} exists already: choose a new name (backups are never overwritten)")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _copy(sqlite3.connect(source), partial)
    os.replace(partial, target)  # a backup file is whole or absent


def restore(source: Path, target: Path, keys: Keyring, *, force: bool = False) -> Check:
    """Put the backup ``source`` in place of the database ``target``, once the backup verifies.

    The copy goes through the backup API into ``target`` itself, so a stale ``-wal`` file beside it can
    never be replayed over the restored pages.
    """
    checked = check(source, keys)
    if not checked.ok:
        raise BackupRefused(f"{source} does not verify ({len(checked.lines())} problems): not restored. "
                            "Run 'polymodal audit verify' on it for the list.")
    if _has_data(target) and not force:
        raise BackupRefused(f"{target} holds a database already: stop the server, then restore with --force "
                            "to replace it (back it up first)")
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(sqlite3.connect(source), target)
    return check(target, keys)


def _copy(src: sqlite3.Connection, target: Path) -> None:
    dst = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole copy is one read snapshot. In steps, each write by another
        # connection between steps would restart the copy, which may then never finish.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _has_data(path: Path) -> bool:
    if not _is_sqlite(path):
        return path.exists() and path.stat().st_size > 0
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
    finally:
        conn.close()
