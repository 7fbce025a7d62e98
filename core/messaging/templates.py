"""The wording of each kind of message: built in, replaceable by the admin, rendered in a sandbox.

Admin-edited templates are run by Jinja's sandbox with only the names listed in ``FIELDS``: no
attribute of an application object is reachable from a template. The HTML part is autoescaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from polymodal.core.errors import ValidationFailed
from polymodal.core.messaging.models import MessageTemplate

if TYPE_CHECKING:
    from polymodal.core.practice import Work


@dataclass(frozen=True)
class Wording:
    subject: str
    text: str
    html: str


_SIGN = "\n\n{{ signature or center }}"
_HTML_SIGN = "<p>{{ signature or center }}</p>"
_SESSION = ("{{ when }}{% if what %}, {{ what }}{% endif %}{% if place %}, {{ place }}{% endif %}"
            "{% if meeting_link %}\nJoin by video: {{ meeting_link }}{% endif %}")
_HTML_SESSION = ("<p><strong>{{ when }}</strong>{% if what %}, {{ what }}{% endif %}"
                 "{% if place %}, {{ place }}{% endif %}</p>"
                 "{% if meeting_link %}<p>Join by video: <a href=\"{{ meeting_link }}\">{{ meeting_link }}</a></p>"
                 "{% endif %}")

BUILT_IN: dict[str, Wording] = {
    "booking_confirmation": Wording(
        "{{ center }}: your appointment on {{ day }}",
        "Hello {{ greeting }},\n\nYour appointment is booked:\n" + _SESSION
        + "\n\nThe attached calendar file adds it to your calendar. To change or cancel, contact us." + _SIGN,
        "<p>Hello {{ greeting }},</p><p>Your appointment is booked:</p>" + _HTML_SESSION
        + "<p>The attached calendar file adds it to your calendar. To change or cancel, contact us.</p>"
        + _HTML_SIGN),
    "session_changed": Wording(
        "{{ center }}: your appointment has moved to {{ day }}",
        "Hello {{ greeting }},\n\nYour appointment has moved. The new time:\n" + _SESSION
        + "\n\nThe attached calendar file updates your calendar." + _SIGN,
        "<p>Hello {{ greeting }},</p><p>Your appointment has moved. The new time:</p>" + _HTML_SESSION
        + "<p>The attached calendar file updates your calendar.</p>" + _HTML_SIGN),
    "session_cancelled": Wording(
        "{{ center }}: your appointment on {{ day }} is cancelled",
        "Hello {{ greeting }},\n\nYour appointment on {{ when }} is cancelled. Contact us to book another time."
        + _SIGN,
        "<p>Hello {{ greeting }},</p><p>Your appointment on <strong>{{ when }}</strong> is cancelled. "
        "Contact us to book another time.</p>" + _HTML_SIGN),
    "reminder": Wording(
        "{{ center }}: reminder of your appointment on {{ day }}",
        "Hello {{ greeting }},\n\nA reminder of your appointment:\n" + _SESSION + _SIGN,
        "<p>Hello {{ greeting }},</p><p>A reminder of your appointment:</p>" + _HTML_SESSION + _HTML_SIGN),
    "portal_link": Wording(
        "{{ center }}: forms to complete before your session",
        "Hello {{ greeting }},\n\n{{ center }} asks you to complete a few forms before your session.\n"
        "Open this private link on your phone or computer:\n\n{{ portal_url }}\n\n"
        "The link works until {{ expires }}. Your answers are saved as you go, so you can stop and come back.\n"
        "Do not forward this message: the link opens forms about you.\n\n"
        "If you did not expect this message, tell the center." + _SIGN,
        "<p>Hello {{ greeting }},</p><p>{{ center }} asks you to complete a few forms before your session. "
        "Open this private link on your phone or computer:</p><p><a href=\"{{ portal_url }}\">{{ portal_url }}</a>"
        "</p><p>The link works until {{ expires }}. Your answers are saved as you go.</p>"
        "<p>Do not forward this message: the link opens forms about you.</p>" + _HTML_SIGN),
    "cosign_waiting": Wording(
        "{{ center }}: a note waits for your co-signature",
        "Hello {{ greeting }},\n\nA note by {{ author }} waits for your co-signature. Sign in to read it."
        "{% if app_url %}\n{{ app_url }}{% endif %}" + _SIGN,
        "<p>Hello {{ greeting }},</p><p>A note by {{ author }} waits for your co-signature. "
        "{% if app_url %}<a href=\"{{ app_url }}\">Sign in to read it</a>.{% else %}Sign in to read it.{% endif %}"
        "</p>" + _HTML_SIGN),
    "risk_acknowledgement": Wording(
        "{{ center }}: a finding needs your acknowledgement",
        "Hello {{ greeting }},\n\nA screening finding for one of your clients needs your acknowledgement. "
        "Sign in to see it.{% if app_url %}\n{{ app_url }}{% endif %}" + _SIGN,
        "<p>Hello {{ greeting }},</p><p>A screening finding for one of your clients needs your acknowledgement. "
        "{% if app_url %}<a href=\"{{ app_url }}\">Sign in to see it</a>.{% else %}Sign in to see it.{% endif %}"
        "</p>" + _HTML_SIGN),
}

LABELS = {
    "booking_confirmation": "Booking confirmation", "session_changed": "Appointment moved",
    "session_cancelled": "Appointment cancelled", "reminder": "Reminder", "portal_link": "Portal link",
    "cosign_waiting": "Staff: note waiting for co-signature",
    "risk_acknowledgement": "Staff: finding needing acknowledgement",
}
FIELDS = ("center", "signature", "greeting", "when", "day", "what", "place", "meeting_link", "portal_url",
          "expires", "author", "app_url")
"""Every name a template may use; none of them can hold clinical text."""

_text_env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_html_env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def wording(work: Work, kind: str) -> Wording:
    row = work.db.get(MessageTemplate, kind)
    return Wording(row.subject, row.text_body, row.html_body) if row else BUILT_IN[kind]


def all_wordings(work: Work) -> dict[str, tuple[Wording, bool]]:
    """Each kind's wording and whether the admin changed it."""
    rows = {r.kind: r for r in work.db.scalars(select(MessageTemplate))}
    return {kind: ((Wording(rows[kind].subject, rows[kind].text_body, rows[kind].html_body), True)
                   if kind in rows else (BUILT_IN[kind], False)) for kind in BUILT_IN}


def render(wording_: Wording, values: dict[str, Any]) -> Wording:
    context = {name: values.get(name, "") for name in FIELDS}
    subject = _text_env.from_string(wording_.subject).render(context)
    # A header holds one line: a newline from an edited template would start a new header.
    subject = " ".join(subject.split())[:300]
    text = _text_env.from_string(wording_.text).render(context)
    html = _html_env.from_string(wording_.html).render(context) if wording_.html.strip() else ""
    return Wording(subject, text, html)


def save_wording(work: Work, kind: str, subject: str, text: str, html: str) -> None:
    """The admin's wording; each part is tried on sample values first, so a broken one is refused whole."""
    work.require("messages.manage")
    if kind not in BUILT_IN:
        raise ValidationFailed({"kind": "Choose a kind of message."})
    errors = {}
    for name, value, limit in (("subject", subject, 300), ("text_body", text, 20000), ("html_body", html, 40000)):
        if len(value) > limit:
            errors[name] = f"At most {limit} characters."
            continue
        try:
            render(Wording(value if name == "subject" else "x", value if name == "text_body" else "x",
                           value if name == "html_body" else ""), {f: f"[{f}]" for f in FIELDS})
        except TemplateError as exc:
            errors[name] = f"This template does not work: {exc.message or exc}. Names you can use: " \
                           + ", ".join(FIELDS) + "."
    if not subject.strip():
        errors["subject"] = "Write a subject."
    if not text.strip():
        errors["text_body"] = "Write the plain-text version."
    if errors:
        raise ValidationFailed(errors)
    row = work.db.get(MessageTemplate, kind)
    if row is None:
        row = MessageTemplate(kind=kind, subject=subject, text_body=text, html_body=html, updated_at=work.now)
        work.db.add(row)
    row.subject, row.text_body, row.html_body = subject, text, html
    row.updated_at, row.updated_by = work.now, work.actor.user_id
    work.audit("messages.template", record_type="message_template", record_id=kind)


def reset_wording(work: Work, kind: str) -> None:
    work.require("messages.manage")
    row = work.db.get(MessageTemplate, kind)
    if row is not None:
        work.db.delete(row)
        work.audit("messages.template_reset", record_type="message_template", record_id=kind)
