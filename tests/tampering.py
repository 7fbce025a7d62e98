"""What someone who can write the database file does first: lift the triggers that guard signed rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text


@contextmanager
def without_triggers(engine: Engine, *tables: str) -> Iterator[Connection]:
    """A connection in one transaction on which ``tables`` have no triggers (put back after, on PostgreSQL,
    whose database the suite shares between tests; a SQLite test's database is its own copy)."""
    dialect = engine.dialect.name
    with engine.begin() as conn:
        for table in tables:
            if dialect == "postgresql":
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            else:
                for name in conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                              "AND tbl_name = :t"), {"t": table}).all():
                    conn.execute(text(f"DROP TRIGGER {name}"))
        yield conn
        if dialect == "postgresql":
            for table in tables:
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
