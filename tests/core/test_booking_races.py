"""Concurrent bookings of one practitioner or room for one slot: exactly one wins each race.

On PostgreSQL two transactions each ran the clash check before the other's session was committed, so
both booked (issue 12: 29 of 30 races double-booked). SQLite's single write lock already serialises
writers, so the race only runs on PostgreSQL.
"""

import datetime as dt
import threading
from collections.abc import Callable
from functools import partial

import pytest

from polymodal.core.access import Actor
from polymodal.core.errors import Conflict
from polymodal.core.practice import Work
from polymodal.core.services import cases, clients, scheduling, users
from tests.conftest import PASSWORD

RACERS = 10
RACES = 30


@pytest.fixture
def racers(practice, staff):
    """One client, case and practitioner per racer, so only the shared practitioner or room can clash."""
    if practice.engine.dialect.name == "sqlite":
        pytest.skip("SQLite's write lock serialises bookings; the race needs PostgreSQL")
    people = []
    with practice.work(Actor.system("test")) as work:
        for i in range(RACERS):
            user = users.create_user(work, {"username": f"racer{i}", "display_name": f"Racer {i}",
                                            "password": PASSWORD, "roles": ["practitioner"],
                                            "disciplines": ["psychotherapy"]})
            # Qualified for the fixture's therapy, so the only refusal left is the clash the race is about.
            users.add_credential(work, user.id, "LMFT", f"R{i}", "US-CA", None)
            client = clients.register_client(work, {"legal_first_name": f"Client{i}", "legal_last_name": "Race",
                                                    "date_of_birth": "1990-01-01"})
            case = cases.open_case(work, title=f"Race {i}", kind="individual", client_ids=[client.id],
                                   practitioner_ids=[user.id, staff["super"].user_id])
            people.append((case.id, user.id))
    return people


def race(practice, actor, attempts: list[Callable[[Work], object]]) -> tuple[int, int]:
    """Run the attempts at once, each in its own transaction; (succeeded, refused as a clash)."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt(change: Callable[[Work], object]) -> None:
        try:
            # All start at once; a writer takes the audit chain's lock as its work begins (Practice.work), so
            # the others wait for it there and then see what it committed.
            barrier.wait()
            with practice.work(actor) as work:
                change(work)
            outcomes.append("done")
        except Conflict:
            outcomes.append("refused")
        except BaseException as exc:  # a deadlock or a lost connection must fail the test, not vanish
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(change,)) for change in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return outcomes.count("done"), outcomes.count("refused")


@pytest.mark.parametrize("shared", ["practitioner", "room"])
def test_concurrent_bookings_of_one_slot_book_exactly_one(practice, staff, rooms, racers, shared):
    results = []
    for n in range(RACES):
        start = dt.datetime(2026, 4, 1, 9, 0) + dt.timedelta(days=n)
        if shared == "practitioner":  # by video, so no room is shared
            extra = {"practitioner_ids": [staff["super"].user_id], "delivery": "video"}
            bookings = [{"case_id": case_id, **extra} for case_id, _ in racers]
        else:
            bookings = [{"case_id": case_id, "practitioner_ids": [user_id], "room_id": rooms[0]}
                        for case_id, user_id in racers]
        bookings = [{**b, "modality_key": "clinic/therapy", "starts_at": start} for b in bookings]
        results.append(race(practice, staff["desk"], [partial(book, data=b) for b in bookings]))
    print(f"{shared}: races with more than one booking: {sum(b > 1 for b, _ in results)} of {RACES}; "
          f"bookings per race {sorted(b for b, _ in results)}")
    assert results == [(1, RACERS - 1)] * RACES


def book(work: Work, data: dict) -> None:
    scheduling.schedule_session(work, data)


def move(work: Work, session_id, to: dt.datetime) -> None:
    scheduling.move_session(work, session_id, to)


def test_concurrent_moves_into_one_slot_move_exactly_one(practice, staff, racers):
    results = []
    for n in range(RACES):
        day = dt.datetime(2026, 6, 1, 9, 0) + dt.timedelta(days=n)
        session_ids = []
        with practice.work(staff["desk"]) as work:
            for i, (case_id, _) in enumerate(racers):  # each racer's session an hour apart, the same practitioner
                (session,) = scheduling.schedule_session(work, {
                    "case_id": case_id, "modality_key": "clinic/therapy", "delivery": "video",
                    "practitioner_ids": [staff["super"].user_id], "starts_at": day + dt.timedelta(hours=i + 1)})
                session_ids.append(session.id)
        results.append(race(practice, staff["desk"], [partial(move, session_id=sid, to=day) for sid in session_ids]))
    print(f"moves: races with more than one move: {sum(m > 1 for m, _ in results)} of {RACES}")
    assert results == [(1, RACERS - 1)] * RACES
