"""Breathwork session note (clinical.md §1.3, §2), for both styles.

The note is the signed record of what happened; the session log (forms.py)
keeps the per-round detail and opens from the session page. The sections
follow the session log's groups in clinical.md §1.3: intention and re-check,
method, breathing (rounds or minutes), the client's response, adverse events,
integration and aftercare. "Adaptations applied" answers what the eligibility
decision asked of the session (modify findings, shown beside the note while it
is written), so a reader sees that the adaptation was made.

Sources: session log groups and round pattern: https://www.myzigzagtohealing.com/post/mind-over-matter ·
https://icedragontraining.com/wim-hof-method-breathing-technique · integration and sharing:
https://makesomebreathingspace.com/blog/art-of-breathwork-sequencing?format=amp ·
preparation and aftercare: https://www.mojorituals.com/gnosis/2468660_breathwork-safety-preparation-and-integration-for-a-deep-inner-journey
"""

from polymodal.core.api import FieldType, FormField, NoteSection, NoteTemplate, Option, SectionTag
from polymodal.plugins.breathwork.forms import ADVERSE_EVENT_FIELDS
from polymodal.plugins.breathwork.modalities import ALL, NOTE

LONG = FieldType.long_text

STYLES = tuple(Option(value=v, label=t) for v, t in (
    ("connected", "Conscious connected (holotropic- or rebirthing-style)"),
    ("rounds", "Rounds with retention"),
    ("slow-nasal", "Slow nasal"),
    ("paced", "Paced or coherent breathing"),
    ("other", "Other"),
))

SESSION_NOTE = NoteTemplate(
    key=NOTE, name="Breathwork session note", modalities=ALL,
    source="https://www.myzigzagtohealing.com/post/mind-over-matter",
    sections=(
        NoteSection(key="intention", title="Intention and re-check", tag=SectionTag.subjective, fields=(
            FormField(key="intention", label="Intention (client's words)", type=LONG, required=True),
            FormField(key="recheck", label="Changes since screening (health, medication, pregnancy, last meal, "
                                           "sleep, substances in the last 24-48 h)", type=LONG, required=True,
                      help="Write 'no change' if nothing changed."),
        )),
        NoteSection(key="method", title="Style and method", tag=SectionTag.intervention, fields=(
            FormField(key="style", label="Style", type=FieldType.single_choice, options=STYLES, required=True),
            FormField(key="position", label="Position", type=FieldType.single_choice, options=(
                Option(value="lying", label="Lying"), Option(value="seated", label="Seated"))),
            FormField(key="support", label="Support given (cues, affirmations, touch only with touch consent)"),
        )),
        NoteSection(key="breathing", title="Rounds and duration", tag=SectionTag.intervention,
                    help="Per-round breaths and retention go in the session log, opened from the session page.",
                    fields=(
                        FormField(key="rounds", label="Rounds", type=FieldType.number, min=0, max=20),
                        FormField(key="active_minutes", label="Active breathing minutes", type=FieldType.number,
                                  min=0, max=240, required=True),
                    )),
        NoteSection(key="response", title="Client response", tag=SectionTag.response, fields=(
            FormField(key="response", label="What the client experienced and reported", type=LONG, required=True),
            FormField(key="grounded", label="Grounded at the end: oriented and steady on their feet",
                      type=FieldType.yes_no, required=True),
        )),
        NoteSection(key="adverse", title="Adverse events", tag=SectionTag.observation, fields=(
            FormField(key="adverse_events", label="Adverse event", type=FieldType.repeating,
                      item_fields=ADVERSE_EVENT_FIELDS, max_items=20,
                      help="One row per event: what happened, what was done, how long it took to settle."),
        )),
        NoteSection(key="adaptations", title="Adaptations applied", tag=SectionTag.intervention, fields=(
            FormField(key="adaptations", label="Adaptations made for what the screening asked (e.g. slow nasal "
                                               "breathing only, no breath holds, inhaler at hand)",
                      type=LONG, required=True, help="Write 'none needed' if the decision named none."),
        )),
        NoteSection(key="integration", title="Integration and aftercare", tag=SectionTag.plan, fields=(
            FormField(key="integration", label="Integration (sharing, journaling, drawing)", type=LONG),
            FormField(key="aftercare", label="Aftercare advice given", type=LONG),
            FormField(key="follow_up", label="Follow-up"),
        )),
    ),
)

NOTE_TEMPLATES = [SESSION_NOTE]
