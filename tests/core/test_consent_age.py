"""Who signs for a minor depends on the document's kind: California's minor-consent age (12, Health & Safety
Code §124260) reaches psychotherapy and counselling only; touch, breathwork and substance-related consents need
a guardian below the age of majority. The minor's own assent is kept and shown at pre-flight.

Ages are computed from the test clock, so each client is the age named whatever date the suite runs at.
"""

import datetime as dt

import pytest

from polymodal.core import eligibility
from polymodal.core.access import Actor
from polymodal.core.eligibility import Gate, Verdict
from polymodal.core.errors import ValidationFailed
from polymodal.core.models import ConsentRecord, Session
from polymodal.core.services import cases, center, clients, consent, scheduling
from tests.conftest import load_fixture_plugin


@pytest.fixture
def practice_plugins():
    return ("clinic", load_fixture_plugin("clinic")), ("breath", load_fixture_plugin("breath"))


def born_aged(clock, years: int, days_after_birthday: int = 30) -> str:
    """A date of birth that makes the client ``years`` old on the test clock's day."""
    today = clock.now.date() - dt.timedelta(days=days_after_birthday)
    return today.replace(year=today.year - years).isoformat()


@pytest.fixture
def minor(practice, staff, clock):
    """A client aged 13 with a guardian (authority to consent), in treatment with 'super'."""
    def make(years: int = 13):
        with practice.work(staff["desk"]) as work:
            client = clients.register_client(work, {"legal_first_name": "Kim", "legal_last_name": "Lee",
                                                    "date_of_birth": born_aged(clock, years)})
            guardian = clients.add_guardian(work, client.id, {"name": "Pat Lee", "relationship": "father"})
            case = cases.open_case(work, title="Kim", kind="individual", client_ids=[client.id],
                                   practitioner_ids=[staff["super"].user_id])
        return client.id, guardian.id, case.id
    return make


def sign_self(practice, actor, client_id, key):
    with practice.work(actor) as work:
        return consent.record_consent(work, client_id, key, signer_name="Kim Lee",
                                      regions={"back": "consented"} if key == "breath/touch" else None)


def test_a_13_year_old_signs_the_psychotherapy_consent_alone_in_california(practice, staff, minor):
    client_id, _, _ = minor(13)
    assert sign_self(practice, staff["desk"], client_id, "clinic/informed").signer_capacity == "self"


@pytest.mark.parametrize(("key", "kind"), [("breath/touch", "touch"), ("breath/risk", "breathwork"),
                                           ("breath/substance", "substance")])
def test_touch_breathwork_and_substance_consents_need_a_guardian_below_18(practice, staff, minor, key, kind):
    client_id, guardian_id, _ = minor(13)
    with pytest.raises(ValidationFailed) as refused:
        sign_self(practice, staff["desk"], client_id, key)
    assert refused.value.errors["capacity"].endswith(
        f"(the minor-consent age of 12 covers psychotherapy and counselling only, not {kind} consents).")
    with practice.work(staff["desk"]) as work:
        record = consent.record_consent(work, client_id, key, signer_name="Pat Lee", capacity="guardian",
                                        guardian_id=guardian_id,
                                        regions={"back": "consented"} if key == "breath/touch" else None)
        assert record.signer_capacity == "guardian"


def test_at_17_still_a_guardian_and_at_18_the_client(practice, staff, minor):
    seventeen, _, _ = minor(17)
    with pytest.raises(ValidationFailed):
        sign_self(practice, staff["desk"], seventeen, "breath/touch")
    eighteen, _, _ = minor(18)
    assert sign_self(practice, staff["desk"], eighteen, "breath/touch").signer_capacity == "self"


def test_without_a_minor_consent_age_no_minor_signs_alone(practice, staff, minor):
    client_id, _, _ = minor(16)
    with practice.work(Actor.system("test")) as work:
        work.center.minor_consent_age = None
    with pytest.raises(ValidationFailed, match="a minor does not consent alone here"):
        sign_self(practice, staff["desk"], client_id, "clinic/informed")


def _book(practice, staff, case_id, modality, rooms):
    with practice.work(staff["desk"]) as work:
        (session,) = scheduling.schedule_session(work, {"case_id": case_id, "modality_key": modality,
                                                        "starts_at": dt.datetime(2026, 3, 3, 10),
                                                        "room_id": rooms[0],
                                                        "practitioner_ids": [staff["super"].user_id]})
        return session.id


def _decide(practice, staff, sid):
    with practice.work(staff["super"], write=False) as work:
        return eligibility.decide_session(work, work.db.get(Session, sid))


def test_a_touch_consent_the_minor_signed_alone_stops_check_in(practice, staff, minor, rooms):
    """One signed alone before this rule (the center's age then applied to every document) no longer counts."""
    client_id, _, case_id = minor(13)
    with practice.work(staff["desk"]) as work:
        document = work.registry.consent_documents.get("breath/touch")
        work.db.add(ConsentRecord(client_id=client_id, document_key=document.key, document_version=1,
                                  text_hash=document.text_hash, scope={"regions": {"back": "consented"}},
                                  signer_name="Kim Lee", signer_capacity="self", method="in_person",
                                  recorded_by=staff["desk"].user_id, signed_at=work.now))
    sid = _book(practice, staff, case_id, "breath/hands-on", rooms)
    found = _decide(practice, staff, sid)
    (blocking,) = found.blocking(Gate.check_in)
    assert blocking.code == "core/consent-guardian"
    assert blocking.reason == ("Consent to touch was signed by the minor alone; a guardian with authority must sign "
                               "(the minor-consent age of 12 covers psychotherapy and counselling only, not touch "
                               "consents).")


@pytest.mark.parametrize(("assent", "name", "verdict", "reason"), [
    ("given", "Kim", Verdict.eligible, "Kim Lee's assent to the Consent to touch: given on 02 Mar 2026 (Kim)."),
    ("declined", "", Verdict.modify, "Kim Lee did not agree (assent declined on 02 Mar 2026) to what the Consent to "
                                     "touch permits; the guardian's consent stands."),
    ("", "", Verdict.eligible, "No assent of Kim Lee is recorded beside the guardian's Consent to touch."),
])
def test_the_minors_assent_is_kept_and_shown_at_pre_flight(practice, staff, minor, rooms, assent, name, verdict,
                                                            reason):
    client_id, guardian_id, case_id = minor(13)
    with practice.work(staff["desk"]) as work:
        record = consent.record_consent(work, client_id, "breath/touch", signer_name="Pat Lee", capacity="guardian",
                                        guardian_id=guardian_id, regions={"back": "consented"}, assent=assent,
                                        assent_name=name)
        assert consent.assent_of(record.scope)[0] == assent
    sid = _book(practice, staff, case_id, "breath/hands-on", rooms)
    (shown,) = [f for f in _decide(practice, staff, sid).findings if f.code.startswith("core/assent")]
    assert (shown.verdict, shown.reason) == (verdict, reason)
    assert not shown.blocks(Gate.check_in)


def test_assent_must_be_given_declined_or_not_asked(practice, staff, minor):
    client_id, guardian_id, _ = minor(13)
    with practice.work(staff["desk"]) as work, pytest.raises(ValidationFailed) as bad:
        consent.record_consent(work, client_id, "clinic/informed", signer_name="Pat Lee", capacity="guardian",
                               guardian_id=guardian_id, assent="maybe")
    assert set(bad.value.errors) == {"assent"}


@pytest.mark.parametrize(("jurisdiction", "age"), [("US-CA", 12), ("US-TX", None), ("US-NY", None), ("DE", None)])
def test_a_new_center_starts_from_the_reference_age_of_its_jurisdiction(practice, jurisdiction, age):
    with practice.work(Actor.system("test")) as work:
        assert center.setup_center(work, {"name": "C", "timezone": "UTC",
                                           "jurisdiction": jurisdiction}).minor_consent_age == age
        # The center's own setting (its counsel's reading) wins when given.
        assert center.setup_center(work, {"name": "C", "timezone": "UTC", "jurisdiction": jurisdiction,
                                           "minor_consent_age": 14}).minor_consent_age == 14
