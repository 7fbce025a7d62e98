"""Each contraindication rule of the health history, one case per rule."""

import pytest

from polymodal.core.api import ClientFact, Outcome
from polymodal.core.testing import installed_plugin, make_registry

BASE = {
    "physician_care": "no", "medications": "none", "blood_clot": "no", "acute_illness": "no",
    "cardiovascular_unstable": "no", "bleeding_risk": "no", "recent_surgery": "no", "bone_fragility": "no",
    "skin": "none", "varicose_veins": "no", "cancer": "no", "neuropathy": "no", "pregnant": "no",
    "lymphedema_risk": "no", "local_inflammation": "no", "aneurysm": "no", "intoxicated": "no",
}

CASES = [
    ("bodywork/blood-clot", {"blood_clot": "yes"}, Outcome.excluded, "Absolute"),
    ("bodywork/acute-illness", {"acute_illness": "yes"}, Outcome.excluded, "Absolute"),
    ("bodywork/cardiovascular", {"cardiovascular_unstable": "yes"}, Outcome.clearance, "Absolute until cleared"),
    ("bodywork/bleeding-risk", {"bleeding_risk": "yes"}, Outcome.modify, "Modify"),
    ("bodywork/anticoagulant", {"medication_classes": ["anticoagulant"]}, Outcome.modify, "Modify"),
    ("bodywork/corticosteroid", {"medication_classes": ["corticosteroid"]}, Outcome.modify, "Modify"),
    ("bodywork/analgesic", {"medication_classes": ["analgesic"]}, Outcome.modify, "Modify"),
    ("bodywork/recent-surgery", {"recent_surgery": "yes"}, Outcome.modify, "Local"),
    ("bodywork/bone-fragility", {"bone_fragility": "yes"}, Outcome.modify, "Local + modify"),
    ("bodywork/skin-local", {"skin": "local"}, Outcome.modify, "Local"),
    ("bodywork/skin-widespread", {"skin": "widespread"}, Outcome.excluded, "Absolute"),
    ("bodywork/varicose-veins", {"varicose_veins": "yes"}, Outcome.modify, "Local"),
    ("bodywork/pregnancy", {"pregnant": "yes", "trimester": "2"}, Outcome.modify, "Modify"),
    ("bodywork/pregnancy-high-risk", {"pregnancy_high_risk": "yes"}, Outcome.clearance, "Clearance"),
    ("bodywork/cancer", {"cancer": "yes"}, Outcome.modify, "Modify"),
    ("bodywork/neuropathy", {"neuropathy": "yes"}, Outcome.modify, "Modify"),
    ("bodywork/abuse-history", {"abuse_history": "yes"}, Outcome.modify, "Modify"),
    ("bodywork/product-allergy", {"product_allergies": ["latex"]}, Outcome.modify, "Modify"),
    ("bodywork/lymphedema-risk", {"lymphedema_risk": "yes"}, Outcome.modify, "Local + modify"),
    ("bodywork/local-inflammation", {"local_inflammation": "yes"}, Outcome.modify, "Local"),
    ("bodywork/aneurysm", {"aneurysm": "yes"}, Outcome.excluded, "Absolute"),
    ("bodywork/intoxicated", {"intoxicated": "yes"}, Outcome.excluded, "Absolute today"),
]


@pytest.fixture(scope="module")
def bodywork():
    return make_registry(("bodywork", installed_plugin("bodywork")))


def fired(registry, changes):
    answers, errors = registry.forms.get("bodywork/health-history").validate_answers({**BASE, **changes})
    assert errors == {}
    return [r for r in registry.screening_rules if r.matches(answers)]


@pytest.mark.parametrize(("key", "changes", "outcome", "reason_class"), CASES)
def test_rule(bodywork, key, changes, outcome, reason_class):
    rules = fired(bodywork, changes)
    assert [r.key for r in rules] == [key]
    assert rules[0].outcome is outcome
    assert rules[0].reason.startswith(reason_class + ":")


def test_pregnancy_positioning_is_modify_with_side_lying_and_no_prone_after_the_first_trimester(bodywork):
    (rule,) = fired(bodywork, {"pregnant": "yes", "trimester": "3"})
    assert rule.outcome is Outcome.modify and rule.sets_fact is ClientFact.pregnancy
    assert "side-lying" in rule.reason and "after the first trimester (about 13 weeks) no prone" in rule.reason
    assert "massagemag.com/position-matters-in-pregnancy-massage" in rule.source


def test_unstable_blood_pressure_or_recent_stroke_waits_for_a_clearance(bodywork):
    (rule,) = fired(bodywork, {"cardiovascular_unstable": "yes"})
    assert rule.outcome is Outcome.clearance and "stroke" in rule.reason and "blood pressure" in rule.reason
    assert rule.sets_fact is ClientFact.cardiovascular_disease


def test_the_four_new_questions_are_asked_in_version_2_and_version_1_stays_readable(bodywork):
    new = {"lymphedema_risk", "local_inflammation", "aneurysm", "intoxicated"}
    latest = bodywork.forms.get("bodywork/health-history")
    assert latest.version == 2 and new <= {f.key for f in latest.fields if f.required}
    first = bodywork.forms.get("bodywork/health-history", 1)
    assert not new & {f.key for f in first.fields}
    _, errors = latest.validate_answers({k: v for k, v in BASE.items() if k != "intoxicated"})
    assert set(errors) == {"intoxicated"}


def test_a_clear_history_fires_nothing(bodywork):
    assert fired(bodywork, {}) == []


def test_every_rule_has_a_case(bodywork):
    assert {r.key for r in bodywork.screening_rules} == {c[0] for c in CASES}


def test_every_rule_cites_a_source(bodywork):
    assert all(r.source.startswith("http") for r in bodywork.screening_rules)
