"""`polymodal plugins new`: the package it makes validates as start-up would, and passes its own tests."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from polymodal.core import cli
from polymodal.core.api import assert_valid_plugin, load_module_from_path, make_registry
from polymodal.core.errors import ValidationFailed
from polymodal.core.scaffold import new_plugin


def test_the_scaffold_is_a_valid_plugin_that_passes_its_own_tests(tmp_path, capsys):
    assert cli.main(["plugins", "new", "yoga_nidra", "--dir", str(tmp_path), "--title", "Yoga nidra"]) == 0
    folder = tmp_path / "polymodal-yoga-nidra"
    assert str(folder) in capsys.readouterr().out
    module = load_module_from_path(folder / "polymodal_yoga_nidra" / "__init__.py", "polymodal_yoga_nidra")
    assert_valid_plugin(module)
    registry = make_registry(("yoga_nidra", module))
    assert [m.name for m in registry.modalities] == ["Yoga nidra"]
    assert registry.consent_documents.get("yoga_nidra/informed-consent") is not None
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=folder,
                         env={**os.environ, "PYTHONPATH": str(folder)}, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "2 passed" in run.stdout, run.stdout + run.stderr


def test_a_bad_name_or_an_existing_folder_is_refused(tmp_path):
    with pytest.raises(ValidationFailed) as bad:
        new_plugin("Yoga-Nidra!", tmp_path)
    assert "lower-case" in bad.value.errors["name"]
    new_plugin("reiki", tmp_path)
    with pytest.raises(ValidationFailed, match="exists already"):
        new_plugin("reiki", tmp_path)
