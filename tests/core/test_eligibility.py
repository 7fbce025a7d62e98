"""The one eligibility decision at each gate: booking, moving, check-in, signing (service level)."""

import datetime as dt

import pytest
from sqlalchemy import delete, select

from polymodal.core import eligibility
from polymodal.core.access import Actor
from polymodal.core.eligibility import Gate, Refused, Verdict
from polymodal.core.errors import AccessDenied, Conflict, ValidationFailed
from polymodal.core.models import AuditEvent, Credential, Session
from polymodal.core.services import cases, clients, consent, forms, notes, scheduling, users
from tests.conftest import load_fixture_plugin

TOMORROW = dt.datetime(2026, 3, 3, 10)


@pytest.fixture
def practice_plugins():
    """The clinic plugin (therapy, credentials) and the breath fixture (screened and hands-on modalities)."""
    return ("clinic", load_fixture_plugin("clinic")), ("breath", load_fixture_plugin("breath"))


@pytest.fixture
def ada(practice, staff):
    """A client on the team of 'super' (a supervisor and therapist) and 'masseur'."""
    with practice.work(staff["desk"]) as work:
        client = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                                "date_of_birth": "1990-01-01"})
        case = cases.open_case(work, title="Ada", kind="individual", client_ids=[client.id],
                               practitioner_ids=[staff["super"].user_id])
    return client.id, case.id


def book(practice, actor, case_id, modality, rooms, *, when=TOMORROW, delivery="in_person", practitioners=None):
    data = {"case_id": case_id, "modality_key": modality, "starts_at": when, "delivery": delivery,
            "room_id": rooms[0] if delivery == "in_person" else None}
    if practitioners:
        data["practitioner_ids"] = practitioners
    with practice.work(actor) as work:
        (session,) = scheduling.schedule_session(work, data)
        return session.id


def screen(practice, actor, client_id, form, **answers):
    with practice.work(actor) as work:
        return forms.submit_form(work, client_id, form, answers)


def sign(practice, actor, client_id, *keys):
    with practice.work(actor) as work:
        for key in keys:
            consent.record_consent(work, client_id, key, signer_name="Ada Lovelace")


def check_in(practice, actor, session_id):
    with practice.work(actor) as work:
        return scheduling.set_status(work, session_id, "checked_in").status


def decision(practice, actor, session_id):
    with practice.work(actor, write=False) as work:
        return eligibility.decide_session(work, work.db.get(Session, session_id))


def audited(practice, action):
    with practice.work(Actor.system("test"), write=False) as work:
        return work.db.scalars(select(AuditEvent.action).where(AuditEvent.action == action,
                                                               AuditEvent.outcome == "success")).all()


# --- excluded ------------------------------------------------------------------------------------


def test_excluded_refuses_booking_naming_reason_source_and_next_step(practice, staff, ada, rooms):
    client_id, case_id = ada
    screen(practice, staff["super"], client_id, "breath/screening", glaucoma=True)
    with pytest.raises(Refused) as refused:
        book(practice, staff["super"], case_id, "breath/breathing", rooms)
    message = str(refused.value)
    assert message.startswith("Not booked: Ada Lovelace: Excluded: Glaucoma: no intense breathing.")
    assert "Breathing screening of 02 Mar 2026" in message and "fixture source A" in message
    assert "Next: Do not book Breathing; offer another modality" in message
    # The front desk is refused too, told the kind and source, not the clinical answer.
    with pytest.raises(Refused) as desk:
        book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    assert "Glaucoma" not in str(desk.value)
    assert "Excluded from Breathing by the Breathing screening of 02 Mar 2026" in str(desk.value)
    # Another modality of the same client still books.
    assert book(practice, staff["desk"], case_id, "clinic/therapy", rooms)


def test_excluded_refuses_moving_and_check_in(practice, staff, ada, rooms, clock):
    client_id, case_id = ada
    sign(practice, staff["super"], client_id, "breath/risk")
    screen(practice, staff["super"], client_id, "breath/screening", glaucoma=False)
    sid = book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    clock.advance(minutes=1)
    screen(practice, staff["super"], client_id, "breath/screening", glaucoma=True)  # a raise applies at once
    with practice.work(staff["desk"]) as work, pytest.raises(Refused, match="Not moved: .*Excluded"):
        scheduling.move_session(work, sid, dt.datetime(2026, 3, 4, 10))
    with pytest.raises(Refused, match="Cannot start: .*Excluded"):
        check_in(practice, staff["super"], sid)


def test_an_override_with_a_reason_lets_an_excluded_client_book_and_is_audited(practice, staff, ada, rooms):
    client_id, case_id = ada
    sign(practice, staff["super"], client_id, "breath/risk")
    screen(practice, staff["super"], client_id, "breath/screening", glaucoma=True)
    with practice.work(staff["other"]) as work, pytest.raises(AccessDenied):  # a practitioner, not a supervisor
        eligibility.override(work, client_id, "breath/breathing", "breath/glaucoma", "Ophthalmologist agrees.")
    with practice.work(staff["super"]) as work, pytest.raises(ValidationFailed) as short:
        eligibility.override(work, client_id, "breath/breathing", "breath/glaucoma", "ok")
    assert "reason" in short.value.errors
    with practice.work(staff["super"]) as work:
        eligibility.override(work, client_id, "breath/breathing", "breath/glaucoma",
                             "Gentle nasal breathing only; ophthalmologist agrees.")
    sid = book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    found = decision(practice, staff["super"], sid).of_verdict(Verdict.excluded)[0]
    assert found.settled.startswith("Overridden by Super on 02 Mar 2026: Gentle nasal breathing only")
    assert check_in(practice, staff["super"], sid) == "checked_in"
    assert audited(practice, "eligibility.override") == ["eligibility.override"]


def test_consent_and_credentials_are_never_overridden(practice, staff, ada, rooms):
    client_id, case_id = ada
    sid = book(practice, staff["desk"], case_id, "clinic/therapy", rooms)
    with practice.work(staff["super"]) as work, pytest.raises(Conflict, match="cannot be overridden"):
        eligibility.override(work, client_id, "clinic/therapy", "core/consent-missing", "Client agreed verbally.",
                             session_id=sid)


# --- clearance -------------------------------------------------------------------------------------


def test_clearance_books_pending_and_check_in_waits_for_a_recorded_clearance(practice, staff, ada, rooms):
    client_id, case_id = ada
    sign(practice, staff["super"], client_id, "breath/risk")
    screen(practice, staff["super"], client_id, "breath/screening", pregnant=True)
    sid = book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    with practice.work(staff["desk"], write=False) as work:
        assert work.db.get(Session, sid).pending_clearance
    with pytest.raises(Refused, match="Cannot start: .*Clearance needed: Pregnancy"):
        check_in(practice, staff["super"], sid)
    clearance = {"modality_key": "breath/breathing", "cleared_by_name": "Dr. Okafor",
                 "cleared_by_profession": "Obstetrician", "cleared_by_licence": "A12345",
                 "cleared_on": "2026-03-01", "valid_until": "2026-06-01", "techniques": "slow nasal breathing"}
    with practice.work(staff["desk"]) as work, pytest.raises(AccessDenied):  # recorded by a clinician
        eligibility.record_clearance(work, client_id, clearance)
    with practice.work(staff["super"]) as work, pytest.raises(ValidationFailed) as bad:
        eligibility.record_clearance(work, client_id, {**clearance, "cleared_by_licence": "", "valid_until": "x"})
    assert set(bad.value.errors) == {"cleared_by_licence", "valid_until"}
    with practice.work(staff["super"]) as work:
        eligibility.record_clearance(work, client_id, clearance)
    with practice.work(staff["desk"], write=False) as work:
        assert not work.db.get(Session, sid).pending_clearance
    settled = decision(practice, staff["super"], sid).of_verdict(Verdict.clearance)[0].settled
    assert settled == ("Cleared for slow nasal breathing by Dr. Okafor (Obstetrician, licence A12345) on "
                       "01 Mar 2026, until 01 Jun 2026.")
    assert check_in(practice, staff["super"], sid) == "checked_in"
    assert audited(practice, "clearance.record") == ["clearance.record"]


def test_a_clearance_past_its_end_no_longer_clears(practice, staff, ada, rooms):
    client_id, case_id = ada
    sign(practice, staff["super"], client_id, "breath/risk")
    screen(practice, staff["super"], client_id, "breath/screening", pregnant=True)
    with practice.work(staff["super"]) as work:
        eligibility.record_clearance(work, client_id, {
            "modality_key": "breath/breathing", "cleared_by_name": "Dr. Okafor", "cleared_by_profession": "GP",
            "cleared_by_licence": "A1", "cleared_on": "2026-02-01", "valid_until": "2026-03-02"})
    sid = book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    with pytest.raises(Refused, match="Clearance needed"):
        check_in(practice, staff["super"], sid)


# --- screening needed and the screening lifecycle -----------------------------------------------------------


def test_screening_needed_books_but_refuses_check_in_and_screenings_expire(practice, staff, ada, rooms, clock):
    client_id, case_id = ada
    sign(practice, staff["super"], client_id, "breath/risk")
    sid = book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    found = decision(practice, staff["super"], sid)
    assert found.verdict is Verdict.screening
    assert found.findings[0].reason == "Breathing needs the Breathing screening and the client has none on file."
    with pytest.raises(Refused, match="Screening needed"):
        check_in(practice, staff["super"], sid)
    screen(practice, staff["super"], client_id, "breath/screening", glaucoma=False)
    assert decision(practice, staff["super"], sid).verdict is Verdict.eligible
    # 180 days for this modality: a session after that needs a new screening.
    later = book(practice, staff["desk"], case_id, "breath/breathing", rooms, when=dt.datetime(2026, 9, 1, 10))
    assert [f.code for f in decision(practice, staff["super"], later).findings] == ["core/screening-needed"]
    assert "has expired (valid 180 days for Breathing)" in decision(practice, staff["super"], later).findings[0].reason


def test_a_rescreen_that_lowers_the_outcome_applies_only_after_review(practice, staff, ada, rooms, clock):
    client_id, case_id = ada
    screen(practice, staff["super"], client_id, "breath/screening", glaucoma=True)
    clock.advance(minutes=5)
    response = screen(practice, staff["super"], client_id, "breath/screening", glaucoma=False)
    assert response.review == "pending"
    with pytest.raises(Refused, match="Excluded"):
        book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    with practice.work(staff["desk"]) as work, pytest.raises(AccessDenied):
        eligibility.review_screening(work, response.id)
    with practice.work(staff["super"]) as work:
        eligibility.review_screening(work, response.id)
    assert book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    assert audited(practice, "form.review") == ["form.review"]


# --- facts shared across modalities, and risk -------------------------------------------------------


def test_a_fact_found_by_the_talk_intake_excludes_breathing(practice, staff, ada, rooms):
    client_id, case_id = ada
    screen(practice, staff["super"], client_id, "breath/screening", glaucoma=False)
    screen(practice, staff["super"], client_id, "breath/talk-intake", seizures=True)
    with pytest.raises(Refused) as refused:
        book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    # The desk reads the kind and where it was found; the fact itself is for the care team.
    assert "Excluded from Breathing by the Talk intake of 02 Mar 2026" in str(refused.value)
    assert "pilepsy" not in str(refused.value) and "breath/" not in str(refused.value)
    with pytest.raises(Refused) as refused:
        book(practice, staff["super"], case_id, "breath/breathing", rooms)
    assert "Epilepsy or seizures, found in the Talk intake of 02 Mar 2026" in str(refused.value)
    assert book(practice, staff["desk"], case_id, "clinic/therapy", rooms)  # the fact excludes breathing only


def test_risk_from_one_modality_outranks_everything_and_blocks_check_in_until_acknowledged(practice, staff, ada,
                                                                                           rooms, clock):
    client_id, case_id = ada
    sign(practice, staff["super"], client_id, "breath/risk")
    screen(practice, staff["super"], client_id, "breath/screening", asthma=True)
    screen(practice, staff["super"], client_id, "breath/talk-intake", suicidal_now=True)
    sid = book(practice, staff["desk"], case_id, "breath/breathing", rooms)  # risk books: the client must be seen
    found = decision(practice, staff["super"], sid)
    assert found.verdict is Verdict.risk and found.findings[0].code == "core/risk-current_suicidal_ideation"
    assert [f.verdict for f in found.findings] == [Verdict.risk, Verdict.modify]
    with pytest.raises(Refused, match="Cannot start: .*Risk: current suicidal ideation"):
        check_in(practice, staff["super"], sid)
    with practice.work(staff["super"]) as work, pytest.raises(ValidationFailed):
        eligibility.acknowledge_risk(work, client_id, "core/risk-current_suicidal_ideation", "")
    with practice.work(staff["super"]) as work:
        eligibility.acknowledge_risk(work, client_id, "core/risk-current_suicidal_ideation",
                                     "Safety plan made today; seen weekly; 988 given.")
    risk = decision(practice, staff["super"], sid).findings[0]
    assert risk.verdict is Verdict.risk and "Plan: Safety plan made today" in risk.settled  # still shown
    assert check_in(practice, staff["super"], sid) == "checked_in"
    # A newer finding of the same risk needs a new acknowledgement.
    clock.advance(days=1)
    screen(practice, staff["super"], client_id, "breath/talk-intake", suicidal_now=True)
    with practice.work(staff["super"], write=False) as work:
        assert [f.code for f in eligibility.open_risks(work, client_id)] == ["core/risk-current_suicidal_ideation"]
    assert audited(practice, "risk.acknowledge") == ["risk.acknowledge"]


def test_modify_books_and_checks_in_with_the_adaptation_shown(practice, staff, ada, rooms):
    client_id, case_id = ada
    sign(practice, staff["super"], client_id, "breath/risk")
    screen(practice, staff["super"], client_id, "breath/screening", asthma=True)
    sid = book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    found = decision(practice, staff["super"], sid)
    assert found.verdict is Verdict.modify and found.findings[0].reason == "Mild asthma: slower rounds, inhaler at hand."
    assert not found.blocking(Gate.book) and not found.blocking(Gate.check_in)
    assert check_in(practice, staff["super"], sid) == "checked_in"


# --- consents: missing, guardian, telehealth ---------------------------------------------------------------


def test_missing_consent_books_but_refuses_check_in(practice, staff, ada, rooms):
    client_id, case_id = ada
    screen(practice, staff["super"], client_id, "breath/screening", glaucoma=False)
    sid = book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    with pytest.raises(Refused, match="Breathing risks is missing, expired or revoked"):
        check_in(practice, staff["desk"], sid)


def test_video_needs_telehealth_consent_and_the_location_whose_jurisdiction_decides_credentials(
        practice, staff, ada, rooms, clock):
    client_id, case_id = ada
    sign(practice, staff["super"], client_id, "clinic/informed")
    sid = book(practice, staff["desk"], case_id, "clinic/therapy", rooms, delivery="video")
    with pytest.raises(Refused) as refused:
        check_in(practice, staff["desk"], sid)
    assert "Telehealth consent is missing" in str(refused.value) and "location for this video session" in str(
        refused.value)
    sign(practice, staff["super"], client_id, "breath/telehealth")
    with practice.work(staff["desk"]) as work, pytest.raises(ValidationFailed) as bad:
        eligibility.confirm_location(work, sid, client_id, "", "California")
    assert set(bad.value.errors) == {"location", "jurisdiction"}
    with practice.work(staff["desk"]) as work:  # away in New York: the therapist's California licence does not reach
        eligibility.confirm_location(work, sid, client_id, "Hotel, Manhattan", "us-ny")
    with pytest.raises(Refused, match="Super holds no valid LMFT / PSY for Therapy in US-NY"):
        check_in(practice, staff["desk"], sid)
    clock.advance(minutes=2)
    with practice.work(staff["desk"]) as work:  # a corrected location: the newest applies
        eligibility.confirm_location(work, sid, client_id, "Home, Oakland", "US-CA")
    assert check_in(practice, staff["desk"], sid) == "checked_in"


def test_a_consent_a_minor_signed_alone_needs_a_guardian(practice, staff, rooms):
    with practice.work(staff["desk"]) as work:
        teen = clients.register_client(work, {"legal_first_name": "Kim", "legal_last_name": "Lee",
                                              "date_of_birth": "2013-01-01"})  # 13; the center lets 12+ consent
        case = cases.open_case(work, title="Kim", kind="individual", client_ids=[teen.id],
                               practitioner_ids=[staff["super"].user_id])
        consent.record_consent(work, teen.id, "clinic/informed", signer_name="Kim Lee")
    sid = book(practice, staff["desk"], case.id, "clinic/therapy", rooms)
    assert decision(practice, staff["super"], sid).verdict is Verdict.eligible
    with practice.work(Actor.system("test")) as work:  # the center's rule changes: no minor consents alone
        work.center.minor_consent_age = None
    found = decision(practice, staff["super"], sid)
    assert [f.code for f in found.findings] == ["core/consent-guardian"]
    with pytest.raises(Refused, match="signed by the minor alone"):
        check_in(practice, staff["desk"], sid)


# --- credentials --------------------------------------------------------------------------------------------


def test_only_practitioners_whose_credential_covers_the_modality_qualify(practice, staff):
    ids = [staff[n].user_id for n in ("super", "masseur")]
    with practice.work(staff["desk"], write=False) as work:
        assert eligibility.qualified(work, "clinic/therapy", ids, dt.date(2026, 3, 3)) == {staff["super"].user_id}
        assert eligibility.qualified(work, "breath/hands-on", ids, dt.date(2026, 3, 3)) == set(ids)


def test_a_registered_associate_qualifies_only_with_a_supervisor_on_record(practice, staff, ada, rooms):
    """AMFT counts under supervision (Cal. B&P Code §4980.43): 'trainee' has a supervisor, 'other' none."""
    _, case_id = ada
    ids = [staff[n].user_id for n in ("trainee", "other")]
    with practice.work(staff["admin"]) as work:
        for user_id in ids:
            work.db.execute(delete(Credential).where(Credential.user_id == user_id))
            users.add_credential(work, user_id, "AMFT", "A-1", "US-CA", None)
    with practice.work(staff["desk"], write=False) as work:
        assert eligibility.qualified(work, "clinic/therapy", ids, dt.date(2026, 3, 3)) == {staff["trainee"].user_id}
    with pytest.raises(Refused, match=r"Other holds no valid LMFT / PSY for Therapy in US-CA \(AMFT only under a "
                                      r"supervisor on record; Other has none\)"):
        book(practice, staff["desk"], case_id, "clinic/therapy", rooms, practitioners=[staff["other"].user_id])
    assert book(practice, staff["desk"], case_id, "clinic/therapy", rooms, practitioners=[staff["trainee"].user_id])


# --- signing: body regions -----------------------------------------------------------------------------------


@pytest.fixture
def hands_on(practice, staff, ada, rooms):
    client_id, case_id = ada
    with practice.work(staff["desk"]) as work:
        consent.record_consent(work, client_id, "breath/touch", signer_name="Ada Lovelace",
                               regions={"back": "consented", "gluteal": "declined", "abdomen": "ask-each-time"})
        # Hands-on work is the masseur's: a discipline's notes are written by its practitioners on their sessions.
        clients.add_to_care_team(work, client_id, staff["masseur"].user_id)
    sid = book(practice, staff["desk"], case_id, "breath/hands-on", rooms, practitioners=[staff["masseur"].user_id])
    return client_id, case_id, sid


def draft(practice, actor, case_id, sid, regions):
    with practice.work(actor) as work:
        note = notes.start_note(work, case_id, "breath/hands-note", session_id=sid)
        notes.save_draft(work, note.id, {"work": {"done": "Massage", "map": {r: {"technique": "kneading"}
                                                                             for r in regions}}}, note.revision)
        return note.id


def try_sign(practice, actor, note_id):
    with practice.work(actor) as work:
        return notes.sign_note(work, note_id).status


def test_a_note_treating_a_declined_region_cannot_be_signed(practice, staff, hands_on):
    client_id, case_id, sid = hands_on
    note_id = draft(practice, staff["masseur"], case_id, sid, ["back", "gluteal"])
    with pytest.raises(ValidationFailed) as refused:
        try_sign(practice, staff["masseur"], note_id)
    assert refused.value.errors["work.map"].startswith("Cannot sign: Gluteal: declined in the Consent to touch.")
    ok = draft(practice, staff["masseur"], case_id, sid, ["back"])
    assert try_sign(practice, staff["masseur"], ok) == "signed"


def test_an_ask_each_time_region_is_confirmed_in_the_session_and_can_be_withdrawn(practice, staff, hands_on):
    client_id, case_id, sid = hands_on
    note_id = draft(practice, staff["masseur"], case_id, sid, ["abdomen"])
    with pytest.raises(ValidationFailed, match="Abdomen: asked each time, and not confirmed"):
        try_sign(practice, staff["masseur"], note_id)
    with practice.work(staff["desk"]) as work, pytest.raises(AccessDenied):  # confirmed by a clinician
        eligibility.set_region(work, sid, client_id, "abdomen", withdraw=False)
    with practice.work(staff["masseur"]) as work:
        eligibility.set_region(work, sid, client_id, "abdomen", withdraw=False)
    with practice.work(staff["masseur"]) as work:  # then the client withdraws the back mid-session
        eligibility.set_region(work, sid, client_id, "back", withdraw=True)
        with pytest.raises(ValidationFailed):
            eligibility.set_region(work, sid, client_id, "gluteal", withdraw=False)
    assert try_sign(practice, staff["masseur"], note_id) == "signed"
    withdrawn = draft(practice, staff["masseur"], case_id, sid, ["back"])
    with pytest.raises(ValidationFailed, match="Back: withdrawn by the client during this session"):
        try_sign(practice, staff["masseur"], withdrawn)
    assert sorted(audited(practice, "session.region_confirmed") + audited(practice, "session.region_withdrawn")) == [
        "session.region_confirmed", "session.region_withdrawn"]


def test_signing_documents_what_happened_whatever_the_eligibility_now(practice, staff, hands_on, clock):
    """Risk, an exclusion found after the session, screening and consent findings never stop a note's signature."""
    client_id, case_id, sid = hands_on
    note_id = draft(practice, staff["masseur"], case_id, sid, ["back"])
    clock.advance(minutes=30)
    screen(practice, staff["super"], client_id, "breath/screening", bleeding=True)
    screen(practice, staff["super"], client_id, "breath/talk-intake", suicidal_now=True)
    found = decision(practice, staff["super"], sid)
    assert [f.verdict for f in found.findings] == [Verdict.risk, Verdict.excluded]
    assert found.blocking(Gate.sign) == [] and found.blocking(Gate.check_in)
    assert try_sign(practice, staff["masseur"], note_id) == "signed"


# --- every outcome at booking and moving -------------------------------------------------------------------


SET_UP = {  # verdict -> what the client has on file
    "risk": ("breath/talk-intake", {"suicidal_now": True}),
    "clearance": ("breath/screening", {"pregnant": True}),
    "modify": ("breath/screening", {"asthma": True}),
    "screening": None,
    "consent": ("breath/screening", {"glaucoma": False}),
}


@pytest.mark.parametrize("verdict", ["risk", "clearance", "screening", "consent", "modify"])
def test_every_outcome_but_excluded_books_and_moves(practice, staff, ada, rooms, verdict):
    client_id, case_id = ada
    if verdict != "consent":
        sign(practice, staff["super"], client_id, "breath/risk")
    if SET_UP[verdict]:
        form, answers = SET_UP[verdict]
        screen(practice, staff["super"], client_id, form, **answers)
    if verdict == "risk":
        screen(practice, staff["super"], client_id, "breath/screening", glaucoma=False)
    sid = book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    assert decision(practice, staff["super"], sid).verdict is Verdict(verdict)
    with practice.work(staff["desk"]) as work:
        moved = scheduling.move_session(work, sid, dt.datetime(2026, 3, 4, 11))
        assert moved.pending_clearance is (verdict == "clearance")
    blocked = decision(practice, staff["super"], sid).blocking(Gate.check_in)
    assert bool(blocked) is (verdict != "modify")


def test_a_screening_expires_sooner_when_the_health_history_changes(practice, staff, ada, rooms, clock):
    client_id, case_id = ada
    sign(practice, staff["super"], client_id, "breath/risk")
    screen(practice, staff["super"], client_id, "breath/screening", glaucoma=False)
    sid = book(practice, staff["desk"], case_id, "breath/breathing", rooms)
    clock.advance(days=1)
    screen(practice, staff["super"], client_id, "breath/talk-intake", pregnant=False)
    assert decision(practice, staff["super"], sid).verdict is Verdict.eligible  # nothing new found
    clock.advance(minutes=1)
    screen(practice, staff["super"], client_id, "breath/talk-intake", pregnant=True)  # found by another form
    found = decision(practice, staff["super"], sid)
    assert found.verdict is Verdict.screening
    assert found.findings[0].reason == ("The health history changed after the Breathing screening of 02 Mar 2026 "
                                        "(pregnancy found since): it needs repeating.")
    with pytest.raises(Refused, match="Screening needed"):
        check_in(practice, staff["super"], sid)
    clock.advance(minutes=1)
    screen(practice, staff["super"], client_id, "breath/screening", glaucoma=False, pregnant=True)
    assert decision(practice, staff["super"], sid).verdict is Verdict.clearance
