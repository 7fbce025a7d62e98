"""Consent lifecycle and the pre-flight that gates a session's start."""

import datetime as dt

import pytest
from sqlalchemy import text

from polymodal.core.access import Actor
from polymodal.core.errors import Conflict, ValidationFailed
from polymodal.core.services import cases, clients, consent, forms, scheduling, users
from polymodal.core.services.preflight import preflight


def new_client(practice, actor, **extra):
    with practice.work(actor) as work:
        return clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                              "date_of_birth": "1990-01-01", **extra})


@pytest.fixture
def session(practice, staff, rooms):
    client = new_client(practice, staff["desk"])
    with practice.work(staff["desk"]) as work:
        case = cases.open_case(work, title="Ada", kind="individual", client_ids=[client.id],
                               practitioner_ids=[staff["super"].user_id])
        (s,) = scheduling.schedule_session(work, {"case_id": case.id, "modality_key": "clinic/therapy",
                                                  "starts_at": dt.datetime(2026, 3, 3, 10), "room_id": rooms[0]})
    return s


def codes(practice, actor, session):
    with practice.work(actor) as work:
        return sorted(f.code for f in preflight(work, work.db.merge(session)))


def test_consent_records_the_version_and_hash_signed_and_expires(practice, staff, clock):
    client = new_client(practice, staff["desk"])
    with practice.work(staff["desk"]) as work:
        record = consent.record_consent(work, client.id, "clinic/informed", signer_name="Ada  Lovelace")
        assert (record.document_version, record.signer_name) == (2, "Ada Lovelace")
        assert record.text_hash == work.registry.consent_documents.get("clinic/informed", 2).text_hash
        older = consent.record_consent(work, client.id, "clinic/informed", version=1, signer_name="Ada")
        assert older.text_hash != record.text_hash
    with practice.work(staff["desk"]) as work:
        assert "clinic/informed" in consent.active_consents(work, client.id)
    clock.advance(days=366)
    with practice.work(staff["desk"]) as work:
        assert consent.active_consents(work, client.id) == {}
        assert {consent.state_at(r.expires_at, r.revoked_at, work.now) for r in consent.consent_rows(work, client.id)} == {"expired"}


def test_revocation_is_final_needs_a_reason_and_notifies_plugins(practice, staff):
    client = new_client(practice, staff["desk"])
    with practice.work(staff["desk"]) as work:
        record = consent.record_consent(work, client.id, "clinic/informed", signer_name="Ada")
    with practice.work(staff["desk"]) as work, pytest.raises(ValidationFailed):
        consent.revoke_consent(work, record.id, " ")
    with practice.work(staff["desk"]) as work:
        consent.revoke_consent(work, record.id, "client withdrew")
    with practice.work(staff["desk"]) as work:
        assert consent.active_consents(work, client.id) == {}
        with pytest.raises(Conflict):
            consent.revoke_consent(work, record.id, "again")


def test_a_revoked_consent_cannot_be_restored_in_the_database(practice, staff):
    client = new_client(practice, staff["desk"])
    with practice.work(staff["desk"]) as work:
        record = consent.record_consent(work, client.id, "clinic/informed", signer_name="Ada")
        consent.revoke_consent(work, record.id, "withdrew")
    with pytest.raises(Exception, match="only be revoked"), practice.engine.begin() as conn:
        conn.execute(text("UPDATE consent_records SET revoked_at = NULL"))


def test_a_minor_needs_a_guardian_unless_old_enough_to_consent_alone(practice, staff):
    child = new_client(practice, staff["desk"], date_of_birth="2016-05-05")   # 9
    teen = new_client(practice, staff["desk"], date_of_birth="2012-05-05")    # 13; center allows from 12
    with practice.work(staff["desk"]) as work:
        with pytest.raises(ValidationFailed) as err:
            consent.record_consent(work, child.id, "clinic/informed", signer_name="Kid")
        assert "guardian" in err.value.errors["capacity"]
    with practice.work(staff["desk"]) as work:
        guardian = clients.add_guardian(work, child.id, {"name": "Parent", "relationship": "mother"})
        record = consent.record_consent(work, child.id, "clinic/informed", signer_name="Parent",
                                        capacity="guardian", guardian_id=guardian.id)
        assert record.guardian_id == guardian.id
        assert consent.record_consent(work, teen.id, "clinic/informed", signer_name="Teen").signer_capacity == "self"
        with pytest.raises(ValidationFailed):  # someone else's guardian
            consent.record_consent(work, teen.id, "clinic/informed", signer_name="Parent",
                                   capacity="guardian", guardian_id=guardian.id)


def test_per_region_consent_needs_regions(practice, staff):
    client = new_client(practice, staff["desk"])
    with practice.work(staff["desk"]) as work:
        with pytest.raises(ValidationFailed):
            consent.record_consent(work, client.id, "clinic/touch", signer_name="Ada")
        record = consent.record_consent(work, client.id, "clinic/touch", signer_name="Ada",
                                        regions={"neck_post": "consented", "abdomen": "declined"})
        assert record.scope["regions"] == {"abdomen": "declined", "neck_post": "consented"}


def test_preflight_blocks_without_consent_then_allows(practice, staff, session):
    assert codes(practice, staff["super"], session) == ["core/consent-missing"]
    with practice.work(staff["super"]) as work, pytest.raises(Conflict, match="Cannot start.*Informed consent"):
        scheduling.set_status(work, session.id, "checked_in")
    client_id = session.clients[0].client_id
    with practice.work(staff["super"]) as work:
        consent.record_consent(work, client_id, "clinic/informed", signer_name="Ada")
    assert codes(practice, staff["super"], session) == []
    with practice.work(staff["super"]) as work:
        assert scheduling.set_status(work, session.id, "checked_in").status == "checked_in"


def test_a_practitioner_without_the_credential_cannot_be_booked(practice, staff, rooms):
    client = new_client(practice, staff["desk"])
    with practice.work(staff["desk"]) as work:
        case = cases.open_case(work, title="Ada", kind="individual", client_ids=[client.id],
                               practitioner_ids=[staff["masseur"].user_id])
    with practice.work(staff["desk"]) as work, pytest.raises(Conflict) as refused:
        scheduling.schedule_session(work, {"case_id": case.id, "modality_key": "clinic/therapy",
                                           "starts_at": dt.datetime(2026, 3, 3, 10), "room_id": rooms[0]})
    assert "Masseur holds no valid LMFT / PSY for Therapy in US-CA" in str(refused.value)
    assert "Next: Choose a practitioner holding LMFT or PSY" in str(refused.value)
    with practice.work(Actor.system("test")) as work:
        users.add_credential(work, staff["masseur"].user_id, "LMFT", "1", "US-CA", dt.date(2026, 3, 2))
    with practice.work(staff["desk"]) as work, pytest.raises(Conflict, match="holds no valid"):
        scheduling.schedule_session(work, {"case_id": case.id, "modality_key": "clinic/therapy",  # expired the day before
                                           "starts_at": dt.datetime(2026, 3, 3, 10), "room_id": rooms[0]})


def test_screening_outcomes_reach_preflight(practice, staff, session, clock):
    client_id = session.clients[0].client_id
    with practice.work(staff["super"]) as work:
        response = forms.submit_form(work, client_id, "clinic/intake",
                                     {"concern": "sleep", "pregnant": "yes", "seizures": "no"})
        assert response.outcome == "clearance"
    assert "clinic/pregnancy" in codes(practice, staff["super"], session)
    clock.advance(minutes=5)
    with practice.work(staff["super"]) as work:
        forms.submit_form(work, client_id, "clinic/intake", {"concern": "sleep", "seizures": True})
    assert "clinic/seizures" in codes(practice, staff["super"], session)


def test_form_errors_name_the_field_and_nothing_is_stored(practice, staff, session):
    client_id = session.clients[0].client_id
    with practice.work(staff["super"]) as work, pytest.raises(ValidationFailed) as err:
        forms.submit_form(work, client_id, "clinic/intake", {"concern": "", "seizures": "maybe"})
    assert set(err.value.errors) == {"concern", "seizures"}
    with practice.work(staff["super"]) as work:
        assert forms.responses_of(work, client_id) == []
