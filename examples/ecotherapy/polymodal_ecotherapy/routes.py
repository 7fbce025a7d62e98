"""One page the plugin adds to the web app: the outdoor session checklist, beside today's outdoor sessions.

Mounted by polymodal under /m/ecotherapy/; the access policy in ``opt`` is enforced by the app's guards like
on any core page. The page renders inside the app's layout from this package's ``templates/`` folder, and
reads today's sessions through ``reads`` (the core's schedule service, under the signed-in user's access).
"""

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template

from polymodal.core.api import CenterReads

MODALITY = "ecotherapy/nature-based"

CHECKLIST = (
    "Weather and trail conditions checked on the morning of the session",
    "Meeting point, route and a sheltered fallback agreed with the client",
    "Phone charged; emergency contact and nearest clinic noted",
    "Client's mobility, allergies and medication needs reviewed from the intake",
)


@get("/checklist", opt={"action": "schedule.read"}, sync_to_thread=True)
def checklist(reads: NamedDependency[CenterReads]) -> Template:
    """Practical preparation, and today's outdoor sessions (times and names only, as the schedule shows them)."""
    return Template("m/ecotherapy/checklist.html",
                    context={"checklist": CHECKLIST, "sessions": reads.sessions(modality=MODALITY)})
