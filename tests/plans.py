"""SQLite's query plans of the statements a piece of code sends: for tests that pin how a statement is read."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, event


def plans_of(engine: Engine, run: Callable[[], object], holding: tuple[str, ...]) -> list[list[str]]:
    """The EXPLAIN QUERY PLAN steps of each statement ``run()`` sends whose SQL holds one of ``holding``."""
    sent = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if any(text in statement for text in holding):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    with engine.connect() as conn:
        return [[row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
                for statement, parameters in sent]
