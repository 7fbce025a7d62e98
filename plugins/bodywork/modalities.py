"""Bodywork modalities.

Sources: clinical.md §2 (massage and Somatic Experiencing-style sessions),
§5.1 (consent to touch before hands-on work), §3.2 (health history first),
§6 (who may give massage, per jurisdiction, with sources: credentials.py).
De-armoring has no entry in clinical.md; it is offered here as a touch-based
bodywork modality under the same consent to touch and health history, and
makes no therapeutic claim.
"""

from polymodal.core.api import CredentialRequirement, Family, ModalitySpec, SessionFormat
from polymodal.plugins.bodywork.credentials import MASSAGE as MASSAGE_CREDENTIALS

MASSAGE = "bodywork/massage"
SOMATIC = "bodywork/somatic-therapy"
DEARMORING = "bodywork/de-armoring"
ALL = (MASSAGE, SOMATIC, DEARMORING)

HEALTH_HISTORY = "bodywork/health-history"
TOUCH = "bodywork/touch"


def _modality(key: str, name: str, discipline: str, description: str,
              credentials: tuple[CredentialRequirement, ...] = ()) -> ModalitySpec:
    return ModalitySpec(
        key=key, name=name, family=Family.somatic, discipline=discipline, formats=(SessionFormat.individual,),
        description=description, consents_required=(TOUCH,), intake_forms=(HEALTH_HISTORY,), credentials=credentials,
    )


MODALITIES = [
    _modality(MASSAGE, "Massage therapy", "massage",
              "Hands-on soft-tissue work after a health-history review; no medical diagnosis (outside massage scope).",
              MASSAGE_CREDENTIALS),
    _modality(SOMATIC, "Somatic therapy", "somatic",
              "Body-based work in the style of Somatic Experiencing: resourcing, tracking sensation, titration."),
    _modality(DEARMORING, "De-armoring", "somatic",
              "Touch-based work with held tension; every region needs consent, sensitive ones at each session.",
              MASSAGE_CREDENTIALS),
]
