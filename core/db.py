"""Engines and transactions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import sessionmaker

MIN_SQLITE = (3, 35, 0)
PAGE_CACHE_KIB = 8192


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise RuntimeError(f"SQLite {sqlite3.sqlite_version} is too old; polymodal needs 3.35 or newer")
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN, so writes can take the
        # write lock up front (BEGIN IMMEDIATE) instead of failing mid-way.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # clinical writes survive a power cut
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # SQLite's default page cache (2 MB) is smaller than what one practitioner's week calendar walks at 100,000
        # clients (its five tables' indexes and rows): the statement evicted its own pages and cost 2.4 times as
        # much CPU (issue 18, docs/performance.md). Filled only as pages are read; at most this per connection.
        cursor.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_sessionmakers(engine: Engine, info: dict[str, Any] | None = None) -> tuple[sessionmaker[Any],
                                                                                    sessionmaker[Any]]:
    """Return (read, write) session factories; each session starts with a copy of ``info`` (the key ring).

    Writes begin IMMEDIATE on SQLite: the audit chain reads the last hash and
    appends to it, which must not interleave with another writer. On
    PostgreSQL the audit writer takes an advisory lock instead.
    """
    read = sessionmaker(bind=engine, expire_on_commit=False, info=info)
    event.listen(read, "before_flush", _refuse_flush)
    event.listen(read, "do_orm_execute", _refuse_dml)
    write = sessionmaker(bind=writer_of(engine), expire_on_commit=False, info=info)
    return read, write


def writer_of(engine: Engine) -> Engine:
    """``engine`` as writers use it: on SQLite each transaction begins IMMEDIATE (takes the write lock)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE") if engine.dialect.name == "sqlite" else engine


class ReadOnlyWork(RuntimeError):
    """Read-only work tried to change data: it holds no write lock, and its audit events come after it."""


def _refuse_flush(session: Any, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlyWork("read-only work tried to save changes: open it with write=True")


def _refuse_dml(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlyWork("read-only work tried to change rows: open it with write=True")


def connection_of(db: Any) -> Any:
    """The ORM session's connection, for a statement built once and executed without the ORM's per-statement
    work (issue 18), with its pending changes flushed first as the ORM's autoflush would have done: a check made
    in the work that just added a care-team member sees that member."""
    db.flush()  # nothing to do, and no flush event, when nothing is pending
    return db.connection()
