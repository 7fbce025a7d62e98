"""One bad plugin never takes the center down: it is disabled with its reason, shown by `polymodal plugins
list` and the admin's plugin page, and the rest of the center works. Strict mode fails loudly instead."""

from __future__ import annotations

import json
import types

import pytest

from polymodal.core import cli
from polymodal.core.api import Family, ModalitySpec, hookimpl
from polymodal.core.errors import StartupError
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.settings import Settings

BROKEN = "brokenmod"  # the entry point of the broken_installed fixture


def _loaded(pm) -> set[str]:
    return {name for name, plugin in pm.list_name_plugin() if plugin is not None}


def test_a_plugin_that_fails_to_import_is_disabled_and_the_rest_load(broken_installed):
    pm = get_plugin_manager()
    assert {"talk", "bodywork", "breathwork", "arts"} <= _loaded(pm) and BROKEN not in _loaded(pm)
    assert pm.disabled[BROKEN] == "could not be imported: ImportError: needs libsomatic 2.0"


def test_strict_mode_refuses_to_start_naming_the_plugin(broken_installed, monkeypatch):
    with pytest.raises(StartupError, match="plugin 'brokenmod': could not be imported"):
        get_plugin_manager(strict=True)
    monkeypatch.setenv("POLYMODAL_STRICT_PLUGINS", "1")
    with pytest.raises(StartupError, match="brokenmod"):
        get_plugin_manager()


def test_a_misspelt_hook_disables_only_its_plugin():
    typo = types.ModuleType("zeta")
    typo.polymodal_register_modalitys = hookimpl(lambda: [])
    pm = get_plugin_manager(plugins=[("zeta", typo)], strict=False)
    assert "zeta" not in _loaded(pm) and "talk" in _loaded(pm)
    assert "polymodal_register_modalitys" in pm.disabled["zeta"]


def test_a_plugin_with_a_bad_definition_is_left_out_of_the_registry(engine, tmp_path):
    bad = types.ModuleType("gamma")
    bad.polymodal_register_modalities = hookimpl(lambda: [
        {"key": "gamma/x", "name": "X", "family": "astrology", "discipline": "x"}])
    good = types.ModuleType("delta")
    good.polymodal_register_modalities = hookimpl(lambda: [
        ModalitySpec(key="delta/x", name="Delta", family=Family.talk, discipline="x")])
    practice = Practice(get_plugin_manager(load_entrypoints=False, plugins=[("gamma", bad), ("delta", good)],
                                           strict=False), Settings(data_dir=tmp_path), engine=engine)
    assert [m.key for m in practice.registry.modalities] == ["delta/x"]
    assert "field 'family'" in practice.disabled_plugins["gamma"]


def test_plugins_list_says_which_plugin_is_disabled_and_why(broken_installed, capsys):
    assert cli.main(["plugins", "list"]) == 0
    out = capsys.readouterr().out
    assert "talk " in out and "brokenmod: DISABLED, could not be imported: ImportError: needs libsomatic 2.0" in out
    assert cli.main(["plugins", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"name": "brokenmod", "disabled": "could not be imported: ImportError: needs libsomatic 2.0"} in listed
