"""core.display: stored records as (label, text) rows, with the definition they were written under."""

from pathlib import Path

import pytest

from polymodal.core.display import EMPTY, describe
from polymodal.core.testing import installed_plugin, load_module_from_path, make_registry

FIXTURE = Path(__file__).parents[1] / "fixtures" / "plugins" / "versioned.py"


@pytest.fixture(scope="module")
def registry():
    return make_registry(("versioned", load_module_from_path(FIXTURE)))


@pytest.fixture(scope="module")
def without_it():
    return make_registry(("talk", installed_plugin("talk")))


ANSWERS = {"mood": "Calm", "terrain": ["flat", "hills"], "alone": False,
           "laps": [{"minutes": 12, "pace": "slow"}, {"minutes": 8, "pace": ""}]}


def test_form_uses_labels_of_the_version_it_was_written_under(registry):
    v1 = describe(registry, "forms", "versioned/intake", 1, ANSWERS)
    v2 = describe(registry, "forms", "versioned/intake", 2, ANSWERS)
    assert v1.rows[0] == ("Mood today", "Calm")
    assert v2.rows[0] == ("How is your mood?", "Calm")
    assert not v1.raw and v1.title == "Intake v1" and v1.notice == ""


def test_choices_show_option_labels_and_yes_no_as_words(registry):
    rows = dict(describe(registry, "forms", "versioned/intake", 1, ANSWERS).rows)
    assert rows["Terrain"] == "Flat paths, Hills"
    assert rows["Walks alone"] == "No"


def test_repeating_rows_are_numbered_and_skip_empty_values(registry):
    rows = dict(describe(registry, "forms", "versioned/intake", 1, ANSWERS).rows)
    assert rows["Lap 1"] == "Minutes: 12; Pace: slow"
    assert rows["Lap 2"] == "Minutes: 8"


def test_unanswered_fields_show_a_dash(registry):
    rows = dict(describe(registry, "forms", "versioned/intake", 1, {"mood": "Fine"}).rows)
    assert rows["Walks alone"] == EMPTY and rows["Lap"] == EMPTY


def test_stored_keys_unknown_to_the_definition_are_still_shown(registry):
    rows = describe(registry, "forms", "versioned/intake", 1, {"mood": "Ok", "legacy_field": "kept"}).rows
    assert rows[-1] == ("legacy_field", "kept")


def test_note_sections_and_body_map_regions(registry):
    display = describe(registry, "note_templates", "versioned/note", 1,
                       {"summary": "Walked by the river", "body": {"map": {"knee": {"level": 3}}}})
    assert display.rows == (("Summary", "Walked by the river"), ("Body: Sore: Knee", "Level: 3"))


def test_consent_fields(registry):
    display = describe(registry, "consent_documents", "versioned/outdoors", 1, {"location": "North gate"})
    assert display.title == "Outdoors" and display.rows == (("Meeting point", "North gate"),)


def test_assessment_rows_with_total_band_and_flag(registry):
    rows = describe(registry, "assessments", "versioned/check", 1, {"a": "n", "b": "y"}).rows
    assert rows == (("Tired?", "No (0)"), ("Sore?", "Yes (1)"), ("Total", "1"), ("Band", "Fine"),
                    ("Flag", "Check for injury."))


def test_incomplete_assessment_shows_items_without_a_total(registry):
    rows = describe(registry, "assessments", "versioned/check", 1, {"a": "y"}).rows
    assert rows == (("Tired?", "Yes (1)"), ("Sore?", EMPTY))


def test_missing_version_falls_back_to_raw_rows(registry):
    display = describe(registry, "forms", "versioned/intake", 7, ANSWERS)
    assert display.raw
    assert "Version 7" in display.notice and "installed: 1, 2" in display.notice
    assert display.rows[0] == ("mood", "Calm")
    assert ("laps", '[{"minutes": 12, "pace": "slow"}, {"minutes": 8, "pace": ""}]') in display.rows


def test_uninstalled_plugin_falls_back_to_raw_rows_with_nested_keys(without_it):
    display = describe(without_it, "note_templates", "versioned/note", 1,
                       {"summary": "Walked", "body": {"map": {"knee": {"level": 3}}}})
    assert display.raw and display.title == "versioned/note@1"
    assert "not installed" in display.notice
    assert display.rows == (("summary", "Walked"), ("body.map.knee.level", "3"))


def test_unknown_kind_is_a_programming_error(registry):
    with pytest.raises(ValueError, match="cannot display records of kind 'modalities'"):
        describe(registry, "modalities", "versioned/walk", 1, {})


def test_unknown_keys_inside_a_note_section_are_still_shown(registry):
    rows = describe(registry, "note_templates", "versioned/note", 1,
                    {"summary": "Walked", "body": {"map": {}, "legacy": "old value"}, "extra": "x"}).rows
    assert ("Body: legacy", "old value") in rows
    assert rows[-1] == ("extra", "x")


def test_note_section_stored_in_an_unexpected_shape_is_shown_raw(registry):
    rows = describe(registry, "note_templates", "versioned/note", 1, {"body": "free text from an import"}).rows
    assert ("Body", "free text from an import") in rows
