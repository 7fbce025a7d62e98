"""Breathwork modality (clinical.md §2, §3.3, §5.1).

No credential rule: no licensing scheme for breathwork is known in any jurisdiction (clinical.md §6;
it becomes regulated practice when used to treat a mental or medical condition, which this
modality's description excludes).
"""

from polymodal.core.api import Family, ModalitySpec, SessionFormat

BREATHWORK = "breathwork/breathwork"
SCREENING = "breathwork/screening"
SESSION_LOG = "breathwork/session-log"
RISK_CONSENT = "breathwork/risk"

MODALITIES = [
    ModalitySpec(
        key=BREATHWORK, name="Breathwork", family=Family.breath, discipline="breathwork",
        formats=(SessionFormat.individual, SessionFormat.group),
        description=("Conscious connected or rounds-based breathing after screening. Not a substitute for "
                     "psychotherapy or medical care."),
        consents_required=(RISK_CONSENT,), intake_forms=(SCREENING,),
    )
]
