"""Breathwork modalities (clinical.md §2, §3.3, §5.1), one per intensity of style.

The screening sources draw their line by style, not by the word "breathwork":
the exclusions are for intense, hyperventilating practice (holotropic, conscious
connected and rebirthing-style sessions, and rounds of fast breathing with
retention), while slow nasal, paced or coherent breathing is offered, adapted,
to most of the same people (pregnancy: the facilitator screening form
https://forms.gle/dbVgubbUeaWyJ9FN8; "gentle nasal breathing suits every
condition, intense techniques need care": https://www.beyondthebreath.co.uk/tag/breath-practices;
slowing down and nose-only breathing as the adaptation:
https://nevintunaeronde.com/disclaimer). So the style is the modality booked,
and each modality carries its own screening outcomes (screening.py).

No credential rule: no licensing scheme for breathwork is known in any jurisdiction (clinical.md §6;
it becomes regulated practice when used to treat a mental or medical condition, which these
modalities' descriptions exclude).
"""

from polymodal.core.api import Family, ModalitySpec, SessionFormat

BREATHWORK = "breathwork/breathwork"
"""The intensive styles. The key predates the split by style and is kept: booked sessions name it."""
GENTLE = "breathwork/gentle"
ALL = (BREATHWORK, GENTLE)
SCREENING = "breathwork/screening"
SESSION_LOG = "breathwork/session-log"
RISK_CONSENT = "breathwork/risk"
NOTE = "breathwork/session-note"

MODALITIES = [
    ModalitySpec(
        key=BREATHWORK, name="Breathwork", family=Family.breath, discipline="breathwork",
        formats=(SessionFormat.individual, SessionFormat.group),
        description=("Intensive styles: conscious connected, holotropic- or rebirthing-style breathing and rounds "
                     "of fast breathing with retention, after screening. Not a substitute for psychotherapy or "
                     "medical care."),
        consents_required=(RISK_CONSENT,), intake_forms=(SCREENING,),
    ),
    ModalitySpec(
        key=GENTLE, name="Gentle breathwork", family=Family.breath, discipline="breathwork",
        formats=(SessionFormat.individual, SessionFormat.group),
        description=("Slow nasal, paced or coherent breathing with no breath holds or forced breathing, after "
                     "screening. Not a substitute for psychotherapy or medical care."),
        consents_required=(RISK_CONSENT,), intake_forms=(SCREENING,),
    ),
]
