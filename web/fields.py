"""Plugin-defined fields on HTML forms: the names the macros give inputs, and reading a post back.

``_macros/fields.html`` names every input after its place in the answers:
``a.<key>`` for a plain field, ``a.<key>.<region>.<item>`` inside a body map and
``a.<key>.<row>.<item>`` inside a repeating field. ``answers_from_form`` turns a
posted form back into the nested answers the core validates, for any plugin's
definition, so a third-party form needs no change here.
"""

from __future__ import annotations

from typing import Any

from polymodal.core.contributions import FieldType, FormField

PREFIX = "a"
MAX_VALUE = 60_000  # longer than any field allows; the core says so politely, this only caps memory


def answers_from_form(fields: tuple[FormField, ...], data: dict[str, Any], prefix: str = PREFIX) -> dict[str, Any]:
    """The answers for ``fields`` found in the posted ``data`` (keys not defined are ignored)."""
    answers: dict[str, Any] = {}
    for field in fields:
        name = f"{prefix}.{field.key}"
        if field.type is FieldType.body_map:
            entries = {}
            for region in field.regions:
                entry = answers_from_form(field.item_fields, data, f"{name}.{region.code}")
                if any(not _empty(v) for v in entry.values()):
                    entries[region.code] = entry
            answers[field.key] = entries
        elif field.type is FieldType.repeating:
            rows = []
            for index in _row_indexes(data, name, field.max_items + 1):
                row = answers_from_form(field.item_fields, data, f"{name}.{index}")
                if any(not _empty(v) for v in row.values()):
                    rows.append(row)
            answers[field.key] = rows
        elif field.type is FieldType.multi_choice:
            raw = data.get(name, [])
            answers[field.key] = [str(v)[:200] for v in (raw if isinstance(raw, list) else [raw]) if v != ""]
        else:
            raw = data.get(name, "")
            answers[field.key] = str(raw[0] if isinstance(raw, list) and raw else raw or "")[:MAX_VALUE]
    return answers


def _row_indexes(data: dict[str, Any], name: str, limit: int) -> list[int]:
    found: set[int] = set()
    start = name + "."
    for key in data:
        if key.startswith(start):
            head = key[len(start):].split(".", 1)[0]
            if head.isdigit() and len(head) < 5:
                found.add(int(head))
    return sorted(found)[:limit]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}

