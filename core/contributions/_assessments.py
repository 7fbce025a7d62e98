"""Standardised instruments: items, scoring, severity bands and flags."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from polymodal.core.contributions._base import Contribution, Frozen, Key, Slug
from polymodal.core.contributions._facts import ClientFact
from polymodal.core.contributions._fields import Option


class Severity(StrEnum):
    info = "info"
    """For information."""
    warning = "warning"
    """Needs the practitioner's attention."""
    risk = "risk"
    """A danger: a risk finding for every modality, listed first for staff."""


class Item(Frozen):
    """One question. A scored item is answered by choosing one of its options.

    ``required`` keeps an item compulsory where the instrument allows missing
    items (PHQ-9 item 9 carries the risk flag) and makes an unscored item
    compulsory. ``asked_if`` names items of which one must score above zero
    for this item to be asked at all (the ASQ asks item 5 only after a yes to
    items 1-4); asked, it must be answered. ``free_text`` is an unscored
    answer in the client's own words, such as the PCL-5's index event
    (Since: 0.4).
    """

    key: Slug
    """Unique within the instrument; answers are stored under it."""
    text: str = Field(min_length=1)
    """The item's wording; only for instruments free to reproduce."""
    options: tuple[Option, ...] = Field(default=(), description="Overrides the instrument's options.")
    scored: bool = True
    """Counts towards the total and subscales; an unscored item is recorded but adds nothing."""
    required: bool = False
    """Must be answered even where ``max_missing`` lets other items be left out."""
    asked_if: tuple[Slug, ...] = ()
    """Item keys of which at least one must score above zero for this item to be asked; asked, it must be
    answered, and not asked it is left out of the total."""
    free_text: bool = False
    """An unscored answer in the client's own words (at most 1,000 characters); such an item has no options."""
    help: str = ""
    """A hint shown under the item."""

    @model_validator(mode="after")
    def _text_is_unscored(self) -> Item:
        if self.free_text and (self.scored or self.options):
            raise ValueError(f"item '{self.key}': a free-text item is unscored and has no options")
        return self


class Band(Frozen):
    """Inclusive score range ``low``..``high`` of the reported total."""

    low: float
    """Lowest total in the band (inclusive), on the scaled total."""
    high: float
    """Highest total in the band (inclusive)."""
    label: str
    """The band's name, e.g. "Moderate", stored with each result."""
    severity: Severity = Severity.info
    """Colours the band on the client's trend chart."""


class FlagRule(Frozen):
    """Raises a flag when an item (or the total, if ``item`` is None) is at least ``at_least``.

    ``at_most`` instead fires at or below it. With ``any_item`` the flag fires
    when any one scored item reaches the limit: the WHO-5 asks for follow-up
    when any item is scored 0 or 1 (``any_item=True, at_most=1``, Since: 0.4).

    A flag on an item fires whatever the total is: PHQ-9 item 9 above zero is a
    risk flag even at a total of 1.

    With ``subscale_counts`` the flag is a symptom pattern instead: an item
    scoring ``at_least`` or more counts as present, and the flag fires when
    every named subscale has at least its number of present items. PCL-5's
    provisional DSM-5 pattern is ``at_least=2`` with ``{"b": 1, "c": 1, "d": 2,
    "e": 2}`` (Since: 0.2).
    """

    code: Slug
    """Unique name of the flag within the instrument, stored with the result."""
    message: str
    """Shown to the practitioner with the result when the flag fires."""
    at_least: float | None = None
    """Fires at or above this score (give exactly one of ``at_least`` and ``at_most``)."""
    at_most: float | None = None
    """Fires at or below this score."""
    any_item: bool = False
    """Tests every scored item: fires when any one reaches the limit."""
    item: Slug | None = None
    """Tests this item's score; None (with neither ``any_item`` nor ``subscale_counts``) tests the total."""
    severity: Severity = Severity.warning
    """``risk`` makes the client's newest result a risk finding for every modality, listed first for staff."""
    subscale_counts: dict[Slug, int] = Field(default_factory=dict)
    """Subscale key -> how many of its items must score ``at_least`` or more: a symptom pattern."""
    sets_fact: ClientFact | None = None
    """When the flag fires the client has this fact, for every modality's screening rules (Since: 0.3)."""

    @model_validator(mode="after")
    def _one_target(self) -> FlagRule:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError(f"flag '{self.code}': give exactly one of at_least, at_most")
        if sum([self.item is not None, bool(self.subscale_counts), self.any_item]) > 1:
            raise ValueError(f"flag '{self.code}': give one of item, subscale_counts, any_item")
        if self.subscale_counts and self.at_least is None:
            raise ValueError(f"flag '{self.code}': a symptom pattern counts items at_least a score")
        if any(n < 1 for n in self.subscale_counts.values()):
            raise ValueError(f"flag '{self.code}': subscale_counts must be 1 or more")
        return self

    def _hit(self, value: float) -> bool:
        return value <= self.at_most if self.at_most is not None else value >= (self.at_least or 0)

    def fires(self, item_scores: dict[str, float], total: float | None, subscales: tuple[Subscale, ...]) -> bool:
        """Whether the flag fires; ``total`` is None while items are missing (a total flag then waits)."""
        if self.subscale_counts:
            by_key = {s.key: s for s in subscales}
            return all(
                sum(1 for k in by_key[key].items if k in item_scores and self._hit(item_scores[k])) >= count
                for key, count in self.subscale_counts.items()
            )
        if self.any_item:
            return any(self._hit(v) for v in item_scores.values())
        if self.item:
            return self.item in item_scores and self._hit(item_scores[self.item])
        return total is not None and self._hit(total)


class Subscale(Frozen):
    """A named group of items whose scores are summed on their own (e.g. PCL-5 cluster B)."""

    key: Slug
    """Unique within the instrument; results store the subscale's sum under it."""
    name: str
    """Shown with the result."""
    items: tuple[Slug, ...] = Field(min_length=1)
    """The item keys it sums."""


class FlagResult(Frozen):
    """A flag that fired, as ``Assessment.score`` returns and results store it."""

    code: str
    """The ``FlagRule.code``, or ``prorated`` when missing items were prorated."""
    message: str
    """The flag's message."""
    severity: Severity
    """The flag's severity."""


class Score(Frozen):
    """What ``Assessment.score`` returns."""

    total: float
    """The (prorated, then multiplied) total."""
    band: str | None
    """The label of the band the total falls in; None when the instrument has no bands."""
    band_severity: Severity | None
    """That band's severity."""
    subscales: dict[str, float] = {}
    """Subscale key -> sum of its answered items."""
    flags: tuple[FlagResult, ...] = ()
    """The flags that fired, in declaration order (then ``prorated``)."""


class Assessment(Contribution):
    """A questionnaire scored by summing item scores.

    ``multiplier`` scales the raw sum (WHO-5 reports raw x 4 as a percentage);
    bands and total flags are read against the scaled total. Only instruments
    free to reproduce may carry item text; restricted ones ship metadata only
    and are not scored here (``items`` empty, ``licence`` says why).
    """

    name: str
    """The instrument's full name, e.g. "Patient Health Questionnaire-9"."""
    abbreviation: str
    """The short name staff choose it by, e.g. "PHQ-9"."""
    modalities: tuple[Key, ...] = ()
    """Modalities it is meant for; informational (staff may give any instrument to any client)."""
    instructions: str = ""
    """Shown above the items, e.g. "Over the last 2 weeks, how often..."."""
    options: tuple[Option, ...] = ()
    """The answers every scored item offers, with their scores, unless the item has its own."""
    items: tuple[Item, ...] = ()
    """The items, in order; empty for a restricted instrument that ships metadata only."""
    multiplier: float = 1
    """Scales the raw sum before bands and total flags are read."""
    bands: tuple[Band, ...] = ()
    """Severity bands; together they cover the whole score range with no gaps or overlaps."""
    bands_source: str = Field(default="", description="Where the bands' cut-offs come from, shown with the band.")
    flags: tuple[FlagRule, ...] = ()
    """Flags checked on every scoring (and live while answering, for item flags)."""
    subscales: tuple[Subscale, ...] = ()
    """Groups of items summed separately."""
    max_missing: int = Field(
        default=0, ge=0,
        description="Scored items that may be left unanswered; the total is then prorated (mean of the answered "
                    "items times the number of items, rounded), as the PHQ-9's authors allow for up to two.")
    licence: str = Field(min_length=1)
    """The terms it may be used and reproduced under, e.g. "Public domain (Pfizer)"; for a restricted
    instrument, why it ships without items."""
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
        for item in self.items:
            unknown_items = [k for k in item.asked_if if k not in keys]
            if unknown_items:
                raise ValueError(f"item '{item.key}' is asked after unknown items: {', '.join(unknown_items)}")
        if self.max_missing >= len([i for i in self.items if i.scored]) > 0:
            raise ValueError("max_missing must leave at least one scored item answered")
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

    def asked(self, item: Item, answers: dict[str, Any]) -> bool:
        """Whether ``item`` is asked, given the other answers (``asked_if``)."""
        if not item.asked_if:
            return True
        scores = self._item_scores(answers)
        return any(scores.get(k, 0) > 0 for k in item.asked_if)

    def validate_answers(self, answers: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
        """Every scored item needs one of its option values, except up to ``max_missing`` optional ones."""
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        blank: list[str] = []
        for item in self.items:
            raw = answers.get(item.key)
            if isinstance(raw, str) and item.free_text:
                raw = raw.strip()
            if raw is None or raw == "":
                if (item.required or item.asked_if) and self.asked(item, answers):
                    errors[item.key] = "Answer this item."
                elif item.scored and not item.asked_if:
                    blank.append(item.key)
                continue
            if item.free_text:
                if not isinstance(raw, str) or len(raw) > 1000:
                    errors[item.key] = "Write up to 1000 characters."
                    continue
            elif not isinstance(raw, str) or raw not in {o.value for o in self.options_for(item)}:
                errors[item.key] = "Choose one of the listed answers."
                continue
            values[item.key] = raw
        if len(blank) > self.max_missing:
            # Name every blank item, so the reader sees which ones; the source allows no more.
            limit = (f" (at most {self.max_missing} may be left out)" if self.max_missing else "")
            errors.update({k: f"Answer this item{limit}." for k in blank})
        return values, errors

    def _item_scores(self, answers: dict[str, Any]) -> dict[str, float]:
        scores: dict[str, float] = {}
        for item in self.items:
            if item.scored:
                option = next((o for o in self.options_for(item) if o.value == answers.get(item.key)), None)
                if option is not None:
                    scores[item.key] = option.score or 0
        return scores

    def flags_in(self, answers: dict[str, Any]) -> tuple[FlagResult, ...]:
        """The flags the answered items raise so far (a total flag waits for a total): for live warnings."""
        return tuple(FlagResult(code=f.code, message=f.message, severity=f.severity)
                     for f in self.flags if f.fires(self._item_scores(answers), None, self.subscales))

    def score(self, answers: dict[str, str]) -> Score:
        """Score validated answers; raises ``ValueError`` if more scored items are missing than allowed."""
        item_scores = self._item_scores(answers)
        expected = [i for i in self.items if i.scored and (not i.asked_if or self.asked(i, answers))]
        missing = [i.key for i in expected if i.key not in item_scores]
        required = [k for k in missing if next(i for i in self.items if i.key == k).required]
        if len(missing) > self.max_missing or required or not expected or len(missing) == len(expected):
            raise ValueError(f"item '{(required or missing or ['?'])[0]}' is not answered")
        raw = sum(item_scores.values())
        if missing:
            # Prorated: the mean of the answered items times the number of items, rounded half up.
            raw = math.floor(raw * len(expected) / (len(expected) - len(missing)) + 0.5)
        total = raw * self.multiplier
        band = next((b for b in self.bands if b.low <= total <= b.high), None)
        flags = [FlagResult(code=f.code, message=f.message, severity=f.severity)
                 for f in self.flags if f.fires(item_scores, total, self.subscales)]
        if missing:
            flags.append(FlagResult(code="prorated", severity=Severity.info, message=(
                f"Prorated total: {len(missing)} item(s) unanswered ({', '.join(missing)}); the total is the mean "
                f"of the {len(expected) - len(missing)} answered items times {len(expected)}.")))
        subscales = {s.key: sum(item_scores.get(k, 0) for k in s.items) for s in self.subscales}
        return Score(
            total=total,
            band=band.label if band else None,
            band_severity=band.severity if band else None,
            subscales=subscales,
            flags=tuple(flags),
        )
