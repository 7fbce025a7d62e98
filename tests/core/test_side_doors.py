"""Side doors (issue 12): ways around the page rules that an attack run found, one test per door.

Each test fails on the code before the door was closed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from polymodal.core.access import Actor
from polymodal.core.errors import AccessDenied, NotFound, ValidationFailed
from polymodal.core.interop import fhir_export
from polymodal.core.models import AuditEvent
from polymodal.core.services import cases, clients, consent, notes, privacy, scheduling, users
from tests.conftest import PASSWORD
from tests.core.test_notes import CONTENT


def _client(work, first: str):
    return clients.register_client(work, {"legal_first_name": first, "legal_last_name": "Doe",
                                          "date_of_birth": "1985-05-05"})


@pytest.fixture
def couple(practice, staff):
    """Ann and Ben in a couple case with the trainee; Ann alone also sees 'other' (her individual case)."""
    with practice.work(staff["desk"]) as work:
        ann, ben = _client(work, "Ann"), _client(work, "Ben")
        joint = cases.open_case(work, title="Ann and Ben", kind="couple", client_ids=[ann.id, ben.id],
                                practitioner_ids=[staff["trainee"].user_id])
        alone = cases.open_case(work, title="Ann", kind="individual", client_ids=[ann.id],
                                practitioner_ids=[staff["other"].user_id])
    return ann.id, ben.id, joint, alone


def _note(practice, actor, case, *, sign=True):
    with practice.work(actor) as work:
        note = notes.start_note(work, case.id, "clinic/dap")
        notes.save_draft(work, note.id, CONTENT, note.revision)
        if sign:
            notes.sign_note(work, note.id)
    return note.id


# --- door 1: the export holds exactly the notes the pages show --------------------------------------------

def test_record_export_and_fhir_bundle_leave_out_a_joint_note_the_requester_cannot_open(practice, staff, couple):
    ann, _ben, joint, alone = couple
    joint_note = _note(practice, staff["trainee"], joint)
    own_note = _note(practice, staff["other"], alone)
    with practice.work(staff["other"]) as work:
        # 'other' treats Ann alone: the couple's joint note needs access to Ben too, and the page refuses it.
        with pytest.raises((AccessDenied, NotFound)):
            notes.read_note(work, joint_note)
        assert {r.id for r in notes.notes_of_client(work, ann)} == {own_note}
        assert notes.readable_ids_of_client(work, ann) == {own_note}
        exported = privacy.export_record(work, ann)
        bundle = fhir_export.client_bundle(work, ann)
    assert [n["id"] for n in exported["notes"]] == [str(own_note)]
    documents = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "DocumentReference"]
    assert len(documents) == 1 and str(own_note) in str(documents) and str(joint_note) not in str(bundle)
    with practice.work(staff["trainee"]) as work:  # on both partners' teams: the joint note is theirs to export
        assert str(joint_note) in {n["id"] for n in privacy.export_record(work, ann)["notes"]}


# --- door 4: consent status and consent contents are separate permissions ----------------------------------

def test_front_desk_sees_a_consents_status_but_not_its_contents(practice, staff, couple):
    ann, *_ = couple
    with practice.work(staff["desk"]) as work:
        record = consent.record_consent(work, ann, "clinic/informed", signer_name="Ann Doe")
    with practice.work(staff["desk"]) as work:
        assert [r.id for r in consent.consent_rows(work, ann)] == [record.id]
        assert consent.get_consent(work, ann, record.id, contents=False).id == record.id
        assert not consent.may_read_contents(work, ann)
        with pytest.raises(AccessDenied):
            consent.get_consent(work, ann, record.id)
        with pytest.raises(AccessDenied):
            consent.consents_of(work, ann)
    with practice.work(staff["other"]) as work:  # the care team reads what it says
        assert consent.get_consent(work, ann, record.id).scope == record.scope


# --- door 5: a draft is its author's (and a trainee's supervisor's) until signed ----------------------------

def test_an_unsigned_draft_is_hidden_from_the_rest_of_the_care_team(practice, staff, couple):
    ann, _ben, _joint, alone = couple
    with practice.work(staff["desk"]) as work:
        clients.add_to_care_team(work, ann, staff["trainee"].user_id)
    draft = _note(practice, staff["other"], alone, sign=False)
    trainee_draft = _note(practice, staff["trainee"], alone, sign=False)
    with practice.work(staff["trainee"]) as work:  # on Ann's team, but not the author
        with pytest.raises(NotFound):
            notes.read_note(work, draft)
        assert {r.id for r in notes.notes_of_client(work, ann)} == {trainee_draft}
    with practice.work(staff["super"]) as work:  # the trainee's supervisor reviews the trainee's draft only
        assert notes.read_note(work, trainee_draft).status == "draft"
        with pytest.raises(NotFound):
            notes.read_note(work, draft)
    with practice.work(staff["other"]) as work:
        notes.sign_note(work, draft)
    with practice.work(staff["trainee"]) as work:  # signed, it belongs to the record the team reads
        assert notes.read_note(work, draft).status == "signed"


# --- door 2: naming a colleague on a case is an assignment ---------------------------------------------------

def test_a_practitioner_cannot_bring_a_colleague_onto_a_care_team_by_opening_a_case(practice, staff, couple):
    ann, *_ = couple
    with practice.work(staff["other"]) as work, pytest.raises(ValidationFailed) as refused:
        cases.open_case(work, title="Ann, again", kind="individual", client_ids=[ann],
                        practitioner_ids=[staff["other"].user_id, staff["masseur"].user_id])
    assert "practitioners" in refused.value.errors
    with practice.work(staff["masseur"]) as work:  # nothing happened: the masseur still cannot reach Ann
        assert not work.may("clinical.read", ann)
    with practice.work(staff["other"]) as work:  # themselves and colleagues already on the team: fine
        cases.open_case(work, title="Ann, groups", kind="individual", client_ids=[ann],
                        practitioner_ids=[staff["other"].user_id, staff["trainee"].user_id])
    with practice.work(staff["desk"]) as work:  # the front desk assigns, as intake does
        cases.open_case(work, title="Ann, massage", kind="individual", client_ids=[ann],
                        practitioner_ids=[staff["masseur"].user_id])
    with practice.work(staff["masseur"]) as work:
        assert work.may("clinical.read", ann)


# --- door 3: nobody gives themselves a clinical role or a care-team place -------------------------------------

def test_an_admin_cannot_give_themself_a_clinical_role_or_a_care_team_place(practice, staff, couple):
    ann, *_ = couple
    admin = staff["admin"]
    with practice.work(admin) as work, pytest.raises(ValidationFailed) as refused:
        users.set_roles(work, admin.user_id, ["admin", "practitioner"])
    assert "roles" in refused.value.errors
    with practice.work(admin) as work:
        second = users.create_user(work, {"username": "admin2", "display_name": "Second Admin",
                                          "password": PASSWORD, "roles": ["admin"]})
    with practice.work(Actor.of(second)) as work:  # another admin grants it, audited under their name
        users.set_roles(work, admin.user_id, ["admin", "practitioner"])
    with practice.work(admin) as work, pytest.raises(ValidationFailed):
        clients.add_to_care_team(work, ann, admin.user_id)
    with practice.work(admin) as work:
        assert not work.may("clinical.read", ann)
        assert work.db.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "user.roles", AuditEvent.actor_id == second.id)) == 1


# --- door 6: a discipline's notes are written by its practitioners, on their own sessions ---------------------

def test_notes_of_a_discipline_are_written_by_its_practitioners_on_their_sessions(practice, staff, couple, rooms):
    ann, _ben, _joint, alone = couple
    with practice.work(staff["desk"]) as work:
        for who in ("masseur", "trainee"):
            clients.add_to_care_team(work, ann, staff[who].user_id)
        (session,) = scheduling.schedule_session(work, {
            "case_id": alone.id, "modality_key": "clinic/therapy", "starts_at": dt.datetime(2026, 3, 3, 10),
            "room_id": rooms[0], "practitioner_ids": [staff["other"].user_id]})
    for who in ("masseur", "trainee"):  # another discipline; the right one but not on the session
        with practice.work(staff[who]) as work, pytest.raises(AccessDenied):
            notes.start_note(work, alone.id, "clinic/process", session_id=session.id)
    with practice.work(staff["masseur"]) as work, pytest.raises(AccessDenied):
        notes.start_note(work, alone.id, "clinic/dap")  # not on a session, still not their discipline
    with practice.work(staff["other"]) as work:
        assert notes.start_note(work, alone.id, "clinic/process", session_id=session.id).session_id == session.id


# --- door 7: a care-team member can be removed, and their access ends ------------------------------------------

def test_removing_a_care_team_member_ends_their_access_and_is_audited(practice, staff, couple):
    ann, *_ = couple
    with practice.work(staff["other"]) as work:
        assert notes.notes_of_client(work, ann) == []
    with practice.work(staff["other"]) as work, pytest.raises(AccessDenied):  # not theirs to decide
        clients.remove_from_care_team(work, ann, staff["trainee"].user_id, "Case closed")
    with practice.work(staff["desk"]) as work, pytest.raises(ValidationFailed) as refused:
        clients.remove_from_care_team(work, ann, staff["other"].user_id, " ")
    assert "reason" in refused.value.errors
    with practice.work(staff["desk"]) as work:
        clients.remove_from_care_team(work, ann, staff["other"].user_id, "Moved to another clinic")
    with practice.work(staff["other"]) as work:
        with pytest.raises(AccessDenied):
            notes.notes_of_client(work, ann)
        assert not work.may("client.read", ann)
    with practice.work(staff["desk"]) as work:
        assert [u.username for u in clients.care_team(work, ann)] == ["trainee"]
        event = work.db.scalars(select(AuditEvent).where(AuditEvent.action == "care_team.remove")).one()
        assert (event.client_id, event.record_id, event.reason) == (ann, str(staff["other"].user_id),
                                                                   "Moved to another clinic")
