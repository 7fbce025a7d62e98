"""A payload corpus in every text field, and every page and fragment checked: nothing renders as markup."""

from __future__ import annotations

import re

from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import Client, User
from polymodal.core.services import cases, clients, consent, forms, notes
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings

PAYLOADS = [
    "<script>alert('pm-xss-1')</script>",
    "<img src=x onerror=alert('pm-xss-2')>",
    '"><svg onload=alert(\'pm-xss-3\')>',
    "javascript:alert('pm-xss-4')",
    '" hx-get="/pm-xss-5" hx-trigger="load',
    "{{ 7 * 1234567 }}",  # evaluated it would read 8641969
    "{% raw %}pm-xss-6{% endraw %}",
]
CORPUS = " ".join(PAYLOADS)
DANGEROUS = [
    re.compile(r"<script>alert\('pm-xss"), re.compile(r"<img src=x onerror"), re.compile(r"<svg onload"),
    re.compile(r"""href=["']?javascript:""", re.I), re.compile(r'hx-get="/pm-xss-5"'), re.compile("8641969"),
]
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def plant(practice) -> None:
    """The corpus in every kind of text field: client, guardian, case, goal, note, form answers, signature."""
    with practice.work(Actor.system("test")) as work:
        jordan = work.db.scalars(select(Client).where(Client.legal_last_name == "Ellis")).one()
        rivera = work.db.scalars(select(User).where(User.username == "rivera")).one()
        data = {c: getattr(jordan, c) for c in ("legal_first_name", "legal_last_name", "date_of_birth")}
        clients.update_client(work, jordan.id, {
            **data, "preferred_name": PAYLOADS[1][:100], "pronouns": PAYLOADS[4][:40], "address": CORPUS[:500],
            "emergency_contact_name": PAYLOADS[2], "emergency_contact_relationship": PAYLOADS[5]})
        clients.add_guardian(work, jordan.id, {"name": PAYLOADS[0], "relationship": PAYLOADS[3][:80]})
        consent.record_consent(work, jordan.id, "talk/informed-consent", signer_name=PAYLOADS[2])
        client_id = jordan.id
    with practice.work(Actor.of(rivera)) as work:
        case = cases.open_case(work, title=PAYLOADS[1], kind="individual", client_ids=[client_id],
                               practitioner_ids=[rivera.id])
        cases.add_goal(work, case.id, CORPUS)
        template = work.registry.note_templates.get("talk/soap")
        note = notes.start_note(work, case.id, template.key)
        notes.save_draft(work, note.id, {s.key: CORPUS for s in template.sections if not s.fields}, note.revision)
        notes.sign_note(work, note.id)
        notes.add_addendum(work, note.id, CORPUS)
        form = work.registry.forms.get("talk/intake")
        answers = {f.key: CORPUS if f.type.value in ("text", "long_text") else None for f in form.fields}
        answers.update({f.key: "no" for f in form.fields if f.type.value == "yes_no"})
        answers.update({f.key: f.options[0].value for f in form.fields
                        if f.type.value == "single_choice" and f.required})
        forms.submit_form(work, client_id, form.key, {k: v for k, v in answers.items() if v is not None})


def test_payloads_in_every_field_never_render_as_markup(web_practice, client, signed_in, record_ids):
    plant(web_practice)
    app = create_app(web_practice, WebSettings(insecure_cookies=True))
    pages, failures, shown_escaped = 0, [], 0
    for user in ("frontdesk", "rivera"):
        client.cookies.clear()
        signed_in(user)
        for route in app.routes:
            for handler in route.route_handlers:
                if "GET" not in handler.http_methods or handler.opt.get("public"):
                    continue
                url = PARAM.sub(lambda m: record_ids["jordan"].get(m.group(1), m.group(0)), route.path)
                if "{" in url:
                    continue
                for headers in ({}, {"HX-Request": "true"}):
                    response = client.get(url, headers=headers, follow_redirects=False)
                    kind = response.headers.get("content-type", "")
                    if not kind.startswith("text/html"):
                        # Data (the JSON export) keeps what was typed; it must never be sniffed as a page.
                        if response.headers.get("x-content-type-options") != "nosniff" or "html" in kind:
                            failures.append(f"{user} {url}: {kind} without nosniff")
                        continue
                    pages += 1
                    shown_escaped += "&lt;img src=x onerror" in response.text
                    for pattern in DANGEROUS:
                        if pattern.search(response.text):
                            failures.append(f"{user} {url} {headers}: {pattern.pattern}")
    assert pages > 20
    assert shown_escaped > 0, "the payloads never reached a page: the test would prove nothing"
    assert not failures, "\n".join(failures)
