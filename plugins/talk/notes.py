"""Talk-therapy note templates: SOAP, DAP, BIRP, GIRP, PIRP and the process note.

Source: clinical.md §1.1 (section content per format):
SOAP https://www.massagemag.com/soap-notes-revolutionize-practice-87759/ ·
DAP https://www.lightning-assist.com/templates/therapy-progress-note-templates ·
BIRP https://www.blueprint.ai/blog/birp-note-examples-and-format-streamlining-documentation-for-therapists ·
GIRP/PIRP https://icanotes.com/?p=12484 · process notes kept apart from the record (HIPAA):
https://support.simplepractice.com/hc/en-us/articles/207625206
"""

from polymodal.core.api import NoteSection, NoteTemplate, SectionTag, Visibility
from polymodal.plugins.talk.modalities import ALL

_PLAN = NoteSection(key="plan", title="Plan", tag=SectionTag.plan,
                    help="Homework, next focus, frequency, safety plan, referrals.")
_INTERVENTION = NoteSection(key="intervention", title="Intervention", tag=SectionTag.intervention,
                            help="What you did, in action verbs, tied to the treatment plan.")
_RESPONSE = NoteSection(key="response", title="Response", tag=SectionTag.response,
                        help="How the client took up or resisted the intervention.")


def _template(key: str, name: str, source: str, *sections: NoteSection) -> NoteTemplate:
    return NoteTemplate(key=key, name=name, modalities=ALL, sections=sections, source=source)


NOTE_TEMPLATES = [
    _template(
        "talk/soap", "SOAP note", "https://www.massagemag.com/soap-notes-revolutionize-practice-87759/",
        NoteSection(key="subjective", title="Subjective", tag=SectionTag.subjective,
                    help="The client's own report: complaint, symptoms, changes since last visit, quotes."),
        NoteSection(key="objective", title="Objective", tag=SectionTag.objective,
                    help="What you observed or measured: appearance, affect, behaviour, scores."),
        NoteSection(key="assessment", title="Assessment", tag=SectionTag.assessment,
                    help="Your clinical interpretation and progress toward goals."),
        NoteSection(key="plan", title="Plan", tag=SectionTag.plan,
                    help="Next steps, homework, frequency, referrals."),
    ),
    _template(
        "talk/dap", "DAP note", "https://www.lightning-assist.com/templates/therapy-progress-note-templates",
        NoteSection(key="data", title="Data", tag=SectionTag.data,
                    help="What was said, observed and done (subjective and objective together)."),
        NoteSection(key="assessment", title="Assessment", tag=SectionTag.assessment,
                    help="Meaning, progress, risk."),
        NoteSection(key="plan", title="Plan", tag=SectionTag.plan),
    ),
    _template(
        "talk/birp", "BIRP note",
        "https://www.blueprint.ai/blog/birp-note-examples-and-format-streamlining-documentation-for-therapists",
        NoteSection(key="behavior", title="Behavior", tag=SectionTag.behavior,
                    help="Presentation, mood and affect, client-reported symptoms, quotes."),
        _INTERVENTION, _RESPONSE, _PLAN,
    ),
    _template(
        "talk/girp", "GIRP note", "https://icanotes.com/?p=12484",
        NoteSection(key="goal", title="Goal", tag=SectionTag.goal,
                    help="The treatment-plan goal(s) this session addressed."),
        _INTERVENTION, _RESPONSE, _PLAN,
    ),
    _template(
        "talk/pirp", "PIRP note", "https://icanotes.com/?p=12484",
        NoteSection(key="problem", title="Problem", tag=SectionTag.problem,
                    help="The presenting or identified problem this session."),
        _INTERVENTION, _RESPONSE, _PLAN,
    ),
    NoteTemplate(
        key="talk/process-note", name="Psychotherapy process note", modalities=ALL,
        visibility=Visibility.author_only, psychotherapy_note=True,
        source="https://support.simplepractice.com/hc/en-us/articles/207625206",
        sections=(NoteSection(key="process", title="Process notes", tag=SectionTag.other,
                              help="Private to you: kept out of the record and its exports."),),
    ),
]
