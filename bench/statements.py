"""Each statement a page runs, timed alone on the center: which of a page's queries cost, at which scale.

    .venv/bin/python bench/statements.py --scale 1 --pages client,session,dashboard
    .venv/bin/python bench/statements.py --scale 1 --pages dashboard --plan consent   # EXPLAIN the matching ones

The app is driven in-process (``inprocess.py``), signed in as ``run.py`` signs in; the statements of one
request to each page are captured as sent to the driver, then each SELECT is run again alone on a plain
``sqlite3`` connection to the same file and fetched whole, best of three. A write between two runs (as every
audited page makes) empties SQLite's page cache in WAL mode, so ``--cold`` writes a row to a scratch table
before each run: the figure a page meets under load. What remains of a page's CPU is Python: compare with
``inprocess.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import inprocess  # noqa: E402
import pages  # noqa: E402
import run  # noqa: E402


async def capture(url: str, chosen: set[str]) -> dict[str, list[tuple[str, object]]]:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    captured: list[tuple[str, object]] = []
    on = False

    @event.listens_for(Engine, "before_cursor_execute")
    def remember(_conn, _cursor, statement, parameters, _context, executemany):
        if on and not executemany:
            captured.append((statement, parameters))

    os.environ.update({"POLYMODAL_DATABASE_URL": url, "POLYMODAL_INSECURE_COOKIES": "1"})
    from polymodal.web.app import create_app

    app = create_app()
    out, by_user = {}, {}
    for page in pages.pages(pages.sample(url)):
        if page.key not in chosen:
            continue
        if page.user not in by_user:
            by_user[page.user] = inprocess.Asgi(app)
            await inprocess.sign_in(by_user[page.user], page.user)
        for _ in range(3):  # warm: the same statements as every later request
            await by_user[page.user].request("GET", page.path)
        captured.clear()
        on = True
        status, _ = await by_user[page.user].request("GET", page.path)
        on = False
        if status != 200:
            raise SystemExit(f"{page.path}: HTTP {status}")
        out[f"{page.key} {page.path}"] = list(captured)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="the center bench/run.py generated")
    parser.add_argument("--pages", default="search,client,schedule,session,dashboard")
    parser.add_argument("--cold", action="store_true", help="a write before each run, as under load")
    parser.add_argument("--plan", default="", help="print EXPLAIN QUERY PLAN of statements containing this text")
    args = parser.parse_args()
    path = run.ensure_database(args.scale)
    captured = asyncio.run(capture(f"sqlite:///{path}", set(args.pages.split(","))))
    db = sqlite3.connect(path, isolation_level=None)
    scratch = sqlite3.connect(path, isolation_level=None)
    if args.cold:
        scratch.execute("CREATE TABLE IF NOT EXISTS bench_statements_scratch (x)")
    for page, statements in captured.items():
        print(f"\n{page}: {len(statements)} statements")
        total = 0.0
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                print(f"{'':>9}   {'':>6}        {' '.join(sql.split())[:110]}")
                continue
            best, rows = float("inf"), 0
            for _ in range(3):
                if args.cold:
                    scratch.execute("INSERT INTO bench_statements_scratch VALUES (1)")
                started = time.perf_counter()
                rows = len(db.execute(sql, params).fetchall())
                best = min(best, time.perf_counter() - started)
            total += best
            print(f"{best * 1e6:9,.0f} µs {rows:6d} rows  {' '.join(sql.split())[:110]}")
            if args.plan and args.plan in sql:
                for row in db.execute("EXPLAIN QUERY PLAN " + sql, params):
                    print(f"{'':>30}{row[-1]}")
        print(f"{total * 1e6:9,.0f} µs in SELECTs")
    if args.cold:
        scratch.execute("DROP TABLE bench_statements_scratch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
