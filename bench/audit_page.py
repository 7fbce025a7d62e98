"""The center-wide audit page at a million events (issue 13 item 9): each filter's first and a deep page,
through the code the page runs, with the statements per page, the plan, and the full trail check.

    .venv/bin/python bench/audit_page.py --url sqlite:///bench/data/audit.db --events 1000000
    scripts/with-postgres.sh sh -c '.venv/bin/python bench/audit_page.py --url "$POLYMODAL_TEST_DATABASE_URL"'

Generates a small center (``generate.py``) and appends ``--events`` events through the real keyed chain
(``audit.chain``): staff spread over 60 practitioners and the desk, two events in three about a client,
actions drawn from the page's list, two years of times. Reused when the trail is already that long.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time

import generate
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session as DbSession

from polymodal.core import audit
from polymodal.core.access import Actor
from polymodal.core.audit_trail import check, listing, words
from polymodal.core.models import AuditEvent, Client, User
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice

BATCH = 20_000
COMMON = ("note.read", "client.view", "session.read", "schedule.view", "auth.login", "client.search")


def fill(practice: Practice, total: int, seed: int = 1) -> None:
    with DbSession(practice.engine) as db:
        have = db.scalar(select(func.count()).select_from(AuditEvent))
        staff = [Actor.of(u) for u in db.scalars(select(User))]
        clients = list(db.scalars(select(Client.id).limit(5000)))
    if have >= total:
        return
    rng = random.Random(seed)
    actions = sorted(words.KNOWN)
    start = dt.datetime(2024, 12, 1, tzinfo=dt.UTC)
    step = dt.timedelta(days=730) / total
    made, started = have, time.perf_counter()
    while made < total:
        n = min(BATCH, total - made)
        pending = [audit.Pending(rng.choice(staff), rng.choice(COMMON) if rng.random() < 0.7 else rng.choice(actions),
                                 start + step * (made + i), record_type="note",
                                 client_id=rng.choice(clients) if rng.random() < 0.67 else None) for i in range(n)]
        with practice.work(Actor.system("bench-audit")) as work:
            audit.chain(work.db, pending)
        made += n
        print(f"\r{made:,} events ({made / (time.perf_counter() - started):,.0f}/s)", end="", file=sys.stderr)
    print(file=sys.stderr)
    with practice.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="sqlite:///bench/data/audit.db")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-verify", action="store_true", help="skip timing the full trail check")
    args = parser.parse_args(argv)
    try:
        generate.generate(args.url, clients=2000, sessions=2000, notes=200, quiet=True)
    except generate.NotEmpty:
        pass
    practice = Practice(get_plugin_manager(), engine=generate.make_engine(args.url))
    fill(practice, args.events)
    statements: list[str] = []
    event.listen(practice.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with DbSession(practice.engine) as db:
        admin = Actor.of(next(u for u in db.scalars(select(User)) if "admin" in u.roles))
        busiest = db.scalar(select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).limit(1))
        client = db.scalar(select(AuditEvent.client_id).where(AuditEvent.client_id.is_not(None)).limit(1))
        surname = db.scalar(select(Client.legal_last_name).where(Client.id == client))
        total = db.scalar(select(func.count()).select_from(AuditEvent))
        deep = db.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq).offset(total // 2).limit(1))
    cases = {
        "no filter": {},
        "person": {"person": str(busiest)},
        "action note.read": {"action": "note.read"},
        "client by id": {"client_id": str(client)},
        f"client by name ({surname})": {"client": surname},
        "one day": {"since": "2025-06-02", "until": "2025-06-02"},
        "person + action + month": {"person": str(busiest), "action": "client.view", "since": "2025-03-01",
                                    "until": "2025-03-31"},
    }
    dialect = practice.engine.dialect.name
    print(f"audit page at {total:,} events on {dialect}, median / worst of {args.runs} runs (ms): the first page "
          f"and a page half-way down (keyset) through the service (work, audit event, commit), the deep page's "
          f"SELECT alone, statements per page")
    print(f"{'filter':<34}{'rows':>5}{'first':>9}{'worst':>9}{'deep':>9}{'worst':>9}{'query':>8}{'stmts':>7}  index")
    for name, raw in cases.items():
        figures, rows, count = [], 0, 0
        for before in (None, deep):
            times = []
            for _ in range(args.runs):
                statements.clear()
                began = time.perf_counter()
                with practice.work(admin, write=False) as work:
                    found = listing.page(work, listing.parse(work, raw), before)
                times.append(time.perf_counter() - began)
                rows, count = len(found.rows), len(statements)
            figures += [statistics.median(times) * 1000, max(times) * 1000]
        with practice.work(admin, write=False) as work:
            stmt = listing.statement(work, listing.parse(work, raw), deep)
            alone = []  # the page's SELECT by itself, deep page: what the index costs without the work around it
            for _ in range(args.runs):
                began = time.perf_counter()
                work.db.execute(stmt).all()
                alone.append(time.perf_counter() - began)
            compiled = str(stmt.compile(practice.engine, compile_kwargs={"literal_binds": True}))
            explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
            plan = " | ".join(str(r[-1]) for r in work.db.execute(text(explain + compiled)))
        index = next((w for w in plan.replace("(", " ").split() if w.startswith("ix_audit")), "none")
        sort = " + SORT" if "TEMP B-TREE" in plan or "Sort" in plan else ""
        print(f"{name:<34}{rows:>5}" + "".join(f"{f:>9.1f}" for f in figures)
              + f"{statistics.median(alone) * 1000:>8.1f}{count:>7}  {index}{sort}")
    if not args.no_verify:
        began = time.perf_counter()
        with practice.work(admin, write=False) as work:
            outcome = check.verify(work)
        print(f"verify the trail: {outcome.result.events:,} events, "
              f"{'intact' if outcome.intact else f'{len(outcome.problems)} problems'}, "
              f"{time.perf_counter() - began:.1f} s")
    practice.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
