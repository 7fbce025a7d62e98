"""The audit page reads every action the core writes in words (core/audit_trail/words.py)."""

from __future__ import annotations

import re
from pathlib import Path

from polymodal.core.audit_trail import words

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"""\baudit(?:_each)?\(\s*"([a-z_.]+)\"""")


def test_every_literal_action_is_in_the_filter_and_reads_as_words():
    written = {m.group(1) for folder in ("core", "web", "plugins") for path in (ROOT / folder).rglob("*.py")
               for m in LITERAL.finditer(path.read_text())}
    missing = sorted(written - words.KNOWN)
    assert written and not missing, f"add {missing} to KNOWN in core/audit_trail/words.py (the audit page's filter)"
    for action in written:
        phrase = words.describe(action)
        assert "." not in phrase and "_" not in phrase, (action, phrase)


def test_an_unknown_action_still_reads_as_words():
    assert words.describe("note.read") == "Note: viewed"
    assert words.describe("acme_plugin.thing_done") == "Acme plugin: thing done"
