"""The talk plugin's modalities, forms, structures, notes and consents, through the public API."""

import pytest

from polymodal.core.api import SectionTag, Visibility
from polymodal.core.testing import assert_samples_validate, assert_valid_plugin, installed_plugin

INDIVIDUAL = "talk/psychotherapy"


@pytest.fixture
def talk(plugin_registry):
    return plugin_registry("talk")


def test_plugin_functions_are_all_marked_hooks():
    assert_valid_plugin(installed_plugin("talk"))


def test_modalities_cover_every_talk_format(talk):
    assert {m.key for m in talk.modalities} == {
        INDIVIDUAL, "talk/couple-therapy", "talk/family-therapy", "talk/group-therapy", "talk/coaching",
        "talk/psychedelic-integration",
    }


def test_couple_therapy_requires_the_no_secrets_policy(talk):
    assert "talk/couple-no-secrets" in talk.modalities.get("talk/couple-therapy").consents_required


def test_psychedelic_integration_requires_its_own_consent_and_has_both_structures(talk):
    modality = talk.modalities.get("talk/psychedelic-integration")
    assert "talk/psychedelic-integration" in modality.consents_required
    structures = {s.key for s in talk.session_structures.for_modality(modality.key)}
    assert structures == {"talk/integration-preparation", "talk/integration-session"}


def test_coaching_does_not_claim_to_treat(talk):
    coaching = talk.modalities.get("talk/coaching")
    assert coaching.discipline == "coaching"
    assert "may not diagnose or treat" in coaching.description


def test_every_form_template_and_consent_accepts_sample_answers(talk):
    assert assert_samples_validate(talk, plugin="talk") >= 9


def test_intake_bad_answer_names_the_field(talk):
    _, errors = talk.forms.get("talk/intake").validate_answers(
        {"presenting_concerns": "Sleep", "medications": "none", "suicidal_thoughts_now": "maybe"})
    assert errors["suicidal_thoughts_now"] == "Answer yes or no."


def test_intake_spirituality_and_trauma_sections_are_optional(talk):
    sections = {s.key: s for s in talk.forms.get("talk/intake").sections}
    assert sections["spirituality"].optional and sections["trauma"].optional
    assert not sections["risk"].optional


def test_individual_hour_is_fifty_minutes(talk):
    assert talk.session_structures.get("talk/individual-50").minutes == 50


def test_group_session_is_within_75_to_90_minutes(talk):
    assert 75 <= talk.session_structures.get("talk/group-session").minutes <= 90


def test_couple_family_group_have_structures_in_their_format(talk):
    for modality, structure in (("talk/couple-therapy", "talk/couple-assessment"),
                                ("talk/family-therapy", "talk/family-session"),
                                ("talk/group-therapy", "talk/group-session")):
        assert structure in {s.key for s in talk.session_structures.for_modality(modality)}


@pytest.mark.parametrize(("key", "tags"), [
    ("talk/soap", ["subjective", "objective", "assessment", "plan"]),
    ("talk/dap", ["data", "assessment", "plan"]),
    ("talk/birp", ["behavior", "intervention", "response", "plan"]),
    ("talk/girp", ["goal", "intervention", "response", "plan"]),
    ("talk/pirp", ["problem", "intervention", "response", "plan"]),
])
def test_note_formats_have_their_sections_in_order(talk, key, tags):
    assert [s.tag.value for s in talk.note_templates.get(key).sections] == tags


def test_process_note_is_author_only(talk):
    note = talk.note_templates.get("talk/process-note")
    assert note.psychotherapy_note and note.visibility is Visibility.author_only
    assert all(not t.psychotherapy_note for t in talk.note_templates if t.key != note.key)


def test_girp_goal_section_is_tagged_goal(talk):
    assert talk.note_templates.get("talk/girp").sections[0].tag is SectionTag.goal


def test_note_with_wrong_content_type_names_the_section(talk):
    _, errors = talk.note_templates.get("talk/dap").validate_content({"data": 42})
    assert errors == {"data": "Enter text."}


def test_telehealth_confirms_location_every_session(talk):
    telehealth = talk.consent_documents.get("talk/telehealth")
    assert telehealth.confirm_each_session
    location = next(f for f in telehealth.fields if f.key == "location")
    assert location.required


def test_informed_consent_states_the_limits_of_confidentiality(talk):
    text = talk.consent_documents.get("talk/informed-consent").text
    for phrase in ("warn or protect", "abuse or neglect of a child", "court order", "imminent risk"):
        assert phrase in text


def test_release_of_information_needs_expiry_and_excludes_process_notes(talk):
    roi = talk.consent_documents.get("talk/release-of-information")
    assert next(f for f in roi.fields if f.key == "expiry").required
    assert "psychotherapy notes" in roi.text and "revoke" in roi.text


def test_recording_is_asked_again_each_session(talk):
    assert talk.consent_documents.get("talk/recording").confirm_each_session
