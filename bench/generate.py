"""Generate a realistic, deterministic integrative-therapy center for benchmarks.

    python bench/generate.py --url sqlite:///bench/data/center.db --scale 0.01
    python bench/generate.py --url sqlite:///bench/data/center.db --clients 100000 --sessions 1000000 \\
        --notes 500000 --seed 1

Rows go through the project's own schema (Alembic ``upgrade``) with bulk Core inserts, or PostgreSQL
``COPY``, one transaction per batch. The same seed and ``--today`` always give the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

import emit
import plans
from sqlalchemy import JSON, Engine, event, exists, func, insert, select, text
from sqlalchemy.orm import Session as DbSession

from polymodal.core import audit, migrations
from polymodal.core.access import Actor
from polymodal.core.db import make_engine
from polymodal.core.keys import Keyring
from polymodal.core.keys import load as load_keys
from polymodal.core.models import Base, Center, Client, ConsentGap, ConsentRequirement, User
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.registry import Registry
from polymodal.core.search import index as search_index
from polymodal.core.services import consent_gaps, users
from polymodal.core.settings import Settings

# Fixed, not "now": a seed must give the same center whatever day it runs. Pass --today to move it.
DEFAULT_TODAY = dt.date(2026, 12, 1)
DEFAULTS = {"clients": 100_000, "sessions": 1_000_000, "notes": 500_000}


class NotEmpty(RuntimeError):
    pass


class Writer:
    """Buffers rows per table and writes every table in one transaction each ``batch`` rows.

    Flushing all tables in foreign-key order lets the generator emit children right after their parents.
    """

    def __init__(self, engine: Engine, batch: int, copy: bool) -> None:
        self.engine, self.batch = engine, batch
        self.copy = copy and engine.dialect.name == "postgresql"
        self.tables = Base.metadata.sorted_tables
        self.buffers: dict[str, list[dict]] = {t.name: [] for t in self.tables}
        self.counts: Counter[str] = Counter()
        self.pending = 0

    def add(self, table: str, row: dict) -> None:
        self.buffers[table].append(row)
        self.pending += 1
        if self.pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        with self.engine.begin() as conn:
            for table in self.tables:
                rows = self.buffers[table.name]
                if rows:
                    self._copy(conn, table, rows) if self.copy else conn.execute(insert(table), rows)
                    self.counts[table.name] += len(rows)
                    rows.clear()
        self.pending = 0

    @staticmethod
    def _copy(conn, table, rows: list[dict]) -> None:
        # COPY skips SQLAlchemy's per-value processing and the per-row INSERT round trip.
        from psycopg.types.json import Jsonb

        # A column the generator leaves out gets its model's default, as an INSERT would give it: COPY would
        # write NULL (the migrations keep no server defaults).
        defaults = {c.name: c.default.arg for c in table.c
                    if c.name not in rows[0] and c.default is not None and c.default.is_scalar}
        cols = [*rows[0], *defaults]
        wrap = [isinstance(table.c[c].type, JSON) for c in cols]
        names = ", ".join(f'"{c}"' for c in cols)
        with conn.connection.dbapi_connection.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as cp:
            for row in rows:
                values = {**defaults, **row}
                cp.write_row([Jsonb(values[c]) if w else values[c] for c, w in zip(cols, wrap, strict=True)])


def _bulk_pragmas(dbapi, _record) -> None:
    # Runs after make_engine's own pragmas. A big page cache keeps the random-UUID indexes in memory while
    # millions of rows go in; NORMAL skips an fsync per commit, harmless for data a seed can regenerate.
    dbapi.execute("PRAGMA cache_size=-524288")
    dbapi.execute("PRAGMA synchronous=NORMAL")


def open_database(url: str, force: bool) -> Engine:
    """A migrated, empty database; refuses one with data unless ``force`` (then empties it)."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _bulk_pragmas)
    migrations.upgrade(engine)
    with engine.connect() as conn:
        used = conn.scalar(select(exists(select(User.id)) | exists(select(Client.id)) | exists(select(Center.id))))
    if not used:
        return engine
    if not force:
        engine.dispose()
        raise NotEmpty(f"{engine.url.render_as_string()} already holds data; pass --force to replace it")
    if engine.dialect.name == "sqlite":
        # Triggers forbid deleting audit events and signed notes, so start a fresh file instead.
        path = Path(engine.url.database)
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return open_database(url, force=False)
    with engine.begin() as conn:  # TRUNCATE fires no row triggers
        conn.execute(text(f"TRUNCATE {', '.join(t.name for t in Base.metadata.sorted_tables)} CASCADE"))
    return engine


def generate(url: str, *, clients: int, sessions: int, notes: int, practitioners: int = 60, seed: int = 1,
             today: dt.date = DEFAULT_TODAY, force: bool = False, batch: int = 10_000, copy: bool = True,
             quiet: bool = False, plugins: tuple = (), keys: Keyring | None = None) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    engine = open_database(url, force)
    # Named plugins replace the installed ones, so a test sees exactly the definitions it brought.
    registry = Registry.collect(get_plugin_manager(load_entrypoints=not plugins, plugins=plugins))
    writer = Writer(engine, batch, copy)
    if keys is None:  # the key ring the app will find for this data: the environment's, or the development key
        settings = Settings()
        keys = load_keys(settings.data_dir, settings.audit_key, settings.audit_key_file)
    center = emit.CenterRows(writer, registry, seed, today, {"clients": clients, "sessions": sessions, "notes": notes},
                             quiet, keys)
    # One deterministic hash with the app's own hasher: every generated staff member signs in with "bench-password".
    salt = hashlib.sha256(f"polymodal-bench-{seed}".encode()).digest()[:16]
    center.emit_center()
    center.emit_staff(practitioners, users._hasher.hash("bench-password", salt=salt))
    center.plan()
    center.emit_clients()
    center.emit_cases()
    center.emit_sessions()
    center.emit_notes()
    writer.flush()
    with engine.begin() as conn:  # rows went in with their search words; SQLite's FTS5 table is filled here
        search_index.rebuild(conn, terms=False)
    consent_gaps.sync(engine, consent_gaps.needs_of(registry))  # as the app's first transaction would
    with engine.connect() as conn:
        for table in (ConsentRequirement, ConsentGap):
            writer.counts[table.__tablename__] = conn.scalar(select(func.count()).select_from(table))
    with DbSession(engine) as db, db.begin():  # one event, through the real chain, saying where the data came from
        audit.append(db, Actor.system("bench-generate"), "bench.generate", at=center.now,
                     reason=f"seed {seed}, {clients} clients, {sessions} sessions, {notes} notes", keys=keys)
    writer.counts["audit_events"] += 1
    loaded, loaded_cpu = time.perf_counter() - started, time.process_time() - cpu
    with engine.connect() as conn:  # planner statistics, as a maintained production database has them
        conn.execute(text("ANALYZE"))
        conn.commit()
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()  # hand back an engine as the app makes it: query timings without the bulk-load cache
    return {"engine": make_engine(url), "counts": dict(writer.counts), "load_seconds": loaded, "load_cpu": loaded_cpu,
            "seconds": time.perf_counter() - started, "sample": center.sample()}


def database_size(engine: Engine) -> int | None:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return conn.scalar(text("SELECT pg_database_size(current_database())"))
        return conn.exec_driver_sql("PRAGMA page_count").scalar() * conn.exec_driver_sql("PRAGMA page_size").scalar()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="sqlite:///bench/data/center.db")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the default clients, sessions, notes")
    for name, value in DEFAULTS.items():
        parser.add_argument(f"--{name}", type=int, help=f"default {value:,} x scale")
    parser.add_argument("--practitioners", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=DEFAULT_TODAY)
    parser.add_argument("--batch", type=int, default=10_000, help="rows per transaction")
    parser.add_argument("--no-copy", dest="copy", action="store_false", help="PostgreSQL: INSERT, not COPY")
    parser.add_argument("--force", action="store_true", help="replace the data of a non-empty database")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--no-explain", dest="explain", action="store_false")
    parser.add_argument("--plans-only", action="store_true", help="only the query plans of an existing database")
    args = parser.parse_args(argv)
    if args.plans_only:
        engine = make_engine(args.url)
        plans.report(engine, plans.sample_from(engine, args.today, emit.TIMEZONE))
        engine.dispose()
        return 0
    sizes = {k: getattr(args, k) if getattr(args, k) is not None else round(v * args.scale) for k, v in DEFAULTS.items()}
    try:
        result = generate(args.url, **sizes, practitioners=args.practitioners, seed=args.seed, today=args.today,
                          force=args.force, batch=args.batch, copy=args.copy, quiet=args.quiet)
    except NotEmpty as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    counts, seconds, engine = result["counts"], result["load_seconds"], result["engine"]
    total = sum(counts.values())
    print(f"\n{'table':<22}{'rows':>12}")
    for name, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"{name:<22}{count:>12,}")
    print(f"{'total':<22}{total:>12,}")
    # CPU seconds of this process too: on a shared machine the wall time also measures the neighbours.
    print(f"\nloaded in {seconds:.1f} s ({total / seconds:,.0f} rows/s), {result['load_cpu']:.1f} s CPU in this "
          f"process; with ANALYZE {result['seconds']:.1f} s; "
          f"database {database_size(engine) / 2**20:,.0f} MiB ({engine.dialect.name}"
          f"{', COPY' if args.copy and engine.dialect.name == 'postgresql' else ''})")
    if args.explain:
        plans.report(engine, result["sample"])
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
