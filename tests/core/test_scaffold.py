"""`polymodal plugins new`: the package it makes validates as start-up would, and passes its own tests."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from polymodal.core import cli
from polymodal.core.api import assert_valid_plugin, load_module_from_path, make_registry
from polymodal.core.errors import ValidationFailed
from polymodal.core.plugin_check import check_plugin
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
    # Its own tests, the web ones included (page, portal, pre-flight, sweeps through polymodal.web.testing).
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=folder,
                         env={**os.environ, "PYTHONPATH": str(folder)}, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "5 passed" in run.stdout, run.stdout + run.stderr


def test_the_scaffold_passes_the_plugin_check_once_installed(tmp_path, monkeypatch):
    folder = new_plugin("yoga_nidra", tmp_path, "Yoga nidra")
    # Installed as pip would make it findable: a dist-info whose entry point names the package on the path.
    dist = tmp_path / "polymodal_yoga_nidra-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: polymodal-yoga-nidra\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[polymodal]\nyoga_nidra = polymodal_yoga_nidra\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(folder))
    try:
        assert check_plugin("yoga_nidra") == []
    finally:
        for name in [m for m in sys.modules if m.startswith("polymodal_yoga_nidra")]:
            del sys.modules[name]


def test_a_bad_name_or_an_existing_folder_is_refused(tmp_path):
    with pytest.raises(ValidationFailed) as bad:
        new_plugin("Yoga-Nidra!", tmp_path)
    assert "lower-case" in bad.value.errors["name"]
    new_plugin("reiki", tmp_path)
    with pytest.raises(ValidationFailed, match="exists already"):
        new_plugin("reiki", tmp_path)
