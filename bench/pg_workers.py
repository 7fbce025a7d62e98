"""1 → 2 workers on PostgreSQL: the client search served by `polymodal serve --workers 1`, then `--workers 2`.

Run by bench/run.py inside scripts/with-postgres.sh (a throwaway cluster on loopback, its URL in
POLYMODAL_TEST_DATABASE_URL); prints one JSON line: the scale, the data's generation time and a Run per worker
count (those of the first layout under "runs", every layout under "layouts"). Standalone, for the scale-out
question (issue 18, item 5):

    scripts/with-postgres.sh .venv/bin/python bench/pg_workers.py --layout none --layout "wrk=1 server=0 pg=0" --out

A layout pins the parties to CPU lists (taskset's syntax): wrk, the server and every worker it forks, and the
PostgreSQL cluster (its postmaster and every backend, found from a connection's own backend). "auto", the
default, gives wrk and PostgreSQL cores of their own when the machine has 4 or more and pins nothing on a
smaller one, where the parties can only share; "none" pins nothing. Each run reports the CPU each party used,
the server's requests per CPU-second, and how often a backend waited on a lock (pg_stat_activity, sampled
10 times a second: the audit chain's advisory lock is the one two workers can contend for).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pages
import servers
from _load import NPROC, Run, cpu_list, measure, pin, wait_until_quiet, wrk
from sqlalchemy import text

from polymodal.core.db import make_engine

HERE = Path(__file__).resolve().parent
PARTIES = ("wrk", "server", "pg")


def auto_layout(n: int = NPROC) -> dict[str, str]:
    """wrk and PostgreSQL a quarter of the cores each (at least one), the server the rest; nothing below 4."""
    if n < 4:
        return {}
    quarter = max(1, n // 4)

    def span(low: int, high: int) -> str:
        return str(low) if low == high else f"{low}-{high}"

    return {"server": span(0, n - 2 * quarter - 1), "pg": span(n - 2 * quarter, n - quarter - 1),
            "wrk": span(n - quarter, n - 1)}


def parse_layout(spec: str) -> dict[str, str]:
    if spec == "auto":
        return auto_layout()
    if spec == "none":
        return {}
    layout = dict(part.split("=", 1) for part in spec.split())
    if unknown := set(layout) - set(PARTIES):
        raise SystemExit(f"layout {spec!r}: unknown part(s) {sorted(unknown)}; use {', '.join(PARTIES)}")
    for cpus in layout.values():
        if not cpu_list(cpus) <= os.sched_getaffinity(0):
            raise SystemExit(f"layout {spec!r}: CPUs {cpus} are not all available (nproc {NPROC})")
    return layout


def describe(layout: dict[str, str]) -> str:
    return ", ".join(f"{k} on CPU {layout[k]}" for k in PARTIES if k in layout) or "unpinned"


def postmaster(url: str) -> int:
    """The cluster's postmaster: the parent of this connection's backend."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:  # read while the backend lives: it ends with the connection
            status = Path(f"/proc/{conn.scalar(text('SELECT pg_backend_pid()'))}/status").read_text()
    finally:
        engine.dispose()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


@contextmanager
def lock_waits(url: str, every: float = 0.1):
    """Sample pg_stat_activity while the block runs; yields a dict filled in at the end: the share of samples
    with a backend waiting on a lock (any, advisory), the mean number waiting, and the most connections the
    server's pools and job queue held at once."""
    found: dict[str, float] = {}
    stop = threading.Event()
    samples: list[tuple[int, int, int]] = []
    engine = make_engine(url)

    def sample() -> None:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            while not stop.wait(every):
                row = conn.execute(text(
                    "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), "
                    "count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'), count(*) "
                    "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")).one()
                samples.append(tuple(row))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join()
        engine.dispose()
        n = max(len(samples), 1)
        found.update(samples=len(samples), any_waiting=sum(1 for a, _, _ in samples if a) / n,
                     advisory_waiting=sum(1 for _, b, _ in samples if b) / n,
                     mean_advisory=sum(b for _, b, _ in samples) / n,
                     max_connections=max((c for _, _, c in samples), default=0))


def run_layout(url: str, page: pages.Page, layout: dict[str, str], pg_pid: int, args: argparse.Namespace
               ) -> dict[int, dict]:
    pin(pg_pid, cpu_list(layout["pg"]) if "pg" in layout else os.sched_getaffinity(0))
    runs = {}
    for workers in args.workers:
        with servers.serving(servers.polymodal, url, workers) as server:
            if "server" in layout:  # every worker process exists by the first answer; later threads inherit it
                pin(server.proc.pid, cpu_list(layout["server"]))
            cookie = pages.sign_in(server.base, page.user)
            status, _ = pages.get(server.base, page.path, cookie)
            if status != 200:
                sys.exit(f"{page.path} answered {status} with {workers} workers")
            headers = {"Cookie": cookie}
            wait_until_quiet(args.patience)
            wrk(server.base + page.path, f"{args.warmup:g}s", connections=args.connections, headers=headers,
                cpus=layout.get("wrk"))
            with lock_waits(url) as waits:
                run = measure(server.base + page.path, server.proc.pid, duration=args.duration, warmup=0,
                              connections=args.connections, headers=headers, wrk_cpus=layout.get("wrk"),
                              parties={"pg": pg_pid})
            runs[workers] = {**{k: v for k, v in dataclasses.asdict(run).items() if k != "raw"}, "locks": waits}
            print(f"  PostgreSQL, {describe(layout)}, {workers} worker(s): {summary(run, waits)}",
                  file=sys.stderr, flush=True)
    return runs


def summary(run: Run, waits: dict) -> str:
    pg = run.parties_cpu.get("pg", 0.0)
    return (f"{run.rps:,.0f} req/s, p99 {run.p99:.1f} ms; CPU s: server {run.server_cpu:.1f}, pg {pg:.1f}, "
            f"wrk {run.wrk_cpu:.1f}; {run.requests / max(run.server_cpu, 1e-9):,.0f} req per server CPU-s; "
            f"advisory wait in {waits['advisory_waiting']:.0%} of samples; others {run.others:.0f} %"
            + ("" if run.ok else f"; NOT OK: {run.non200} non-200, {run.socket_errors} socket errors"))


def table(layouts: dict[str, dict[int, dict]]) -> str:
    lines = ["| layout | workers | req/s | ×1 worker | p50 ms | p99 ms | server CPU % | PostgreSQL CPU % | wrk CPU % "
             "| others % | req per server CPU-s | req per (server + PG) CPU-s | advisory-lock wait (samples) "
             "| connections (most) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, runs in layouts.items():
        one = runs.get(min(runs))["rps"] if runs else None
        for workers, r in runs.items():
            secs = r["elapsed"] or 1
            pg = r["parties_cpu"].get("pg", 0.0)
            lines.append(
                f"| {name} | {workers} | {r['rps']:,.0f} | {r['rps'] / one:.2f} | {r['p50']:.1f} | {r['p99']:.1f} "
                f"| {100 * r['server_cpu'] / secs:.0f} | {100 * pg / secs:.0f} | {100 * r['wrk_cpu'] / secs:.0f} "
                f"| {r['others']:.0f} | {r['requests'] / max(r['server_cpu'], 1e-9):,.0f} "
                f"| {r['requests'] / max(r['server_cpu'] + pg, 1e-9):,.0f} | {r['locks']['advisory_waiting']:.0%} "
                f"| {r['locks']['max_connections']} |")
    return "\n".join(lines)


REPORT = """# 1 → 2 workers on PostgreSQL

- date: {date} UTC; command: `scripts/with-postgres.sh .venv/bin/python bench/pg_workers.py{options}`
- machine: nproc {nproc}; PostgreSQL from scripts/with-postgres.sh (fsync off), center at scale {scale:g}
  generated in {generated:.0f} s; page: client search as front desk, `wrk -t2 -c{connections} -d{duration:g}s`
  after a {warmup:g} s warm-up
- CPU % columns are each party's user + system time over the run's wall time (100 % = one core); PostgreSQL
  counts the postmaster and every backend. "req per server CPU-s" is requests ÷ the server's CPU seconds: it
  falls when a second worker adds contention rather than capacity. "advisory-lock wait" is the share of
  pg_stat_activity samples (10 a second) in which a backend was waiting on an advisory lock; "connections" the
  most the server held open to the database at once (its pools and the job queue's).

{table}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--patience", type=float, default=20, help="seconds to wait for a quiet machine per run")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--layout", action="append", help='"auto" (default), "none", or e.g. '
                        '"wrk=1 server=0 pg=0" (taskset CPU lists); repeat to compare layouts on one cluster')
    parser.add_argument("--out", nargs="?", const="", help="also write a markdown table "
                        "(default bench/results/pg-workers-<date>.md)")
    args = parser.parse_args()
    args.workers = [int(w) for w in args.workers.split(",")]
    specs = args.layout or ["auto"]
    layouts = {spec: parse_layout(spec) for spec in specs}
    url = os.environ["POLYMODAL_TEST_DATABASE_URL"]
    started = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--url", url, "--scale", str(args.scale),
                    "--quiet", "--no-explain"], check=True, stdout=sys.stderr)
    generated = time.perf_counter() - started
    engine = make_engine(url)
    try:  # after a bulk load autovacuum takes both cores for minutes: do its work before measuring
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()
    page = pages.pages(pages.sample(url))[0]
    pg_pid = postmaster(url)
    results = {describe(layout): run_layout(url, page, layout, pg_pid, args) for layout in layouts.values()}
    first = next(iter(results.values()))
    print(json.dumps({"scale": args.scale, "generated_s": generated, "runs": first, "layouts": results}))
    if args.out is not None:
        out = Path(args.out) if args.out else HERE / "results" / f"pg-workers-{dt.date.today()}.md"
        out.write_text(REPORT.format(
            date=f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}", options=" ".join(["", *sys.argv[1:]]), nproc=NPROC,
            scale=args.scale, generated=generated, connections=args.connections, duration=args.duration,
            warmup=args.warmup, table=table(results)))
        print(out.read_text(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
