"""The suite passes at any hour: nothing in the product or its tests reads the wall clock except the one
production clock, so every date a test sees comes from ``tests/clocks.py``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from polymodal.core.access import Actor
from polymodal.core.models import Client
from polymodal.core.services import clients
from tests.clocks import FIXED_NOW, Clock

ROOT = Path(__file__).resolve().parents[2]
WALL_CLOCK = re.compile(r"\b(?:datetime|dt)\.(?:datetime\.)?(?:now|utcnow|today)\(|\bdate\.today\(|\btime\.time\(")
# The production default clock; everything else asks the practice (``work.now``).
ALLOWED = {"core/models/_base.py"}


def test_no_wall_clock_reads_outside_the_production_clock():
    readers = []
    for folder in ("core", "web", "plugins", "examples", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ALLOWED:
                continue
            readers += [f"{rel}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1)
                        if WALL_CLOCK.search(line)]
    assert readers == []


def test_records_are_stamped_with_the_practice_clock(make_practice, load_plugin):
    practice = make_practice(("clinic", load_plugin("clinic")))
    practice.clock = Clock(FIXED_NOW - dt.timedelta(days=400))
    with practice.work(Actor.system("test")) as work:
        client = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Byron",
                                                "date_of_birth": "1990-01-01"})
    with practice.work(Actor.system("test"), write=False) as work:
        assert work.db.get(Client, client.id).created_at == FIXED_NOW - dt.timedelta(days=400)


def test_a_birth_date_after_the_practice_today_is_refused_whatever_the_server_date(make_practice, load_plugin):
    practice = make_practice(("clinic", load_plugin("clinic")))
    practice.clock = Clock(dt.datetime(2001, 6, 1, 12, tzinfo=dt.UTC))
    with practice.work(Actor.system("test")) as work:
        try:
            clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Byron",
                                           "date_of_birth": "2010-01-01"})
        except clients.ValidationFailed as exc:
            assert "date_of_birth" in str(exc.errors)
        else:
            raise AssertionError("a birth date nine years after the practice's today was accepted")
