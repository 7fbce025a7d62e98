"""check_plugin: every problem of an installed plugin, one line each, naming plugin, contribution and field."""

import sys

import pytest

from polymodal.core.plugin_check import check_plugin
from tests.conftest import install_as_distribution


@pytest.fixture
def installed_broken(tmp_path, monkeypatch):
    """Install the broken fixture as a real distribution with a ``polymodal`` entry point named 'broken'."""
    module = install_as_distribution("broken", tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop(module, None)


@pytest.fixture
def lines(installed_broken):
    return check_plugin("broken")


def test_unmarked_hook_function_is_reported(lines):
    assert any("plugin 'broken': function 'polymodal_register_consent_documents' is not marked with @hookimpl"
               in line for line in lines)


def test_misspelt_hook_is_reported(lines):
    assert "plugin 'broken': hook 'polymodal_register_modalitys' matches no polymodal hook (misspelt?)" in lines


def test_invalid_field_value_names_contribution_and_field(lines):
    assert any(line.startswith("plugin 'broken': modalities 'broken/bad-family': field 'family':")
               for line in lines)


def test_invalid_nested_definition_names_the_path(lines):
    assert any(line.startswith("plugin 'broken': forms 'broken/choices': field 'sections.0.fields.0':")
               and "needs options" in line for line in lines)


def test_key_outside_the_plugin_namespace(lines):
    assert "plugin 'broken': note_templates 'talk/soap': field 'key': must start with 'broken/'" in lines


def test_missing_consent_reference(lines):
    assert ("plugin 'broken': modalities 'broken/ok@1': field 'consents_required' names "
            "'broken/missing-consent', which no installed plugin provides") in lines


def test_screening_rule_naming_an_unknown_field(lines):
    assert ("plugin 'broken': screening_rules 'broken/rule@1': field 'field' names 'broken/intake:weight', "
            "which no installed plugin provides") in lines


def test_every_line_names_the_plugin_and_nothing_else_is_reported(lines):
    assert all(line.startswith("plugin 'broken': ") for line in lines)
    assert len(lines) == 7


def test_checks_go_on_after_the_first_problem(lines):
    # The valid modality and form were still collected: only their own faults are listed.
    assert not any("broken/intake'" in line and "forms" in line for line in lines)


@pytest.mark.parametrize("name", ["talk", "bodywork", "breathwork", "arts", "ecotherapy"])
def test_installed_plugins_are_clean(name):
    assert check_plugin(name) == []


def test_unknown_plugin_name():
    assert check_plugin("no-such-plugin") == [
        "plugin 'no-such-plugin': not installed (no entry point 'no-such-plugin' in group 'polymodal')"]


def test_plugin_that_fails_to_import(tmp_path, monkeypatch):
    (tmp_path / "polymodal_fixture_crash.py").write_text("raise RuntimeError('boom at import')\n")
    dist = tmp_path / "polymodal_fixture_crash-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: polymodal-fixture-crash\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[polymodal]\ncrash = polymodal_fixture_crash\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    (line,) = check_plugin("crash")
    assert line.startswith("plugin 'crash': cannot be imported from 'polymodal_fixture_crash':")
    assert "boom at import" in line
