"""Breathwork screening rules (clinical.md §3.3).

The *exclude* tier gives ``excluded``: unsafe for intense or hyperventilation-
style breathwork. The *discuss / modify / clearance* tier gives ``clearance``:
the facilitator needs the named approval or agreed modification first. Where
the sources disagree (pregnancy, recent surgery) the reason says so.

Sources: https://forms.gle/dbVgubbUeaWyJ9FN8 (facilitator screening form) ·
https://wholenesscollective.ca/medical-contradictions · https://holotropicalleida.org/contraindicaciones/ ·
https://thelifeadventure.co/breathwork-contraindications/ · https://www.breathworkplus.com/medical-contraindications
"""

from polymodal.core.api import Outcome, ScreeningRule
from polymodal.plugins.breathwork.modalities import BREATHWORK, SCREENING

EXCLUDE_SOURCE = "https://wholenesscollective.ca/medical-contradictions"
CLEARANCE_SOURCE = "https://www.breathworkplus.com/medical-contraindications"


def _exclude(name: str, field: str, what: str, **condition) -> ScreeningRule:
    return ScreeningRule(key=f"breathwork/{name}", form=SCREENING, field=field, outcome=Outcome.excluded,
                         modalities=(BREATHWORK,), source=EXCLUDE_SOURCE, **(condition or {"equals": True}),
                         reason=f"Excluded from intense breathwork: {what}.")


def _clearance(name: str, field: str, what: str, **condition) -> ScreeningRule:
    return ScreeningRule(key=f"breathwork/{name}", form=SCREENING, field=field, outcome=Outcome.clearance,
                         modalities=(BREATHWORK,), source=CLEARANCE_SOURCE, **(condition or {"equals": True}),
                         reason=f"Needs clearance or modification: {what}.")


SCREENING_RULES = [
    _exclude("cardiovascular", "cardiovascular", "cardiovascular disease (angina, previous heart attack or stroke)"),
    _exclude("aneurysm", "aneurysm", "aneurysm, personal or family history"),
    _exclude("epilepsy", "epilepsy", "epilepsy or seizures"),
    _exclude("glaucoma", "glaucoma", "glaucoma"),
    _exclude("retinal-detachment", "retinal_detachment", "retinal detachment"),
    _exclude("recent-injury-surgery", "recent_injury_surgery",
             "recent injury or surgery (some facilitators accept it once healed, with the surgeon's clearance)"),
    _exclude("hypertension", "blood_pressure", "severe or uncontrolled high blood pressure", equals="uncontrolled"),
    _exclude("severe-asthma", "asthma", "severe asthma", equals="severe"),
    _exclude("kidney-disease", "kidney_disease", "kidney disease"),
    _exclude("severe-osteoporosis", "severe_osteoporosis", "osteoporosis severe enough that movement could injure"),
    _exclude("severe-psychiatric", "psychiatric_conditions",
             "severe psychiatric condition, especially psychosis, bipolar disorder or paranoia",
             any_of=("psychosis", "bipolar", "paranoia", "other-severe")),
    _exclude("untreated-condition", "untreated_condition", "a mental-health condition without treatment or support"),
    _exclude("active-addiction", "active_addiction", "active substance addiction"),
    _clearance("pregnancy", "pregnant",
               "pregnancy. Gentle slow nasal breathing only, or exclude; center policies differ, and some allow it "
               "after the first trimester"),
    _clearance("mild-asthma", "asthma", "mild asthma; the inhaler must be at hand", equals="mild"),
    _clearance("controlled-hypertension", "blood_pressure", "controlled high blood pressure", equals="controlled"),
    _clearance("thyroid", "thyroid", "thyroid condition; it must be controlled"),
    _clearance("diabetes", "diabetes", "diabetes; glucose must be at hand"),
    _clearance("ptsd", "ptsd", "PTSD; needs the therapist's approval"),
    _clearance("recent-crisis", "recent_crisis",
               "psychiatric hospitalisation or crisis in the last 10 years; needs written approval"),
    _clearance("antidepressant-change", "antidepressant_change", "recently started or changed antidepressant"),
]
