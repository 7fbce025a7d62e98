"""One page the plugin adds to the web app: the outdoor session checklist.

Mounted by polymodal under /m/ecotherapy/; the access policy in ``opt`` is
enforced by the app's guards like on any core page.
"""

from litestar import get

CHECKLIST = (
    "Weather and trail conditions checked on the morning of the session",
    "Meeting point, route and a sheltered fallback agreed with the client",
    "Phone charged; emergency contact and nearest clinic noted",
    "Client's mobility, allergies and medication needs reviewed from the intake",
)


@get("/checklist", opt={"action": "schedule.read"}, sync_to_thread=False)
def checklist() -> dict[str, list[str]]:
    """Practical preparation only: no client data is read here."""
    return {"checklist": list(CHECKLIST)}
