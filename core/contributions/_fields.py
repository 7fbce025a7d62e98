"""Typed form fields and the validation of answers against them.

One definition serves three purposes: the web layer renders it, the core
validates answers with it, and a stored answer set is displayed with it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from polymodal.core.contributions._base import Frozen, Slug

MAX_TEXT = 2_000
MAX_LONG_TEXT = 50_000
MAX_REPEATS = 100

IDENTITY_KEYS = frozenset({"client_id", "client", "packet_id", "packet", "guardian_id", "guardian", "link_id",
                           "link", "session_id", "user_id", "token"})
"""Never accepted from a portal request: who and what come from the portal session alone."""

RESERVED_FIELD_KEYS = IDENTITY_KEYS | frozenset({
    "go", "signer", "signer_name", "agree", "assent", "assent_name", "answered_by", "confirm", "capacity",
    "method", "document_key", "form_key", "version"})
"""Keys a form's or consent document's own field may not have. The portal posts a step's fields
unprefixed beside these inputs of its own (and refuses a post carrying an identity key), and the
consent service reports its own errors under them: a field with one of these keys would be
overwritten, refused, or shown another field's error."""


class FieldType(StrEnum):
    text = "text"
    """One line of text (up to ``max_length``, default 2,000 characters)."""
    long_text = "long_text"
    """Paragraphs (default limit 50,000 characters)."""
    single_choice = "single_choice"
    """One of ``options``; stores its value."""
    multi_choice = "multi_choice"
    """Any of ``options``; stores a list of values in option order."""
    scale = "scale"
    """A whole number from ``min`` to ``max``."""
    yes_no = "yes_no"
    """True or false."""
    date = "date"
    """A date, stored as ``YYYY-MM-DD``."""
    number = "number"
    """A number, within ``min``/``max`` when given."""
    body_map = "body_map"
    """Regions of the body with ``item_fields`` per marked region: ``{region_code: {field: value}}``."""
    repeating = "repeating"
    """Rows of ``item_fields`` (up to ``max_items``): ``[{field: value}, ...]``."""


class Option(Frozen):
    """One answer a choice field or an instrument item offers."""

    value: Slug
    """What is stored and what screening rules and flags compare; unique within the field."""
    label: str = Field(min_length=1, max_length=300)
    """What the person answering sees."""
    score: int | None = None
    """The points this answer adds to an instrument's total (None counts as 0); unused by plain forms."""


class BodyRegion(Frozen):
    """A region of the body map; ``sensitive`` regions are marked so the practitioner asks explicitly."""

    code: Slug
    """What is stored (e.g. ``lower-back``) and what per-region consents name; unique within the field."""
    label: str
    """What people see, e.g. "Lower back"."""
    sensitive: bool = False
    """Shown with a "sensitive" badge on the body map. Whether a note may record work there is decided by the
    client's per-body-region consent, as for every region."""


class FormField(Frozen):
    """One question or entry of a form, note section or log.

    ``body_map`` answers are ``{region_code: {item_field: value}}`` and
    ``repeating`` answers are lists of ``{item_field: value}``; both describe
    their inner values with ``item_fields``.
    """

    key: Slug
    """The answer's key in stored answers; unique within its form (or note section), and not one of
    ``RESERVED_FIELD_KEYS``."""
    label: str = Field(min_length=1, max_length=500)
    """The question as asked of the client."""
    type: FieldType = FieldType.text
    """What kind of answer it takes, which decides how it renders and validates."""
    required: bool = False
    """An empty answer is refused with "This field is required."."""
    help: str = ""
    """A hint shown under the question."""
    guardian_label: str = Field(default="", max_length=500, description=(
        "The question worded for a parent or guardian answering about the client, with {name} for the "
        "client's name, e.g. 'Does {name} faint in the heat?'. Without it a guardian sees the label, under a "
        "notice that 'you' means the client."))
    options: tuple[Option, ...] = ()
    """The choices of a ``single_choice`` or ``multi_choice`` field (required for those), in display order."""
    min: float | None = None
    """The lowest accepted ``number`` or ``scale`` answer (required for a scale)."""
    max: float | None = None
    """The highest accepted ``number`` or ``scale`` answer (required for a scale)."""
    max_length: int | None = Field(default=None, ge=1)
    """Longest accepted text; None: 2,000 characters for ``text``, 50,000 for ``long_text``."""
    regions: tuple[BodyRegion, ...] = ()
    """The regions of a ``body_map`` field (required for one)."""
    item_fields: tuple[FormField, ...] = ()
    """What is recorded per marked region of a ``body_map``, or per row of a ``repeating`` field (required for
    a repeating field)."""
    max_items: int = Field(default=MAX_REPEATS, ge=1, le=1000)
    """Most rows a ``repeating`` answer may have."""

    @model_validator(mode="after")
    def _shape(self) -> FormField:
        if self.type in (FieldType.single_choice, FieldType.multi_choice) and not self.options:
            raise ValueError(f"field '{self.key}': a {self.type} field needs options")
        if self.type is FieldType.scale and (self.min is None or self.max is None):
            raise ValueError(f"field '{self.key}': a scale field needs min and max")
        if self.type is FieldType.body_map and not self.regions:
            raise ValueError(f"field '{self.key}': a body_map field needs regions")
        if self.type is FieldType.repeating and not self.item_fields:
            raise ValueError(f"field '{self.key}': a repeating field needs item_fields")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"field '{self.key}': min is greater than max")
        values = [o.value for o in self.options]
        if len(values) != len(set(values)):
            raise ValueError(f"field '{self.key}': option values repeat")
        return self

    def label_for(self, about: str | None = None) -> str:
        """The question as asked: of the client (``about`` None), or of a guardian answering about ``about``."""
        if about and self.guardian_label:
            return self.guardian_label.replace("{name}", about)
        return self.label

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value

    def clean(self, raw: Any) -> Any:
        """Return the typed value of ``raw`` or raise ``ValueError`` with a message for people."""
        if _is_empty(raw):
            if self.required:
                raise ValueError("This field is required.")
            return [] if self.type in (FieldType.multi_choice, FieldType.repeating) else None
        handler = getattr(self, f"_clean_{self.type.value}")
        return handler(raw)

    def _clean_text(self, raw: Any) -> str:
        return self._string(raw, self.max_length or MAX_TEXT)

    def _clean_long_text(self, raw: Any) -> str:
        return self._string(raw, self.max_length or MAX_LONG_TEXT)

    def _string(self, raw: Any, limit: int) -> str:
        if not isinstance(raw, str):
            raise ValueError("Enter text.")
        value = raw.strip()
        if len(value) > limit:
            raise ValueError(f"Keep this under {limit:,} characters (it has {len(value):,}).")
        return value

    def _clean_single_choice(self, raw: Any) -> str:
        if not isinstance(raw, str) or raw not in {o.value for o in self.options}:
            raise ValueError("Choose one of the listed options.")
        return raw

    def _clean_multi_choice(self, raw: Any) -> list[str]:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ValueError("Choose from the listed options.")
        allowed = [o.value for o in self.options]
        unknown = [i for i in items if i not in allowed]
        if unknown:
            raise ValueError("Choose from the listed options.")
        return [v for v in allowed if v in items]

    def _clean_scale(self, raw: Any) -> int:
        value = self._clean_number(raw)
        if value != int(value):
            raise ValueError("Choose a whole number on the scale.")
        return int(value)

    def _clean_number(self, raw: Any) -> float | int:
        if isinstance(raw, bool):
            raise ValueError("Enter a number.")
        try:
            value = float(raw) if isinstance(raw, str) else raw
            if not isinstance(value, int | float) or value != value:  # NaN
                raise TypeError
        except (TypeError, ValueError):
            raise ValueError("Enter a number.") from None
        if self.min is not None and value < self.min:
            raise ValueError(f"Enter a value of at least {_fmt(self.min)}.")
        if self.max is not None and value > self.max:
            raise ValueError(f"Enter a value of at most {_fmt(self.max)}.")
        return int(value) if float(value).is_integer() else value

    def _clean_yes_no(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("yes", "true", "on", "1"):
            return True
        if isinstance(raw, str) and raw.lower() in ("no", "false", "off", "0"):
            return False
        raise ValueError("Answer yes or no.")

    def _clean_date(self, raw: Any) -> str:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw.isoformat()
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw.strip()).isoformat()
            except ValueError:
                pass
        raise ValueError("Enter a date as YYYY-MM-DD.")

    def _clean_body_map(self, raw: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(raw, dict):
            raise ValueError("Mark regions on the body map.")
        codes = {r.code for r in self.regions}
        cleaned: dict[str, dict[str, Any]] = {}
        for code, entry in raw.items():
            if code not in codes:
                raise ValueError(f"Unknown body region '{str(code)[:40]}'.")
            values, errors = validate_fields(self.item_fields, entry if isinstance(entry, dict) else {})
            if errors:
                first = next(iter(errors.items()))
                raise ValueError(f"{self.region_label(code)}: {first[0]}: {first[1]}")
            cleaned[code] = values
        return cleaned

    def _clean_repeating(self, raw: Any) -> list[dict[str, Any]]:
        if not isinstance(raw, list):
            raise ValueError("Enter the rows as a list.")
        if len(raw) > self.max_items:
            raise ValueError(f"Enter at most {self.max_items} rows.")
        rows = []
        for number, entry in enumerate(raw, start=1):
            values, errors = validate_fields(self.item_fields, entry if isinstance(entry, dict) else {})
            if errors:
                first = next(iter(errors.items()))
                raise ValueError(f"Row {number}: {first[0]}: {first[1]}")
            rows.append(values)
        return rows

    def region_label(self, code: str) -> str:
        for region in self.regions:
            if region.code == code:
                return region.label
        return code


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == [] or raw == {}


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def reserved_keys(fields: tuple[FormField, ...]) -> list[str]:
    return sorted({f.key for f in fields} & RESERVED_FIELD_KEYS)


def validate_fields(
    fields: tuple[FormField, ...], answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate ``answers`` against ``fields``.

    Returns the cleaned values and a mapping of field key to message. Unknown
    keys are dropped, never stored: a form post cannot smuggle data past the
    definition.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        try:
            values[field.key] = field.clean(answers.get(field.key))
        except ValueError as exc:
            errors[field.key] = str(exc)
    return values, errors
