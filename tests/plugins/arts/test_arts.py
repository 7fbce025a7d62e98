"""Arts modalities, intake screening, structures, notes, informed consent and the artwork consent."""

import pytest

from polymodal.core.api import ClientFact, ConsentKind, Family, Outcome
from polymodal.core.testing import (
    assert_samples_validate,
    assert_valid_plugin,
    installed_plugin,
    make_registry,
)

INTAKE_BASE = {"presenting_concerns": "Grief since spring", "mobility_balance": "no", "sharps_risk": "no",
               "suicidal_thoughts_now": "no", "suicidal_thoughts_past": "no", "suicide_attempt": "no",
               "self_harm": "no", "violence_risk": "no"}


@pytest.fixture(scope="module")
def arts():
    return make_registry(("arts", installed_plugin("arts")))


def fired(registry, changes):
    answers, errors = registry.forms.get("arts/intake").validate_answers({**INTAKE_BASE, **changes})
    assert errors == {}
    return [r.key for r in registry.screening_rules if r.matches(answers)]


def test_plugin_functions_are_all_marked_hooks():
    assert_valid_plugin(installed_plugin("arts"))


def test_modalities_and_families(arts):
    families = {m.key: m.family for m in arts.modalities}
    assert families == {"arts/art-therapy": Family.creative, "arts/music-therapy": Family.creative,
                        "arts/drama-therapy": Family.creative, "arts/dance-movement-therapy": Family.movement}


def test_new_york_requires_an_lcat_for_every_arts_modality(arts):
    for modality in arts.modalities:
        assert modality.credential_rule_for("US-NY").any_of == ("LCAT",)


def test_elsewhere_in_the_us_each_arts_therapy_needs_its_national_credential(arts):
    national = {m.key: m.credential_rule_for("US-CA").any_of for m in arts.modalities}
    assert national == {"arts/art-therapy": ("ATR-BC", "ATR"), "arts/music-therapy": ("MT-BC",),
                        "arts/drama-therapy": ("RDT", "RDT-BCT"), "arts/dance-movement-therapy": ("R-DMT", "BC-DMT")}


def test_every_form_template_and_consent_accepts_sample_answers(arts):
    # the intake, 4 note templates and the artwork consent (the informed consent has no fields)
    assert assert_samples_validate(arts, plugin="arts") == 6


def test_each_modality_has_its_own_structure_and_note(arts):
    for modality in arts.modalities:
        assert len(arts.session_structures.for_modality(modality.key)) == 1
        assert len(arts.note_templates.for_modality(modality.key)) == 1


@pytest.mark.parametrize(("key", "changes"), [
    ("arts/sharps", {"sharps_risk": "yes"}),
    ("arts/material-allergy", {"material_allergies": ["latex"]}),
    ("arts/respiratory", {"respiratory": ["dust"]}),
    ("arts/mobility", {"mobility_balance": "yes"}),
])
def test_rule(arts, key, changes):
    assert fired(arts, changes) == [key]
    assert arts.screening_rules.get(key).outcome is Outcome.modify


@pytest.mark.parametrize(("key", "changes", "outcome", "fact"), [
    ("arts/risk-suicidal-now", {"suicidal_thoughts_now": "yes"}, Outcome.risk, ClientFact.current_suicidal_ideation),
    ("arts/risk-suicidal-past", {"suicidal_thoughts_past": "yes"}, Outcome.modify, ClientFact.past_suicidal_ideation),
    ("arts/risk-attempt", {"suicide_attempt": "yes"}, Outcome.modify, ClientFact.prior_suicide_attempt),
    ("arts/risk-self-harm", {"self_harm": "yes"}, Outcome.risk, ClientFact.self_harm),
    ("arts/risk-violence", {"violence_risk": "yes"}, Outcome.risk, ClientFact.harm_to_others),
    ("arts/psychosis-history", {"psychosis_history": "yes"}, Outcome.modify, ClientFact.psychosis_history),
    ("arts/bipolar-history", {"bipolar_history": "yes"}, Outcome.eligible, ClientFact.bipolar_history),
    ("arts/substance-use", {"substance_concern": "yes"}, Outcome.eligible, ClientFact.substance_use),
    ("arts/heart", {"heart_condition": "yes"}, Outcome.modify, ClientFact.cardiovascular_disease),
    ("arts/pregnancy", {"pregnant": "yes"}, Outcome.modify, ClientFact.pregnancy),
    ("arts/recent-injury", {"recent_injury": "yes"}, Outcome.modify, ClientFact.recent_surgery),
    ("arts/seizures", {"seizures": "yes"}, Outcome.modify, ClientFact.seizures),
])
def test_intake_risk_and_health_answers_set_the_shared_facts(arts, key, changes, outcome, fact):
    assert fired(arts, changes) == [key]
    rule = arts.screening_rules.get(key)
    assert (rule.outcome, rule.sets_fact) == (outcome, fact) and rule.source


def test_movement_rules_apply_to_dance_movement_only(arts):
    for key in ("arts/heart", "arts/pregnancy", "arts/recent-injury"):
        assert arts.screening_rules.get(key).modalities == ("arts/dance-movement-therapy",)


def test_intake_asks_the_clinical_history_and_keeps_version_1(arts):
    assert arts.forms.versions("arts/intake") == (1, 2)
    intake = arts.forms.get("arts/intake")
    keys = {f.key for f in intake.fields}
    assert {"presenting_concerns", "goals", "previous_therapy", "mental_health_history", "medications",
            "material_allergies", "textures", "touch_preference", "stop_signal", "heart_condition"} <= keys
    assert {"latex", "solvents"} <= {o.value for o in intake.field("material_allergies").options}


def test_the_clinicians_section_is_staff_only_and_left_out_for_the_client(arts):
    for version in (1, 2):
        intake = arts.forms.get("arts/intake", version)
        assert "sharps_risk" in intake.staff_keys
        client_view = intake.for_client()
        assert client_view.field("sharps_risk") is None and all(not s.staff_only for s in client_view.sections)
    values, errors = arts.forms.get("arts/intake").for_client().validate_answers(
        {**INTAKE_BASE, "sharps_risk": "yes", "clinician_observations": "x"})
    assert errors == {} and "sharps_risk" not in values and "clinician_observations" not in values


def test_informed_consent_to_arts_therapy_is_required_for_every_arts_modality(arts):
    consent = arts.consent_documents.get("arts/informed-consent")
    text = consent.text
    for promise in ("not marked or judged for skill", "only with your permission", "Limits of confidentiality",
                    "court order", "stop a session, or end therapy at any time"):
        assert promise in text
    assert consent.kind is ConsentKind.general  # a guardian signs for a minor
    for modality in arts.modalities:
        assert modality.consents_required == ("arts/informed-consent", "arts/artwork-and-recordings")


def test_mobility_rule_applies_to_dance_movement_only(arts):
    assert arts.screening_rules.get("arts/mobility").modalities == ("arts/dance-movement-therapy",)


def test_clear_intake_fires_nothing(arts):
    assert fired(arts, {}) == []


def test_art_note_records_title_and_where_the_work_is_kept(arts):
    values, errors = arts.note_templates.get("arts/art-note").validate_content({
        "process": {"process_observations": "Worked quickly, pressed hard with oil pastel"},
        "product": {"client_title": "Storm", "kept": "center", "photographed": "yes"},
    })
    assert errors == {}
    assert values["product"]["client_title"] == "Storm" and values["product"]["photographed"] is True


def test_art_note_without_storage_names_the_field(arts):
    _, errors = arts.note_templates.get("arts/art-note").validate_content(
        {"process": {"process_observations": "x"}, "product": {"photographed": "no"}})
    assert errors == {"product.kept": "This field is required."}


def test_drama_note_requires_de_roling_answer(arts):
    _, errors = arts.note_templates.get("arts/drama-note").validate_content({"drama": {"roles": "The judge"}})
    assert errors == {"drama.de_roled": "This field is required."}


def test_music_note_rejects_unknown_intervention(arts):
    _, errors = arts.note_templates.get("arts/music-note").validate_content(
        {"music": {"interventions": ["karaoke"]}})
    assert errors == {"music.interventions": "Choose from the listed options."}


def test_movement_note_records_laban_effort(arts):
    values, errors = arts.note_templates.get("arts/movement-note").validate_content(
        {"effort": {"time": "slow", "flow": "bound", "space": "Direct, narrow path"}})
    assert errors == {}
    assert values["effort"]["flow"] == "bound"


def test_drama_structure_includes_de_roling_before_discussion(arts):
    phases = [p.key for p in arts.session_structures.get("arts/drama-session").phases]
    assert phases.index("de-roling") < phases.index("discussion")


def test_artwork_consent_asks_keep_photograph_and_record(arts):
    consent = arts.consent_documents.get("arts/artwork-and-recordings")
    assert {f.key for f in consent.fields if f.required} == {"keep", "photograph", "display", "record"}
