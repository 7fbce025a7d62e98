"""Each contraindication rule of the health history, one case per rule."""

import pytest

from polymodal.core.api import Outcome
from polymodal.core.testing import installed_plugin, make_registry

BASE = {
    "physician_care": "no", "medications": "none", "blood_clot": "no", "acute_illness": "no",
    "cardiovascular_unstable": "no", "bleeding_risk": "no", "recent_surgery": "no", "bone_fragility": "no",
    "skin": "none", "varicose_veins": "no", "cancer": "no", "neuropathy": "no", "pregnant": "no",
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


def test_a_clear_history_fires_nothing(bodywork):
    assert fired(bodywork, {}) == []


def test_every_rule_has_a_case(bodywork):
    assert {r.key for r in bodywork.screening_rules} == {c[0] for c in CASES}


def test_every_rule_cites_a_source(bodywork):
    assert all(r.source.startswith("http") for r in bodywork.screening_rules)
