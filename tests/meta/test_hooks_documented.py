"""Every hook has a section in docs/plugins.md headed by its exact signature."""

from pathlib import Path

import pytest

from polymodal.core.plugins import get_plugin_manager

DOCS = Path(__file__).parents[2] / "docs" / "plugins.md"


def hook_signatures() -> list[str]:
    pm = get_plugin_manager(load_entrypoints=False)
    hooks = [name for name in dir(pm.hook) if name.startswith("polymodal_")]
    return [f"{name}({', '.join(getattr(pm.hook, name).spec.argnames)})" for name in sorted(hooks)]


def test_there_are_hooks_to_document():
    assert len(hook_signatures()) >= 12


@pytest.mark.parametrize("signature", hook_signatures())
def test_hook_is_documented(signature):
    assert f"### {signature}\n" in DOCS.read_text(), f"docs/plugins.md needs a '### {signature}' section"
