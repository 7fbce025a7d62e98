"""Bodywork SOAP note with a body-region map (clinical.md §1.2).

Sources: https://massagetherapyreference.com/soap-notes-massage-therapy/ ·
https://www.massagebook.com/marketing/soap-note-template-for-massage-therapists-free-download/ ·
pressure 1-5 (Walton): https://pubhtml5.com/ylgr/lhcc/basic/401-445 ·
scope (no medical diagnosis): https://open-exam-prep.com/exams/mblex/benefits-effects-treatment-planning/treatment-planning-documentation
"""

from polymodal.core.api import FieldType, FormField, NoteSection, NoteTemplate, Option, SectionTag
from polymodal.plugins.bodywork.modalities import ALL
from polymodal.plugins.bodywork.regions import CONSENT_STATES, REGIONS, SIDES

TEXT = FieldType.text
LONG = FieldType.long_text

BODY_MAP = FormField(
    key="body_map", label="Regions treated", type=FieldType.body_map, regions=REGIONS,
    help="Only regions with consent; sensitive regions need spoken consent today.",
    item_fields=(
        FormField(key="consent", label="Consent", type=FieldType.single_choice, options=CONSENT_STATES,
                  required=True),
        FormField(key="side", label="Side", type=FieldType.single_choice, options=SIDES),
        FormField(key="technique", label="Technique"),
        FormField(key="pressure", label="Pressure (1-5)", type=FieldType.scale, min=1, max=5),
        FormField(key="findings", label="Findings"),
        FormField(key="contraindication", label="Local contraindication (reason)"),
        FormField(key="feedback", label="Client feedback"),
    ),
)

SOAP = NoteTemplate(
    key="bodywork/soap", name="Bodywork SOAP note", modalities=ALL,
    source="https://massagetherapyreference.com/soap-notes-massage-therapy/",
    sections=(
        NoteSection(key="subjective", title="Subjective", tag=SectionTag.subjective, fields=(
            FormField(key="complaint", label="Chief complaint and goals for today", type=LONG, required=True),
            FormField(key="pattern", label="Location, onset, duration, frequency, character", type=LONG),
            FormField(key="pain", label="Pain (0-10)", type=FieldType.scale, min=0, max=10),
            FormField(key="factors", label="Aggravating and relieving factors", type=TEXT),
            FormField(key="activities", label="Activities and work", type=TEXT),
            FormField(key="medication_changes", label="Medications and changes since last visit", type=TEXT,
                      required=True, help="Write 'no change' if nothing changed."),
            FormField(key="requests", label="Client requests (e.g. 'no feet')", type=TEXT),
            FormField(key="last_response", label="Response to last session", type=TEXT),
        )),
        NoteSection(key="objective", title="Objective", tag=SectionTag.objective, fields=(
            FormField(key="posture", label="Posture and gait", type=TEXT),
            FormField(key="palpation", label="Palpation (tone, texture, temperature, tenderness, trigger points)",
                      type=LONG),
            FormField(key="range_of_motion", label="Range of motion", type=TEXT),
            FormField(key="skin", label="Skin (bruises, swelling, lesions, varicosities)", type=TEXT),
            FormField(key="positions", label="Positions", type=FieldType.multi_choice, options=(
                Option(value="prone", label="Prone"), Option(value="supine", label="Supine"),
                Option(value="side-lying", label="Side-lying"))),
            FormField(key="minutes", label="Hands-on minutes", type=FieldType.number, min=0, max=240),
            BODY_MAP,
        )),
        NoteSection(key="assessment", title="Assessment", tag=SectionTag.assessment,
                    help="Response to treatment and progress against goals; no medical diagnosis (outside scope).",
                    fields=(
                        FormField(key="response", label="Response (release, range of motion, pain after)", type=LONG),
                        FormField(key="progress", label="Progress against goals", type=LONG),
                    )),
        NoteSection(key="plan", title="Plan", tag=SectionTag.plan, fields=(
            FormField(key="next", label="Frequency and next focus", type=TEXT),
            FormField(key="home_care", label="Home care (stretching, heat/ice, hydration)", type=LONG),
            FormField(key="referral", label="Referral", type=TEXT),
        )),
    ),
)

NOTE_TEMPLATES = [SOAP]
