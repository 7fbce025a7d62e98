"""Plugin-defined fields on HTML forms: the names the macros give inputs, and reading a post back.

``_macros/fields.html`` names every input after its place in the answers:
``<prefix>.<key>`` for a plain field (just ``<key>`` with an empty prefix, as in
the portal), ``<name>.<region>.<item>`` inside a body map (plus, in the note
editor, the region's own ``<name>.<region>`` checkbox) and ``<name>.<row>.<item>``
inside a repeating field. ``answers_from_form`` turns a posted form back into the
nested answers the core validates, for any plugin's definition, so a third-party
form needs no change here. Values stay as typed (strings); the core types them.

One parser for every user: intake and consent forms (prefix ``a``), the note
editor (``c.<section>``) and the client portal (no prefix). ``data`` is either a
dict of str or list of str (a Litestar form body) or a multidict (``getall``).
"""

from __future__ import annotations

from typing import Any

from polymodal.core.contributions import FieldType, FormField

PREFIX = "a"
MAX_VALUE = 60_000  # longer than any field allows; the core says so politely, this only caps memory
MAX_OPTION = 200


def field_name(prefix: str, key: str) -> str:
    """The posted name of field ``key`` under ``prefix`` (``""``: the key alone)."""
    return f"{prefix}.{key}" if prefix else key


def answers_from_form(fields: tuple[FormField, ...], data: Any, prefix: str = PREFIX) -> dict[str, Any]:
    """The answers for ``fields`` found in the posted ``data`` (keys not defined are ignored)."""
    return {field.key: parse_field(field, field_name(prefix, field.key), data) for field in fields}


def parse_field(field: FormField, name: str, data: Any) -> Any:
    """The answer to one field posted under ``name``: text, a list (multi choice), regions or rows."""
    if field.type is FieldType.body_map:
        entries = {}
        for region in field.regions:
            base = f"{name}.{region.code}"
            entry = answers_from_form(field.item_fields, data, base)
            # A region marked as recorded, or one with anything typed in it, is kept: nothing typed is dropped.
            if posted_text(data, base) or not all(_empty(v) for v in entry.values()):
                entries[region.code] = entry
        return entries
    if field.type is FieldType.repeating:
        rows = []
        # One row more than allowed is read, so the core can say there are too many instead of losing one.
        for index in _row_indexes(data, name)[: field.max_items + 1]:
            row = answers_from_form(field.item_fields, data, f"{name}.{index}")
            if not all(_empty(v) for v in row.values()):
                rows.append(row)
        return rows
    if field.type is FieldType.multi_choice:
        return [v[:MAX_OPTION] for v in _values(data, name) if v][: len(field.options)]
    return posted_text(data, name)


def _values(data: Any, name: str) -> list[str]:
    raw = data.getall(name, []) if hasattr(data, "getall") else data.get(name, [])
    return [v for v in (raw if isinstance(raw, list) else [raw]) if isinstance(v, str)]


def posted_text(data: Any, name: str) -> str:
    """The one text posted under ``name`` (the first, if sent twice), capped."""
    values = _values(data, name)
    return values[0][:MAX_VALUE] if values else ""


def _row_indexes(data: Any, name: str) -> list[int]:
    found: set[int] = set()
    start = name + "."
    for key in data.keys():
        if key.startswith(start):
            head = key[len(start):].split(".", 1)[0]
            if head.isdigit() and len(head) < 5:
                found.add(int(head))
    return sorted(found)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}
