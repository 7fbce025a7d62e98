"""The center's crisis text, per jurisdiction, and whether answers just filed report suicidal thoughts.

A client who tells the portal they are thinking of suicide must not be left with a "thank you" alone:
their answers reach the care team, but nobody may read them for hours. The portal shows the crisis text
on the page that follows the submission.

Defaults (our wording): in the US, the 988 Suicide & Crisis Lifeline (call or text 988, chat at
988lifeline.org; https://988lifeline.org, SAMHSA: https://www.samhsa.gov/mental-health/988) and 911 for
immediate danger. Elsewhere the local emergency number (112 across the EU: https://digital-strategy.ec.europa.eu/en/policies/112),
since crisis lines differ by country; the admin sets the right line for the center's jurisdiction.

What counts as reporting suicidal thoughts is read from the screening vocabulary, not from any form's
wording: a form answer whose rule establishes current suicidal ideation or current self-harm (the talk
intake's "thoughts of suicide now"), and an instrument's risk flag (PHQ-9 item 9 above zero, ASQ positive
or acute). A risk that names another fact (harm to others) does not count; one that names none does,
since showing a crisis line needlessly costs less than missing one.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select

from polymodal.core.contributions import ClientFact
from polymodal.core.errors import ValidationFailed
from polymodal.core.models import AssessmentResult, FormResponse
from polymodal.core.practice import Work

SETTING = "crisis_texts"
ELSEWHERE = "*"
MAX_TEXT = 1000
MAX_ROWS = 20
JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")

DEFAULTS = {
    "US": ("If you are thinking about suicide, or worried you might act on these thoughts, you do not have to "
           "wait for your appointment. Call or text 988, or chat at 988lifeline.org, to reach the 988 Suicide & "
           "Crisis Lifeline at any hour. If you are in immediate danger, call 911 or go to the nearest "
           "emergency room."),
    ELSEWHERE: ("If you are thinking about suicide, or worried you might act on these thoughts, you do not have "
                "to wait for your appointment. If you are in immediate danger, call your local emergency number "
                "(112 in Europe) or go to the nearest emergency department. A crisis line in your country can "
                "also help at any hour."),
}
FIXED = ("US", ELSEWHERE)
"""Rows the settings page always shows; their text may change, not disappear."""

SUICIDALITY = frozenset({ClientFact.current_suicidal_ideation, ClientFact.self_harm})


def texts(work: Work) -> dict[str, str]:
    """Every jurisdiction's crisis text: the defaults, with the center's own texts over them."""
    stored = (work.center.settings or {}).get(SETTING) or {}
    return {**DEFAULTS, **{k: v for k, v in stored.items() if isinstance(v, str) and v.strip()}}


def text_for(work: Work, jurisdiction: str | None = None) -> str:
    """The text for ``jurisdiction`` (default: the center's): exact code, then country, then elsewhere."""
    code = (jurisdiction or work.center.jurisdiction or "").upper()
    known = texts(work)
    return known.get(code) or known.get(code.split("-", 1)[0]) or known[ELSEWHERE]


def settings_rows(work: Work) -> list[dict[str, str]]:
    """The rows the settings page shows: the fixed ones first, then the center's own, then a blank row."""
    known = texts(work)
    rows = [{"jurisdiction": code, "text": known[code], "fixed": "1"} for code in FIXED]
    rows += [{"jurisdiction": code, "text": text, "fixed": ""} for code, text in sorted(known.items())
             if code not in FIXED]
    return [*rows, {"jurisdiction": "", "text": "", "fixed": ""}]


def save_texts(work: Work, rows: list[dict[str, str]]) -> dict[str, str]:
    """Store the texts the admin typed; field errors are named ``jurisdiction_<i>`` and ``text_<i>``."""
    work.require("center.manage")
    errors: dict[str, str] = {}
    chosen: dict[str, str] = {}
    if sum(1 for row in rows if row.get("jurisdiction") or row.get("text")) > MAX_ROWS:
        raise ValidationFailed({"text_0": f"Keep to {MAX_ROWS} jurisdictions."})
    for i, row in enumerate(rows):
        code = str(row.get("jurisdiction") or "").strip().upper()
        text = "\n".join(line.rstrip() for line in str(row.get("text") or "").replace("\r\n", "\n").strip()
                         .split("\n"))
        if not code and not text:
            continue  # the blank row for adding one
        if code != ELSEWHERE and not JURISDICTION.match(code):
            errors[f"jurisdiction_{i}"] = "Give a country code, or country and state, as in ISO 3166 (e.g. US-CA)."
        elif code in chosen:
            errors[f"jurisdiction_{i}"] = f"{code} is listed twice; keep one text for it."
        if not text:
            errors[f"text_{i}"] = ("Write the text shown to clients here: who to call in a crisis."
                                   if code in FIXED else "Write the crisis text, or clear the jurisdiction to remove the row.")
        elif len(text) > MAX_TEXT:
            errors[f"text_{i}"] = f"Keep the crisis text under {MAX_TEXT} characters (it has {len(text)})."
        chosen[code] = text
    if errors:
        raise ValidationFailed(errors)
    center = work.center
    center.settings = {**(center.settings or {}), SETTING: chosen}
    work.db.flush()
    work.audit("center.crisis_text", record_type="center", record_id=center.id,
               reason=", ".join(sorted(chosen)))
    return chosen


def reports_suicidal_thoughts(work: Work, record_ids: list[str]) -> bool:
    """Whether the form responses or instrument results among ``record_ids`` report suicidal thoughts."""
    ids = []
    for value in record_ids:
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    if not ids:
        return False
    for response in work.db.scalars(select(FormResponse).where(FormResponse.id.in_(ids))):
        if any(_form_finding_counts(work, f) for f in response.findings):
            return True
    for result in work.db.scalars(select(AssessmentResult).where(AssessmentResult.id.in_(ids))):
        instrument = work.registry.assessments.get(result.instrument_key, result.instrument_version)
        rules = {r.code: r for r in instrument.flags} if instrument else {}
        if any(_flag_counts(rules.get(flag.get("code", "")), flag) for flag in result.flags):
            return True
    return False


def _form_finding_counts(work: Work, finding: dict[str, Any]) -> bool:
    rule = work.registry.screening_rules.get(finding.get("code", ""))
    if rule is None:
        return False
    if rule.sets_fact is not None:
        return rule.sets_fact in SUICIDALITY
    return rule.outcome.value == "risk"  # a risk that names no fact: shown the text rather than missed


def _flag_counts(rule: Any, flag: dict[str, Any]) -> bool:
    if rule is not None and rule.sets_fact is not None:
        return rule.sets_fact in SUICIDALITY
    return flag.get("severity") == "risk"
