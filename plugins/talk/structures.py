"""Talk-therapy session structures: phases with editable default minutes.

Sources (clinical.md §2):
- individual 50-minute hour and billing times:
  https://www.apaservices.org/practice/reimbursement/health-codes/psychotherapy
- ongoing couple session: CPT 90847, "family psychotherapy (conjoint psychotherapy) (with patient present),
  50 minutes": https://www.codingahead.com/cpt-code-90847-family-psychotherapy-50-minutes/
- couple assessment: https://observingsolution.com/library/techniques/three-session-assessment/ ·
  https://belindatrain.com/clinicalpsychologist/2018/02/relationship-assessment/
- group: https://agpa.org/home/practice-resources/practice-guidelines-for-group-psychotherapy (Yalom ch. 10)
- psychedelic integration: Pilecki et al. 2021, Harm Reduction Journal 18:40,
  https://harmreductionjournal.biomedcentral.com/articles/10.1186/s12954-021-00489-1

Where the source gives a range, the default is a value inside it. Where it
gives no minutes at all (family sessions, the integration phases, the couple
feedback session) the default is marked as not sourced in its guidance, so a
center knows to set its own.
"""

from polymodal.core.api import Phase, SessionFormat, SessionStructure
from polymodal.plugins.talk.modalities import COACHING, COUPLE, FAMILY, GROUP, INDIVIDUAL, INTEGRATION

NOT_SOURCED = "Default not given by the source; set your own."

INDIVIDUAL_HOUR = SessionStructure(
    key="talk/individual-50", name="Individual session (50-minute hour)", modalities=(INDIVIDUAL, COACHING),
    source="https://www.apaservices.org/practice/reimbursement/health-codes/psychotherapy",
    phases=(
        Phase(key="check-in", name="Check-in and risk check", minutes=5),
        Phase(key="agenda", name="Agenda and homework review", minutes=5),
        Phase(key="work", name="Working phase", minutes=30, guidance="Typically 30-35 minutes."),
        Phase(key="consolidation", name="Consolidation and homework", minutes=5),
        Phase(key="close", name="Close and scheduling", minutes=5,
              guidance=("About 10 minutes of documentation follow. US codes go by psychotherapy time: "
                        "90832 16-37 min, 90834 38-52 min, 90837 53 min or more.")),
    ),
)

COUPLE_SESSION = SessionStructure(
    key="talk/couple-session", name="Couple session", modalities=(COUPLE,), formats=(SessionFormat.couple,),
    source="https://www.codingahead.com/cpt-code-90847-family-psychotherapy-50-minutes/",
    phases=(
        Phase(key="check-in", name="Check-in with both partners", minutes=5, guidance=NOT_SOURCED),
        Phase(key="work", name="Joint working phase", minutes=40,
              guidance="US code 90847 (conjoint, client present) describes a 50-minute session."),
        Phase(key="close", name="Close and next steps", minutes=5, guidance=NOT_SOURCED),
    ),
)
"""The ongoing joint session, and so the couple modality's default: declared before the assessment, whose
meetings (about 230 minutes in all) are booked one at a time, each with its own length."""

COUPLE_ASSESSMENT = SessionStructure(
    key="talk/couple-assessment", name="Couple assessment (three meetings, Gottman-style)", modalities=(COUPLE,),
    formats=(SessionFormat.couple,), source="https://observingsolution.com/library/techniques/three-session-assessment/",
    phases=(
        Phase(key="joint-interview", name="Joint interview", minutes=90, guidance="Typically 80-90 minutes."),
        Phase(key="individual-a", name="Individual session with the first partner", minutes=45,
              guidance="What is shared here follows the couple's signed 'no secrets' policy."),
        Phase(key="individual-b", name="Individual session with the second partner", minutes=45),
        Phase(key="feedback", name="Joint feedback and treatment plan", minutes=50, guidance=NOT_SOURCED),
    ),
)

FAMILY_SESSION = SessionStructure(
    key="talk/family-session", name="Family session", modalities=(FAMILY,), formats=(SessionFormat.family,),
    source="clinical.md §2 (codes only)",
    phases=(
        Phase(key="session", name="Joint family session", minutes=50,
              guidance=(f"{NOT_SOURCED} US codes: 90847 with the client present, 90846 without "
                        "(26 minutes or more).")),
    ),
)

GROUP_SESSION = SessionStructure(
    key="talk/group-session", name="Group session", modalities=(GROUP,), formats=(SessionFormat.group,),
    source="https://agpa.org/home/practice-resources/practice-guidelines-for-group-psychotherapy",
    phases=(
        Phase(key="check-in", name="Check-in", minutes=15, guidance="Typically 10-15 minutes."),
        Phase(key="work", name="Working phase", minutes=60, guidance="Typically 50-60 minutes."),
        Phase(key="closing", name="Closing and summary", minutes=15,
              guidance=("Typically 10-15 minutes. Members are screened and prepared individually before "
                        "joining; observing or recording needs every member's consent in advance.")),
    ),
)

_HARM_REDUCTION = "Harm-reduction stance: non-judgemental, the client's choice, risks and benefits discussed."

INTEGRATION_PREPARATION = SessionStructure(
    key="talk/integration-preparation", name="Psychedelic integration: preparation", modalities=(INTEGRATION,),
    source="https://harmreductionjournal.biomedcentral.com/articles/10.1186/s12954-021-00489-1",
    phases=(
        Phase(key="check-in", name="Check-in and risk check", minutes=5, guidance=NOT_SOURCED),
        Phase(key="screening", name="Medical and psychiatric screening", minutes=10,
              guidance="Medication interactions are discussed with the client's prescriber."),
        Phase(key="harm-reduction", name="Intentions, legal status and risks", minutes=20,
              guidance=f"{_HARM_REDUCTION} The practitioner does not supply, arrange or supervise use."),
        Phase(key="safety-plan", name="Emergency plan", minutes=10),
        Phase(key="close", name="Close", minutes=5),
    ),
)

INTEGRATION_SESSION = SessionStructure(
    key="talk/integration-session", name="Psychedelic integration: integration", modalities=(INTEGRATION,),
    source="https://harmreductionjournal.biomedcentral.com/articles/10.1186/s12954-021-00489-1",
    phases=(
        Phase(key="check-in", name="Check-in and risk check", minutes=5, guidance=NOT_SOURCED),
        Phase(key="experience", name="Review of the experience", minutes=20, guidance=_HARM_REDUCTION),
        Phase(key="integration", name="Meaning and integration into daily life", minutes=20),
        Phase(key="close", name="Close and next steps", minutes=5),
    ),
)

STRUCTURES = [INDIVIDUAL_HOUR, COUPLE_SESSION, COUPLE_ASSESSMENT, FAMILY_SESSION, GROUP_SESSION,
              INTEGRATION_PREPARATION, INTEGRATION_SESSION]
