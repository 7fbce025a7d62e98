"""Validation messages written for the person at the screen: each names the field and says what to enter.

Pydantic's own wording ("String should match pattern '^[a-z0-9]…'", "List should have at least 1 item after
validation") is for programmers; every service input goes through ``field_errors`` instead. A field may carry
its own hint (``Field(json_schema_extra={"hint": "…"})``), shown when the value has the wrong form.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

# Labels for field names that do not read well once their underscores become spaces.
LABELS = {"email": "e-mail", "dob": "date of birth", "starts_at": "start time", "ends_at": "end time",
          "room_id": "room", "case_id": "case", "client_ids": "clients", "practitioner_ids": "practitioners",
          "modality_key": "modality", "structure_key": "session structure", "legal_first_name": "legal first name",
          "legal_last_name": "legal last name", "username": "username", "tz": "time zone"}


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").strip())


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def message(err: dict[str, Any], name: str, hint: str = "") -> str:
    """One pydantic error as a sentence naming the field."""
    kind, ctx, what = err.get("type", ""), err.get("ctx") or {}, label(name)
    if kind == "value_error":
        text = str(err.get("msg", "")).removeprefix("Value error, ")
        if "email address" in text:
            return f"Enter the {what} in the form name@example.org."
        return _capital(text)
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return f"Enter the {what}."
    simple = {
        "string_too_short": f"The {what} needs at least {ctx.get('min_length')} characters.",
        "string_too_long": f"The {what} can be at most {ctx.get('max_length')} characters.",
        "too_short": f"Choose at least {ctx.get('min_length')} for {what}.",
        "too_long": f"Choose at most {ctx.get('max_length')} for {what}.",
        "greater_than_equal": f"The {what} must be at least {ctx.get('ge')}.",
        "greater_than": f"The {what} must be more than {ctx.get('gt')}.",
        "less_than_equal": f"The {what} can be at most {ctx.get('le')}.",
        "less_than": f"The {what} must be less than {ctx.get('lt')}.",
        "int_parsing": f"Enter the {what} as a whole number.",
        "int_type": f"Enter the {what} as a whole number.",
        "float_parsing": f"Enter the {what} as a number.",
        "bool_parsing": f"Answer yes or no for {what}.",
        "date_parsing": f"Enter the {what} as a date (year-month-day, e.g. 1990-05-17).",
        "date_from_datetime_parsing": f"Enter the {what} as a date (year-month-day, e.g. 1990-05-17).",
        "date_type": f"Enter the {what} as a date (year-month-day, e.g. 1990-05-17).",
        "datetime_parsing": f"Enter the {what} as a date and time.",
        "datetime_from_date_parsing": f"Enter the {what} as a date and time.",
        "datetime_type": f"Enter the {what} as a date and time.",
        "time_parsing": f"Enter the {what} as a time (e.g. 14:30).",
        "uuid_parsing": f"Choose the {what} from the list.",
        "uuid_type": f"Choose the {what} from the list.",
        "enum": f"Choose the {what} from the list.",
        "literal_error": f"Choose the {what} from the list.",
        "list_type": f"Choose the {what} from the list.",
        "string_type": f"Enter the {what} as text.",
    }
    if kind == "string_pattern_mismatch":
        return f"The {what} is not in the expected form" + (f": {hint}." if hint else ".")
    return simple.get(kind, f"Check the {what}.")


def _hints(model: type[BaseModel] | None) -> dict[str, str]:
    if model is None:
        return {}
    hints = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("hint"):
            hints[name] = str(extra["hint"])
    return hints


def field_errors(exc: ValidationError, model: type[BaseModel] | None = None) -> dict[str, str]:
    """Field name -> message for the person, first message per field (a list item counts as its field)."""
    hints = _hints(model)
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
        name = loc[0] if loc else "form"
        errors.setdefault(name, message(err, name, hints.get(name, "")))
    return errors
