"""The front desk's hot paths on a generated center (issue 13): client search, and the calendar's day view
with a column per practitioner (60 by default), both through the code the pages run.

    .venv/bin/python bench/frontdesk.py --url sqlite:///bench/data/frontdesk.db --clients 100000
    scripts/with-postgres.sh sh -c '.venv/bin/python bench/frontdesk.py --url "$POLYMODAL_TEST_DATABASE_URL"'

Generates the center once (reused when it already holds data), then times each query the way the clients
page asks it (read-only work as a front-desk user, 26 rows) and prints the median and worst of ``--runs``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time

import generate
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from polymodal.core.access import Actor
from polymodal.core.models import User
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.services import clients
from polymodal.web.controllers.schedule_views import Period, calendar_context

SEARCHES = ("a", "sm", "maria", "maria gar", "gar mar", "Marí", "555-01", "(213) 555-0142", "example.org")


def timed(practice: Practice, actor: Actor, fn, runs: int) -> tuple[float, float, int]:
    times, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        with practice.work(actor, write=False) as work:
            rows = len(fn(work))
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, max(times) * 1000, rows


def calendar_context_lanes(practice: Practice, actor: Actor, period: Period) -> list:
    with practice.work(actor, write=False) as work:
        return calendar_context(work, period)["lanes"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="sqlite:///bench/data/frontdesk.db")
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--force", action="store_true", help="generate the center again")
    args = parser.parse_args(argv)
    try:
        generate.generate(args.url, clients=args.clients, sessions=args.sessions, notes=1000, quiet=True,
                          force=args.force)
    except generate.NotEmpty:
        pass  # reuse the center generated before
    practice = Practice(get_plugin_manager(), engine=generate.make_engine(args.url))
    with DbSession(practice.engine) as db:
        actor = Actor.of(db.scalars(select(User).where(User.username == "desk1")).one())
    print(f"client search at {args.clients:,} clients on {practice.engine.dialect.name}, median / worst of "
          f"{args.runs} runs, 26 rows asked")
    print(f"{'query':<20}{'rows':>6}{'median ms':>12}{'worst ms':>10}")
    for query in SEARCHES:
        median, worst, rows = timed(practice, actor, lambda w, q=query: clients.search_clients(w, q, limit=26), args.runs)
        print(f"{query!r:<20}{rows:>6}{median:>12.1f}{worst:>10.1f}")
    day = generate.DEFAULT_TODAY - dt.timedelta(days=generate.DEFAULT_TODAY.weekday() + 7)  # a busy past Monday
    for by in ("practitioner", "room"):
        period = Period.parse("day", day.isoformat(), "all", "", by=by)

        def grid(work, period=period):
            context = calendar_context(work, period)
            return [card for lane in context["lanes"] for card in lane["cards"]]

        median, worst, cards = timed(practice, actor, grid, args.runs)
        lanes = len(calendar_context_lanes(practice, actor, period))
        print(f"calendar day view, a column per {by} ({lanes} columns, {cards} sessions): "
              f"median {median:.1f} ms, worst {worst:.1f} ms")
    practice.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
