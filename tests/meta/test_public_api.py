"""What the documentation tells a plugin author to import is importable from the public API, and the
documentation never sends them anywhere else in polymodal.core."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from polymodal.core import api

ROOT = Path(__file__).resolve().parents[2]
AUTHOR_DOCS = [ROOT / "docs" / "plugins.md", *sorted((ROOT / "docs").glob("plugin-*.md")),
               *sorted((ROOT / "examples").rglob("*.py")), *sorted((ROOT / "examples").rglob("*.md"))]
CODE = re.compile(r"```python\n(.*?)```", re.S)


def _imports() -> list[tuple[str, str, str]]:
    """(file, module, name) of every ``from polymodal... import name`` in the code an author reads."""
    found = []
    for path in AUTHOR_DOCS:
        text = path.read_text()
        for block in CODE.findall(text) if path.suffix == ".md" else [text]:
            for node in ast.walk(ast.parse(block)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("polymodal."):
                    found += [(path.name, node.module, alias.name) for alias in node.names]
    return found


def test_documented_imports_come_from_the_public_api_and_exist():
    imports = _imports()
    assert len(imports) > 10
    elsewhere = [f"{doc}: from {module} import {name}" for doc, module, name in imports
                 if module != "polymodal.core.api"]
    missing = [f"{doc}: {name}" for doc, module, name in imports
               if module == "polymodal.core.api" and not hasattr(api, name)]
    assert elsewhere == [] and missing == []


def test_every_exported_name_resolves():
    assert [name for name in api.__all__ if not hasattr(api, name)] == []


def test_a_running_center_does_not_import_pytest_through_the_api():
    code = "import sys, polymodal.core.api, polymodal.web.app; print('pytest' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_the_api_version_is_major_minor_and_the_policy_is_documented():
    assert re.fullmatch(r"\d+\.\d+", api.API_VERSION)
    text = (ROOT / "docs" / "plugins.md").read_text()
    assert "## Stability of the plugin API" in text and "API_VERSION" in text


def test_each_api_version_up_to_the_current_one_says_what_it_added():
    """The policy's table grows with API_VERSION; the example and the scaffold are checked against the
    current API by tests/core/test_plugin_check.py (every installed plugin, ecotherapy included) and
    tests/core/test_scaffold.py (its check and its own tests)."""
    text = (ROOT / "docs" / "plugins.md").read_text()
    versions = re.findall(r"^\| (\d+)\.(\d+) \| .+ \|$", text, re.M)
    assert versions and f"{versions[-1][0]}.{versions[-1][1]}" == api.API_VERSION
    assert [int(minor) for _, minor in versions] == list(range(len(versions)))  # no minor version skipped
