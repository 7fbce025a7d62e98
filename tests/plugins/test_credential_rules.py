"""The credential rules the first-party plugins declare: who may practise what, where (issue 11, item 10).

Each case is a practitioner's credentials (and whether they have a supervisor on record) against a
modality in a jurisdiction, read through the public API as the eligibility decision reads it.
"""

import pytest

from polymodal.core.plugins import get_plugin_manager
from polymodal.core.registry import Registry

PSYCHOTHERAPY = "talk/psychotherapy"
MASSAGE = "bodywork/massage"


@pytest.fixture(scope="module")
def registry():
    return Registry.collect(get_plugin_manager(strict=True))


def covered(registry, modality, jurisdiction, held, supervised=False):
    rule = registry.modalities.get(modality).credential_rule_for(jurisdiction)
    return rule is None or rule.covers(set(held), supervised)


@pytest.mark.parametrize(("jurisdiction", "licensed", "associates"), [
    ("US-CA", ("PSY", "LMFT", "LCSW", "LPCC"), ("AMFT", "ACSW", "APCC")),
    ("US-NY", ("PSY", "LCSW", "LMHC", "LMFT"), ("LMSW", "LMHC-LP")),
    ("US-TX", ("PSY", "LMFT", "LPC", "LCSW"), ("LPC-Associate",)),
    ("US-FL", ("PSY", "LCSW", "LMFT", "LMHC"), ("RCSWI", "RMFTI", "RMHCI")),
    ("US-OR", ("PSY", "LPC", "LCSW", "LMFT"), ("LPC-Associate",)),  # a state without a row: the US default
])
def test_psychotherapy_needs_a_licence_or_a_supervised_associate_registration(registry, jurisdiction, licensed,
                                                                             associates):
    for modality in ("talk/psychotherapy", "talk/couple-therapy", "talk/family-therapy", "talk/group-therapy",
                     "talk/psychedelic-integration"):
        assert all(covered(registry, modality, jurisdiction, [c]) for c in licensed)
        assert all(covered(registry, modality, jurisdiction, [c], supervised=True) for c in associates)
        assert not any(covered(registry, modality, jurisdiction, [c], supervised=False) for c in associates)
        assert not covered(registry, modality, jurisdiction, ["CAMTC-CMT", "LMT", "ATR-BC", "MT-BC"])


def test_a_californian_associate_title_is_not_a_new_york_licence(registry):
    assert not covered(registry, PSYCHOTHERAPY, "US-NY", ["LPCC"]) and not covered(registry, PSYCHOTHERAPY,
                                                                                   "US-NY", ["AMFT"], True)


@pytest.mark.parametrize(("jurisdiction", "credential"), [("US-CA", "CAMTC-CMT"), ("US-NY", "LMT"),
                                                          ("US-TX", "LMT"), ("US-FL", "LMT"), ("US-WA", "LMT")])
def test_massage_needs_the_states_licence_and_in_california_camtc(registry, jurisdiction, credential):
    for modality in (MASSAGE, "bodywork/de-armoring"):
        assert covered(registry, modality, jurisdiction, [credential])
        assert not covered(registry, modality, jurisdiction, ["LMFT", "PSY", "ATR-BC"])


@pytest.mark.parametrize(("modality", "credentials"), [
    ("arts/art-therapy", ("ATR-BC", "ATR")), ("arts/music-therapy", ("MT-BC",)),
    ("arts/drama-therapy", ("RDT",)), ("arts/dance-movement-therapy", ("R-DMT", "BC-DMT")),
])
def test_each_arts_therapy_needs_its_own_credential_and_new_york_the_lcat(registry, modality, credentials):
    assert all(covered(registry, modality, "US-CA", [c]) for c in credentials)
    assert not covered(registry, modality, "US-CA", ["LMFT"])
    assert not any(covered(registry, modality, "US-NY", [c]) for c in credentials)
    assert covered(registry, modality, "US-NY", ["LCAT"])


@pytest.mark.parametrize("modality", ["talk/coaching", "breathwork/breathwork"])
def test_coaching_and_breathwork_need_no_licence(registry, modality):
    assert registry.modalities.get(modality).credentials == ()


def test_every_rule_names_its_source(registry):
    missing = [(m.key, r.jurisdiction) for m in registry.modalities for r in m.credentials if not r.source]
    assert missing == []
