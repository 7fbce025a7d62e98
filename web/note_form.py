"""Note content <-> flat form fields, driven only by the template's declarative sections.

Names: ``c.<section>`` for a free-text section; a section's fields are named and
read back by the shared field scheme (``web/fields.py``) under the prefix
``c.<section>``. Drafts keep what was typed (strings); the core validates and
types everything when the note is signed.
"""

from __future__ import annotations

from typing import Any

from polymodal.core.contributions import NoteTemplate
from polymodal.web.fields import answers_from_form, posted_text

PREFIX = "c"


def section_name(section_key: str) -> str:
    return f"{PREFIX}.{section_key}"


def parse_content(template: NoteTemplate, data: dict[str, Any]) -> dict[str, Any]:
    """The note content a posted form describes, shaped ``{section: text or {field: value}}``."""
    content: dict[str, Any] = {}
    for section in template.sections:
        name = section_name(section.key)
        if section.fields:
            content[section.key] = answers_from_form(section.fields, data, name)
        else:
            content[section.key] = posted_text(data, name)
    return content


def extra_rows(data: dict[str, Any]) -> set[str]:
    """Repeating fields whose 'add a row' button was pressed (their field names)."""
    raw = data.get("add_row", [])
    return {str(v) for v in (raw if isinstance(raw, list) else [raw]) if v}


def section_errors(errors: dict[str, str]) -> dict[str, dict[str, str]]:
    """``{"subjective.pain": msg, "plan": msg}`` from the core -> ``{section: {field or "": msg}}``."""
    grouped: dict[str, dict[str, str]] = {}
    for key, message in errors.items():
        section, _, field = key.partition(".")
        grouped.setdefault(section, {})[field] = message
    return grouped
