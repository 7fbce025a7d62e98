"""Standardised instruments: items, scoring, severity bands and flags."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from polymodal.core.contributions._base import Contribution, Frozen, Key, Slug
from polymodal.core.contributions._facts import ClientFact
from polymodal.core.contributions._fields import Option


class Severity(StrEnum):
    info = "info"
    warning = "warning"
    risk = "risk"


class Item(Frozen):
    key: Slug
    text: str = Field(min_length=1)
    options: tuple[Option, ...] = Field(default=(), description="Overrides the instrument's options.")
    scored: bool = True


class Band(Frozen):
    """Inclusive score range ``low``..``high`` of the reported total."""

    low: float
    high: float
    label: str
    severity: Severity = Severity.info


class FlagRule(Frozen):
    """Raises a flag when an item (or the total, if ``item`` is None) is at least ``at_least``.

    A flag on an item fires whatever the total is: PHQ-9 item 9 above zero is a
    risk flag even at a total of 1.

    With ``subscale_counts`` the flag is a symptom pattern instead: an item
    scoring ``at_least`` or more counts as present, and the flag fires when
    every named subscale has at least its number of present items. PCL-5's
    provisional DSM-5 pattern is ``at_least=2`` with ``{"b": 1, "c": 1, "d": 2,
    "e": 2}`` (Since: 0.2).
    """

    code: Slug
    message: str
    at_least: float
    item: Slug | None = None
    severity: Severity = Severity.warning
    subscale_counts: dict[Slug, int] = Field(default_factory=dict)
    sets_fact: ClientFact | None = None
    """When the flag fires the client has this fact, for every modality's screening rules (Since: 0.3)."""

    @model_validator(mode="after")
    def _one_target(self) -> FlagRule:
        if self.item is not None and self.subscale_counts:
            raise ValueError(f"flag '{self.code}': give item or subscale_counts, not both")
        if any(n < 1 for n in self.subscale_counts.values()):
            raise ValueError(f"flag '{self.code}': subscale_counts must be 1 or more")
        return self

    def fires(self, item_scores: dict[str, float], total: float, subscales: tuple[Subscale, ...]) -> bool:
        if self.subscale_counts:
            by_key = {s.key: s for s in subscales}
            return all(
                sum(1 for k in by_key[key].items if item_scores.get(k, 0) >= self.at_least) >= count
                for key, count in self.subscale_counts.items()
            )
        return (item_scores.get(self.item, 0) if self.item else total) >= self.at_least


class Subscale(Frozen):
    key: Slug
    name: str
    items: tuple[Slug, ...] = Field(min_length=1)


class FlagResult(Frozen):
    code: str
    message: str
    severity: Severity


class Score(Frozen):
    total: float
    band: str | None
    band_severity: Severity | None
    subscales: dict[str, float] = {}
    flags: tuple[FlagResult, ...] = ()


class Assessment(Contribution):
    """A questionnaire scored by summing item scores.

    ``multiplier`` scales the raw sum (WHO-5 reports raw x 4 as a percentage);
    bands and total flags are read against the scaled total. Only instruments
    free to reproduce may carry item text; restricted ones ship metadata only
    and are not scored here (``items`` empty, ``licence`` says why).
    """

    name: str
    abbreviation: str
    modalities: tuple[Key, ...] = ()
    instructions: str = ""
    options: tuple[Option, ...] = ()
    items: tuple[Item, ...] = ()
    multiplier: float = 1
    bands: tuple[Band, ...] = ()
    flags: tuple[FlagRule, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    licence: str = Field(min_length=1)
    attribution: str = Field(min_length=1, description="Citation of the instrument's source.")

    @model_validator(mode="after")
    def _consistent(self) -> Assessment:
        keys = [i.key for i in self.items]
        if len(keys) != len(set(keys)):
            raise ValueError("item keys repeat")
        for item in self.items:
            if item.scored and not (item.options or self.options):
                raise ValueError(f"item '{item.key}' has no options to score")
        subscale_keys = {s.key for s in self.subscales}
        for flag in self.flags:
            if flag.item is not None and flag.item not in keys:
                raise ValueError(f"flag '{flag.code}' names unknown item '{flag.item}'")
            unknown = sorted(set(flag.subscale_counts) - subscale_keys)
            if unknown:
                raise ValueError(f"flag '{flag.code}' names unknown subscales: {', '.join(unknown)}")
        for sub in self.subscales:
            missing = [k for k in sub.items if k not in keys]
            if missing:
                raise ValueError(f"subscale '{sub.key}' names unknown items: {', '.join(missing)}")
        if self.items and self.bands:
            self._check_bands_cover_range()
        return self

    def _check_bands_cover_range(self) -> None:
        low, high = self.score_range
        ordered = sorted(self.bands, key=lambda b: b.low)
        if ordered[0].low > low or ordered[-1].high < high:
            raise ValueError(f"bands do not cover the score range {low:g}..{high:g}")
        step = self.multiplier if all(self._item_scores_are_integers()) else 0
        for before, after in zip(ordered, ordered[1:], strict=False):
            if after.low <= before.high:
                raise ValueError(f"bands '{before.label}' and '{after.label}' overlap")
            if step and after.low - before.high > step:
                raise ValueError(f"scores between '{before.label}' and '{after.label}' fall in no band")

    def _item_scores_are_integers(self) -> list[bool]:
        return [float(o.score or 0).is_integer() for i in self.items for o in self.options_for(i)]

    def options_for(self, item: Item) -> tuple[Option, ...]:
        return item.options or self.options

    @property
    def score_range(self) -> tuple[float, float]:
        scored = [i for i in self.items if i.scored]
        low = sum(min(o.score or 0 for o in self.options_for(i)) for i in scored)
        high = sum(max(o.score or 0 for o in self.options_for(i)) for i in scored)
        return low * self.multiplier, high * self.multiplier

    def validate_answers(self, answers: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
        """Every scored item needs one of its option values."""
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        for item in self.items:
            raw = answers.get(item.key)
            allowed = {o.value for o in self.options_for(item)}
            if raw is None or raw == "":
                if item.scored:
                    errors[item.key] = "Answer this item."
                continue
            if not isinstance(raw, str) or raw not in allowed:
                errors[item.key] = "Choose one of the listed answers."
                continue
            values[item.key] = raw
        return values, errors

    def score(self, answers: dict[str, str]) -> Score:
        """Score validated answers; raises ``ValueError`` if any scored item is missing."""
        item_scores: dict[str, float] = {}
        for item in self.items:
            if not item.scored:
                continue
            option = next((o for o in self.options_for(item) if o.value == answers.get(item.key)), None)
            if option is None:
                raise ValueError(f"item '{item.key}' is not answered")
            item_scores[item.key] = option.score or 0
        total = sum(item_scores.values()) * self.multiplier
        band = next((b for b in self.bands if b.low <= total <= b.high), None)
        flags = tuple(
            FlagResult(code=f.code, message=f.message, severity=f.severity)
            for f in self.flags
            if f.fires(item_scores, total, self.subscales)
        )
        subscales = {s.key: sum(item_scores.get(k, 0) for k in s.items) for s in self.subscales}
        return Score(
            total=total,
            band=band.label if band else None,
            band_severity=band.severity if band else None,
            subscales=subscales,
            flags=flags,
        )
