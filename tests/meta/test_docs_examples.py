"""The hook examples in docs/plugins.md run, and together form a plugin the registry accepts."""

import logging
import re
import types
from pathlib import Path

from polymodal.core import api
from polymodal.core.testing import assert_valid_plugin, installed_plugin, make_registry

DOCS = Path(__file__).parents[2] / "docs" / "plugins.md"


def test_hook_examples_build_a_valid_plugin():
    text = DOCS.read_text()
    hooks_part = text[text.index("## Hooks"):text.index("## Versioning")]
    module = types.ModuleType("equine")
    module.__dict__.update({name: getattr(api, name) for name in api.__all__})
    module.log = logging.getLogger("equine")
    for block in re.findall(r"```python\n(.*?)```", hooks_part, re.S):
        exec(compile(block, str(DOCS), "exec"), module.__dict__)  # our own documentation, not input
    assert_valid_plugin(module)
    registry = make_registry(("equine", module), ("talk", installed_plugin("talk")))
    assert registry.modalities.get("equine/eap") is not None
    assert registry.assessments.get("equine/calm").score({"q1": "1"}).band == "Calm"
