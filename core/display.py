"""Describe a stored record as ordered ``(label, text)`` rows, for any presentation.

A record stores the key and version of the definition it was written under
(a form, note template, consent document or assessment) plus its answers or
content. This module reads that record back with *that* version of the
definition, so a record written under version 1 still shows version 1's
labels after the plugin ships version 2.

When the definition is gone (the plugin was uninstalled or no longer ships
that version) nothing is hidden: the stored data comes back as raw key/value
rows and ``Display.raw`` is True, so the web layer can say so. Clinical
records must stay readable whatever happens to the plugins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from polymodal.core.contributions import (
    Assessment,
    ConsentDocument,
    FieldType,
    FormField,
    FormSpec,
    NoteTemplate,
)
from polymodal.core.registry import Registry

EMPTY = "—"
DISPLAYABLE_KINDS = ("forms", "note_templates", "consent_documents", "assessments")


class Row(NamedTuple):
    label: str
    text: str


@dataclass(frozen=True)
class Display:
    """What to show for one stored record.

    Attributes:
        title: the definition's title, or its ``key@version`` when raw.
        rows: ordered ``(label, text)`` rows.
        raw: True when the definition was missing and ``rows`` are the stored
            data as is.
        notice: why the rows are raw (empty otherwise), written for the reader.
    """

    title: str
    rows: tuple[Row, ...]
    raw: bool = False
    notice: str = ""


def describe(registry: Registry, kind: str, key: str, version: int, data: dict[str, Any]) -> Display:
    """Rows for ``data`` stored under definition ``key@version`` of ``kind``.

    Args:
        registry: the running registry.
        kind: ``forms``, ``note_templates``, ``consent_documents`` or ``assessments``.
        key: the definition's key, e.g. ``talk/intake``.
        version: the version the record was written under.
        data: the stored answers (forms, consents, assessments) or content (notes).

    Raises:
        ValueError: ``kind`` is not one of the displayable kinds (a programming error).
    """
    if kind not in DISPLAYABLE_KINDS:
        raise ValueError(f"cannot display records of kind '{kind}'; use one of {', '.join(DISPLAYABLE_KINDS)}")
    catalog = registry.catalog(kind)
    spec = catalog.get(key, version)
    if spec is None:
        return _raw(key, version, data, catalog.versions(key))
    if isinstance(spec, FormSpec):
        rows = _field_rows(spec.fields, data)
        title = spec.title
    elif isinstance(spec, NoteTemplate):
        rows = _note_rows(spec, data)
        title = spec.name
    elif isinstance(spec, ConsentDocument):
        rows = _field_rows(spec.fields, data)
        title = spec.title
    else:
        rows = _assessment_rows(spec, data)
        title = spec.name
    if isinstance(spec, NoteTemplate | Assessment):
        known = {s.key for s in spec.sections} if isinstance(spec, NoteTemplate) else {i.key for i in spec.items}
        rows += _unknown_rows(data, known)
    return Display(title=title, rows=tuple(rows))


def _raw(key: str, version: int, data: dict[str, Any], installed: tuple[int, ...]) -> Display:
    if installed:
        listed = ", ".join(str(v) for v in installed)
        notice = (f"Version {version} of '{key}' is no longer installed (installed: {listed}); "
                  "showing the data as stored.")
    else:
        notice = f"'{key}' is not installed (its plugin may have been removed); showing the data as stored."
    rows = tuple(_flatten("", data))
    return Display(title=f"{key}@{version}", rows=rows, raw=True, notice=notice)


def _flatten(prefix: str, value: Any) -> list[Row]:
    if isinstance(value, dict) and value:
        rows: list[Row] = []
        for k, v in value.items():
            rows += _flatten(f"{prefix}.{k}" if prefix else str(k), v)
        return rows
    return [Row(prefix, _raw_text(value))]


def _raw_text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _unknown_rows(data: dict[str, Any], known: set[str], prefix: str = "") -> list[Row]:
    # Anything stored that this version does not define is still shown, never dropped.
    return [Row(f"{prefix}{k}", _raw_text(v)) for k, v in data.items() if k not in known]


def _field_rows(fields: tuple[FormField, ...], data: dict[str, Any], prefix: str = "") -> list[Row]:
    rows: list[Row] = []
    for field in fields:
        label = f"{prefix}{field.label}"
        value = data.get(field.key)
        if field.type is FieldType.body_map and isinstance(value, dict) and value:
            for code, entry in value.items():
                rows.append(Row(f"{label}: {field.region_label(code)}", _inline(field.item_fields, entry)))
        elif field.type is FieldType.repeating and isinstance(value, list) and value:
            for number, entry in enumerate(value, start=1):
                rows.append(Row(f"{label} {number}", _inline(field.item_fields, entry)))
        else:
            rows.append(Row(label, format_value(field, value)))
    return rows + _unknown_rows(data, {f.key for f in fields}, prefix)


def _inline(fields: tuple[FormField, ...], entry: Any) -> str:
    if not isinstance(entry, dict):
        return _raw_text(entry)
    parts = [f"{f.label}: {format_value(f, entry.get(f.key))}" for f in fields if entry.get(f.key) not in (None, "", [])]
    return "; ".join(parts) or EMPTY


def format_value(field: FormField, value: Any) -> str:
    """One stored value as text, with option labels instead of option values."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if field.type is FieldType.yes_no and isinstance(value, bool):
        return "Yes" if value else "No"
    if field.type is FieldType.single_choice and isinstance(value, str):
        return field.option_label(value)
    if field.type is FieldType.multi_choice and isinstance(value, list):
        return ", ".join(field.option_label(str(v)) for v in value)
    if field.type in (FieldType.body_map, FieldType.repeating):
        return _raw_text(value)
    return str(value) if not isinstance(value, dict | list) else _raw_text(value)


def _note_rows(template: NoteTemplate, content: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for section in template.sections:
        raw = content.get(section.key)
        if section.fields and (raw is None or isinstance(raw, dict)):
            rows += _field_rows(section.fields, raw or {}, prefix=f"{section.title}: ")
        elif section.fields:  # stored in a shape this version does not expect: show it as is
            rows.append(Row(section.title, _raw_text(raw)))
        else:
            rows.append(Row(section.title, _raw_text(raw) if raw not in (None, "") else EMPTY))
    return rows


def _assessment_rows(assessment: Assessment, answers: dict[str, Any]) -> list[Row]:
    rows = []
    for item in assessment.items:
        options = {o.value: o for o in assessment.options_for(item)}
        option = options.get(answers.get(item.key, ""))
        if option is None:
            text = _raw_text(answers.get(item.key))
        elif item.scored and option.score is not None:
            text = f"{option.label} ({option.score})"
        else:
            text = option.label
        rows.append(Row(item.text, text))
    try:
        score = assessment.score(answers)
    except ValueError:
        # An incomplete set is shown item by item; a total would be misleading.
        return rows
    rows.append(Row("Total", f"{score.total:g}"))
    if score.band:
        rows.append(Row("Band", score.band))
        if assessment.bands_source:
            rows.append(Row("Source of the bands", assessment.bands_source))
    for key, value in score.subscales.items():
        name = next(s.name for s in assessment.subscales if s.key == key)
        rows.append(Row(name, f"{value:g}"))
    rows += [Row("Flag", flag.message) for flag in score.flags]
    return rows
