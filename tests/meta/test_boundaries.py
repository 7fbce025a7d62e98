"""Architecture rules that would otherwise erode quietly."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imports(folder: str):
    for path in (ROOT / folder).rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                yield path, [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                yield path, [node.module]


def offenders(folder, banned):
    return sorted({f"{p.relative_to(ROOT)}: {n}" for p, names in imports(folder) for n in names
                   if any(n == b or n.startswith(b + ".") for b in banned)})


def test_core_imports_neither_web_nor_plugins():
    assert offenders("core", ["polymodal.web", "polymodal.plugins", "litestar"]) == []


def test_web_never_imports_plugins():
    assert offenders("web", ["polymodal.plugins"]) == []


def test_plugins_import_only_the_public_api():
    bad = [o for o in offenders("plugins", ["polymodal"]) if not o.endswith(": polymodal.core.api")
           and ": polymodal.plugins" not in o]
    assert bad == []


def test_no_bare_folder_imports():
    assert offenders("core", ["core", "web", "plugins"]) == []
    assert offenders("web", ["core", "web", "plugins"]) == []


def test_no_hook_calls_outside_core():
    hits = [str(p.relative_to(ROOT)) for folder in ("web", "plugins") for p in (ROOT / folder).rglob("*.py")
            if ".hook." in p.read_text()]
    assert hits == []


def test_the_lint_rules_pass():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "core", "web", "plugins", "tests"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
