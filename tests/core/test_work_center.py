"""Work.center: read once per transaction, and never behind a lock another request's transaction can hold.

bench/run.py found the schedule page deadlocking under 32 connections on SQLite: functools.cached_property
(Python 3.11) serialised every request's first ``work.center`` on one lock, while the query inside waited
for SQLite's write lock, held by a request that was itself waiting for that first lock.
"""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace

from polymodal.core.access import Actor
from polymodal.core.practice import Work

CENTER = SimpleNamespace(name="Center", timezone="UTC")


class Db:
    def __init__(self, entered: threading.Event | None = None, release: threading.Event | None = None) -> None:
        self.entered, self.release, self.queries = entered, release, 0

    def scalars(self, _statement):
        self.queries += 1
        if self.entered is not None:
            self.entered.set()
            self.release.wait(10)  # a query waiting for a lock (SQLite's write lock in the deadlock)
        return SimpleNamespace(first=lambda: CENTER)


def work(db: Db) -> Work:
    return Work(practice=None, db=db, actor=Actor(user_id=None, username="t", roles=frozenset(), origin="t"),
                now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_the_center_is_read_once_per_transaction():
    w = work(Db())
    assert w.center is CENTER and w.center is CENTER
    assert w.db.queries == 1


def test_one_transactions_center_does_not_wait_for_anothers():
    entered, release, done = threading.Event(), threading.Event(), threading.Event()
    slow = work(Db(entered, release))
    blocked = threading.Thread(target=lambda: slow.center, daemon=True)
    blocked.start()
    assert entered.wait(5)
    other = threading.Thread(target=lambda: (work(Db()).center, done.set()), daemon=True)
    other.start()
    try:
        assert done.wait(5), "a second request's work.center waited for the first one's query"
    finally:
        release.set()
        blocked.join(5)
        other.join(5)


def test_read_only_work_sees_the_centers_columns_as_last_committed(practice):
    # Read-only work gets the center's columns (no ORM load), never a copy kept from an earlier transaction:
    # a zone changed by the admin is the zone of the next page.
    from polymodal.core.practice import CenterFacts
    from polymodal.core.services.center import setup_center

    reader = Actor.system("test")
    with practice.work(reader, write=False) as work:
        seen = work.center
        assert isinstance(seen, CenterFacts) and work.center is seen
        assert (seen.name, seen.timezone, seen.jurisdiction, seen.minor_consent_age) == (
            "Test Center", "America/Los_Angeles", "US-CA", 12)
    with practice.work(reader) as work:
        setup_center(work, {"name": "Test Center", "timezone": "Europe/Lisbon",
                            "jurisdiction": "PT", "minor_consent_age": 16})
        assert work.center.timezone == "Europe/Lisbon"  # the ORM object, changed in this transaction
    with practice.work(reader, write=False) as work:
        assert (work.center.timezone, work.center.jurisdiction, work.center.minor_consent_age) == (
            "Europe/Lisbon", "PT", 16)
