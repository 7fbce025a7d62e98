"""Breathwork session log, consent and structures."""

import pytest

from polymodal.core.testing import assert_samples_validate, assert_valid_plugin, installed_plugin

CLOSE = {"oriented": "yes", "steady": "yes"}


@pytest.fixture
def breathwork(plugin_registry):
    return plugin_registry("breathwork")


def log(registry):
    return registry.forms.get("breathwork/session-log")


def test_plugin_functions_are_all_marked_hooks():
    assert_valid_plugin(installed_plugin("breathwork"))


def test_every_form_and_consent_accepts_sample_answers(breathwork):
    assert assert_samples_validate(breathwork, plugin="breathwork") == 4  # two forms, a consent, the note


def test_log_records_each_round(breathwork):
    values, errors = log(breathwork).validate_answers({
        "review_result": "clear", "style": "rounds", **CLOSE,
        "rounds": [{"breaths": 30, "retention_seconds": 90, "recovery_hold_seconds": 15},
                   {"breaths": "35", "retention_seconds": "120", "recovery_hold_seconds": "15"}],
    })
    assert errors == {}
    assert [r["retention_seconds"] for r in values["rounds"]] == [90, 120]


def test_log_round_without_retention_names_row_and_field(breathwork):
    _, errors = log(breathwork).validate_answers({
        "review_result": "clear", "style": "rounds", **CLOSE, "rounds": [{"breaths": 30, "retention_seconds": 60},
                                                                         {"breaths": 30}],
    })
    assert errors == {"rounds": "Row 2: retention_seconds: This field is required."}


def test_log_grounding_check_is_required(breathwork):
    _, errors = log(breathwork).validate_answers({"review_result": "clear", "style": "connected"})
    assert set(errors) == {"oriented", "steady"}


def test_log_records_adverse_events(breathwork):
    values, errors = log(breathwork).validate_answers({
        "review_result": "modified", "style": "connected", **CLOSE,
        "adverse_events": [{"type": "Hand cramping", "action": "Slowed the breath", "minutes_to_resolve": 3}],
        "phenomena": ["cramping", "tingling"],
    })
    assert errors == {}
    assert values["adverse_events"][0]["action"] == "Slowed the breath"
    assert values["phenomena"] == ["tingling", "cramping"]


def test_risk_consent_covers_the_required_points(breathwork):
    text = breathwork.consent_documents.get("breathwork/risk").text
    for phrase in ("screening", "tingling", "stop at any time", "separate consent", "not a substitute",
                   "near water or while driving", "pregnant", "aftercare"):
        assert phrase in text


def test_connected_and_rounds_structures(breathwork):
    connected = breathwork.session_structures.get("breathwork/connected")
    rounds = breathwork.session_structures.get("breathwork/rounds")
    assert 30 <= connected.phases[2].minutes <= 60
    assert "3-4 rounds" in rounds.phases[2].guidance
    assert connected.phases[-1].key == rounds.phases[-1].key == "grounding"


def test_a_gentle_structure_for_the_gentle_style(breathwork):
    gentle = breathwork.session_structures.get("breathwork/gentle")
    assert gentle.modalities == ("breathwork/gentle",) and "no breath holds" in gentle.phases[2].guidance


NOTE_CONTENT = {
    "intention": {"intention": "To let go of the week", "recheck": "no change"},
    "method": {"style": "slow-nasal", "position": "lying"},
    "breathing": {"rounds": "3", "active_minutes": "25"},
    "response": {"response": "Calmer; tingling in the hands that settled", "grounded": "yes"},
    "adverse": {"adverse_events": [{"type": "Hand cramping", "action": "Slowed the breath",
                                    "minutes_to_resolve": "3"}]},
    "adaptations": {"adaptations": "Slow nasal breathing only, no breath holds (pregnancy)"},
    "integration": {"integration": "Drew the feeling", "aftercare": "Water, rest", "follow_up": "Two weeks"},
}


def test_the_session_note_records_style_rounds_response_adverse_events_and_adaptations(breathwork):
    template = breathwork.note_templates.get("breathwork/session-note")
    assert template.modalities == ("breathwork/breathwork", "breathwork/gentle")
    assert [s.key for s in template.sections] == ["intention", "method", "breathing", "response", "adverse",
                                                  "adaptations", "integration"]
    values, errors = template.validate_content(NOTE_CONTENT)
    assert errors == {}
    assert values["breathing"]["rounds"] == 3 and values["adverse"]["adverse_events"][0]["action"] == "Slowed the breath"


def test_the_session_note_names_each_missing_answer_and_a_bad_row(breathwork):
    template = breathwork.note_templates.get("breathwork/session-note")
    content = {**NOTE_CONTENT, "adaptations": {"adaptations": ""}, "method": {"style": "<script>x</script>"},
               "adverse": {"adverse_events": [{"type": "Dizzy"}]}}
    _, errors = template.validate_content(content)
    assert set(errors) == {"adaptations.adaptations", "method.style", "adverse.adverse_events"}
    assert "Row 1: action" in errors["adverse.adverse_events"]
