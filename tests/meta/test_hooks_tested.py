"""Every hook has a test whose name contains the hook's name, somewhere under tests/."""

import ast
from pathlib import Path

import pytest

from polymodal.core.plugins import get_plugin_manager

TESTS = Path(__file__).parents[1]


def collected_test_names() -> set[str]:
    names = set()
    for path in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                names.add(node.name)
    return names


def hooks() -> list[str]:
    pm = get_plugin_manager(load_entrypoints=False)
    return sorted(name for name in dir(pm.hook) if name.startswith("polymodal_"))


@pytest.mark.parametrize("hook", hooks())
def test_hook_is_tested(hook):
    assert any(hook in name for name in collected_test_names()), f"write a test named test_hook_{hook}"
