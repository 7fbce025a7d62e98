"""First-party clinical content names its source, so a practitioner can check it.

The ecotherapy example is left out on purpose: it is example content for
plugin authors, not clinical guidance.
"""

import pytest

from polymodal.core.testing import installed_plugin, make_registry

FIRST_PARTY = ("talk", "bodywork", "breathwork", "arts")
SOURCED_KINDS = ("forms", "session_structures", "note_templates", "consent_documents", "screening_rules")


@pytest.fixture(scope="module")
def registry():
    return make_registry(*[(name, installed_plugin(name)) for name in FIRST_PARTY])


@pytest.mark.parametrize("kind", SOURCED_KINDS)
def test_every_definition_cites_a_source(registry, kind):
    unsourced = [c.key for c in registry.catalog(kind) if not c.source.strip()]
    assert unsourced == []


def test_every_instrument_states_licence_and_attribution(registry):
    for instrument in registry.assessments:
        assert instrument.licence.strip() and instrument.attribution.strip(), instrument.key


def test_only_free_instruments_carry_item_text(registry):
    # clinical.md §4: PHQ-9, GAD-7, PCL-5, WHO-5 and K10 are free to reproduce, and the NIMH ASQ is
    # free to use (NIMH toolkit); nothing else ships items.
    with_items = {a.key for a in registry.assessments if a.items}
    assert with_items == {"talk/phq-9", "talk/gad-7", "talk/pcl-5", "talk/who-5", "talk/k10", "talk/asq"}
