"""Breathwork screening rules, per style (clinical.md §3.3).

Every condition has one outcome for the intensive styles (``BREATHWORK``:
conscious connected, holotropic- and rebirthing-style, fast rounds with
retention) and one for gentle breathwork (``GENTLE``: slow nasal, paced or
coherent breathing). The sources' exclusions are written for intense,
hyperventilating practice; for the gentle styles the same sources, and those
below, adapt rather than refuse, so most gentle outcomes are ``modify`` and
their reason names the adaptation (shown at booking, in pre-flight and beside
the note). Pregnancy and mild asthma are ``modify`` in both styles: the
facilitator form calls them compatible once adapted.

A condition in the core's fact vocabulary is also read from other intakes
(fact rules, at the end): a talk intake's current suicidal ideation or a
psychosis history found elsewhere reaches breathwork without the client
answering twice. The answer rules set the same facts, so other modalities see
what this screening found.

Sources, in the order the rules use them:
- exclusions for intense breathwork: the facilitator screening form https://forms.gle/dbVgubbUeaWyJ9FN8
  (not safe: aneurysm, seizures, cardiovascular disease, retinal detachment, recent injury or surgery,
  kidney disease, severe asthma, glaucoma, uncontrolled blood pressure, psychosis, bipolar disorder, paranoia,
  untreated mental illness, active addiction; to discuss: pregnancy with slow nasal breathing only, mild asthma
  with the inhaler, controlled blood pressure or thyroid, diabetes with glucose at hand) ·
  https://wholenesscollective.ca/medical-contradictions (why: strain on arteries and eyes, over-breathing and
  seizures, osteoporosis and movement) · https://holotropicalleida.org/contraindicaciones/ (holotropic sessions:
  not in pregnancy, cardiovascular disease, severe hypertension, epilepsy, recent surgery, some psychiatric
  diagnoses, an acute emotional emergency) · https://thelifeadventure.co/breathwork-contraindications/
  (bipolar disorder, schizophrenia, psychotic states; pregnancy only in the first trimester)
- approvals: https://www.breathworkplus.com/medical-contraindications (bipolar disorder can tip into mania;
  PTSD needs the therapist's approval; psychiatric hospitalisation or crisis in the last 10 years needs written
  approval) · https://lacabanenomade.com/breathwork-en-ligne (a recently started or changed antidepressant)
- gentle styles: https://www.beyondthebreath.co.uk/tag/breath-practices (gentle rhythmic nasal breathing suits
  nearly every condition; cardiovascular problems avoid practices that swing heart rate or blood pressure; eye
  conditions and recent surgery need care) · https://nevintunaeronde.com/disclaimer (the adaptation: slow down,
  breathe through the nose, ask the doctor first with a heart condition, epilepsy or a recent injury) ·
  https://kristinhaber.com/medical-disclaimer (vigorous breathing or retention strains recent wounds and the
  heart; seek advice with high blood pressure)

Evidence is uneven and the sources disagree (pregnancy, recent surgery): these are defaults a center
reviews, not fixed law.
"""

from polymodal.core.api import ClientFact, Outcome, ScreeningRule
from polymodal.plugins.breathwork.modalities import ALL, BREATHWORK, GENTLE, SCREENING

FORM_SOURCE = "https://forms.gle/dbVgubbUeaWyJ9FN8"
WHOLENESS = "https://wholenesscollective.ca/medical-contradictions"
HOLOTROPIC = "https://holotropicalleida.org/contraindicaciones/"
LIFE_ADVENTURE = "https://thelifeadventure.co/breathwork-contraindications/"
BREATHWORKPLUS = "https://www.breathworkplus.com/medical-contraindications"
CABANE = "https://lacabanenomade.com/breathwork-en-ligne"
GENTLE_SOURCE = "https://www.beyondthebreath.co.uk/tag/breath-practices"
ADAPTATION = "https://nevintunaeronde.com/disclaimer"
HABER = "https://kristinhaber.com/medical-disclaimer"

EXCLUDE_SOURCE = f"{FORM_SOURCE} · {WHOLENESS}"
"""Kept under this name: other modules and tests cite the exclusion tier by it."""
CLEARANCE_SOURCE = BREATHWORKPLUS

_HOLD = "no breath holds, no straining or bearing down"
_SLOW = "slow nasal breathing at the client's own pace"

# (name, field, condition, fact, intensive (outcome, reason, source), gentle (outcome, reason, source))
_X, _C, _M = Outcome.excluded, Outcome.clearance, Outcome.modify
_PAIRS = [
    ("cardiovascular", "cardiovascular", {}, ClientFact.cardiovascular_disease,
     (_X, "cardiovascular disease (angina, previous heart attack or stroke)", EXCLUDE_SOURCE),
     (_M, f"cardiovascular disease: {_SLOW}, {_HOLD}; stop at chest pain, palpitations or dizziness",
      GENTLE_SOURCE)),
    ("aneurysm", "aneurysm", {}, None,
     (_X, "aneurysm, personal or family history", EXCLUDE_SOURCE),
     (_M, f"aneurysm, personal or family history: {_HOLD} (strain raises the pressure in the arteries)",
      f"{WHOLENESS} · {GENTLE_SOURCE}")),
    ("epilepsy", "epilepsy", {}, ClientFact.seizures,
     (_X, "epilepsy or seizures", EXCLUDE_SOURCE),
     (_M, "epilepsy or seizures: keep the breath slow and shallow enough never to over-breathe (over-breathing "
          "can provoke a seizure); a facilitator stays beside the client", ADAPTATION)),
    ("glaucoma", "glaucoma", {}, ClientFact.glaucoma,
     (_X, "glaucoma", EXCLUDE_SOURCE),
     (_M, f"glaucoma: {_HOLD} (they raise the pressure in the eye)", f"{WHOLENESS} · {GENTLE_SOURCE}")),
    ("retinal-detachment", "retinal_detachment", {}, None,
     (_X, "retinal detachment", EXCLUDE_SOURCE),
     (_M, f"retinal detachment: {_HOLD}", GENTLE_SOURCE)),
    ("recent-injury-surgery", "recent_injury_surgery", {}, None,
     (_X, "recent injury or surgery (some facilitators accept it once healed, with the surgeon's clearance)",
      f"{EXCLUDE_SOURCE} · {HOLOTROPIC}"),
     (_M, "recent injury or surgery: a position that spares the injury or wound, no forceful breathing until it "
          "has healed", f"{ADAPTATION} · {HABER}")),
    ("hypertension", "blood_pressure", {"equals": "uncontrolled"}, ClientFact.uncontrolled_hypertension,
     (_X, "severe or uncontrolled high blood pressure", f"{EXCLUDE_SOURCE} · {HOLOTROPIC}"),
     (_C, "severe or uncontrolled high blood pressure: the client's doctor agrees to slow breathing first",
      f"{HABER} · {ADAPTATION}")),
    ("severe-asthma", "asthma", {"equals": "severe"}, None,
     (_X, "severe asthma", EXCLUDE_SOURCE),
     (_M, "severe asthma: inhaler at hand, start gently and stop at any tightness", GENTLE_SOURCE)),
    ("kidney-disease", "kidney_disease", {}, None,
     (_X, "kidney disease", EXCLUDE_SOURCE),
     (_M, f"kidney disease: {_SLOW} only", GENTLE_SOURCE)),
    ("severe-osteoporosis", "severe_osteoporosis", {}, None,
     (_X, "osteoporosis severe enough that movement could injure", EXCLUDE_SOURCE),
     (_M, "severe osteoporosis: seated or lying still, no vigorous movement or release work", WHOLENESS)),
    ("psychosis", "psychiatric_conditions", {"any_of": ("psychosis",)}, ClientFact.psychosis_history,
     (_X, "a history of psychosis", f"{FORM_SOURCE} · {LIFE_ADVENTURE}"),
     (_C, "a history of psychosis: the treating clinician's written approval first", BREATHWORKPLUS)),
    ("bipolar", "psychiatric_conditions", {"any_of": ("bipolar",)}, ClientFact.bipolar_history,
     (_X, "bipolar disorder (intense breathwork can set off a manic episode)",
      f"{FORM_SOURCE} · {LIFE_ADVENTURE} · {BREATHWORKPLUS}"),
     (_C, "bipolar disorder: the treating clinician's written approval first", BREATHWORKPLUS)),
    ("severe-psychiatric", "psychiatric_conditions", {"any_of": ("paranoia", "other-severe")}, None,
     (_X, "severe psychiatric condition such as paranoia", FORM_SOURCE),
     (_C, "severe psychiatric condition: the treating clinician's written approval first", BREATHWORKPLUS)),
    ("untreated-condition", "untreated_condition", {}, None,
     (_X, "a mental-health condition without treatment or support", FORM_SOURCE),
     (_M, "a mental-health condition without treatment or support: short, grounding practice only, and help "
          "finding support", GENTLE_SOURCE)),
    ("active-addiction", "active_addiction", {}, None,
     (_X, "active substance addiction", FORM_SOURCE),
     (_M, "active substance addiction: short, grounding practice; not on a day of use", GENTLE_SOURCE)),
    ("ptsd", "ptsd", {}, None,
     (_C, "PTSD; needs the therapist's approval", BREATHWORKPLUS),
     (_M, "PTSD: eyes open if preferred, an agreed stop signal, grounding before the end", GENTLE_SOURCE)),
    ("recent-crisis", "recent_crisis", {}, None,
     (_C, "psychiatric hospitalisation or crisis in the last 10 years; needs written approval", BREATHWORKPLUS),
     (_M, "psychiatric hospitalisation or crisis in the last 10 years: short, grounding practice; stop at "
          "distress", GENTLE_SOURCE)),
    ("antidepressant-change", "antidepressant_change", {}, None,
     (_C, "recently started or changed antidepressant; the prescriber agrees first", CABANE),
     (_M, "recently started or changed antidepressant: watch for dizziness or agitation and slow down",
      GENTLE_SOURCE)),
]

_WORDS = {
    (BREATHWORK, Outcome.excluded): "Excluded from intensive breathwork (gentle breathwork may be offered, "
                                    "adapted): {what}.",
    (BREATHWORK, Outcome.clearance): "Intensive breathwork needs clearance: {what}.",
    (BREATHWORK, Outcome.modify): "Modify intensive breathwork: {what}.",
    (GENTLE, Outcome.excluded): "Excluded from gentle breathwork: {what}.",
    (GENTLE, Outcome.clearance): "Gentle breathwork needs clearance: {what}.",
    (GENTLE, Outcome.modify): "Gentle breathwork, adapted: {what}.",
}


def _rule(name: str, field: str, condition: dict, fact: ClientFact | None, modality: str,
          outcome: Outcome, what: str, source: str) -> ScreeningRule:
    # The intensive rule keeps the key the single-style plugin used, so stored findings keep their meaning.
    key = f"breathwork/{name}" if modality == BREATHWORK else f"breathwork/{name}-gentle"
    return ScreeningRule(key=key, form=SCREENING, field=field, outcome=outcome, modalities=(modality,),
                         source=source, sets_fact=fact, reason=_WORDS[modality, outcome].format(what=what),
                         **(condition or {"equals": True}))


def _both(name: str, field: str, outcome: Outcome, reason: str, source: str, fact: ClientFact | None = None,
          **condition) -> ScreeningRule:
    """One outcome for both styles: the sources adapt the practice the same way whatever its style."""
    return ScreeningRule(key=f"breathwork/{name}", form=SCREENING, field=field, outcome=outcome, modalities=ALL,
                         source=source, sets_fact=fact, reason=reason, **(condition or {"equals": True}))


PREGNANCY = ("Modify: pregnancy. Slow, gentle nasal breathing only: no fast or mouth breathing and no breath "
             "holds; an intensive session is done as gentle breathing. Stop at dizziness. Some facilitators offer "
             "no intensive session in pregnancy, or none in the first trimester: follow the center's policy.")

ANSWER_RULES = [
    rule
    for name, field, condition, fact, intensive, gentle in _PAIRS
    for rule in (_rule(name, field, condition, fact, BREATHWORK, *intensive),
                 _rule(name, field, condition, fact, GENTLE, *gentle))
] + [
    _both("pregnancy", "pregnant", Outcome.modify, PREGNANCY,
          f"{FORM_SOURCE} · {LIFE_ADVENTURE} · {HOLOTROPIC}", ClientFact.pregnancy),
    _both("mild-asthma", "asthma", Outcome.modify,
          "Modify: mild asthma. The inhaler is at hand in the room; slow down at any tightness.",
          f"{FORM_SOURCE} · {WHOLENESS}", equals="mild"),
    _both("controlled-hypertension", "blood_pressure", Outcome.modify,
          "Modify: controlled high blood pressure. No breath holds or bearing down; sit up slowly afterwards.",
          f"{FORM_SOURCE} · {WHOLENESS}", equals="controlled"),
    _both("thyroid", "thyroid", Outcome.modify,
          "Modify: thyroid condition; go ahead only while it is controlled, and ask about it at check-in.",
          FORM_SOURCE),
    _both("diabetes", "diabetes", Outcome.modify,
          "Modify: diabetes. Glucose at hand; ask about the last meal and blood sugar at check-in.", FORM_SOURCE),
]

# Facts any intake or instrument may have found (the core's vocabulary), per style:
# (fact, intensive (outcome, what), gentle (outcome, what), source).
_FACTS = [
    (ClientFact.current_suicidal_ideation,
     (_X, "current suicidal ideation, an acute emotional emergency"),
     (_C, "current suicidal ideation: the treating clinician's written approval first"),
     f"{HOLOTROPIC} · {FORM_SOURCE} · {BREATHWORKPLUS}"),
    (ClientFact.self_harm,
     (_X, "current self-harm, an acute emotional emergency"),
     (_C, "current self-harm: the treating clinician's written approval first"),
     f"{HOLOTROPIC} · {BREATHWORKPLUS}"),
    (ClientFact.prior_suicide_attempt,
     (_C, "a previous suicide attempt; needs the treating clinician's written approval"),
     (_M, "a previous suicide attempt: short, grounding practice; stop at distress"),
     BREATHWORKPLUS),
    (ClientFact.psychosis_history,
     (_X, "a history of psychosis"),
     (_C, "a history of psychosis: the treating clinician's written approval first"),
     f"{FORM_SOURCE} · {LIFE_ADVENTURE} · {BREATHWORKPLUS}"),
    (ClientFact.bipolar_history,
     (_X, "bipolar disorder (intense breathwork can set off a manic episode)"),
     (_C, "bipolar disorder: the treating clinician's written approval first"),
     f"{FORM_SOURCE} · {LIFE_ADVENTURE} · {BREATHWORKPLUS}"),
    (ClientFact.cardiovascular_disease,
     (_X, "cardiovascular disease"),
     (_M, f"cardiovascular disease: {_SLOW}, {_HOLD}; stop at chest pain, palpitations or dizziness"),
     f"{EXCLUDE_SOURCE} · {GENTLE_SOURCE}"),
    (ClientFact.uncontrolled_hypertension,
     (_X, "uncontrolled high blood pressure"),
     (_C, "uncontrolled high blood pressure: the client's doctor agrees to slow breathing first"),
     f"{EXCLUDE_SOURCE} · {HABER}"),
    (ClientFact.seizures,
     (_X, "epilepsy or seizures"),
     (_M, "epilepsy or seizures: never over-breathe; a facilitator stays beside the client"),
     f"{EXCLUDE_SOURCE} · {ADAPTATION}"),
    (ClientFact.glaucoma,
     (_X, "glaucoma"),
     (_M, f"glaucoma: {_HOLD}"),
     f"{EXCLUDE_SOURCE} · {GENTLE_SOURCE}"),
    (ClientFact.recent_surgery,
     (_X, "recent surgery (some facilitators accept it once healed, with the surgeon's clearance)"),
     (_M, "recent surgery: a position that spares the wound, no forceful breathing until it has healed"),
     f"{EXCLUDE_SOURCE} · {HOLOTROPIC} · {HABER}"),
]

FACT_RULES = [
    ScreeningRule(key=f"breathwork/fact-{fact.value.replace('_', '-')}" + ("" if modality == BREATHWORK else "-gentle"),
                  if_fact=fact, outcome=outcome, modalities=(modality,), source=source,
                  reason=_WORDS[modality, outcome].format(what=what))
    for fact, intensive, gentle, source in _FACTS
    for modality, (outcome, what) in ((BREATHWORK, intensive), (GENTLE, gentle))
] + [
    ScreeningRule(key="breathwork/fact-pregnancy", if_fact=ClientFact.pregnancy, outcome=Outcome.modify,
                  modalities=ALL, source=f"{FORM_SOURCE} · {LIFE_ADVENTURE}", reason=PREGNANCY),
]

SCREENING_RULES = ANSWER_RULES + FACT_RULES
