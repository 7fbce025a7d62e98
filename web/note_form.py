"""Note content <-> flat form fields, driven only by the template's declarative sections.

Names: ``c.<section>`` for a free-text section, ``c.<section>.<field>`` for a
field, ``<field name>.<region>.<item>`` inside a body map (plus the region's
``<field name>.<region>`` checkbox) and ``<field name>.<row>.<item>`` inside a
repeating field. Drafts keep what was typed (strings); the core validates
and types everything when the note is signed.
"""

from __future__ import annotations

from typing import Any

from polymodal.core.contributions import FieldType, FormField, NoteTemplate

PREFIX = "c"
MAX_ROWS = 1000


def section_name(section_key: str) -> str:
    return f"{PREFIX}.{section_key}"


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value or "")[:60_000]


def _empty(value: Any) -> bool:
    return value in (None, "", [], {}) or (isinstance(value, dict) and all(_empty(v) for v in value.values()))


def parse_field(field: FormField, name: str, data: dict[str, Any]) -> Any:
    if field.type is FieldType.multi_choice:
        raw = data.get(name, [])
        return [str(v) for v in (raw if isinstance(raw, list) else [raw]) if v]
    if field.type is FieldType.body_map:
        regions = {}
        for region in field.regions:
            base = f"{name}.{region.code}"
            entry = {item.key: parse_field(item, f"{base}.{item.key}", data) for item in field.item_fields}
            # A marked region, or one with anything typed in it, is kept: nothing typed is dropped.
            if data.get(base) or not _empty(entry):
                regions[region.code] = entry
        return regions
    if field.type is FieldType.repeating:
        rows = []
        for index in sorted(_row_indexes(name, data))[: field.max_items]:
            row = {item.key: parse_field(item, f"{name}.{index}.{item.key}", data) for item in field.item_fields}
            if not _empty(row):
                rows.append(row)
        return rows
    return _text(data.get(name))


def _row_indexes(name: str, data: dict[str, Any]) -> set[int]:
    indexes = set()
    start = name + "."
    for key in data:
        if key.startswith(start):
            head = key[len(start):].split(".", 1)[0]
            if head.isdigit() and int(head) < MAX_ROWS:
                indexes.add(int(head))
    return indexes


def parse_content(template: NoteTemplate, data: dict[str, Any]) -> dict[str, Any]:
    """The note content a posted form describes, shaped ``{section: text or {field: value}}``."""
    content: dict[str, Any] = {}
    for section in template.sections:
        name = section_name(section.key)
        if section.fields:
            content[section.key] = {f.key: parse_field(f, f"{name}.{f.key}", data) for f in section.fields}
        else:
            content[section.key] = _text(data.get(name))
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
