"""What is shown of typed text: bidi controls never, every script's own letters always."""

from __future__ import annotations

import pytest

from polymodal.core.text import BIDI_CONTROLS, without_bidi_controls


@pytest.mark.parametrize(("typed", "shown"), [
    ("Dana Rivera", "Dana Rivera"),
    ("Zoë Ångström-Łukasz", "Zoë Ångström-Łukasz"),
    ("فاطمة الزهراء", "فاطمة الزهراء"),
    ("שרה כהן", "שרה כהן"),
    ("Eve\u202efdp.exe", "Evefdp.exe"),
    ("Zoë\u2066 \u2069Ng", "Zoë Ng"),
    ("\u061c\u200e\u200f", ""),
])
def test_only_the_direction_controls_are_dropped(typed, shown):
    assert without_bidi_controls(typed) == shown


def test_every_listed_control_is_dropped_wherever_it_stands():
    for control in BIDI_CONTROLS:
        assert without_bidi_controls(f"a{control}b{control}") == "ab"
        assert without_bidi_controls(f"é{control}") == "é"
