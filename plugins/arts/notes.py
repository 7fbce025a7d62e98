"""Creative arts note templates: DAP plus each modality's own fields (clinical.md §1.4).

Sources: art https://hayesarttherapy.blogspot.com/2010/10 ·
https://informahealthcare.com/doi/full/10.1080/17454832.2023.2264372 ·
music https://romanmusictherapy.com/what-happens-in-a-music-therapy-session/ ·
drama http://www.dramatherapycentral.com/tag/embodiment/ ·
dance/movement (Laban effort) https://richardbbrunner.com/2020/11/24/assessment-and-evaluation/
"""

from polymodal.core.api import FieldType, FormField, NoteSection, NoteTemplate, Option, SectionTag
from polymodal.plugins.arts.modalities import ART, DANCE, DRAMA, MUSIC

TEXT, LONG, YES_NO = FieldType.text, FieldType.long_text, FieldType.yes_no


def _options(*pairs: tuple[str, str]) -> tuple[Option, ...]:
    return tuple(Option(value=v, label=t) for v, t in pairs)


DATA = NoteSection(key="data", title="Data", tag=SectionTag.data, help="What was said, observed and done.")
ASSESSMENT = NoteSection(key="assessment", title="Assessment", tag=SectionTag.assessment,
                         help="Mark hypotheses as tentative ('seems to ...').")
PLAN = NoteSection(key="plan", title="Plan", tag=SectionTag.plan)


def _note(key: str, name: str, modality: str, source: str, *extra: NoteSection) -> NoteTemplate:
    return NoteTemplate(key=key, name=name, modalities=(modality,), source=source,
                        sections=(DATA, *extra, ASSESSMENT, PLAN))


ART_NOTE = _note(
    "arts/art-note", "Art therapy note", ART, "https://hayesarttherapy.blogspot.com/2010/10",
    NoteSection(key="process", title="Art process", tag=SectionTag.observation, fields=(
        FormField(key="mode", label="Directive or open studio", type=FieldType.single_choice,
                  options=_options(("directive", "Directive"), ("open", "Open studio"))),
        FormField(key="prompt", label="Prompt"),
        FormField(key="materials_offered", label="Materials offered"),
        FormField(key="materials_chosen", label="Materials chosen"),
        FormField(key="process_observations", label="Process observations (approach, pace, handling, affect)",
                  type=LONG, required=True),
    )),
    NoteSection(key="product", title="Artwork", tag=SectionTag.observation,
                help="Describe, do not interpret: elements, use of space, content.", fields=(
        FormField(key="description", label="Product description", type=LONG),
        FormField(key="client_title", label="Client's title"),
        FormField(key="client_story", label="Client's story about the work", type=LONG),
        FormField(key="kept", label="Where the artwork is kept", type=FieldType.single_choice, required=True,
                  options=_options(("client", "Client took it"), ("center", "Kept at the center"),
                                   ("other", "Other (see data)"))),
        FormField(key="photographed", label="Photographed (with consent)", type=YES_NO, required=True),
    )),
)

MUSIC_NOTE = _note(
    "arts/music-note", "Music therapy note", MUSIC,
    "https://romanmusictherapy.com/what-happens-in-a-music-therapy-session/",
    NoteSection(key="music", title="Music", tag=SectionTag.intervention, fields=(
        FormField(key="goal_areas", label="Goal areas", type=FieldType.multi_choice, options=_options(
            ("communication", "Communication"), ("motor", "Motor"), ("social", "Social"), ("emotional", "Emotional"))),
        FormField(key="interventions", label="Interventions", type=FieldType.multi_choice, required=True,
                  options=_options(("improvisation", "Improvisation"), ("songwriting", "Songwriting"),
                                   ("instrument-play", "Instrument play"), ("listening", "Receptive listening"),
                                   ("movement", "Movement to music"))),
        FormField(key="instruments", label="Instruments"),
        FormField(key="musical_observations", label="Musical observations (tempo, dynamics, rhythmic synchrony, "
                                                    "vocalisation)", type=LONG),
        FormField(key="turn_taking", label="Turn-taking (count)", type=FieldType.number, min=0, max=1000),
        FormField(key="imitations", label="Imitations (count)", type=FieldType.number, min=0, max=1000),
        FormField(key="recorded", label="Recorded (with consent)", type=YES_NO),
    )),
)

DRAMA_NOTE = _note(
    "arts/drama-note", "Drama therapy note", DRAMA, "http://www.dramatherapycentral.com/tag/embodiment/",
    NoteSection(key="drama", title="Drama", tag=SectionTag.intervention, fields=(
        FormField(key="series_phase", label="Phase of the series (Emunah)", type=FieldType.single_choice,
                  options=_options(("dramatic-play", "Dramatic play"), ("scenework", "Scenework"),
                                   ("role-play", "Role play"), ("culminating", "Culminating enactment"),
                                   ("ritual", "Dramatic ritual"))),
        FormField(key="warm_up", label="Check-in and warm-up"),
        FormField(key="techniques", label="Techniques", type=FieldType.multi_choice, options=_options(
            ("role-play", "Role play"), ("role-reversal", "Role reversal"), ("sculpting", "Sculpting"),
            ("story", "Story"))),
        FormField(key="roles", label="Roles taken by the client", required=True),
        FormField(key="de_roled", label="De-roling done", type=YES_NO, required=True),
        FormField(key="group_dynamics", label="Group dynamics", type=LONG),
        FormField(key="closure", label="Closure ritual"),
    )),
)

DANCE_NOTE = _note(
    "arts/movement-note", "Dance/movement therapy note", DANCE,
    "https://richardbbrunner.com/2020/11/24/assessment-and-evaluation/",
    NoteSection(key="effort", title="Movement observation (Laban effort)", tag=SectionTag.observation, fields=(
        FormField(key="space", label="Space"),
        FormField(key="time", label="Time", type=FieldType.single_choice,
                  options=_options(("fast", "Fast"), ("slow", "Slow"), ("varied", "Varied"))),
        FormField(key="weight", label="Weight / force"),
        FormField(key="flow", label="Flow", type=FieldType.single_choice,
                  options=_options(("free", "Free"), ("bound", "Bound"), ("varied", "Varied"))),
        FormField(key="body_shape", label="Body shape"),
        FormField(key="synchrony", label="Synchrony with therapist or group"),
        FormField(key="mirroring", label="Mirroring (reflecting)"),
        FormField(key="sounds", label="Sounds"),
        FormField(key="matches_intent", label="Movement matches stated intent", type=YES_NO),
        FormField(key="verbal_processing", label="Verbal processing afterwards", type=LONG),
    )),
)

NOTE_TEMPLATES = [ART_NOTE, MUSIC_NOTE, DRAMA_NOTE, DANCE_NOTE]
