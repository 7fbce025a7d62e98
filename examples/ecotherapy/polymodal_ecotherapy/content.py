"""Nature-based therapy content: an example of a third-party plugin's definitions.

This is example content for plugin authors, not clinical guidance: the shared
clinical reference has no ecotherapy section, so the questions are practical
(access, weather, privacy outdoors) and the phase minutes are editable
defaults, not sourced figures. A real plugin would cite its sources here.
"""

from polymodal.core.api import (
    ConsentDocument,
    Family,
    FieldType,
    FormField,
    FormSection,
    FormSpec,
    ModalitySpec,
    NoteSection,
    NoteTemplate,
    Option,
    Phase,
    SectionTag,
    SessionFormat,
    SessionStructure,
)

MODALITY = "ecotherapy/nature-based"
INTAKE = "ecotherapy/intake"
CONSENT = "ecotherapy/outdoor-sessions"
# The talk plugin's individual modality: a plugin may add templates to another plugin's modality.
TALK_INDIVIDUAL = "talk/psychotherapy"

MODALITY_SPEC = ModalitySpec(
    key=MODALITY, name="Nature-based therapy", family=Family.movement, discipline="ecotherapy",
    formats=(SessionFormat.individual, SessionFormat.group),
    description="Sessions held outdoors, walking or sitting in a natural setting.",
    consents_required=(CONSENT,), intake_forms=(INTAKE,),
)

INTAKE_FORM = FormSpec(
    key=INTAKE, title="Nature-based therapy intake", modalities=(MODALITY,),
    sections=(FormSection(key="outdoors", title="Being outdoors", fields=(
        FormField(key="walking", label="How far can you comfortably walk?", type=FieldType.single_choice,
                  required=True, options=(Option(value="short", label="A short distance"),
                                          Option(value="medium", label="Up to about an hour"),
                                          Option(value="long", label="More than an hour"),
                                          Option(value="seated", label="I prefer seated sessions"))),
        FormField(key="mobility_aids", label="Mobility aids you use"),
        FormField(key="outdoor_allergies", type=FieldType.long_text,
                  label="Allergies that matter outdoors, and any medication you carry for them"),
        FormField(key="weather_limits", label="Weather you would rather not meet in"),
        FormField(key="public_places", type=FieldType.yes_no, required=True,
                  label="Are you comfortable meeting where other people may pass by?"),
    )),),
)

STRUCTURE = SessionStructure(
    key="ecotherapy/nature-session", name="Nature-based session", modalities=(MODALITY,),
    formats=(SessionFormat.individual, SessionFormat.group),
    phases=(
        Phase(key="arrival", name="Arrival and check-in", minutes=10),
        Phase(key="outdoors", name="Walking or sitting outdoors", minutes=30),
        Phase(key="reflection", name="Reflection", minutes=10),
        Phase(key="closing", name="Closing and the way back", minutes=5),
    ),
)

_SETTING = NoteSection(key="setting", title="Setting", tag=SectionTag.observation, fields=(
    FormField(key="place", label="Place", required=True),
    FormField(key="weather", label="Weather"),
))

NATURE_NOTE = NoteTemplate(
    key="ecotherapy/nature-note", name="Nature-based session note", modalities=(MODALITY,),
    sections=(
        _SETTING,
        NoteSection(key="data", title="Data", tag=SectionTag.data),
        NoteSection(key="reflections", title="Client's reflections", tag=SectionTag.subjective),
        NoteSection(key="plan", title="Plan", tag=SectionTag.plan),
    ),
)

WALK_AND_TALK_NOTE = NoteTemplate(
    key="ecotherapy/walk-and-talk", name="Walk-and-talk session note", modalities=(TALK_INDIVIDUAL,),
    sections=(
        _SETTING,
        NoteSection(key="data", title="Data", tag=SectionTag.data),
        NoteSection(key="assessment", title="Assessment", tag=SectionTag.assessment),
        NoteSection(key="plan", title="Plan", tag=SectionTag.plan),
    ),
)

OUTDOOR_CONSENT = ConsentDocument(
    key=CONSENT, title="Consent to outdoor sessions", modalities=(MODALITY,),
    scope="Sessions held outdoors in the places agreed with you.",
    text=(
        "Outdoor sessions take place where other people may pass by, so privacy is more limited than in a room; "
        "we agree together what to do if we meet someone. Weather and terrain bring their own risks, and we "
        "choose routes you are comfortable with. You can end a walk or return indoors at any time."
    ),
    fields=(FormField(key="meeting_point", label="Agreed meeting point", required=True),),
)
