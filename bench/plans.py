"""Query plans and timings of the app's hot read paths on a generated center.

A plan that SCANs a big table (or walks a whole index) is a missing index or a predicate the index cannot use.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Uuid, bindparam, func, select, text

from polymodal.core.models import Note, SessionPractitioner
from polymodal.core.models._base import UTCDateTime

QUERIES = {
    "a  client search, as briefed":
        "SELECT id, legal_first_name, legal_last_name FROM clients "
        "WHERE search_key >= 'sm' AND search_key < 'sn' ORDER BY search_key LIMIT 50",
    "a' client search, as search_clients() orders it (search_key, id)":
        "SELECT id, legal_first_name, legal_last_name FROM clients "
        "WHERE search_key >= 'sm' AND search_key < 'sn' ORDER BY search_key, id LIMIT 50",
    "b  a practitioner's week joined on the sessions' start only (not the app's: the planner takes the user's "
    "index and reads every session they ever had)":
        "SELECT s.id, s.starts_at, s.ends_at, s.status FROM sessions s "
        "JOIN session_practitioners sp ON sp.session_id = s.id "
        "WHERE sp.user_id = :user AND s.starts_at >= :start AND s.starts_at < :end ORDER BY s.starts_at",
    "b' a practitioner's week, as calendar() and sessions_between() ask it (ix_session_practitioners_user_starts)":
        "SELECT id, starts_at, ends_at, status FROM sessions WHERE starts_at > :since AND starts_at < :end "
        "AND ends_at > :start AND id IN (SELECT session_id FROM session_practitioners WHERE user_id = :user "
        "AND starts_at > :since AND starts_at < :end) ORDER BY starts_at",
    "b\" the booking clash check's subquery (_refuse_conflicts), bounded below as overlapping() is":
        "SELECT id FROM sessions WHERE starts_at > :since AND starts_at < :end AND ends_at > :start "
        "AND status IN ('scheduled', 'checked_in', 'completed')",
    "c  a client's notes by date":
        "SELECT id, template_key, created_at FROM notes WHERE client_id = :client ORDER BY created_at DESC LIMIT 50",
    "c' notes of the client's cases (couple/family notes have no client_id)":
        "SELECT id, template_key, created_at FROM notes WHERE case_id IN "
        "(SELECT case_id FROM case_clients WHERE client_id = :client) ORDER BY created_at DESC LIMIT 50",
}
TYPES = {"user": Uuid(), "client": Uuid(), "since": UTCDateTime(), "start": UTCDateTime(), "end": UTCDateTime()}


def sample_from(engine: Engine, today: dt.date, timezone: str) -> dict:
    """The ids ``report`` needs, read back from a generated database (for --plans-only)."""
    monday = today - dt.timedelta(days=today.weekday() + 7)
    start = dt.datetime.combine(monday, dt.time(), ZoneInfo(timezone)).astimezone(dt.UTC)
    with engine.connect() as conn:
        user = conn.scalar(select(SessionPractitioner.user_id).group_by(SessionPractitioner.user_id)
                           .order_by(func.count().desc()).limit(1))
        client = conn.scalar(select(Note.client_id).where(Note.client_id.is_not(None)).group_by(Note.client_id)
                             .order_by(func.count().desc()).limit(1))
    return {"user": user, "client": client, "since": start - dt.timedelta(hours=12), "start": start,
            "end": start + dt.timedelta(days=7)}


def _statement(sql: str, prefix: str = ""):
    names = [name for name in TYPES if f":{name}" in sql]
    return text(prefix + sql).bindparams(*(bindparam(n, type_=TYPES[n]) for n in names)), names


def report(engine: Engine, sample: dict, runs: int = 7) -> dict[str, float]:
    """Print each query's plan and its median time; returns the times in milliseconds."""
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, COSTS OFF) "
    times = {}
    print(f"\nquery plans ({engine.dialect.name}); user {sample['user']}, client {sample['client']}, "
          f"week from {sample['start']:%Y-%m-%d %H:%M} UTC")
    with engine.connect() as conn:
        for label, sql in QUERIES.items():
            explain, names = _statement(sql, prefix)
            params = {n: sample[n] for n in names}
            rows = conn.execute(explain, params).all()
            query, _ = _statement(sql)
            laps = []
            for _ in range(runs):
                begin = time.perf_counter()
                found = len(conn.execute(query, params).all())
                laps.append((time.perf_counter() - begin) * 1000)
            times[label] = statistics.median(laps)
            print(f"\n{label}: {found} rows, median {times[label]:.2f} ms")
            for row in rows:
                print(f"    {row[-1] if sqlite else row[0]}")
    return times
