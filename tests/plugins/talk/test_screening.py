"""Each intake risk rule flags the practitioner on a yes, and stays silent on a no."""

import pytest

from polymodal.core.api import Outcome
from polymodal.core.testing import installed_plugin, make_registry

RULES = [
    ("talk/risk-suicidal-now", "suicidal_thoughts_now", Outcome.risk),
    ("talk/risk-suicidal-past", "suicidal_thoughts_past", Outcome.modify),
    ("talk/risk-attempt", "suicide_attempt", Outcome.modify),
    ("talk/risk-self-harm", "self_harm", Outcome.risk),
    ("talk/risk-violence", "violence_risk", Outcome.risk),
]
ALL_NO = {field: "no" for _, field, _ in RULES}


@pytest.fixture(scope="module")
def talk():
    return make_registry(("talk", installed_plugin("talk")))


def fired(registry, raw_answers):
    form = registry.forms.get("talk/intake")
    answers, errors = form.validate_answers({"presenting_concerns": "Low mood", "medications": "none",
                                             **raw_answers})
    assert errors == {}
    return [r.key for r in registry.screening_rules if r.form == form.key and r.matches(answers)]


@pytest.mark.parametrize(("rule_key", "field", "outcome"), RULES)
def test_risk_rule_fires_on_yes(talk, rule_key, field, outcome):
    assert fired(talk, {**ALL_NO, field: "yes"}) == [rule_key]
    rule = talk.screening_rules.get(rule_key)
    # A danger now is risk (a clinician must acknowledge it); history alone changes how the session starts.
    assert rule.outcome is outcome
    assert rule.reason.startswith("Risk:")


def test_no_risk_rule_fires_when_every_answer_is_no(talk):
    assert fired(talk, ALL_NO) == []


def test_every_rule_is_tested(talk):
    # The psychedelic-integration screening's rules are tested in test_integration.py.
    assert {r.key for r in talk.screening_rules if r.form == "talk/intake"} == {k for k, _, _ in RULES}


def test_risk_questions_must_be_answered(talk):
    _, errors = talk.forms.get("talk/intake").validate_answers({"presenting_concerns": "x", "medications": "none"})
    assert set(errors) == set(ALL_NO)
