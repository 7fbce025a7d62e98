"""Services behind the records areas: start-page attention panels, user administration, rooms, audit batches."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from polymodal.core import audit, eligibility
from polymodal.core.access import Actor
from polymodal.core.errors import AccessDenied, Conflict, ValidationFailed
from polymodal.core.models import AuditEvent, User
from polymodal.core.services import (
    assessments,
    attention,
    cases,
    center,
    clients,
    consent,
    forms,
    scheduling,
    users,
)
from tests.plans import plans_of


def _client(work, first, practitioner):
    c = clients.register_client(work, {"legal_first_name": first, "legal_last_name": "Test",
                                       "date_of_birth": "1990-01-01"})
    case = cases.open_case(work, title=first, kind="individual", client_ids=[c.id], practitioner_ids=[practitioner])
    return c, case


@pytest.fixture
def two_clients(practice, staff):
    with practice.work(staff["desk"]) as work:
        ada, ada_case = _client(work, "Ada", staff["trainee"].user_id)
        bo, bo_case = _client(work, "Bo", staff["other"].user_id)
    return ada, ada_case, bo, bo_case


def _audited(practice, action):
    with practice.work(Actor.system("t"), write=False) as work:
        return [e.client_id for e in work.db.scalars(select(AuditEvent).where(AuditEvent.action == action))]


# --- screening and risk flags ------------------------------------------------------------

def test_flags_list_only_non_eligible_outcomes_and_flagged_results_of_visible_clients(practice, staff, two_clients):
    ada, _, bo, _ = two_clients
    with practice.work(staff["trainee"]) as work:
        forms.submit_form(work, ada.id, "clinic/intake", {"concern": "sleep", "seizures": True})
        forms.submit_form(work, ada.id, "clinic/intake", {"concern": "sleep", "seizures": False})
        assessments.record_assessment(work, ada.id, "clinic/mini", {"i1": "1", "i2": "1", "risk": "2"})
        assessments.record_assessment(work, ada.id, "clinic/mini", {"i1": "1", "i2": "1", "risk": "0"})
    with practice.work(staff["other"]) as work:
        forms.submit_form(work, bo.id, "clinic/intake", {"concern": "x", "pregnant": True})
    with practice.work(staff["trainee"]) as work:
        flags = attention.screening_and_risk(work)
    assert [(r.client_id, r.outcome) for r in flags.responses] == [(ada.id, "excluded")]
    assert len(flags.results) == 1 and flags.results[0].flags[0]["code"] == "risk"
    assert flags.results[0].legal_first_name == "Ada"
    with practice.work(staff["super"]) as work:  # supervises the trainee: sees Ada, not Bo
        assert {r.client_id for r in attention.screening_and_risk(work).responses} == {ada.id}
    with practice.work(staff["other"]) as work:
        assert [r.outcome for r in attention.screening_and_risk(work).responses] == ["clearance"]
    assert set(_audited(practice, "dashboard.flags")) == {ada.id, bo.id}


def test_a_practitioners_flags_read_their_clients_records_not_every_clients(practice, staff, two_clients, engine):
    # Given only the access filter, SQLite walked every form response and result of the center and asked of each
    # whether its client was on the team: four statements of 120-140 ms each on a practitioner's start page at
    # 100,000 clients, run on the event loop.
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    def read() -> None:
        with practice.work(staff["trainee"], write=False) as work:
            attention.screening_and_risk(work)
            eligibility.risk_board(work)

    plans = plans_of(engine, read, ("FROM form_responses", "FROM assessment_results"))
    assert len(plans) == 4
    for plan in plans:
        walked = [step for step in plan if step.startswith(("SCAN form_responses", "SCAN assessment_results"))]
        assert not walked, plan
        assert any("ix_care_team_members_user_id (user_id=?)" in step for step in plan), plan


def test_flags_refused_to_front_desk_and_empty_for_admin(practice, staff, two_clients):
    ada, *_ = two_clients
    with practice.work(staff["trainee"]) as work:
        forms.submit_form(work, ada.id, "clinic/intake", {"concern": "sleep", "seizures": True})
    with pytest.raises(AccessDenied), practice.work(staff["desk"]) as work:
        attention.screening_and_risk(work)
    with practice.work(staff["admin"]) as work:  # clinical only through break the glass
        assert attention.screening_and_risk(work).responses == []


def test_old_flags_drop_off(practice, staff, two_clients, clock):
    ada, *_ = two_clients
    with practice.work(staff["trainee"]) as work:
        forms.submit_form(work, ada.id, "clinic/intake", {"concern": "sleep", "seizures": True})
    clock.advance(days=31)
    with practice.work(staff["trainee"]) as work:
        assert attention.screening_and_risk(work).responses == []


def test_risk_is_listed_first_and_never_ages_out(practice, staff, two_clients, clock):
    ada, _, bo, _ = two_clients
    with practice.work(staff["trainee"]) as work:
        forms.submit_form(work, ada.id, "clinic/intake", {"concern": "low", "harm_now": True})
        assessments.record_assessment(work, ada.id, "clinic/mini", {"i1": "0", "i2": "0", "risk": "1"})
    clock.advance(days=400)
    with practice.work(staff["trainee"]) as work:
        forms.submit_form(work, ada.id, "clinic/intake", {"concern": "sleep", "seizures": True})
        assessments.record_assessment(work, ada.id, "clinic/mini", {"i1": "3", "i2": "3", "risk": "0"})
        flags = attention.screening_and_risk(work)
    # A year on, the risk answer is still there, and above the newer exclusion.
    assert [r.outcome for r in flags.responses] == ["risk", "excluded"]
    assert [[f["code"] for f in r.flags] for r in flags.results] == [["risk"]]
    clock.advance(days=31)
    with practice.work(staff["trainee"]) as work:
        assert [r.outcome for r in attention.screening_and_risk(work).responses] == ["risk"]


def test_risk_outranks_exclusion_in_one_response(practice, staff, two_clients):
    ada, *_ = two_clients
    with practice.work(staff["trainee"]) as work:
        response = forms.submit_form(work, ada.id, "clinic/intake",
                                     {"concern": "low", "seizures": True, "harm_now": True})
    assert response.outcome == "risk"
    assert {f["code"]: f["level"] for f in response.findings} == {"clinic/seizures": "block",
                                                                  "clinic/harm-now": "block"}


# --- consents missing or expiring ---------------------------------------------------------

def _book(work, case, when):
    scheduling.schedule_session(work, {"case_id": case.id, "modality_key": "clinic/therapy", "starts_at": when,
                                       "delivery": "video"})


def test_consents_due_missing_and_expiring_for_the_next_seven_days(practice, staff, two_clients, clock):
    ada, ada_case, bo, bo_case = two_clients
    local = dt.datetime(2026, 3, 5, 10)  # three days ahead (clock: 2 March)
    with practice.work(staff["desk"]) as work:
        _book(work, ada_case, local)
        _book(work, bo_case, local + dt.timedelta(days=10))  # outside the window
    clock.advance(days=-364)  # signed a year ago less a day: active now, expired by the session
    with practice.work(staff["desk"]) as work:
        consent.record_consent(work, ada.id, "clinic/informed", signer_name="Ada Test")
    clock.advance(days=364)
    with practice.work(staff["desk"]) as work:
        due = attention.consents_due(work)
    assert [(d.client_id, d.document_key, d.status) for d in due] == [(ada.id, "clinic/informed", "expiring")]
    assert due[0].expires_at is not None and due[0].client_name == "Ada Test"
    with practice.work(staff["desk"]) as work:
        consent.record_consent(work, ada.id, "clinic/informed", signer_name="Ada Test")
        assert attention.consents_due(work) == []
        _book(work, bo_case, local + dt.timedelta(hours=3))
        assert [(d.client_id, d.status) for d in attention.consents_due(work)] == [(bo.id, "missing")]
    with practice.work(staff["trainee"]) as work:  # Bo is not on the trainee's team
        assert attention.consents_due(work) == []
    with practice.work(staff["other"]) as work:
        assert [d.client_id for d in attention.consents_due(work)] == [bo.id]
    assert bo.id in _audited(practice, "dashboard.consents")


def test_consents_due_past_a_batch_of_sessions_lists_the_earliest(practice, staff, two_clients):
    """The gaps are read 100 at a time, then 400; reading stops once the panel is full, not before."""
    ada, ada_case, bo, bo_case = two_clients
    start = dt.datetime(2026, 3, 3, 0)
    with practice.work(staff["desk"]) as work:
        for i in range(205):  # more than one batch, all Bo's: one finding
            scheduling.schedule_session(work, {"case_id": bo_case.id, "modality_key": "clinic/therapy",
                                               "starts_at": start + dt.timedelta(minutes=15 * i), "minutes": 10,
                                               "delivery": "video"})
        _book(work, ada_case, start + dt.timedelta(days=4))  # after all of Bo's
    with practice.work(staff["desk"]) as work:
        assert [d.client_id for d in attention.consents_due(work, limit=1)] == [bo.id]
        assert [d.client_id for d in attention.consents_due(work, limit=2)] == [bo.id, ada.id]


def test_revoked_consent_counts_as_missing(practice, staff, two_clients):
    ada, ada_case, *_ = two_clients
    with practice.work(staff["desk"]) as work:
        _book(work, ada_case, dt.datetime(2026, 3, 4, 10))
        record = consent.record_consent(work, ada.id, "clinic/informed", signer_name="Ada Test")
        consent.revoke_consent(work, record.id, "changed their mind")
    with practice.work(staff["desk"]) as work:
        assert [d.status for d in attention.consents_due(work)] == ["missing"]


# --- audit batches ---------------------------------------------------------------------------

@pytest.mark.parametrize("write", [True, False])
def test_audit_each_keeps_the_chain_verifiable(practice, staff, two_clients, write):
    ada, _, bo, _ = two_clients
    with practice.work(staff["desk"], write=write) as work:
        work.audit_each("dashboard.test", [ada.id, bo.id])
        work.audit_each("dashboard.test", [])
        work.audit("after.batch")
    with practice.work(Actor.system("t"), write=False) as work:
        assert audit.verify(work.db).ok
    assert _audited(practice, "dashboard.test") == [ada.id, bo.id]


# --- users, credentials, rooms --------------------------------------------------------------

def test_set_active_deactivates_and_reactivates_but_never_yourself(practice, staff):
    with practice.work(staff["admin"]) as work:
        users.set_active(work, staff["other"].user_id, False)
        assert [r.active for r in users.list_users(work) if r.username == "other"] == [False]
        with pytest.raises(Conflict):
            users.set_active(work, staff["admin"].user_id, False)
    with practice.work(staff["admin"]) as work:
        users.set_active(work, staff["other"].user_id, True)
        assert work.db.get(User, staff["other"].user_id).active
    with pytest.raises(AccessDenied), practice.work(staff["desk"]) as work:
        users.set_active(work, staff["other"].user_id, False)
    with practice.work(Actor.system("t"), write=False) as work:
        actions = list(work.db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("user.%activate")).order_by(AuditEvent.seq)))
    assert actions == ["user.deactivate", "user.activate"]


def test_credentials_expiry_duplicates_and_field_errors(practice, staff):
    with practice.work(staff["admin"]) as work:
        users.add_credential(work, staff["masseur"].user_id, "LMFT", "1", "us-ca", dt.date(2027, 1, 1))
        rows = users.credentials_of(work, staff["masseur"].user_id)
        assert [(r.type, r.jurisdiction, r.expires_on) for r in rows] == [("LMFT", "US-CA", dt.date(2027, 1, 1))]
        with pytest.raises(ValidationFailed) as dup:
            users.add_credential(work, staff["masseur"].user_id, "LMFT", "2", "US-CA", None)
        assert "type" in dup.value.errors
        with pytest.raises(ValidationFailed) as empty:
            users.add_credential(work, staff["masseur"].user_id, "", "", "US", None)
        assert set(empty.value.errors) == {"type", "number"}


def test_rooms_and_supervisors(practice, staff):
    with practice.work(staff["admin"]) as work:
        center.add_room(work, "Annex", "Garden", "1 Elm St")
        listed = [(r.location, r.name) for r in center.rooms(work)]
        assert listed == [("Annex", "Garden"), ("Main", "Cedar"), ("Main", "Willow")]
        assert [s.username for s in users.supervisors(work)] == ["super"]


def test_accounts_never_get_the_portal_role(practice, staff):
    with pytest.raises(ValidationFailed) as refused, practice.work(staff["admin"]) as work:
        users.create_user(work, {"username": "sneaky", "display_name": "S", "password": "a-long-password-1",
                                 "roles": ["front_desk", "portal_client"]})
    assert "roles" in refused.value.errors


def test_set_roles_changes_roles_audited_and_keeps_your_own_admin(practice, staff):
    with practice.work(staff["admin"]) as work:
        users.set_roles(work, staff["other"].user_id, ["practitioner", "supervisor"])
        assert sorted(work.db.get(User, staff["other"].user_id).roles) == ["practitioner", "supervisor"]
        with pytest.raises(ValidationFailed):
            users.set_roles(work, staff["admin"].user_id, ["front_desk"])
        with pytest.raises(ValidationFailed):
            users.set_roles(work, staff["other"].user_id, [])
        with pytest.raises(ValidationFailed):
            users.set_roles(work, staff["other"].user_id, ["portal_client"])
    with practice.work(Actor.system("t"), write=False) as work:
        reasons = list(work.db.scalars(select(AuditEvent.reason).where(AuditEvent.action == "user.roles")))
    assert reasons == ["practitioner -> practitioner,supervisor"]
