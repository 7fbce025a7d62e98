"""Breathwork's screening in the one eligibility decision, per style, with the facts other intakes found."""

import datetime as dt

import pytest

from polymodal.core import eligibility
from polymodal.core.access import Actor
from polymodal.core.eligibility import Ask, Gate, Verdict
from polymodal.core.services import clients, consent, forms
from polymodal.core.testing import installed_plugin

INTENSIVE, GENTLE = "breathwork/breathwork", "breathwork/gentle"
SYSTEM = Actor.system("test")
CLEAR = {"cardiovascular": False, "aneurysm": False, "epilepsy": False, "glaucoma": False,
         "retinal_detachment": False, "recent_injury_surgery": False, "blood_pressure": "normal", "asthma": "none",
         "kidney_disease": False, "severe_osteoporosis": False, "thyroid": False, "diabetes": False,
         "pregnant": False, "untreated_condition": False, "ptsd": False, "recent_crisis": False,
         "antidepressant_change": False, "active_addiction": False}
CALM = {"presenting_concerns": "Low mood", "medications": "none", "suicidal_thoughts_now": False,
        "suicidal_thoughts_past": False, "suicide_attempt": False, "self_harm": False, "violence_risk": False}
HEALTH = {"physician_care": False, "medications": "none", "blood_clot": False, "acute_illness": False,
          "cardiovascular_unstable": False, "bleeding_risk": False, "recent_surgery": False, "bone_fragility": False,
          "skin": "none", "varicose_veins": False, "cancer": False, "neuropathy": False, "pregnant": False,
          "lymphedema_risk": False, "local_inflammation": False, "aneurysm": False, "intoxicated": False}


@pytest.fixture
def practice_plugins():
    return tuple((name, installed_plugin(name)) for name in ("talk", "breathwork", "bodywork"))


@pytest.fixture
def hana(practice, staff):
    """A client who signed the breathwork risk consent, so only screening speaks in these decisions."""
    with practice.work(staff["desk"]) as work:
        cid = clients.register_client(work, {"legal_first_name": "Hana", "legal_last_name": "Sato",
                                             "date_of_birth": "1990-01-01"}).id
    with practice.work(SYSTEM) as work:
        consent.record_consent(work, cid, "breathwork/risk", signer_name="Hana Sato", answers={"touch_support": False})
    return cid


def submit(practice, staff, client_id, form, answers):
    with practice.work(SYSTEM) as work:
        forms.submit_form(work, client_id, form, answers)


def decide(practice, staff, client_id, modality):
    with practice.work(SYSTEM, write=False) as work:
        return eligibility.decide(work, Ask(modality, (client_id,), (), work.now + dt.timedelta(days=1)))


def codes(decision, verdict):
    return sorted(f.code for f in decision.findings if f.verdict is verdict)


def test_glaucoma_excludes_the_intensive_styles_and_adapts_the_gentle_one(practice, staff, hana):
    submit(practice, staff, hana, "breathwork/screening", {**CLEAR, "glaucoma": True})
    intensive, gentle = decide(practice, staff, hana, INTENSIVE), decide(practice, staff, hana, GENTLE)
    assert intensive.verdict is Verdict.excluded and intensive.blocking(Gate.book)
    assert codes(intensive, Verdict.excluded) == ["breathwork/glaucoma"]  # the fact rule does not repeat it
    assert gentle.verdict is Verdict.modify and not gentle.blocking(Gate.book)
    (adapt,) = gentle.of_verdict(Verdict.modify)
    assert "no breath holds" in adapt.reason and adapt.source.endswith(
        "rule source: https://wholenesscollective.ca/medical-contradictions · "
        "https://www.beyondthebreath.co.uk/tag/breath-practices")


def test_pregnancy_modifies_both_styles_once_each_with_the_adaptation(practice, staff, hana):
    submit(practice, staff, hana, "breathwork/screening", {**CLEAR, "pregnant": True})
    for modality in (INTENSIVE, GENTLE):
        decision = decide(practice, staff, hana, modality)
        assert decision.verdict is Verdict.modify and not decision.blocking(Gate.check_in)
        (finding,) = decision.of_verdict(Verdict.modify)
        assert finding.code == "breathwork/pregnancy" and "no fast or mouth breathing" in finding.reason


def test_mild_asthma_is_modify_not_clearance(practice, staff, hana):
    submit(practice, staff, hana, "breathwork/screening", {**CLEAR, "asthma": "mild"})
    decision = decide(practice, staff, hana, INTENSIVE)
    assert decision.verdict is Verdict.modify and codes(decision, Verdict.modify) == ["breathwork/mild-asthma"]


def test_the_talk_intakes_suicidal_ideation_excludes_intensive_and_needs_clearance_for_gentle(practice, staff, hana):
    submit(practice, staff, hana, "breathwork/screening", CLEAR)
    submit(practice, staff, hana, "talk/intake", {**CALM, "suicidal_thoughts_now": True})
    intensive, gentle = decide(practice, staff, hana, INTENSIVE), decide(practice, staff, hana, GENTLE)
    assert intensive.verdict is Verdict.risk and gentle.verdict is Verdict.risk  # the core's risk, for everyone
    (excluded,) = intensive.of_verdict(Verdict.excluded)
    assert excluded.code == "breathwork/fact-current-suicidal-ideation"
    assert "found in the Talk therapy intake" in excluded.source
    assert "holotropicalleida.org" in excluded.source
    assert codes(gentle, Verdict.clearance) == ["breathwork/fact-current-suicidal-ideation-gentle"]


def test_a_previous_attempt_found_by_the_talk_intake_needs_written_approval_for_intensive(practice, staff, hana):
    submit(practice, staff, hana, "breathwork/screening", CLEAR)
    submit(practice, staff, hana, "talk/intake", {**CALM, "suicide_attempt": True})
    assert decide(practice, staff, hana, INTENSIVE).verdict is Verdict.clearance
    assert decide(practice, staff, hana, GENTLE).verdict is Verdict.modify


def test_psychosis_answered_in_breathwork_is_one_exclusion_and_a_fact_for_every_modality(practice, staff, hana):
    submit(practice, staff, hana, "breathwork/screening", {**CLEAR, "psychiatric_conditions": ["psychosis"]})
    intensive = decide(practice, staff, hana, INTENSIVE)
    assert codes(intensive, Verdict.excluded) == ["breathwork/psychosis"]
    assert codes(decide(practice, staff, hana, GENTLE), Verdict.clearance) == ["breathwork/psychosis-gentle"]
    with practice.work(SYSTEM, write=False) as work:
        from polymodal.core.eligibility._screening import read_screening

        assert "psychosis_history" in {f.value for f in read_screening(work, hana).facts}


def test_pregnancy_recorded_on_the_bodywork_history_reaches_breathwork(practice, staff, hana):
    submit(practice, staff, hana, "breathwork/screening", CLEAR)
    submit(practice, staff, hana, "bodywork/health-history", {**HEALTH, "pregnant": True, "trimester": "2"})
    decision = decide(practice, staff, hana, GENTLE)
    modify = decision.of_verdict(Verdict.modify)
    assert [f.code for f in modify] == ["breathwork/fact-pregnancy"] and "Bodywork health history" in modify[0].source
