"""Each breathwork screening rule gives excluded or clearance, with its reason."""

import pytest

from polymodal.core.api import Outcome
from polymodal.core.testing import installed_plugin, make_registry

NO = "no"
BASE = {k: NO for k in (
    "cardiovascular", "aneurysm", "epilepsy", "glaucoma", "retinal_detachment", "recent_injury_surgery",
    "kidney_disease", "severe_osteoporosis", "thyroid", "diabetes", "pregnant", "untreated_condition", "ptsd",
    "recent_crisis", "antidepressant_change", "active_addiction")}
BASE |= {"blood_pressure": "normal", "asthma": "none"}

EXCLUDED, CLEARANCE = Outcome.excluded, Outcome.clearance
CASES = [
    ("breathwork/cardiovascular", {"cardiovascular": "yes"}, EXCLUDED, "angina"),
    ("breathwork/aneurysm", {"aneurysm": "yes"}, EXCLUDED, "aneurysm"),
    ("breathwork/epilepsy", {"epilepsy": "yes"}, EXCLUDED, "epilepsy"),
    ("breathwork/glaucoma", {"glaucoma": "yes"}, EXCLUDED, "glaucoma"),
    ("breathwork/retinal-detachment", {"retinal_detachment": "yes"}, EXCLUDED, "retinal detachment"),
    ("breathwork/recent-injury-surgery", {"recent_injury_surgery": "yes"}, EXCLUDED, "surgery"),
    ("breathwork/hypertension", {"blood_pressure": "uncontrolled"}, EXCLUDED, "uncontrolled high blood pressure"),
    ("breathwork/severe-asthma", {"asthma": "severe"}, EXCLUDED, "severe asthma"),
    ("breathwork/kidney-disease", {"kidney_disease": "yes"}, EXCLUDED, "kidney"),
    ("breathwork/severe-osteoporosis", {"severe_osteoporosis": "yes"}, EXCLUDED, "osteoporosis"),
    ("breathwork/severe-psychiatric", {"psychiatric_conditions": ["bipolar"]}, EXCLUDED, "bipolar"),
    ("breathwork/untreated-condition", {"untreated_condition": "yes"}, EXCLUDED, "without treatment"),
    ("breathwork/active-addiction", {"active_addiction": "yes"}, EXCLUDED, "addiction"),
    ("breathwork/pregnancy", {"pregnant": "yes"}, CLEARANCE, "slow nasal"),
    ("breathwork/mild-asthma", {"asthma": "mild"}, CLEARANCE, "inhaler"),
    ("breathwork/controlled-hypertension", {"blood_pressure": "controlled"}, CLEARANCE, "controlled high blood"),
    ("breathwork/thyroid", {"thyroid": "yes"}, CLEARANCE, "thyroid"),
    ("breathwork/diabetes", {"diabetes": "yes"}, CLEARANCE, "glucose"),
    ("breathwork/ptsd", {"ptsd": "yes"}, CLEARANCE, "therapist's approval"),
    ("breathwork/recent-crisis", {"recent_crisis": "yes"}, CLEARANCE, "written approval"),
    ("breathwork/antidepressant-change", {"antidepressant_change": "yes"}, CLEARANCE, "antidepressant"),
]


@pytest.fixture(scope="module")
def breathwork():
    return make_registry(("breathwork", installed_plugin("breathwork")))


def fired(registry, changes):
    answers, errors = registry.forms.get("breathwork/screening").validate_answers({**BASE, **changes})
    assert errors == {}
    return [r for r in registry.screening_rules if r.matches(answers)]


@pytest.mark.parametrize(("key", "changes", "outcome", "reason_part"), CASES)
def test_rule(breathwork, key, changes, outcome, reason_part):
    rules = fired(breathwork, changes)
    assert [r.key for r in rules] == [key]
    assert rules[0].outcome is outcome
    assert reason_part in rules[0].reason


def test_psychosis_and_paranoia_also_exclude(breathwork):
    for condition in ("psychosis", "paranoia"):
        assert [r.key for r in fired(breathwork, {"psychiatric_conditions": [condition]})] == [
            "breathwork/severe-psychiatric"]


def test_a_clear_screening_fires_nothing(breathwork):
    assert fired(breathwork, {}) == []


def test_every_rule_has_a_case(breathwork):
    assert {r.key for r in breathwork.screening_rules} == {c[0] for c in CASES}


def test_unanswered_screening_names_each_missing_question(breathwork):
    _, errors = breathwork.forms.get("breathwork/screening").validate_answers({})
    assert {"epilepsy", "aneurysm", "glaucoma", "pregnant", "blood_pressure"} <= set(errors)
