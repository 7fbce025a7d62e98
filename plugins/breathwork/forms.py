"""Breathwork screening form (clinical.md §3.3) and session log (clinical.md §1.3).

Screening answers are structured so each condition maps to one rule
(screening.py). The log's numeric limits only catch typing mistakes; they are
not clinical thresholds.
"""

from polymodal.core.api import FieldType, FormField, FormPurpose, FormSection, FormSpec, Option
from polymodal.plugins.breathwork.modalities import ALL, SCREENING, SESSION_LOG

YES_NO = FieldType.yes_no
TEXT = FieldType.long_text


def _yes_no(key: str, label: str) -> FormField:
    return FormField(key=key, label=label, type=YES_NO, required=True)


def _choice(key: str, label: str, *options: tuple[str, str], required: bool = True) -> FormField:
    return FormField(key=key, label=label, type=FieldType.single_choice, required=required,
                     options=tuple(Option(value=v, label=t) for v, t in options))


SCREENING_FORM = FormSpec(
    key=SCREENING, title="Breathwork health screening", purpose=FormPurpose.screening, modalities=ALL,
    source="clinical.md §3.3",
    sections=(
        FormSection(key="body", title="Physical health", fields=(
            _yes_no("cardiovascular", "Do you have heart or circulation disease (angina, a previous heart attack "
                                      "or stroke)?"),
            _yes_no("aneurysm", "Have you, or has anyone in your family, had an aneurysm?"),
            _yes_no("epilepsy", "Do you have epilepsy or have you had seizures?"),
            _yes_no("glaucoma", "Do you have glaucoma?"),
            _yes_no("retinal_detachment", "Have you had a detached retina?"),
            _yes_no("recent_injury_surgery", "Have you had an injury or surgery recently?"),
            _choice("blood_pressure", "Blood pressure", ("normal", "Normal"),
                    ("controlled", "High, controlled with treatment"), ("uncontrolled", "High and not controlled, or severe")),
            _choice("asthma", "Asthma", ("none", "None"), ("mild", "Mild, I have my inhaler"), ("severe", "Severe")),
            _yes_no("kidney_disease", "Do you have kidney disease?"),
            _yes_no("severe_osteoporosis", "Do you have osteoporosis severe enough that movement could injure you?"),
            _yes_no("thyroid", "Do you have a thyroid condition?"),
            _yes_no("diabetes", "Do you have diabetes?"),
            _yes_no("pregnant", "Are you pregnant?"),
        )),
        FormSection(key="mind", title="Mental health and substances", fields=(
            FormField(key="psychiatric_conditions", type=FieldType.multi_choice,
                      label="Have you been diagnosed with any of these?",
                      options=(Option(value="psychosis", label="Psychosis"),
                               Option(value="bipolar", label="Bipolar disorder"),
                               Option(value="paranoia", label="Paranoia"),
                               Option(value="other-severe", label="Another severe psychiatric condition"))),
            _yes_no("untreated_condition", "Do you have a mental-health condition for which you have no treatment "
                                           "or support at present?"),
            _yes_no("ptsd", "Have you been diagnosed with PTSD?"),
            _yes_no("recent_crisis", "Have you been in psychiatric hospital or a mental-health crisis in the last "
                                     "10 years?"),
            _yes_no("antidepressant_change", "Have you recently started or changed an antidepressant?"),
            _yes_no("active_addiction", "Are you currently in an active addiction?"),
        )),
        FormSection(key="other", title="Anything else", fields=(
            FormField(key="details", label="Details of anything you answered yes to", type=TEXT),
        )),
    ),
)

ROUND_FIELDS = (
    FormField(key="breaths", label="Breaths", type=FieldType.number, min=1, max=200, required=True),
    FormField(key="retention_seconds", label="Retention (s)", type=FieldType.number, min=0, max=600, required=True),
    FormField(key="recovery_hold_seconds", label="Recovery hold (s)", type=FieldType.number, min=0, max=120),
)

ADVERSE_EVENT_FIELDS = (
    FormField(key="type", label="Type", required=True),
    FormField(key="action", label="Action taken", required=True),
    FormField(key="minutes_to_resolve", label="Minutes to resolve", type=FieldType.number, min=0, max=1440),
    FormField(key="referral", label="Referred on", type=YES_NO),
)

SESSION_LOG_FORM = FormSpec(
    key=SESSION_LOG, title="Breathwork session log", purpose=FormPurpose.session_log, modalities=ALL,
    source="clinical.md §1.3",
    sections=(
        FormSection(key="pre", title="Before the session", fields=(
            FormField(key="intention", label="Intention (client's words)"),
            FormField(key="recheck", label="Screening re-check: health or medication changes, pregnancy, last meal, "
                                           "sleep, substance use in the last 24-48 h", type=TEXT),
            _choice("review_result", "Contraindication review", ("clear", "Clear"), ("modified", "Modified"),
                    ("deferred", "Deferred")),
        )),
        FormSection(key="method", title="Method", fields=(
            _choice("style", "Style", ("connected", "Conscious connected"), ("rounds", "Rounds with retention"),
                    ("slow-nasal", "Slow nasal"), ("other", "Other")),
            _choice("position", "Position", ("lying", "Lying"), ("seated", "Seated"), required=False),
            FormField(key="eyeshade", label="Eyeshade", type=YES_NO),
            FormField(key="music", label="Music set"),
            FormField(key="facilitators", label="Facilitator(s)"),
        )),
        FormSection(key="breathing", title="Breathing", fields=(
            FormField(key="rounds", label="Round", type=FieldType.repeating, item_fields=ROUND_FIELDS, max_items=10,
                      help="Rounds-based sessions: one row per round."),
            FormField(key="active_minutes", label="Active breathing minutes (connected)", type=FieldType.number,
                      min=0, max=240),
            FormField(key="pace_changes", label="Pace changes"),
            _choice("airway", "Mouth or nose", ("mouth", "Mouth"), ("nose", "Nose"), ("both", "Both"),
                    required=False),
        )),
        FormSection(key="phenomena", title="Phenomena and support", fields=(
            FormField(key="phenomena", label="Phenomena", type=FieldType.multi_choice, options=tuple(
                Option(value=v, label=t) for v, t in (
                    ("tingling", "Tingling"), ("lightheaded", "Lightheadedness"),
                    ("cramping", "Hand or mouth cramping"), ("temperature", "Temperature shifts"),
                    ("emotional-release", "Emotional release (crying, laughter, shaking)"),
                    ("imagery", "Imagery"), ("nausea", "Nausea")))),
            FormField(key="support", label="Support given", type=FieldType.multi_choice, options=tuple(
                Option(value=v, label=t) for v, t in (
                    ("coaching", "Coaching cues"), ("affirmations", "Affirmations"), ("toning", "Toning"),
                    ("touch", "Touch or pressure-point support (only with touch consent)")))),
            FormField(key="slowed_or_stopped", label="Breath slowed or stopped, and why"),
        )),
        FormSection(key="adverse", title="Adverse events", fields=(
            FormField(key="adverse_events", label="Adverse event", type=FieldType.repeating,
                      item_fields=ADVERSE_EVENT_FIELDS, max_items=20),
        )),
        FormSection(key="close", title="Close", fields=(
            _yes_no("oriented", "Grounding check: oriented"),
            _yes_no("steady", "Grounding check: steady on feet"),
            FormField(key="integration", label="Integration notes (sharing, journaling, drawing)", type=TEXT),
            FormField(key="aftercare", label="Aftercare advice given", type=TEXT),
            FormField(key="follow_up", label="Follow-up"),
        )),
    ),
)

FORMS = [SCREENING_FORM, SESSION_LOG_FORM]
