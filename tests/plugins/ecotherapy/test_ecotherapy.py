"""The out-of-tree ecotherapy package, found and loaded exactly as a third party's plugin is."""

from importlib.metadata import entry_points

import pytest

from polymodal.core.display import describe
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.registry import Registry
from polymodal.core.testing import assert_samples_validate, assert_valid_plugin

INTAKE_ANSWERS = {"walking": "medium", "public_places": "yes", "weather_limits": "Thunderstorms"}
WALK_NOTE = {"setting": {"place": "Riverside path", "weather": "Drizzle"}, "data": "Talked about work.",
             "assessment": "Calmer than last week.", "plan": "Same route next week."}


@pytest.fixture(scope="module")
def full():
    return Registry.collect(get_plugin_manager())


@pytest.fixture(scope="module")
def without_ecotherapy():
    return Registry.collect(get_plugin_manager(block={"ecotherapy"}))


def test_declared_under_the_polymodal_entry_point_group():
    (ep,) = [ep for ep in entry_points(group="polymodal") if ep.name == "ecotherapy"]
    assert ep.value == "polymodal_ecotherapy"
    assert ep.dist.name == "polymodal-ecotherapy"
    assert_valid_plugin(ep.load())


def test_loaded_by_the_plugin_manager_with_its_hooks():
    pm = get_plugin_manager()
    plugin = pm.get_plugin("ecotherapy")
    assert plugin is not None
    hooks = {h.name for h in pm.get_hookcallers(plugin)}
    assert "polymodal_register_modalities" in hooks and "polymodal_register_note_templates" in hooks


def test_contributes_a_modality_with_its_own_intake_structure_note_and_consent(full):
    modality = full.modalities.get("ecotherapy/nature-based")
    assert full.modalities.owner(modality.key) == "ecotherapy"
    assert modality.intake_forms == ("ecotherapy/intake",)
    assert modality.consents_required == ("ecotherapy/outdoor-sessions",)
    assert [s.key for s in full.session_structures.for_modality(modality.key)] == ["ecotherapy/nature-session"]
    assert [t.key for t in full.note_templates.for_modality(modality.key)] == ["ecotherapy/nature-note"]


def test_adds_one_note_template_to_the_talk_individual_modality(full):
    foreign = [t.key for t in full.note_templates.for_modality("talk/psychotherapy")
               if full.note_templates.owner(t.key) == "ecotherapy"]
    assert foreign == ["ecotherapy/walk-and-talk"]


def test_forms_templates_and_consent_validate_sample_answers(full):
    assert assert_samples_validate(full, plugin="ecotherapy") == 4


def test_intake_bad_answer_names_the_field(full):
    _, errors = full.forms.get("ecotherapy/intake").validate_answers({**INTAKE_ANSWERS, "walking": "marathon"})
    assert errors == {"walking": "Choose one of the listed options."}


def test_records_display_with_labels_while_installed(full):
    answers, errors = full.forms.get("ecotherapy/intake").validate_answers(INTAKE_ANSWERS)
    assert errors == {}
    display = describe(full, "forms", "ecotherapy/intake", 1, answers)
    assert not display.raw
    assert ("How far can you comfortably walk?", "Up to about an hour") in display.rows


def test_intake_stays_displayable_as_stored_data_when_the_plugin_is_absent(full, without_ecotherapy):
    answers, _ = full.forms.get("ecotherapy/intake").validate_answers(INTAKE_ANSWERS)
    assert "ecotherapy/intake" not in without_ecotherapy.forms
    display = describe(without_ecotherapy, "forms", "ecotherapy/intake", 1, answers)
    assert display.raw and "not installed" in display.notice
    assert ("walking", "medium") in display.rows
    assert ("weather_limits", "Thunderstorms") in display.rows
    assert ("public_places", "true") in display.rows


def test_walk_and_talk_note_on_a_talk_client_stays_displayable_when_absent(full, without_ecotherapy):
    content, errors = full.note_templates.get("ecotherapy/walk-and-talk").validate_content(WALK_NOTE)
    assert errors == {}
    assert "talk/psychotherapy" in without_ecotherapy.modalities
    display = describe(without_ecotherapy, "note_templates", "ecotherapy/walk-and-talk", 1, content)
    assert display.raw
    assert ("setting.place", "Riverside path") in display.rows
    assert ("plan", "Same route next week.") in display.rows


def test_a_modalitys_own_plugin_comes_first_and_the_addition_last(full):
    # Issue 13: by key alone "ecotherapy/walk-and-talk" sorted before talk's notes, so a psychotherapy
    # session offered it first; a plugin adding to another's modality now comes after that plugin.
    offered = [t.key for t in full.note_templates.for_modality("talk/psychotherapy")]
    assert offered[0].startswith("talk/") and offered[-1] == "ecotherapy/walk-and-talk"
