"""Page throughput at center scale against the bare framework and Datasette, and the issue's targets (issue 7).

One command, loopback only, wrk from apt:

    .venv/bin/uv pip install --python .venv/bin/python -e '.[bench]'
    .venv/bin/python bench/run.py                    # full scale; --scale 0.1, --pages search,client, --pg-scale 0

1. generates (or reuses) a center with generate.py into bench/data/center-<scale>.db;
2. serves, one after the other: the bare Litestar + Jinja 50-row page (the ceiling), Datasette's table page on
   the same file (as shipped and with facet suggestions off), and the app as in production (`polymodal serve`);
3. signs in (front desk, and a practitioner for the clinical pages), checks each page answers 200, then loads it
   with wrk -t2 -c32 after a warm-up, counting every non-200 (a page with any is not reported);
4. times start-up to the first 200 on /healthz, and 1 → 2 workers on a throwaway PostgreSQL (pg_workers.py);
5. prints the table and the targets, and writes them to bench/results/run-<date>.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pages
import servers
from _load import NPROC, WRK, Run, measure, stop
from report import Row, Target, failure, table, targets_table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FULL = {"clients": 100_000, "sessions": 1_000_000, "notes": 500_000}
PEERS = ("bare", "datasette", "datasette-nofacets")


def ensure_database(scale: float) -> Path:
    """bench/data/center-<scale>.db, generated once per scale (into a temporary name, so a half-done file is never reused)."""
    db = HERE / "data" / f"center-{scale:g}.db"
    if db.exists():
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            if conn.execute("SELECT count(*) FROM audit_events WHERE action = 'bench.generate'").fetchone()[0]:
                return db
        sys.exit(f"{db} exists but is not a finished generated center: remove it")
    partial = db.with_name(db.name + ".partial")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    print(f"generating {db.relative_to(ROOT)} (scale {scale:g})", flush=True)
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--url", f"sqlite:///{partial}", "--scale", str(scale),
                    "--quiet"], check=True)
    for suffix in ("-wal", "-shm"):  # checkpointed (TRUNCATE) by the generator: nothing left in them
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(db)
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    return db


def load(url: str, pid: int, args: argparse.Namespace, *, cookie: str = "", connections: int | None = None) -> Run:
    return measure(url, pid, duration=args.duration, warmup=args.warmup, connections=connections or args.connections,
                   headers={"Cookie": cookie} if cookie else None, quiet_patience=args.patience)


def say(row: Row) -> None:
    r = row.run
    if r is None or not r.ok:
        print(f"  {row.title:<40} {row.status or (failure(r) if r else '')}", flush=True)
    else:
        print(f"  {row.title:<40} {row.server:<32} {r.rps:8,.0f} req/s  p50 {r.p50:7.1f}  p99 {r.p99:7.1f} ms  "
              f"{r.rss:4.0f} MB  load {r.load:4.1f}  others {r.others:3.0f} %", flush=True)


def run_peers(db: Path, args: argparse.Namespace) -> list[Row]:
    rows = []
    if "bare" in args.peers:
        with servers.serving(servers.bare) as s:
            rows.append(Row("bare", "bare Litestar + Jinja, static 50 rows (ceiling)", "uvicorn, 1 worker", "/"))
            rows[-1].run = load(s.base + "/", s.proc.pid, args)
            say(rows[-1])
    # Datasette names the database after the file; a "." in it is tilde-encoded in URLs.
    table_url = f"/{db.stem.replace('.', '~2E')}/clients?search_key__startswith={pages.SEARCH}&_size=50"
    for key, facets in (("datasette-nofacets", False), ("datasette", True)):
        if key not in args.peers:
            continue
        with servers.serving(servers.datasette, db, facets=facets) as s:
            title = "Datasette table page" + (", as shipped" if facets else ", suggest_facets off")
            rows.append(Row(key, title, f"datasette {version('datasette')}", table_url))
            rows[-1].run = load(s.base + table_url, s.proc.pid, args)
            say(rows[-1])
    return rows


def run_app(database_url: str, args: argparse.Namespace) -> tuple[list[Row], list[float]]:
    sample = pages.sample(database_url)
    wanted = [p for p in pages.pages(sample) if p.key in args.pages]
    rows: list[Row] = []
    with servers.serving(servers.polymodal, database_url) as s:
        cookies = {user: pages.sign_in(s.base, user) for user in {p.user for p in wanted}}
        for page in wanted:
            row = Row(page.key, page.title, "polymodal serve (uvicorn, 1 worker)", page.path, user=page.user)
            rows.append(row)
            status, body = pages.get(s.base, page.path, cookies[page.user])
            if status == 404 and page.key == "session":
                row.status = "not yet (no /sessions/{id} on this branch)"
            elif status != 200 or page.must_contain.encode() not in body:
                row.status = f"FAILED: preflight HTTP {status}"
            else:
                row.run = load(s.base + page.path, s.proc.pid, args, cookie=cookies[page.user])
                if not row.run.ok:
                    row.status = failure(row.run)
            say(row)
            if row.status.startswith("FAILED") or (row.run and not row.run.ok):
                print(s.log_tail(), flush=True)
            if page.key == "search" and row.run and row.run.ok:
                low = Row("search-c1", "client search, 1 connection", row.server, page.path, user=page.user)
                low.run = load(s.base + page.path, s.proc.pid, args, cookie=cookies[page.user], connections=1)
                rows.append(low)
                say(low)
    starts = []
    for _ in range(args.startups):  # each a fresh process: interpreter, imports, plugins, app, first /healthz
        s = servers.polymodal(database_url)
        starts.append(s.started_in)
        stop(s.proc)
    print(f"  start-up to the first 200 on /healthz: {', '.join(f'{t:.2f}' for t in starts)} s", flush=True)
    return rows, starts


def run_postgres(args: argparse.Namespace) -> dict | None:
    if not args.pg_scale:
        return None
    print(f"PostgreSQL at scale {args.pg_scale:g}: 1 then 2 workers, client search", flush=True)
    out = subprocess.run([str(ROOT / "scripts" / "with-postgres.sh"), sys.executable, str(HERE / "pg_workers.py"),
                          "--scale", str(args.pg_scale), "--duration", str(args.duration), "--warmup", str(args.warmup),
                          "--connections", str(args.connections)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def targets(rows: list[Row], starts: list[float], pg: dict | None, scale: float) -> list[Target]:
    by = {r.key: r.run for r in rows if r.run is not None and r.run.ok}
    bare = by.get("bare")
    best = max((by[k] for k in ("datasette", "datasette-nofacets") if k in by), key=lambda r: r.rps, default=None)
    out = []

    def vs(key: str, share: float, name: str) -> None:
        run = by.get(key)
        if run is None or bare is None:
            missing = next((r.status for r in rows if r.key == key and r.status), "not measured")
            out.append(Target(name, None, missing))
            return
        ratio = run.rps / bare.rps
        out.append(Target(name, ratio >= share, f"{ratio:.0%} ({run.rps:,.0f} ÷ {bare.rps:,.0f} req/s)"))

    vs("search", 0.5, "client search ≥ 50 % of bare")
    if by.get("search") and best:
        times = by["search"].rps / best.rps
        out.append(Target("client search ≥ 5× Datasette's best table page", times >= 5,
                          f"{times:.1f}× ({by['search'].rps:,.0f} ÷ {best.rps:,.0f} req/s)"))
    else:
        out.append(Target("client search ≥ 5× Datasette's best table page", None, "not measured"))
    for key, title in (("client", "client page"), ("schedule", "schedule week"), ("session", "session page"),
                       ("dashboard", "dashboard")):
        vs(key, 0.4, f"{title} ≥ 40 % of bare")
    clients = round(FULL["clients"] * scale)
    low, high = by.get("search-c1"), by.get("search")
    if low:
        note = f"p99 {low.p99:.1f} ms at 1 connection (judged), {high.p99:.1f} ms at 32 connections (queueing)"
        out.append(Target(f"search p99 ≤ 25 ms at {clients:,} clients on SQLite"
                          + ("" if scale == 1 else " (not the 100k of the target)"), low.p99 <= 25, note))
    else:
        out.append(Target("search p99 ≤ 25 ms", None, "not measured"))
    if starts:
        mid = statistics.median(starts)
        out.append(Target("start-up ≤ 1.5 s with five plugins", mid <= 1.5,
                          f"median {mid:.2f} s of {len(starts)} (each: {', '.join(f'{t:.2f}' for t in starts)})"))
    app_rss = [r.run.rss for r in rows if r.run and r.server.startswith("polymodal")]
    if app_rss:
        out.append(Target("RSS ≤ 200 MB per worker", max(app_rss) <= 200,
                          f"{max(app_rss):.0f} MB after the heaviest page (one worker process)"))
    if pg:
        one, two = pg["runs"]["1"]["rps"], pg["runs"]["2"]["rps"]
        out.append(Target("1 → 2 workers on PostgreSQL ≥ 1.7×", two / one >= 1.7,
                          f"{two / one:.2f}× ({one:,.0f} → {two:,.0f} req/s, client search, scale {pg['scale']:g})"))
    else:
        out.append(Target("1 → 2 workers on PostgreSQL ≥ 1.7×", None, "not measured (--pg-scale 0)"))
    return out


REPORT = """# Page throughput at center scale

- date: {date} UTC; command: `.venv/bin/python bench/run.py{options}`
- machine: nproc {nproc}, {platform}, Python {python}, SQLite {sqlite}; load average {load_before} before, {load_after} after
- versions: {versions}
- data: `{db}` ({data}); generated by `bench/generate.py --scale {scale:g}` (seed 1)
- load: `wrk -t2 -c{connections} -d{duration:g}s --latency` after a {warmup:g} s warm-up, wrk on the same 2 cores as
  the server, every response checked for 200 (a Lua counter); servers one at a time on 127.0.0.1
- signed in through `POST /sign-in` (CSRF double-submit): front desk `{desk}` for search, schedule and dashboard;
  practitioner `{practitioner}` (most notes) for the client and session pages

{table}

Columns: CPU µs/req is the server's user + system time per request; RSS is the server process after its run;
"÷ bare" and "× Datasette best" compare req/s; "load avg" is the 1-minute load average before the run; "others %"
is the CPU, in % of both cores, that neither the server nor wrk used during the run (this machine is shared).
{pg}
## Targets

{targets}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="center size: 1 = 100,000 clients, 1,000,000 sessions")
    parser.add_argument("--duration", type=float, default=10, help="seconds of each counted wrk run")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--pages", default="search,client,schedule,session,dashboard")
    parser.add_argument("--peers", default=",".join(PEERS), help="bare, datasette, datasette-nofacets, or none")
    parser.add_argument("--pg-scale", type=float, default=0.1, help="PostgreSQL center for 1 → 2 workers; 0 skips")
    parser.add_argument("--startups", type=int, default=3)
    parser.add_argument("--patience", type=float, default=20, help="seconds to wait for a quiet machine per run")
    parser.add_argument("--out", type=Path, help="default bench/results/run-<date>.md")
    args = parser.parse_args()
    args.pages, args.peers = args.pages.split(","), args.peers.split(",")
    if WRK is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    db = ensure_database(args.scale)
    database_url = f"sqlite:///{db}"
    load_before = os.getloadavg()
    rows = run_peers(db, args)
    app_rows, starts = run_app(database_url, args)
    rows += app_rows
    pg = run_postgres(args)
    load_after = os.getloadavg()
    by = {r.key: r.run for r in rows if r.run is not None and r.run.ok}
    bare = by["bare"].rps if "bare" in by else None
    dbest = max((by[k].rps for k in ("datasette", "datasette-nofacets") if k in by), default=None)
    pg_text = ""
    if pg:
        lines = [f"| {w} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['rss']:.0f} | {r['others']:.0f} |"
                 for w, r in pg["runs"].items()]
        pg_text = (f"\nPostgreSQL 15 (scripts/with-postgres.sh, fsync off), center at scale {pg['scale']:g}, client "
                   "search as front desk:\n\n| workers | req/s | p50 ms | p99 ms | RSS MB (all processes) | others % |\n"
                   "|---:|---:|---:|---:|---:|---:|\n" + "\n".join(lines) + "\n")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 (fixed names)
                  for t in ("clients", "sessions", "notes")}
    sample = pages.sample(database_url)
    text = REPORT.format(
        date=f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}", options=" ".join(["", *sys.argv[1:]]), nproc=NPROC,
        platform=platform.platform(), python=platform.python_version(), sqlite=sqlite3.sqlite_version,
        load_before=" / ".join(f"{x:.1f}" for x in load_before), load_after=" / ".join(f"{x:.1f}" for x in load_after),
        versions=", ".join(f"{p} {version(p)}" for p in ("litestar", "uvicorn", "sqlalchemy", "jinja2", "datasette")),
        db=db.relative_to(ROOT), data=", ".join(f"{n:,} {t}" for t, n in counts.items()), scale=args.scale,
        connections=args.connections, duration=args.duration, warmup=args.warmup, desk=pages.FRONT_DESK,
        practitioner=sample.practitioner, table=table(rows, bare, dbest), pg=pg_text,
        targets=targets_table(targets(rows, starts, pg, args.scale)))
    out = args.out or HERE / "results" / f"run-{dt.date.today()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print("\n" + text + f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
