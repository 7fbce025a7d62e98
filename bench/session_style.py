"""Pick the session style for list pages by measuring a 50-row client search served six ways.

Issue 2, item 8. One command, about five minutes on a quiet machine, loopback only:

    .venv/bin/pip install -e '.[bench]'      # aiosqlite + granian; wrk comes from apt
    .venv/bin/python bench/session_style.py  # --rounds N, --only abd, --rebuild

It builds bench/data/clients.sqlite (100,000 clients, the project's own schema), then serves each
variant in turn with granian on 127.0.0.1 (one worker, no access log), loads it with wrk and prints a
table, also written to bench/results/session_style.md. This file is also the app: granian imports
build_app() from it, with the variant in BENCH_VARIANT.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import inspect
import os
import platform
import random
import re
import resource
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import closing
from importlib.metadata import version
from pathlib import Path
from statistics import median
from typing import Any

import anyio
from jinja2 import DictLoader, Environment
from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from polymodal.core.db import make_engine, make_sessionmakers
from polymodal.core.models import Client, make_search_key

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is a folder of scripts, not a package
from _load import (  # noqa: E402
    NPROC,
    cpu_and_rss,
    machine_busy_seconds,
    parse_wrk,
    port_is_free,
    stop,
    wait_until_quiet,
    wrk,
)

HERE = Path(__file__).resolve().parent
DB = HERE / "data" / "clients.sqlite"  # data/ is git-ignored
RESULTS = HERE / "results" / "session_style.md"
N_CLIENTS = 100_000
PREFIX = "sm"
PORT = 8791
URL = f"http://127.0.0.1:{PORT}/clients?q={PREFIX}"

VARIANTS = {
    "a": "bare: static 50 rows, no DB (ceiling)",
    "b": "sync Session, columns, sync_to_thread=True",
    "c": "sync Session, ORM entities, sync_to_thread=True",
    "d": "AsyncSession + aiosqlite, columns",
    "e": "AsyncSession + aiosqlite, ORM entities",
    "f": "sync Session, columns, on the event loop (sync_to_thread=False) *",
}

# Only what the list shows; every extra column costs decoding and row-building time.
COLUMNS = (Client.id, Client.legal_first_name, Client.legal_last_name, Client.preferred_name,
           Client.date_of_birth, Client.email, Client.phone)

# Attribute access only: Row objects and ORM entities both render it, so every variant must produce
# the same bytes (checked below). Attributes are also the cheapest rows for Jinja (PERFORMANCE.md §4).
TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clients</title></head>
<body><h1>Clients matching {{ q }}</h1><table><thead><tr><th>Name</th><th>Born</th><th>Email</th>
<th>Phone</th></tr></thead><tbody>
{% for c in clients %}
<tr><td><a href="/clients/{{ c.id }}">{{ c.preferred_name or c.legal_first_name }} {{ c.legal_last_name }}</a></td>
<td>{{ c.date_of_birth }}</td><td>{{ c.email }}</td><td>{{ c.phone }}</td></tr>
{% endfor %}</tbody></table></body></html>"""
JINJA = Environment(loader=DictLoader({"clients.html": TEMPLATE}), autoescape=True)

FIRST = ("Ada Alma Amir Ana Ben Bea Cai Cleo Dana Eli Ema Ezra Fay Finn Gia Hana Ian Ida Ines Jade Jon Kai "
         "Kira Lea Leo Luca Mara Mia Milo Nia Noah Nora Omar Pia Rosa Sam Sara Tara Teo Uma Vera Wren Zoe").split()
LAST = ("Smith Smyth Small Smedley Abbott Adler Bauer Brandt Carter Costa Dubois Evans Fischer Garcia Hansen "
        "Ibrahim Jensen Kaur Keller Larsen Lopez Martin Meyer Nakamura Nguyen Novak Okafor Patel Quinn Rossi "
        "Sato Schmidt Silva Tanaka Torres Vogel Weber Wilson Yilmaz Zhang").split()


def search(what: tuple[Any, ...], prefix: str) -> Any:
    # A prefix range on the lower-cased key SEARCHes ix_clients_search and needs no sort;
    # LIKE 'sm%' would walk the whole index (PERFORMANCE.md §1).
    low = prefix.casefold() or " "
    high = low[:-1] + chr(ord(low[-1]) + 1)
    return (select(*what).where(Client.search_key >= low, Client.search_key < high)
            .order_by(Client.search_key).limit(50))


# --- the apps (run inside granian) -------------------------------------------------------------

def same_pragmas_as_make_engine(sync_engine: Engine) -> None:
    # What core.db.make_engine gives the sync engine, so both styles run the same statements per
    # request (BEGIN, SELECT, ROLLBACK). These listeners are the ones SQLAlchemy documents for aiosqlite.
    @event.listens_for(sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN DEFERRED")


def make_handler(variant: str) -> tuple[Any, list[Any]]:
    """The page handler of one variant, and what to dispose of at shutdown."""
    engine = make_engine(f"sqlite:///{DB}")
    read, _write = make_sessionmakers(engine)
    shutdown: list[Any] = [engine.dispose]

    def page(q: str, rows: Any) -> Template:
        return Template(template_name="clients.html", context={"q": q, "clients": rows})

    if variant == "a":
        with read() as s:  # once, at start-up: the same rows, then no DB work per request
            static = s.execute(search(COLUMNS, PREFIX)).all()

        async def handler(q: str = PREFIX) -> Template:
            return page(q, static)

    elif variant in "bcf":
        what = COLUMNS if variant in "bf" else (Client,)

        def handler(q: str = PREFIX) -> Template:
            with read() as s:
                result = s.execute(search(what, q))
                return page(q, result.all() if variant in "bf" else result.scalars().all())

    else:
        aengine = create_async_engine(f"sqlite+aiosqlite:///{DB}", connect_args={"timeout": 30})
        same_pragmas_as_make_engine(aengine.sync_engine)
        aread = async_sessionmaker(aengine, expire_on_commit=False)
        shutdown.append(aengine.dispose)
        what = COLUMNS if variant == "d" else (Client,)

        async def handler(q: str = PREFIX) -> Template:
            async with aread() as s:
                result = await s.execute(search(what, q))
                return page(q, result.all() if variant == "d" else result.scalars().all())

    return handler, shutdown


def build_app() -> Litestar:
    variant = os.environ["BENCH_VARIANT"]
    handler, shutdown = make_handler(variant)
    # sync_to_thread only applies to sync functions; (f) deliberately runs its query on the loop.
    sync = {"sync_to_thread": variant != "f"} if variant in "bcf" else {}
    return Litestar([get("/clients", **sync)(handler)], on_shutdown=shutdown,
                    template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(JINJA)))


async def cpu_per_page(variant: str, pages: int = 500) -> float:
    """CPU µs of this whole process per page at concurrency 1, without HTTP: the query, the rows and the
    render (plus the thread hop for b and c). Unlike req/s, other processes on the machine barely move it."""
    handler, shutdown = make_handler(variant)

    async def one() -> str:
        if inspect.iscoroutinefunction(handler):
            response = await handler(PREFIX)
        elif variant == "f":
            response = handler(PREFIX)
        else:  # what Litestar does for sync_to_thread=True
            response = await anyio.to_thread.run_sync(handler, PREFIX)
        return JINJA.get_template(response.template_name).render(response.context)

    for _ in range(50):  # warm-up: connections, statement caches, compiled template
        await one()
    start = time.process_time()  # all threads of the process: aiosqlite's and anyio's too
    for _ in range(pages):
        await one()
    cpu = (time.process_time() - start) / pages * 1e6
    for dispose in shutdown:
        if inspect.isawaitable(result := dispose()):
            await result
    return cpu


# --- the data -----------------------------------------------------------------------------------

def build_db(rebuild: bool) -> None:
    if DB.exists() and not rebuild:
        with closing(sqlite3.connect(DB)) as conn:
            if conn.execute("SELECT count(*) FROM clients").fetchone()[0] == N_CLIENTS:
                return
    for stale in (DB, DB.with_name(DB.name + "-wal"), DB.with_name(DB.name + "-shm")):
        stale.unlink(missing_ok=True)
    from polymodal.core.migrations import upgrade  # here: keeps alembic out of the servers' RSS

    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{DB}")
    upgrade(engine)
    rng = random.Random(20261130)  # seeded: the same names, ids and page on every run
    created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(N_CLIENTS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        preferred = rng.choice(FIRST) if rng.random() < 0.1 else ""
        rows.append({
            "id": uuid.UUID(int=rng.getrandbits(128), version=4), "created_at": created,
            "legal_first_name": first, "legal_last_name": last, "preferred_name": preferred,
            "date_of_birth": dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30_000)),
            "email": f"{first}.{last}.{i}@example.org".lower(), "phone": f"+1 555 {rng.randrange(10**7):07d}",
            "search_key": make_search_key(last, first, preferred), "active": True,
        })
    with engine.begin() as conn:  # one transaction, executemany in batches: seconds, not minutes
        for start in range(0, N_CLIENTS, 10_000):
            conn.execute(insert(Client.__table__), rows[start:start + 10_000])
        assert conn.scalar(select(func.count()).select_from(Client)) == N_CLIENTS
    engine.dispose()
    print(f"built {DB.relative_to(HERE.parent)}: {N_CLIENTS:,} clients in {time.perf_counter() - started:.1f} s")


def query_plan() -> list[str]:
    """EXPLAIN QUERY PLAN of both statements; refuse to measure a plan that scans or sorts."""
    engine = make_engine(f"sqlite:///{DB}")
    plans = []
    with engine.connect() as conn:
        for what in (COLUMNS, (Client,)):
            compiled = search(what, PREFIX).compile(engine)
            params = tuple(compiled.params[name] for name in compiled.positiontup or ())
            plans.append([row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)])
    engine.dispose()
    for plan in plans:
        if not any(step.startswith("SEARCH") and "ix_clients_search" in step for step in plan) \
                or any("TEMP B-TREE" in step or step.startswith("SCAN") for step in plan):
            sys.exit(f"the list query does not SEARCH ix_clients_search: {plan}")
    return plans[0]


# --- serving and loading ------------------------------------------------------------------------

def serve(variant: str) -> tuple[subprocess.Popen[bytes], bytes]:
    if not port_is_free(PORT):
        sys.exit(f"127.0.0.1:{PORT} is already in use")
    granian = Path(sys.executable).parent / "granian"
    proc = subprocess.Popen(
        [granian, "--interface", "asgi", "--workers", "1", "--no-access-log", "--log-level", "warning",
         "--host", "127.0.0.1", "--port", str(PORT), "--working-dir", HERE, "--factory", "session_style:build_app"],
        env={**os.environ, "BENCH_VARIANT": variant}, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(URL, timeout=2) as response:
                return proc, response.read()
        except OSError:
            time.sleep(0.2)
    stop(proc)
    sys.exit(f"variant {variant}: the server did not answer within 30 s")


def measure(variant: str) -> dict[str, Any]:
    wait_until_quiet()
    proc, body = serve(variant)
    try:
        # granian runs the app in a child of its supervisor: measure the process that serves.
        worker = int(Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()[0])
        wrk(URL, "2s")  # warm-up: pool connections, worker threads, compiled template and statement caches
        # The machine is shared: also count the CPU that neither the server nor wrk used (others' load).
        cpu_before, supervisor_before = cpu_and_rss(worker)[0], cpu_and_rss(proc.pid)[0]
        busy, children = machine_busy_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN)
        out = wrk(URL, "8s")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu, rss = cpu_and_rss(worker)
        supervisor = cpu_and_rss(proc.pid)[0] - supervisor_before
        wrk_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        others = machine_busy_seconds() - busy - (cpu - cpu_before) - supervisor - wrk_cpu
    finally:
        stop(proc)
    if "Non-2xx" in out or "Socket errors" in out:  # a timed-out or failed request voids the run
        sys.exit(f"variant {variant}: errors under load\n{out}")
    parsed = parse_wrk(out)
    return {"rps": parsed["rps"], "rss": rss, "p50": parsed["p50"], "p99": parsed["p99"],
            "cpu_us": (cpu - cpu_before) / parsed["requests"] * 1e6, "others": 100 * others / 8 / NPROC,
            "rows": body.count(b"<tr><td>"), "sha": hashlib.sha256(body).hexdigest()[:12]}


REPORT = """# Session style: the 50-row client list page

- date: {date} UTC; command: `.venv/bin/python bench/session_style.py{options}`
- machine: nproc {nproc} ({cpu}), {platform}, Python {python}, SQLite {sqlite}; load average before the run {load:.2f}
- {versions}; `granian --interface asgi`, 1 worker, no access log
- data: {n:,} clients (seeded fake names); every variant served the same 50-row page (sha256 {sha})
- query: `{sql}`
- plan: `{plan}`
- load: `wrk -t2 -c32 -d8s --latency` after a 2 s warm-up, on the same cores as the server; {rounds} interleaved
  rounds (a..f, a..f, ...), each run on a freshly started server. req/s, p50, p99 and CPU (the serving process's
  user + system time per request) are medians over the rounds; RSS is the serving process (granian's worker, not
  its ~30 MB supervisor) after load, the maximum. "others" is the CPU, in % of all cores, that neither the server
  nor wrk used during the 8 s (the median over the rounds): this machine is shared. "CPU µs/page alone" is
  measured in-process without HTTP, one page at a time (500 pages, best of 3): the cost of each style's query,
  rows and render, which other processes barely disturb.

| variant | req/s (each run) | ÷ bare | p50 ms | p99 ms | CPU µs/req | RSS MB | others % | CPU µs/page alone |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
{rows}

\\* (f) runs the query on the event-loop thread: safe only while every query stays well under a millisecond,
since a slow one stalls every request on the worker.
"""


def table_rows(results: dict[str, list[dict[str, Any]]], alone: dict[str, float]) -> str:
    def mid(runs: list[dict[str, Any]], key: str) -> float:  # the median resists one disturbed run
        return median(r[key] for r in runs)

    lines = []
    bare = mid(results["a"], "rps") if "a" in results else float("nan")
    for v, runs in results.items():
        each = " / ".join(f"{r['rps']:,.0f}" for r in runs)
        lines.append(f"| ({v}) {VARIANTS[v]} | **{mid(runs, 'rps'):,.0f}** ({each}) | {mid(runs, 'rps') / bare:.2f} "
                     f"| {mid(runs, 'p50'):.1f} | {mid(runs, 'p99'):.1f} | {mid(runs, 'cpu_us'):,.0f} "
                     f"| {max(r['rss'] for r in runs):.0f} | {mid(runs, 'others'):.0f} | {alone[v]:,.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs per variant, interleaved (a..f, a..f)")
    parser.add_argument("--only", default="".join(VARIANTS), help="variants to run, e.g. abd")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the 100,000-client database")
    args = parser.parse_args()
    build_db(args.rebuild)
    plan = query_plan()
    print("EXPLAIN QUERY PLAN:", *plan, sep="\n  ")
    load = os.getloadavg()[0]
    alone = {v: min(asyncio.run(cpu_per_page(v)) for _ in range(3)) for v in VARIANTS if v in args.only}
    print("CPU µs per page, alone:", {v: round(cpu) for v, cpu in alone.items()}, flush=True)
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS if v in args.only}
    for round_ in range(1, args.rounds + 1):
        for v in results:  # interleaved rounds, so a drift in machine load hits every variant alike
            results[v].append(r := measure(v))
            print(f"round {round_} ({v}) {r['rps']:8,.0f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
                  f"  {r['rss']:4.0f} MB  others {r['others']:3.0f} %", flush=True)
    pages = {(r["rows"], r["sha"]) for runs in results.values() for r in runs}
    if len(pages) != 1 or next(iter(pages))[0] != 50:
        sys.exit(f"the variants did not all serve the same 50-row page: {pages}")
    report = REPORT.format(
        date=f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}", nproc=NPROC, platform=platform.platform(),
        options=" ".join(["", *sys.argv[1:]]), python=platform.python_version(), sqlite=sqlite3.sqlite_version,
        load=load, n=N_CLIENTS, sha=next(iter(pages))[1], rounds=args.rounds, plan="; ".join(plan),
        versions=", ".join(f"{p} {version(p)}" for p in ("litestar", "sqlalchemy", "aiosqlite", "granian", "jinja2")),
        sql=" ".join(str(search(COLUMNS, PREFIX).compile(compile_kwargs={"literal_binds": True})).split()),
        cpu=re.search(r"model name\s*: (.*)", Path("/proc/cpuinfo").read_text())[1], rows=table_rows(results, alone))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report)
    print("\n" + report)


if __name__ == "__main__":
    main()
