"""Psychedelic integration: its screening flags what its sources flag, and its consent says what the law says."""

import pytest

from polymodal.core.api import ClientFact, ConsentKind, FormPurpose, Outcome
from polymodal.core.testing import installed_plugin, make_registry

FORM = "talk/integration-screening"
CLEAR = {"psychosis_personal": "no", "bipolar_personal": "no", "family_psychosis_bipolar": "no",
         "interacting_medications": ["none"], "heart_condition": "no", "pregnant": "no"}
# rule key, the answer that fires it, outcome, fact it sets (None: no client fact)
RULES = [
    ("talk/integration-psychosis", {"psychosis_personal": "yes"}, Outcome.review, ClientFact.psychosis_history),
    ("talk/integration-bipolar", {"bipolar_personal": "yes"}, Outcome.review, ClientFact.bipolar_history),
    ("talk/integration-family-history", {"family_psychosis_bipolar": "yes"}, Outcome.review, None),
    ("talk/integration-lithium", {"interacting_medications": ["lithium"]}, Outcome.review, None),
    ("talk/integration-maoi", {"interacting_medications": ["maoi"]}, Outcome.review, None),
    ("talk/integration-tramadol", {"interacting_medications": ["tramadol"]}, Outcome.review, None),
    ("talk/integration-serotonergic", {"interacting_medications": ["ssri-snri"]}, Outcome.modify, None),
    ("talk/integration-antipsychotic", {"interacting_medications": ["antipsychotic"]}, Outcome.modify, None),
    ("talk/integration-stimulant", {"interacting_medications": ["stimulant"]}, Outcome.modify, None),
    ("talk/integration-cardiovascular", {"heart_condition": "yes"}, Outcome.review, ClientFact.cardiovascular_disease),
    ("talk/integration-pregnancy", {"pregnant": "yes"}, Outcome.review, ClientFact.pregnancy),
    ("talk/integration-breastfeeding", {"breastfeeding": "yes"}, Outcome.review, None),
]


@pytest.fixture(scope="module")
def talk():
    return make_registry(("talk", installed_plugin("talk")))


def fired(registry, changes):
    answers, errors = registry.forms.get(FORM).validate_answers({**CLEAR, **changes})
    assert errors == {}
    return [r.key for r in registry.screening_rules if r.form == FORM and r.matches(answers)]


@pytest.mark.parametrize(("key", "changes", "outcome", "fact"), RULES)
def test_each_answer_flags_the_clinician_with_its_source(talk, key, changes, outcome, fact):
    assert fired(talk, changes) == [key]
    rule = talk.screening_rules.get(key)
    assert (rule.outcome, rule.sets_fact, rule.modalities) == (outcome, fact, ("talk/psychedelic-integration",))
    assert rule.source and rule.reason.startswith(("Needs review:", "Modify:"))
    # Never silently eligible, and never a refusal: integration is talk, and people at risk may need it most.
    assert rule.outcome not in (Outcome.eligible, Outcome.excluded)


def test_a_clear_screening_fires_nothing(talk):
    assert fired(talk, {}) == []


def test_every_integration_rule_is_tested(talk):
    assert {r.key for r in talk.screening_rules if r.form == FORM} == {k for k, *_ in RULES}


def test_several_interacting_medicines_each_flag(talk):
    assert fired(talk, {"interacting_medications": ["lithium", "ssri-snri", "st-johns-wort"]}) == [
        "talk/integration-lithium", "talk/integration-serotonergic"]


def test_the_screening_is_a_screening_of_the_modality_and_must_be_answered(talk):
    form = talk.forms.get(FORM)
    assert form.purpose is FormPurpose.screening and form.modalities == ("talk/psychedelic-integration",)
    _, errors = form.validate_answers({})
    assert set(errors) == set(CLEAR)
    _, errors = form.validate_answers({**CLEAR, "interacting_medications": ["ketamine"]})
    assert errors == {"interacting_medications": "Choose from the listed options."}


def test_the_consent_v2_states_the_legal_position_and_asks_v1_signers_again(talk):
    assert talk.consent_documents.versions("talk/psychedelic-integration") == (1, 2)
    consent = talk.consent_documents.get("talk/psychedelic-integration")
    assert consent.version == 2 and consent.min_signed_version == 2 and consent.kind is ConsentKind.substance
    for statement in ("do not provide, sell or give you any psychedelic", "we do not help you obtain one",
                      "do not supervise or guide its use", "illegal under federal law and in most states",
                      "Oregon and Colorado", "own licences", "not advice to take a substance and not an endorsement",
                      "The limits are those in the informed consent", "health screening"):
        assert statement in consent.text, statement
    assert "clinical exception" not in consent.text
    assert "21 U.S.C." in consent.source and "Oregon" in consent.source and "Colorado" in consent.source
