"""Retention: due dates per jurisdiction, legal holds, and destruction that leaves a tombstone and a
verifiable audit trail. Time comes from the practice's clock, set to the dates each case needs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from polymodal.core import audit, waitlist
from polymodal.core.access import Actor
from polymodal.core.errors import AccessDenied, ValidationFailed
from polymodal.core.models import (
    AssessmentResult,
    AuditEvent,
    Base,
    Center,
    Client,
    ClientConsentState,
    ConsentRecord,
    FormResponse,
    Note,
    NoteAddendum,
    NoteCosignature,
)
from polymodal.core.retention import destroy, due, holds
from polymodal.core.retention.models import Destruction
from polymodal.core.retention.rules import DEFAULT, RULES, due_date, rule_for
from polymodal.core.safety import plans
from polymodal.core.services import assessments, cases, clients, consent, forms, notes, scheduling

CANARY = "CANARY-RETAIN-7731"
BEGAN = dt.datetime(2016, 5, 10, 17, 0, tzinfo=dt.UTC)  # 10:00 in Los Angeles


def on(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


# --- the rules, by themselves ---------------------------------------------------------------------

ADULT = {"born": on("1980-01-01"), "first_contact": on("2015-01-10"), "last_contact": on("2018-06-30"),
         "consent_ended": None}
MINOR = {"born": on("2005-03-15"), "first_contact": on("2015-01-10"), "last_contact": on("2016-02-01"),
         "consent_ended": None}


@pytest.mark.parametrize(("jurisdiction", "adult", "minor"), [
    ("US-CA", "2025-06-30", "2030-03-15"),  # 7 after last contact; a minor's 7 after 18
    ("US-NY", "2024-06-30", "2027-03-15"),  # 6 after; a minor's until one year after 21
    ("US-TX", "2025-06-30", "2028-03-15"),  # 7 after; a minor's 5 after 18
    ("US-FL", "2025-06-30", "2026-03-15"),  # 7 after; a minor's 3 after 18 (APA, no Florida term found)
    ("US-OR", "2025-06-30", "2026-03-15"),  # no rule on file: the APA guideline
])
def test_due_dates_for_adults_and_minors_per_jurisdiction(jurisdiction, adult, minor):
    rule = rule_for(jurisdiction)
    assert due_date(rule, majority=18, **ADULT).on == on(adult)
    assert due_date(rule, majority=18, **MINOR).on == on(minor)


def test_a_minor_seen_close_to_majority_is_kept_by_the_later_term():
    # Texas: seen at 17, last on 2022-06-01; 5 years after 18 is 2028-03-15, 7 after last contact is later.
    late = {**MINOR, "last_contact": on("2022-06-01")}
    decided = due_date(RULES["US-TX"], majority=18, **late)
    assert decided.on == on("2029-06-01") and "after last contact" in decided.because


def test_the_default_counts_from_the_centers_age_of_majority_and_a_leap_day_never_comes_early():
    born_leap = {**MINOR, "born": on("2004-02-29")}
    assert due_date(DEFAULT, majority=19, **born_leap).on == on("2026-03-01")  # 19 + 3 years, no 29 February
    assert rule_for("de-be") is DEFAULT and rule_for(" us-ca ") is RULES["US-CA"]


def test_a_signed_authorization_is_kept_six_years_after_it_ended():
    revoked_late = {**ADULT, "consent_ended": on("2020-01-01")}
    decided = due_date(RULES["US-CA"], majority=18, **revoked_late)
    assert decided.on == on("2026-01-01") and "authorization" in decided.because


def test_every_rule_names_its_sources():
    for rule in (*RULES.values(), DEFAULT):
        assert rule.sources and all(len(s) > 20 for s in rule.sources)


# --- the service, on a database ---------------------------------------------------------------------


@pytest.fixture
def records(practice, staff, clock):
    """Ada (adult) and Ben (a minor then), both seen only on 2016-05-10: a full record each."""
    clock.now = BEGAN
    made = {}
    with practice.work(staff["desk"]) as work:
        for key, first, born in (("ada", "Ada", "1980-01-01"), ("ben", "Ben", "2010-06-01")):
            client = clients.register_client(work, {"legal_first_name": first, "legal_last_name": "Retain",
                                                    "date_of_birth": born, "email": f"{key}@example.org"})
            case = cases.open_case(work, title=f"{first}'s work", kind="individual", client_ids=[client.id],
                                   practitioner_ids=[staff["trainee"].user_id])
            made[key], made[f"{key}_case"] = client.id, case.id
        consent.record_consent(work, made["ada"], "clinic/informed", signer_name="Ada Retain")
        waitlist.add_entry(work, {"client_id": made["ada"], "modality_key": "clinic/therapy", "note": CANARY})
    with practice.work(staff["trainee"]) as work:
        for key in ("ada", "ben"):
            note = notes.start_note(work, made[f"{key}_case"], "clinic/dap")
            notes.save_draft(work, note.id, {"data": CANARY, "assessment": "a", "plan": "p"}, note.revision)
            notes.sign_note(work, note.id)
            made[f"{key}_note"] = note.id
        notes.add_addendum(work, made["ada_note"], f"{CANARY} addendum")
        forms.submit_form(work, made["ada"], "clinic/intake", {"concern": CANARY, "seizures": False})
        assessments.record_assessment(work, made["ada"], "clinic/mini", {"i1": "1", "i2": "1", "risk": "0"})
        plans.write(work, made["ada"], {**{key: "step" for key in plans.STEP_KEYS}, "warning_signs": CANARY,
                                        "reviewed_on": "2016-05-10"})
    with practice.work(staff["super"]) as work:
        notes.cosign(work, made["ada_note"])
    return made


def names_due(practice, actor):
    with practice.work(actor, write=False) as work:
        return [r.name for r in due.review(work).due]


def test_an_adult_record_is_due_seven_years_after_last_contact_in_california(practice, staff, clock, records):
    # Ada's consent to treatment lapsed a year after signing: kept six years after that, the same day.
    clock.now = dt.datetime(2023, 5, 9, 17, 0, tzinfo=dt.UTC)
    assert names_due(practice, staff["admin"]) == []
    clock.now = dt.datetime(2023, 5, 10, 17, 0, tzinfo=dt.UTC)
    assert names_due(practice, staff["admin"]) == ["Ada Retain"]  # Ben, a minor then, waits until 25
    clock.now = dt.datetime(2035, 6, 1, 17, 0, tzinfo=dt.UTC)
    assert names_due(practice, staff["admin"]) == ["Ada Retain", "Ben Retain"]


def test_the_jurisdiction_comes_from_the_center(practice, staff, clock, records):
    with practice.work(Actor.system("test")) as work:
        work.db.scalars(select(Center)).one().jurisdiction = "US-NY"
    # Ben, born 2010-06-01 and seen as a child: New York keeps his record until a year after he turns 21
    # (California until he is 25).
    clock.now = dt.datetime(2032, 6, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff["admin"], write=False) as work:
        review = due.review(work)
    assert review.rule.key == "US-NY" and [r.name for r in review.due] == ["Ada Retain", "Ben Retain"]
    assert review.due[1].due.on == on("2032-06-01")


def test_a_hold_on_the_client_or_a_case_keeps_the_record_off_the_list_until_lifted(practice, staff, clock,
                                                                                   records):
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff["admin"]) as work:
        case_hold = holds.place_hold(work, case_id=records["ada_case"], reason="Subpoena 24-CV-118 received")
        client_hold = holds.place_hold(work, client_id=records["ada"], reason="Litigation notice from counsel")
    with practice.work(staff["admin"], write=False) as work:
        review = due.review(work)
        assert review.due == [] and [r.name for r in review.held] == ["Ada Retain"]
    with practice.work(staff["admin"]) as work:
        holds.lift_hold(work, case_hold.id, "Case settled; counsel confirmed in writing")
    assert names_due(practice, staff["admin"]) == []  # the client's own hold still stands
    with practice.work(staff["admin"]) as work:
        holds.lift_hold(work, client_hold.id, "Litigation closed; counsel confirmed")
    assert names_due(practice, staff["admin"]) == ["Ada Retain"]
    with practice.work(staff["admin"], write=False) as work:
        assert holds.holds_in_force(work) == []
        events = work.db.execute(select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.reason)
                                 .where(AuditEvent.action.like("legal_hold.%")).order_by(AuditEvent.seq)).all()
    assert [(e.action, e.actor_name) for e in events] == [("legal_hold.place", "admin")] * 2 + [
        ("legal_hold.lift", "admin")] * 2
    assert events[0].reason == "Subpoena 24-CV-118 received"


def test_a_held_record_cannot_be_destroyed(practice, staff, clock, records):
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff["admin"]) as work:
        holds.place_hold(work, case_id=records["ada_case"], reason="Subpoena 24-CV-118 received")
    with practice.work(staff["admin"]) as work, pytest.raises(ValidationFailed) as refused:
        destroy.destroy(work, [records["ada"]], "Retention period ended; reviewed by the admin")
    assert "client" in refused.value.errors


def all_text(practice) -> str:
    with practice.engine.connect() as conn:
        return "\n".join(str(row) for table in Base.metadata.sorted_tables
                         for row in conn.execute(table.select()))


def test_destruction_removes_clinical_content_and_leaves_a_tombstone_the_audit_trail_still_verifies(
        practice, staff, clock, records):
    assert CANARY in all_text(practice)
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff["admin"]) as work:
        (tombstone,) = destroy.destroy(work, [records["ada"]], "Retention period ended; reviewed by the admin")
    with practice.work(staff["admin"], write=False) as work:
        db = work.db
        # the dashboard's consent state goes with the signatures it was read from
        for model in (FormResponse, AssessmentResult, ConsentRecord, ClientConsentState):
            assert db.scalars(select(model).where(model.client_id == records["ada"])).all() == []
        assert db.get(Note, records["ada_note"]) is None
        assert db.scalars(select(NoteAddendum)).all() == [] and db.scalars(select(NoteCosignature)).all() == []
        assert db.get(Note, records["ben_note"]) is not None  # another client's record is untouched
        stone = db.get(Destruction, tombstone.id)
        assert (stone.client_id, stone.rule_key, stone.destroyed_by) == (records["ada"], "US-CA",
                                                                        staff["admin"].user_id)
        assert stone.destroyed_at == clock.now and stone.completed_at == clock.now
        assert stone.due_on == on("2023-05-10") and stone.last_contact_on == on("2016-05-10")
        assert stone.destroyed == {"notes": 1, "note_addenda": 1, "note_cosignatures": 1, "intake_answers": 1,
                                   "assessments": 1, "consents": 1, "safety_plans": 1, "waitlist_entries": 1}
        ada = db.get(Client, records["ada"])
        assert (ada.legal_first_name, ada.email, ada.restricted) == ("Ada", "", True)
        assert "example" not in ada.search_contact  # the search index forgot the address too
        assert audit.verify(db).ok
        (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "retention.destroy")).all()
        assert event.client_id == records["ada"] and "US-CA" in event.reason
    remaining = all_text(practice)
    assert remaining.count(CANARY) == 1  # Ben's note; nothing of Ada's
    assert names_due(practice, staff["admin"]) == []  # destroyed once, never listed again


def test_a_record_not_due_is_refused_and_nothing_is_destroyed(practice, staff, clock, records):
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff["admin"]) as work, pytest.raises(ValidationFailed) as refused:
        destroy.destroy(work, [records["ada"], records["ben"]], "Retention period ended; reviewed")
    assert "Retain" in refused.value.errors["client"]
    with practice.work(staff["admin"], write=False) as work:
        assert work.db.get(Note, records["ada_note"]) is not None
        assert work.db.scalars(select(Destruction)).all() == []


@pytest.mark.parametrize(("reason", "message"), [("", "at least 10"), ("ok", "at least 10"),
                                                 ("<b>court</b> order ended", "plain text")])
def test_destruction_needs_a_plain_typed_reason(practice, staff, clock, records, reason, message):
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff["admin"]) as work, pytest.raises(ValidationFailed) as refused:
        destroy.destroy(work, [records["ada"]], reason)
    assert message in refused.value.errors["reason"]


@pytest.mark.parametrize("user", ["desk", "trainee", "super"])
def test_only_an_admin_reviews_holds_or_destroys(practice, staff, clock, records, user):
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff[user], write=False) as work, pytest.raises(AccessDenied):
        due.review(work)
    with practice.work(staff[user]) as work, pytest.raises(AccessDenied):
        holds.place_hold(work, client_id=records["ada"], reason="Litigation notice from counsel")
    with practice.work(staff[user]) as work, pytest.raises(AccessDenied):
        destroy.destroy(work, [records["ada"]], "Retention period ended; reviewed")
    with practice.work(staff["admin"], write=False) as work:
        assert work.db.get(Note, records["ada_note"]) is not None


def test_a_shared_note_goes_with_the_last_client_of_its_case(practice, staff, clock):
    clock.now = BEGAN
    with practice.work(staff["desk"]) as work:
        pair = [clients.register_client(work, {"legal_first_name": n, "legal_last_name": "Pair",
                                               "date_of_birth": "1975-01-01"}).id for n in ("Cy", "Di")]
        case = cases.open_case(work, title="Couple", kind="couple", client_ids=pair,
                               practitioner_ids=[staff["other"].user_id])
    with practice.work(staff["other"]) as work:
        note = notes.start_note(work, case.id, "clinic/dap")
        notes.save_draft(work, note.id, {"data": "joint", "assessment": "a", "plan": "p"}, note.revision)
        notes.sign_note(work, note.id)
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff["admin"]) as work:
        destroy.destroy(work, [pair[0]], "Retention period ended; reviewed by the admin")
    with practice.work(staff["admin"], write=False) as work:
        assert work.db.get(Note, note.id) is not None  # Di's record still holds it
    with practice.work(staff["admin"]) as work:
        destroy.destroy(work, [pair[1]], "Retention period ended; reviewed by the admin")
    with practice.work(staff["admin"], write=False) as work:
        assert work.db.get(Note, note.id) is None


def test_outside_a_destruction_signed_records_and_tombstones_still_cannot_be_deleted(practice, staff, clock,
                                                                                     records):
    for statement in ("DELETE FROM notes", "DELETE FROM note_addenda", "DELETE FROM consent_records",
                      "DELETE FROM note_cosignatures"):
        with pytest.raises(DBAPIError), practice.engine.begin() as conn:
            conn.execute(text(statement))
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff["admin"]) as work:
        destroy.destroy(work, [records["ada"]], "Retention period ended; reviewed by the admin")
    for statement in ("UPDATE retention_destructions SET reason = 'x'", "DELETE FROM retention_destructions",
                      "DELETE FROM notes"):
        with pytest.raises(DBAPIError), practice.engine.begin() as conn:
            conn.execute(text(statement))


def test_the_cli_lists_the_same_records_as_the_page(practice, staff, clock, records, monkeypatch, capsys):
    from polymodal.core import cli

    monkeypatch.setattr(cli, "_practice", lambda: practice)  # the test's database and fixed clock
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    assert cli.main(["retention", "due", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["rule"] == "US-CA" and listed["today"] == "2024-01-01"
    assert [(r["name"], r["due_on"]) for r in listed["records"]] == [("Ada Retain", "2023-05-10")]
    with practice.work(staff["admin"]) as work:
        holds.place_hold(work, client_id=records["ada"], reason="Litigation notice from counsel")
    assert cli.main(["retention", "due", "--held"]) == 0
    out = capsys.readouterr().out
    assert "0 record(s) due" in out and "Ada Retain" in out and "HELD" in out


def test_a_later_migration_that_lifts_and_restores_the_note_triggers_keeps_destruction_possible(
        practice, staff, clock, records):
    # As the keyed-audit migration does: drop the rules of notes, addenda and co-signatures, then create them.
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from polymodal.core.migrations import integrity

    lifted = tuple(rule for rule in integrity.RULES if rule[1] in ("notes", "note_addenda", "note_cosignatures"))
    with practice.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        integrity.drop(lifted)
        integrity.create(lifted)
    with pytest.raises(DBAPIError), practice.engine.begin() as conn:
        conn.execute(text("DELETE FROM notes"))
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff["admin"]) as work:
        destroy.destroy(work, [records["ada"]], "Retention period ended; reviewed by the admin")
    with practice.work(staff["admin"], write=False) as work:
        assert work.db.get(Note, records["ada_note"]) is None


def test_destruction_keeps_the_dashboards_consent_gaps_true_to_the_signatures_left(practice, staff, clock, records,
                                                                                   rooms):
    # Ada's session was covered by her consent; with the signature destroyed, nothing covers it any more.
    from tests.core.test_consent_state import gaps, gaps_from_signatures

    clock.now = BEGAN
    with practice.work(staff["desk"]) as work:
        (session,) = scheduling.schedule_session(work, {
            "case_id": records["ada_case"], "modality_key": "clinic/therapy", "room_id": rooms[0],
            "starts_at": BEGAN + dt.timedelta(hours=1), "outside_hours": True})
    with practice.work(staff["admin"], write=False) as work:
        assert gaps(work.db) == gaps_from_signatures(work.db, work.registry) == set()
    clock.now = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC)
    with practice.work(staff["admin"]) as work:
        destroy.destroy(work, [records["ada"]], "Retention period ended; reviewed by the admin")
    with practice.work(staff["admin"], write=False) as work:
        assert gaps(work.db) == gaps_from_signatures(work.db, work.registry) == {
            (session.id, records["ada"], "clinic/informed", session.starts_at)}
