"""Each breathwork screening answer gives one outcome per style: intensive and gentle, with its reason."""

import pytest

from polymodal.core.api import ClientFact, Outcome
from polymodal.core.testing import installed_plugin, make_registry

NO = "no"
BASE = {k: NO for k in (
    "cardiovascular", "aneurysm", "epilepsy", "glaucoma", "retinal_detachment", "recent_injury_surgery",
    "kidney_disease", "severe_osteoporosis", "thyroid", "diabetes", "pregnant", "untreated_condition", "ptsd",
    "recent_crisis", "antidepressant_change", "active_addiction")}
BASE |= {"blood_pressure": "normal", "asthma": "none"}

INTENSIVE, GENTLE = "breathwork/breathwork", "breathwork/gentle"
X, C, M = Outcome.excluded, Outcome.clearance, Outcome.modify
# answers -> (intensive outcome, gentle outcome, a word of the gentle adaptation, fact set)
CASES = {
    "cardiovascular": ({"cardiovascular": "yes"}, X, M, "no breath holds", ClientFact.cardiovascular_disease),
    "aneurysm": ({"aneurysm": "yes"}, X, M, "no breath holds", None),
    "epilepsy": ({"epilepsy": "yes"}, X, M, "over-breathe", ClientFact.seizures),
    "glaucoma": ({"glaucoma": "yes"}, X, M, "pressure in the eye", ClientFact.glaucoma),
    "retinal-detachment": ({"retinal_detachment": "yes"}, X, M, "no breath holds", None),
    "recent-injury-surgery": ({"recent_injury_surgery": "yes"}, X, M, "spares the injury", None),
    "hypertension": ({"blood_pressure": "uncontrolled"}, X, C, "doctor agrees",
                     ClientFact.uncontrolled_hypertension),
    "severe-asthma": ({"asthma": "severe"}, X, M, "inhaler", None),
    "kidney-disease": ({"kidney_disease": "yes"}, X, M, "slow nasal", None),
    "severe-osteoporosis": ({"severe_osteoporosis": "yes"}, X, M, "lying still", None),
    "psychosis": ({"psychiatric_conditions": ["psychosis"]}, X, C, "written approval",
                  ClientFact.psychosis_history),
    "bipolar": ({"psychiatric_conditions": ["bipolar"]}, X, C, "written approval", ClientFact.bipolar_history),
    "severe-psychiatric": ({"psychiatric_conditions": ["paranoia"]}, X, C, "written approval", None),
    "untreated-condition": ({"untreated_condition": "yes"}, X, M, "grounding", None),
    "active-addiction": ({"active_addiction": "yes"}, X, M, "grounding", None),
    "ptsd": ({"ptsd": "yes"}, C, M, "stop signal", None),
    "recent-crisis": ({"recent_crisis": "yes"}, C, M, "grounding", None),
    "antidepressant-change": ({"antidepressant_change": "yes"}, C, M, "slow down", None),
}
# One outcome for both styles: the sources adapt, they do not refuse.
BOTH = {
    "pregnancy": ({"pregnant": "yes"}, "no fast or mouth breathing", ClientFact.pregnancy),
    "mild-asthma": ({"asthma": "mild"}, "inhaler is at hand", None),
    "controlled-hypertension": ({"blood_pressure": "controlled"}, "No breath holds", None),
    "thyroid": ({"thyroid": "yes"}, "controlled", None),
    "diabetes": ({"diabetes": "yes"}, "Glucose at hand", None),
}


@pytest.fixture(scope="module")
def breathwork():
    return make_registry(("breathwork", installed_plugin("breathwork")))


def fired(registry, changes):
    answers, errors = registry.forms.get("breathwork/screening").validate_answers({**BASE, **changes})
    assert errors == {}
    return {r.key: r for r in registry.screening_rules if r.form and r.matches(answers)}


@pytest.mark.parametrize("name", CASES)
def test_each_answer_has_an_outcome_per_style(breathwork, name):
    changes, intensive, gentle, adaptation, fact = CASES[name]
    rules = fired(breathwork, changes)
    assert set(rules) == {f"breathwork/{name}", f"breathwork/{name}-gentle"}
    hard, soft = rules[f"breathwork/{name}"], rules[f"breathwork/{name}-gentle"]
    assert (hard.modalities, hard.outcome) == ((INTENSIVE,), intensive)
    assert (soft.modalities, soft.outcome) == ((GENTLE,), gentle)
    assert "intensive breathwork" in hard.reason.lower() and adaptation in soft.reason
    assert hard.sets_fact is fact and soft.sets_fact is fact
    assert hard.source and soft.source.startswith("http")


@pytest.mark.parametrize("name", BOTH)
def test_pregnancy_and_mild_asthma_modify_both_styles_with_the_adaptation(breathwork, name):
    changes, adaptation, fact = BOTH[name]
    (rule,) = fired(breathwork, changes).values()
    assert rule.key == f"breathwork/{name}" and rule.outcome is Outcome.modify
    assert rule.modalities == (INTENSIVE, GENTLE)
    assert adaptation in rule.reason and rule.sets_fact is fact


def test_the_intensive_exclusions_are_those_of_the_sources(breathwork):
    excluded = {r.key for r in breathwork.screening_rules if r.form and r.outcome is X}
    assert excluded == {f"breathwork/{n}" for n, case in CASES.items() if case[1] is X}
    assert not [r for r in breathwork.screening_rules if r.outcome is X and GENTLE in r.modalities]


def test_facts_from_other_intakes_have_an_outcome_per_style(breathwork):
    facts = {(r.if_fact, r.modalities): r.outcome for r in breathwork.screening_rules if r.if_fact}
    for fact in (ClientFact.current_suicidal_ideation, ClientFact.psychosis_history, ClientFact.bipolar_history):
        assert facts[fact, (INTENSIVE,)] is X and facts[fact, (GENTLE,)] is C
    assert facts[ClientFact.pregnancy, (INTENSIVE, GENTLE)] is M
    assert facts[ClientFact.seizures, (GENTLE,)] is M


def test_a_clear_screening_fires_nothing(breathwork):
    assert fired(breathwork, {}) == {}


def test_every_answer_rule_has_a_case(breathwork):
    keys = {r.key for r in breathwork.screening_rules if r.form}
    assert keys == {f"breathwork/{n}{s}" for n in CASES for s in ("", "-gentle")} | {f"breathwork/{n}" for n in BOTH}


def test_unanswered_screening_names_each_missing_question(breathwork):
    _, errors = breathwork.forms.get("breathwork/screening").validate_answers({})
    assert {"epilepsy", "aneurysm", "glaucoma", "pregnant", "blood_pressure"} <= set(errors)
