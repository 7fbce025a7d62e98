"""Creative arts therapy intake: the clinical intake (version 2) and the additions-only version 1 it replaces.

Sources:
- clinical intake contents (presenting concerns and goals, previous therapy, psychiatric history,
  medications, risk screening routed to a structured assessment): clinical.md §3.1
- arts additions (materials, respiratory and skin, sensory preferences, motor limits, experience,
  keeping artwork, sharps risk): clinical.md §3.4 ·
  https://www.artsentertainment.cc/Art/Art-Supplies/641.html ·
  https://brainscape.com/flashcards/art-therapy-environment-16689632/packs/22261480 (dust, glazes, sharps) ·
  http://www.portal.ct.gov/DPH/Environmental-Health/Environmental-and-Occupational-Health-Assessment/Arts--Crafts-Supplies
- trauma-informed preferences (safety, choice, control over pace and touch; asking rather than requiring
  a trauma history): SAMHSA, "Concept of Trauma and Guidance for a Trauma-Informed Approach" (HHS Publication
  No. (SMA) 14-4884, 2014)
- movement screening (heart conditions, pregnancy, recent injury before physical activity): screening.py

Version 2 asks the risk facts the core declares (``ClientFact``) in the client's words, so a fact found
here reaches every modality's rules (talk, breathwork, bodywork, psychedelic integration). Its last section
is the clinician's (``staff_only``): never shown in the portal, never accepted from it.
"""

from polymodal.core.api import FieldType, FormField, FormSection, FormSpec, Option
from polymodal.plugins.arts.modalities import ALL, INTAKE

TEXT = FieldType.long_text
YES_NO = FieldType.yes_no


def _options(*pairs: tuple[str, str]) -> tuple[Option, ...]:
    return tuple(Option(value=v, label=t) for v, t in pairs)


MATERIALS = FormSection(key="materials", title="Materials and your body", fields=(
    FormField(key="material_allergies", label="Allergies or sensitivities to materials",
              type=FieldType.multi_choice, options=_options(
                  ("latex", "Latex"), ("wheat-paste", "Wheat paste"), ("wool-fibres", "Wool or fibres"),
                  ("dyes", "Dyes"), ("adhesives", "Adhesives"), ("solvents", "Solvents"),
                  ("fragrance", "Fragrance"))),
    FormField(key="respiratory", label="Breathing sensitivities", type=FieldType.multi_choice,
              options=_options(("dust", "Dust from clay, glazes or pastels"), ("fumes", "Solvent fumes"))),
    FormField(key="skin_conditions", label="Skin conditions"),
    FormField(key="materials_details", label="Anything else about materials", type=TEXT),
))

SENSORY = FormSection(key="sensory", title="Sensory preferences", fields=(
    FormField(key="textures", label="Textures you like or avoid"),
    FormField(key="mess_tolerance", label="How do you feel about messy materials?",
              type=FieldType.single_choice,
              options=_options(("fine", "Fine with mess"), ("some", "Some mess is fine"),
                               ("avoid", "I prefer to avoid mess"))),
    FormField(key="sound_limits", label="Noise and volume limits (music)"),
    FormField(key="touch_proximity", label="Touch and closeness to others (movement and drama)"),
))

EXPERIENCE = FormSection(key="experience", title="Experience and preferences", fields=(
    FormField(key="arts_experience", label="Previous arts experience", type=TEXT,
              help="None is fine: no skill or experience is needed."),
    FormField(key="performance_anxiety", label="Do you get anxious about performing or being watched?",
              type=YES_NO),
    FormField(key="keeping_work", label="Your wishes about keeping or displaying your work and recordings",
              type=TEXT),
))

SHARPS = FormField(key="sharps_risk", label="Sharps or self-harm risk: blades only under supervision",
                   type=YES_NO, required=True)

INTAKE_FORM_V1 = FormSpec(
    key=INTAKE, version=1, title="Creative arts therapy intake", modalities=ALL, source="clinical.md §3.4",
    sections=(
        MATERIALS, SENSORY,
        FormSection(key="movement", title="Movement and mobility", fields=(
            FormField(key="fine_motor", label="Fine motor limits (hands, grip)"),
            FormField(key="gross_motor", label="Gross motor limits"),
            FormField(key="adaptive_tools", label="Adaptive tools you use"),
            FormField(key="mobility_balance", label="Mobility or balance limits", type=YES_NO, required=True),
        )),
        EXPERIENCE,
        # Kept for responses stored under version 1; staff-only now that the portal honours it.
        FormSection(key="practitioner", title="For the practitioner", staff_only=True, fields=(SHARPS,)),
    ),
)

INTAKE_FORM = FormSpec(
    key=INTAKE, version=2, title="Creative arts therapy intake", modalities=ALL,
    source="clinical.md §3.1, §3.4; SAMHSA SMA14-4884 (trauma-informed approach)",
    description="About you, your health and how you like to work. You can skip any question that is not marked "
                "as needed, and talk about it in person instead.",
    sections=(
        FormSection(key="presenting", title="What brings you here", fields=(
            FormField(key="presenting_concerns", label="What brings you to arts therapy now?", type=TEXT,
                      required=True, guardian_label="What brings {name} to arts therapy now?"),
            FormField(key="goals", label="What would you like to be different?", type=TEXT,
                      guardian_label="What would you and {name} like to be different?"),
        )),
        FormSection(key="history", title="Therapy and mental-health history", fields=(
            FormField(key="previous_therapy", label="Have you had therapy or counselling before (any kind)?",
                      type=YES_NO, guardian_label="Has {name} had therapy or counselling before (any kind)?"),
            FormField(key="previous_therapy_details", type=TEXT,
                      label="If so: what kind, when, and what helped or did not"),
            FormField(key="mental_health_history", type=TEXT,
                      label="Mental-health diagnoses or difficulties, including any hospital stays"),
            FormField(key="medications", label="Current medications (name, dose, what for)", type=TEXT,
                      help="Write 'none' if you take no medication."),
            FormField(key="other_care", label="Others involved in your care (doctor, psychiatrist, therapist)"),
        )),
        FormSection(
            key="safety", title="Your safety and health history",
            help="A yes goes to your therapist so that they can talk with you about it before you start.",
            fields=(
                FormField(key="suicidal_thoughts_now", type=YES_NO, required=True,
                          label="Are you having thoughts of ending your life at present?",
                          guardian_label="Is {name} having thoughts of ending their life at present, as far as "
                                         "you know?"),
                FormField(key="suicidal_thoughts_past", type=YES_NO, required=True,
                          label="Have you had thoughts of ending your life in the past?",
                          guardian_label="Has {name} had thoughts of ending their life in the past?"),
                FormField(key="suicide_attempt", type=YES_NO, required=True,
                          label="Have you ever tried to end your life?",
                          guardian_label="Has {name} ever tried to end their life?"),
                FormField(key="self_harm", type=YES_NO, required=True,
                          label="Do you hurt yourself on purpose, or have you done so recently?",
                          guardian_label="Does {name} hurt themselves on purpose, or have they done so recently?"),
                FormField(key="violence_risk", type=YES_NO, required=True,
                          label="Are you having thoughts of seriously harming someone else?",
                          guardian_label="Is {name} having thoughts of seriously harming someone else?"),
                FormField(key="psychosis_history", type=YES_NO,
                          label="Have you ever had a psychotic episode (for example hearing or seeing things "
                                "others did not, or being told you had psychosis or schizophrenia)?",
                          guardian_label="Has {name} ever had a psychotic episode?"),
                FormField(key="bipolar_history", type=YES_NO,
                          label="Have you been diagnosed with bipolar disorder?",
                          guardian_label="Has {name} been diagnosed with bipolar disorder?"),
                FormField(key="substance_concern", type=YES_NO,
                          label="Is your use of alcohol or drugs a worry for you or people close to you now?",
                          guardian_label="Is {name}'s use of alcohol or drugs a worry now?"),
                FormField(key="risk_details", type=TEXT,
                          label="If you answered yes to any of these, anything you want us to know first"),
            ),
        ),
        MATERIALS,
        SENSORY,
        FormSection(key="movement", title="Movement and your body",
                    help="Mostly for dance/movement and drama therapy, where you move more.", fields=(
            FormField(key="fine_motor", label="Fine motor limits (hands, grip)"),
            FormField(key="gross_motor", label="Gross motor limits"),
            FormField(key="adaptive_tools", label="Adaptive tools you use"),
            FormField(key="mobility_balance", label="Mobility or balance limits", type=YES_NO, required=True),
            FormField(key="heart_condition", type=YES_NO,
                      label="Do you have a heart or circulation condition, or chest pain or faintness when active?"),
            FormField(key="seizures", type=YES_NO, label="Do you have epilepsy or seizures?"),
            FormField(key="pregnant", type=YES_NO, label="Are you pregnant?"),
            FormField(key="recent_injury", type=YES_NO,
                      label="Have you had surgery or an injury in the last three months?"),
            FormField(key="physical_details", type=TEXT,
                      label="Anything else about your body we should know for moving safely (pain, joints, "
                            "breathing)"),
        )),
        FormSection(
            key="trauma_informed", title="What helps you feel safe",
            help="Only if you want to. You do not need to tell us about difficult experiences to get help.",
            fields=(
                FormField(key="feel_safe", type=TEXT,
                          label="What helps you feel safe in a session (for example a seat near the door, lights "
                                "on, choosing your own materials, being told before anything changes)?"),
                FormField(key="avoid", type=TEXT,
                          label="Themes, sounds, music, images or activities you would rather avoid"),
                FormField(key="touch_preference", label="Touch during movement or drama work",
                          type=FieldType.single_choice,
                          options=_options(("none", "No touch, please"), ("ask", "Ask me each time"),
                                           ("ok", "Light touch is fine when the activity needs it"))),
                FormField(key="stop_signal", label="A word or sign you will use to pause or stop"),
            ),
        ),
        EXPERIENCE,
        FormSection(
            key="clinician", title="Clinician's observations and risk review", staff_only=True,
            help="Completed by the therapist. Never shown in the client portal.",
            fields=(
                SHARPS,
                FormField(key="risk_review", label="Risk review", type=FieldType.single_choice,
                          options=_options(("none", "No risk indicated"),
                                           ("discussed", "Risk discussed; safety plan in place"),
                                           ("referred", "Referred for a structured risk assessment"))),
                FormField(key="clinician_observations", type=TEXT,
                          label="Observations at intake (describe, do not interpret)"),
            ),
        ),
    ),
)

FORMS = [INTAKE_FORM_V1, INTAKE_FORM]
