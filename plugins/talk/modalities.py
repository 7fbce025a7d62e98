"""Talk-therapy modalities.

Sources: clinical.md §2 (session formats, billing codes), §5.1 (consents each
modality needs), §6 (coaching is unlicensed and may not diagnose or treat:
https://www.goodtherapy.org/blog/Psychotherapy-vs-Coaching-Legal-Distinction;
who may practise psychotherapy, per jurisdiction, with sources: credentials.py).
"""

from polymodal.core.api import Family, ModalitySpec, SessionFormat
from polymodal.plugins.talk.credentials import PSYCHOTHERAPY

INDIVIDUAL = "talk/psychotherapy"
COUPLE = "talk/couple-therapy"
FAMILY = "talk/family-therapy"
GROUP = "talk/group-therapy"
COACHING = "talk/coaching"
INTEGRATION = "talk/psychedelic-integration"
ALL = (INDIVIDUAL, COUPLE, FAMILY, GROUP, COACHING, INTEGRATION)
CLINICAL = (INDIVIDUAL, COUPLE, FAMILY, GROUP, INTEGRATION)

INFORMED = "talk/informed-consent"
NO_SECRETS = "talk/couple-no-secrets"
INTEGRATION_CONSENT = "talk/psychedelic-integration"
INTEGRATION_SCREENING = "talk/integration-screening"
INTAKE = "talk/intake"


def _therapy(key: str, name: str, formats: tuple[SessionFormat, ...], description: str,
             consents: tuple[str, ...] = (INFORMED,)) -> ModalitySpec:
    return ModalitySpec(
        key=key, name=name, family=Family.talk, discipline="psychotherapy", formats=formats,
        description=description, credentials=PSYCHOTHERAPY, consents_required=consents, intake_forms=(INTAKE,),
    )


MODALITIES = [
    _therapy(INDIVIDUAL, "Individual psychotherapy and counselling", (SessionFormat.individual,),
             "One client, typically the 50-minute hour (US codes 90832/90834/90837 by time; 90791 intake)."),
    _therapy(COUPLE, "Couple therapy", (SessionFormat.couple,),
             "Joint sessions, with an assessment phase of joint and individual meetings (90847/90846).",
             consents=(INFORMED, NO_SECRETS)),
    _therapy(FAMILY, "Family therapy", (SessionFormat.family,),
             "Sessions with family members, with or without the identified client (90847/90846)."),
    _therapy(GROUP, "Group psychotherapy", (SessionFormat.group,),
             "Screened members meet together, usually for 75-90 minutes (90853)."),
    ModalitySpec(
        key=COACHING, name="Coaching", family=Family.talk, discipline="coaching",
        formats=(SessionFormat.individual, SessionFormat.group),
        description=("Goal-focused conversations. No licence exists for coaching in the US, so a coach may "
                     "not diagnose or treat mental illness, bill insurance or use protected titles."),
        consents_required=(INFORMED,), intake_forms=(INTAKE,),
    ),
    _therapy(INTEGRATION, "Psychedelic integration (harm reduction)", (SessionFormat.individual,),
             ("Preparation before and integration after a client's own psychedelic experience. The "
              "practitioner does not supply, arrange or supervise the use of any substance."),
             consents=(INFORMED, INTEGRATION_CONSENT)),
]
