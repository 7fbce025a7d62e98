"""The waitlist: who fits a freed slot, longest waiting first; booking through the scheduling service."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from polymodal.core import waitlist
from polymodal.core.errors import Conflict, ValidationFailed
from polymodal.core.models import AuditEvent, CareTeamMember, Case, Session, WaitlistEntry
from polymodal.core.services import cases, clients, scheduling
from tests.plans import plans_of

MONDAY_10 = dt.datetime(2026, 3, 9, 10, 0)  # local time in Los Angeles, a week after the fixed clock


def _client(work, first, last="Waiting"):
    return clients.register_client(work, {"legal_first_name": first, "legal_last_name": last,
                                          "date_of_birth": "1990-01-01"})


@pytest.fixture
def people(practice, staff):
    with practice.work(staff["desk"]) as work:
        return {first: _client(work, first).id for first in ("Ann", "Ben", "Cy")}


@pytest.fixture(autouse=True)
def _a_day_between_entries(clock, monkeypatch):
    """Each entry is added a day after the one before, so who has waited longest is plain."""
    monkeypatch.setattr(ADDED, "clock", clock)


class ADDED:
    clock = None


def add(practice, actor, client_id, **extra):
    with practice.work(actor) as work:
        entry_id = waitlist.add_entry(work, {"client_id": client_id, "modality_key": "clinic/therapy", **extra}).id
    ADDED.clock.advance(days=1)
    return entry_id


def names(practice, actor, starts_at=MONDAY_10, practitioner="super", staff=None, **extra):
    with practice.work(actor, write=False) as work:
        found = waitlist.candidates(work, starts_at=starts_at, practitioner_id=staff[practitioner].user_id, **extra)
    return [c.entry.client_name for c in found]


def test_candidates_fit_the_slot_and_the_longest_waiting_come_first(practice, staff, people):
    desk = staff["desk"]
    add(practice, desk, people["Cy"])  # added first: waiting longest, any day, any time
    add(practice, desk, people["Ann"], weekdays=["0", "2"], earliest="09:00", latest="12:00")
    add(practice, desk, people["Ben"], practitioner_id=str(staff["other"].user_id))
    assert names(practice, desk, staff=staff) == ["Cy Waiting", "Ann Waiting"]  # Ben waits for Other
    assert names(practice, desk, staff=staff, practitioner="other") == ["Cy Waiting", "Ann Waiting",
                                                                        "Ben Waiting"]
    # Tuesday is not one of Ann's days; 11:30 plus the 50-minute hour ends after her 12:00.
    assert names(practice, desk, staff=staff, starts_at=MONDAY_10 + dt.timedelta(days=1)) == ["Cy Waiting"]
    assert names(practice, desk, staff=staff, starts_at=MONDAY_10.replace(hour=11, minute=30)) == ["Cy Waiting"]
    assert names(practice, desk, staff=staff, starts_at=MONDAY_10.replace(hour=11)) == ["Cy Waiting",
                                                                                       "Ann Waiting"]
    # The masseur practises no therapy: nobody on this list fits their slots.
    assert names(practice, desk, staff=staff, practitioner="masseur") == []


def test_booking_a_candidate_goes_through_scheduling_and_leaves_the_list_with_history(practice, staff, people,
                                                                                      rooms):
    desk = staff["desk"]
    entry_id = add(practice, desk, people["Ann"], note="Prefers <b>mornings</b>")
    with practice.work(desk) as work:
        (session,) = waitlist.book_entry(work, entry_id, starts_at=MONDAY_10, practitioner_id=staff["super"].user_id,
                                         room_id=rooms[0])
        session_id = session.id
    with practice.work(desk, write=False) as work:
        assert waitlist.waiting(work) == []
        (done,) = waitlist.history(work)
        assert (done.status, done.session_id, done.note) == ("booked", session_id, "Prefers <b>mornings</b>")
        booked = work.db.get(Session, session_id)
        case = work.db.get(Case, booked.case_id)
        # A first appointment: a case was opened for it, named by the modality, and Super joined the team.
        assert (case.title, case.kind) == ("Therapy", "individual")
        assert booked.ends_at - booked.starts_at == dt.timedelta(minutes=50)
        assert work.db.get(CareTeamMember, (people["Ann"], staff["super"].user_id)) is not None
        actions = set(work.db.scalars(select(AuditEvent.action).where(AuditEvent.client_id == people["Ann"])))
    assert {"waitlist.add", "waitlist.book", "case.open", "session.schedule"} <= actions
    with pytest.raises(Conflict, match="booked already"), practice.work(desk) as work:
        waitlist.book_entry(work, entry_id, starts_at=MONDAY_10, practitioner_id=staff["super"].user_id)


def test_a_clash_refuses_the_booking_and_the_client_stays_waiting(practice, staff, people, rooms):
    desk = staff["desk"]
    with practice.work(desk) as work:
        case = cases.open_case(work, title="Cy", kind="individual", client_ids=[people["Cy"]],
                               practitioner_ids=[staff["super"].user_id])
        scheduling.schedule_session(work, {"case_id": case.id, "modality_key": "clinic/therapy",
                                           "starts_at": MONDAY_10, "room_id": rooms[0]})
    entry_id = add(practice, desk, people["Ann"])
    with pytest.raises(Conflict, match="Super is already booked"), practice.work(desk) as work:
        waitlist.book_entry(work, entry_id, starts_at=MONDAY_10, practitioner_id=staff["super"].user_id,
                            room_id=rooms[1])
    with practice.work(desk, write=False) as work:
        assert [e.client_name for e in waitlist.waiting(work)] == ["Ann Waiting"]
        assert work.db.scalar(select(Case.id).where(Case.title == "Therapy")) is None  # rolled back with it


def test_an_entry_in_a_case_books_in_that_case(practice, staff, people, rooms):
    desk = staff["desk"]
    with practice.work(desk) as work:
        case_id = cases.open_case(work, title="Ann's therapy", kind="individual", client_ids=[people["Ann"]],
                                  practitioner_ids=[staff["super"].user_id]).id
    entry_id = add(practice, desk, people["Ann"], case_id=str(case_id))
    with practice.work(desk) as work:
        (session,) = waitlist.book_entry(work, entry_id, starts_at=MONDAY_10, practitioner_id=staff["super"].user_id,
                                         room_id=rooms[0])
        assert session.case_id == case_id


def test_bad_input_is_named_field_by_field_all_at_once(practice, staff, people):
    with pytest.raises(ValidationFailed) as err:
        add(practice, staff["desk"], people["Ann"], modality_key="nope/nothing", practitioner_id="someone",
            weekdays=["0", "9"], earliest="9am", latest="", note="x" * 501, case_id="not-a-case")
    assert set(err.value.errors) == {"modality_key", "practitioner_id", "weekdays", "earliest", "note", "case_id"}
    assert all("[" not in m and "pattern" not in m for m in err.value.errors.values())
    with pytest.raises(ValidationFailed) as err:
        add(practice, staff["desk"], people["Ann"], earliest="12:00", latest="09:00")
    assert err.value.errors == {"latest": "The latest time must be after the earliest."}
    add(practice, staff["desk"], people["Ann"])
    with pytest.raises(ValidationFailed, match="already waiting for Therapy"):
        add(practice, staff["desk"], people["Ann"])


def test_removing_needs_a_reason_and_keeps_the_entry(practice, staff, people):
    entry_id = add(practice, staff["desk"], people["Ann"])
    with pytest.raises(ValidationFailed) as err, practice.work(staff["desk"]) as work:
        waitlist.remove_entry(work, entry_id, "  ")
    assert err.value.errors == {"reason": "Say why the client leaves the waitlist."}
    with practice.work(staff["desk"]) as work:
        waitlist.remove_entry(work, entry_id, "Found a slot elsewhere")
    with practice.work(staff["desk"], write=False) as work:
        entry = work.db.get(WaitlistEntry, entry_id)
        assert (entry.status, entry.close_reason, entry.closed_by) == ("removed", "Found a slot elsewhere",
                                                                      staff["desk"].user_id)
        assert [e.status for e in waitlist.entries_of_client(work, people["Ann"])] == ["removed"]


def test_a_practitioner_sees_only_their_care_teams_clients(practice, staff, people):
    add(practice, staff["desk"], people["Ann"])
    with practice.work(staff["other"], write=False) as work:
        assert waitlist.waiting(work) == []


def test_finding_candidates_costs_the_same_statements_however_long_the_list(practice, staff, clock):
    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(practice.engine, "before_cursor_execute", listener)
        try:
            with practice.work(staff["desk"], write=False) as work:
                waitlist.candidates(work, starts_at=MONDAY_10, practitioner_id=staff["super"].user_id, limit=50)
                waitlist.waiting(work)
        finally:
            event.remove(practice.engine, "before_cursor_execute", listener)
        return len(seen)

    def fill(count: int, last: str) -> None:
        with practice.work(staff["desk"]) as work:
            for i in range(count):
                waitlist.add_entry(work, {"client_id": _client(work, f"P{i}", last).id,
                                          "modality_key": "clinic/therapy"})

    fill(2, "Few")
    few = statements()
    fill(30, "Many")
    assert statements() == few


def test_the_record_export_carries_the_waitlist_and_erasure_takes_the_client_off_it(practice, staff, people):
    from polymodal.core.services import privacy

    add(practice, staff["desk"], people["Ann"], note="Call her mobile after 6pm")
    with practice.work(staff["desk"]) as work:  # the trainee exports as a member of Ann's care team
        cases.open_case(work, title="Ann", kind="individual", client_ids=[people["Ann"]],
                        practitioner_ids=[staff["trainee"].user_id])
    with practice.work(staff["trainee"]) as work:
        exported = privacy.export_record(work, people["Ann"])
    assert [(w["modality_key"], w["note"]) for w in exported["waitlist"]] == [("clinic/therapy",
                                                                                "Call her mobile after 6pm")]
    with practice.work(staff["admin"]) as work:
        counts = privacy.erase_client(work, people["Ann"])
    assert counts["waitlist_entries"] == 1
    with practice.work(staff["desk"], write=False) as work:
        entry = work.db.scalars(select(WaitlistEntry).where(WaitlistEntry.client_id == people["Ann"])).one()
        assert (entry.status, entry.close_reason, entry.note) == ("removed", "Erasure requested", "")
    assert names(practice, staff["desk"], staff=staff) == []


def test_a_practitioners_waitlist_reads_their_clients_entries_not_every_clients(practice, staff, people, engine):
    # With the access filter alone, SQLite read a practitioner's waitlist history by walking every client of the
    # center and checking each one's care team: 150 ms at 100,000 clients, with no entry at all.
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    with engine.begin() as conn:  # the statistics of the benchmark's center (ANALYZE with an empty waitlist)
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("DELETE FROM sqlite_stat1")
        conn.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES ('clients', 'sqlite_autoindex_clients_1', '100000 1'), "
                             "('care_team_members', 'ix_care_team_members_user_id', '194933 3249'), "
                             "('care_team_members', 'sqlite_autoindex_care_team_members_1', '194933 2 1')")
    engine.dispose()  # connections read the statistics when they open

    def read() -> None:
        with practice.work(staff["trainee"], write=False) as work:
            waitlist.waiting(work)
            waitlist.history(work)

    plans = plans_of(engine, read, ("FROM waitlist_entries",))
    assert len(plans) == 2
    for plan in plans:
        assert not [step for step in plan if step.startswith("SCAN clients")], plan
