"""Words for people: no page and no form error shows pydantic's wording, pattern syntax, raw registry keys
(``bodywork/de-armoring``) or documentation references (``clinical.md §3.1``).

A crawler follows every link from the home page for four roles, then posts every form it found with its
visible fields filled with nonsense, and reads the text a person would see (not markup or attributes).
"""

from __future__ import annotations

import html
import re
from collections import deque

import pytest

from polymodal.core.plugins import get_plugin_manager
from polymodal.core.registry import Registry

LINK = re.compile(r'<a [^>]*href="(/[^"#]*)"')
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
INPUT = re.compile(r"<(input|textarea)\b([^>]*)>", re.S)
SKIP = ("/static", "/sign-out", "/healthz", "/p/", "/portal", "/export", ".ics", "/download")
NOT_POSTED = ("sign-out", "break-glass", "erase", "restrict", "password", "sign-in", "/void", "/withdraw")
WORDING = re.compile(r"String should|List should|Input should|Value should|Field required|after validation|"
                     r"Value error|value is not a valid|pydantic|\^\[|\]\*\$|clinical\.md|§", re.I)
MAX_PAGES = 90


def _registry_keys() -> set[str]:
    registry = Registry.collect(get_plugin_manager())
    kinds = ("modalities", "note_templates", "consent_documents", "forms", "assessments", "session_structures")
    return {item.key for kind in kinds for item in registry.catalog(kind) if "/" in item.key}


KEYS = _registry_keys()
RAW_KEY = re.compile(r"(?<![\w/.-])(" + "|".join(re.escape(k) for k in sorted(KEYS, key=len, reverse=True))
                     + r")(?![\w/-])")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def problems(page: str) -> list[str]:
    text = visible_text(page)
    found = [m.group(0) for m in WORDING.finditer(text)] + [m.group(0) for m in RAW_KEY.finditer(text)]
    return [f"{word!r} in …{text[max(0, text.find(word) - 60):text.find(word) + 60]!r}…" for word in found]


def crawl(client, start: list[str]) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        html_page = response.headers.get("content-type", "").startswith("text/html")
        seen[url] = response.text if response.status_code == 200 and html_page else ""
        for link in LINK.findall(seen[url]):
            link = html.unescape(link)
            if link not in seen and not link.startswith(SKIP):
                queue.append(link)
    return seen


def forms(page: str) -> list[tuple[str, dict[str, str]]]:
    out = []
    for attrs, body in FORM.findall(page):
        a = dict(ATTR.findall(attrs))
        action = html.unescape(a.get("action", ""))
        if a.get("method", "get").lower() != "post" or not action.startswith("/") or any(
                word in action for word in NOT_POSTED):
            continue
        data, visible = {}, 0
        for tag, field in INPUT.findall(body):
            f = dict(ATTR.findall(field))
            name, kind = f.get("name"), f.get("type", "text")
            if not name:
                continue
            if kind == "hidden":
                data[name] = html.unescape(f.get("value", ""))
            elif kind in ("text", "date", "time", "email", "tel", "number", "search", "datetime-local") or tag == "textarea":
                data[name], visible = "<x>*", visible + 1
        if visible:
            out.append((action, data))
    return out


@pytest.mark.parametrize("username", ["frontdesk", "admin", "rivera", "maya"])
def test_no_page_or_form_error_shows_framework_words_keys_or_doc_references(client, signed_in, username):
    signed_in(username)
    pages = crawl(client, ["/", "/clients", "/schedule", "/schedule/new", "/clients/new", "/notes", "/admin"])
    assert len(pages) > 10
    bad = {url: problems(text) for url, text in pages.items() if problems(text)}
    posted = 0
    for url, text in list(pages.items()):
        for action, data in forms(text):
            response = client.post(action, data=data)
            posted += 1
            if response.headers.get("content-type", "").startswith("text/html") and problems(response.text):
                bad[f"POST {action} (from {url})"] = problems(response.text)
    assert posted > 3
    assert not bad, "\n".join(f"{where}: {found[:3]}" for where, found in bad.items())


def test_pydantic_errors_are_rewritten_for_people():
    from pydantic import BaseModel, Field, ValidationError

    from polymodal.core.wording import field_errors

    class Form(BaseModel):
        phone: str = Field(pattern=r"^[0-9]*$", json_schema_extra={"hint": "digits only"})
        roles: list[str] = Field(min_length=1)
        username: str = Field(pattern=r"^[a-z]+$")
        count: int

    with pytest.raises(ValidationError) as err:
        Form.model_validate({"phone": "x", "roles": [], "username": "A", "count": "many"})
    assert field_errors(err.value, Form) == {
        "phone": "The phone is not in the expected form: digits only.",
        "roles": "Choose at least 1 for roles.",
        "username": "The username is not in the expected form.",
        "count": "Enter the count as a whole number.",
    }
