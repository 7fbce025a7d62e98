"""Bodywork modalities, consent to touch, SOAP body map and structures."""

import pytest

from polymodal.core.api import FieldType
from polymodal.core.testing import assert_samples_validate, assert_valid_plugin, installed_plugin

SENSITIVE = {"gluteal", "chest_wall", "breast", "inner_thigh"}
CODES = {"head", "face", "neck_ant", "neck_post", "shoulder", "upper_back", "mid_back", "low_back", "gluteal",
         "chest_wall", "breast", "abdomen", "upper_arm", "forearm", "hand", "thigh_ant", "thigh_post",
         "inner_thigh", "knee", "calf", "foot"}


@pytest.fixture
def bodywork(plugin_registry):
    return plugin_registry("bodywork")


def soap_body_map(registry):
    objective = next(s for s in registry.note_templates.get("bodywork/soap").sections if s.key == "objective")
    return next(f for f in objective.fields if f.type is FieldType.body_map)


def test_plugin_functions_are_all_marked_hooks():
    assert_valid_plugin(installed_plugin("bodywork"))


def test_modalities(bodywork):
    assert {m.key for m in bodywork.modalities} == {"bodywork/massage", "bodywork/somatic-therapy",
                                                    "bodywork/de-armoring"}
    for modality in bodywork.modalities:
        assert modality.consents_required == ("bodywork/touch",)
        assert modality.intake_forms == ("bodywork/health-history",)


def test_every_form_template_and_consent_accepts_sample_answers(bodywork):
    assert assert_samples_validate(bodywork, plugin="bodywork") == 3


def test_touch_consent_is_per_region_and_confirmed_each_session(bodywork):
    touch = bodywork.consent_documents.get("bodywork/touch")
    assert touch.per_body_region and touch.confirm_each_session
    regions = next(f for f in touch.fields if f.type is FieldType.body_map).regions
    assert {r.code for r in regions} == CODES
    assert {r.code for r in regions if r.sensitive} == SENSITIVE


def test_touch_consent_records_a_state_per_region(bodywork):
    touch = bodywork.consent_documents.get("bodywork/touch")
    field = next(f for f in touch.fields if f.key == "regions")
    value = field.clean({"breast": {"consent": "declined"}, "low_back": {"consent": "consented"},
                         "inner_thigh": {"consent": "ask-each-time"}})
    assert value["breast"] == {"consent": "declined"}
    with pytest.raises(ValueError, match="Breast: consent: Choose one of the listed options"):
        field.clean({"breast": {"consent": "maybe"}})


def test_soap_body_map_records_consent_technique_pressure_and_findings(bodywork):
    body_map = soap_body_map(bodywork)
    entry = body_map.clean({"shoulder": {"consent": "consented", "side": "left", "technique": "Effleurage",
                                         "pressure": 3, "findings": "Hypertonic upper trapezius"}})
    assert entry["shoulder"]["pressure"] == 3
    assert entry["shoulder"]["technique"] == "Effleurage"


@pytest.mark.parametrize("pressure", [0, 6])
def test_soap_pressure_outside_1_to_5_names_region_and_field(bodywork, pressure):
    note = bodywork.note_templates.get("bodywork/soap")
    _, errors = note.validate_content({
        "subjective": {"complaint": "Neck pain", "medication_changes": "no change"},
        "objective": {"body_map": {"neck_post": {"consent": "consented", "pressure": pressure}}},
    })
    assert list(errors) == ["objective.body_map"]
    assert errors["objective.body_map"].startswith("Neck (back): pressure:")


def test_soap_requires_medication_changes(bodywork):
    _, errors = bodywork.note_templates.get("bodywork/soap").validate_content({"subjective": {"complaint": "x"}})
    assert errors == {"subjective.medication_changes": "This field is required."}


def test_structures_cover_every_modality(bodywork):
    for modality in bodywork.modalities:
        assert bodywork.session_structures.for_modality(modality.key)


def test_first_visit_has_the_longer_intake(bodywork):
    first = bodywork.session_structures.get("bodywork/first-visit").phases[0]
    repeat = bodywork.session_structures.get("bodywork/repeat-visit").phases[0]
    assert 10 <= first.minutes <= 15 and 3 <= repeat.minutes <= 5


def test_somatic_session_is_50_to_60_minutes(bodywork):
    assert 50 <= bodywork.session_structures.get("bodywork/somatic-session").minutes <= 60
