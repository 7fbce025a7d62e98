"""polymodal.testing: the helpers and fixtures plugin authors use in their own suites."""

import types
from pathlib import Path

import pytest

from polymodal.core.api import FieldType, FormField, FormSection, FormSpec, ModalitySpec, Option, hookimpl
from polymodal.core.testing import (
    assert_samples_validate,
    assert_valid_plugin,
    installed_plugin,
    load_module_from_path,
    make_registry,
    sample_answers,
)

HOOKY = Path(__file__).parents[1] / "fixtures" / "plugins" / "hooky.py"
EVERY_TYPE = (
    FormField(key="t", label="T", max_length=3, required=True),
    FormField(key="lt", label="LT", type=FieldType.long_text),
    FormField(key="sc", label="SC", type=FieldType.single_choice, options=(Option(value="a", label="A"),)),
    FormField(key="mc", label="MC", type=FieldType.multi_choice, options=(Option(value="a", label="A"),)),
    FormField(key="sl", label="SL", type=FieldType.scale, min=2, max=4),
    FormField(key="yn", label="YN", type=FieldType.yes_no),
    FormField(key="d", label="D", type=FieldType.date),
    FormField(key="n", label="N", type=FieldType.number, max=0),
    FormField(key="bm", label="BM", type=FieldType.body_map, regions=({"code": "knee", "label": "Knee"},),
              item_fields=(FormField(key="p", label="P", type=FieldType.scale, min=1, max=5, required=True),)),
    FormField(key="r", label="R", type=FieldType.repeating,
              item_fields=(FormField(key="x", label="X", type=FieldType.number, required=True),)),
)


def plugin_with(*fields: FormField) -> types.ModuleType:
    module = types.ModuleType("tiny")

    @hookimpl
    def polymodal_register_modalities():
        return [ModalitySpec(key="tiny/m", name="M", family="talk", discipline="d")]

    @hookimpl
    def polymodal_register_forms():
        return [FormSpec(key="tiny/f", title="F", modalities=("tiny/m",),
                         sections=(FormSection(key="s", title="S", fields=fields),))]

    module.polymodal_register_modalities = polymodal_register_modalities
    module.polymodal_register_forms = polymodal_register_forms
    return module


def test_sample_answers_validate_for_every_field_type():
    form = FormSpec(key="tiny/f", title="F", sections=(FormSection(key="s", title="S", fields=EVERY_TYPE),))
    values, errors = form.validate_answers(sample_answers(form.fields))
    assert errors == {}
    assert values["t"] == "Sam" and values["sl"] == 2 and values["n"] == 0 and values["bm"] == {"knee": {"p": 1}}


def test_assert_samples_validate_counts_definitions_and_passes_a_good_plugin():
    registry = make_registry(("tiny", plugin_with(*EVERY_TYPE)))
    assert assert_samples_validate(registry) == 1


def test_assert_samples_validate_reports_an_unusable_definition():
    # A scale with no whole number between its ends can never be answered.
    impossible = FormField(key="level", label="Level", type=FieldType.scale, min=1.5, max=1.9)
    registry = make_registry(("tiny", plugin_with(impossible)))
    with pytest.raises(AssertionError, match=r"tiny/f@1: level: Enter a value of at least 1.5"):
        assert_samples_validate(registry)


def test_assert_valid_plugin_names_unmarked_functions():
    module = types.ModuleType("careless")
    module.polymodal_register_forms = lambda: []
    with pytest.raises(AssertionError, match="functions missing @hookimpl: polymodal_register_forms"):
        assert_valid_plugin(module)


def test_plugin_registry_fixture_builds_from_installed_names_and_modules(plugin_registry):
    registry = plugin_registry("talk", ("hooky", load_module_from_path(HOOKY)))
    assert {m.key for m in registry.modalities} >= {"talk/psychotherapy", "hooky/sauna"}
    assert "bodywork/massage" not in registry.modalities


def test_installed_plugin_unknown_name():
    with pytest.raises(LookupError, match="no installed plugin 'nope'"):
        installed_plugin("nope")
