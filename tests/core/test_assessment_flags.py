"""FlagRule.subscale_counts (additive, 0.2): symptom-pattern flags across subscales."""

import pytest
from pydantic import ValidationError

from polymodal.core.api import Assessment, FlagRule, Item, Option, Subscale

OPTIONS = tuple(Option(value=str(n), label=str(n), score=n) for n in range(4))


def instrument(*flags: FlagRule) -> Assessment:
    return Assessment(
        key="x/pattern", name="Pattern", abbreviation="P", options=OPTIONS,
        items=tuple(Item(key=f"q{n}", text=f"Item {n}") for n in range(1, 6)),
        subscales=(Subscale(key="a", name="A", items=("q1", "q2")), Subscale(key="b", name="B", items=("q3", "q4", "q5"))),
        flags=flags, licence="Test.", attribution="Test.",
    )


PATTERN = FlagRule(code="pattern", message="Pattern met.", at_least=2, subscale_counts={"a": 1, "b": 2})


def codes(assessment: Assessment, digits: str) -> list[str]:
    answers = {f"q{n}": d for n, d in enumerate(digits, start=1)}
    return [f.code for f in assessment.score(answers).flags]


@pytest.mark.parametrize(("digits", "fires"), [
    ("20220", True),    # a: q1 present; b: q3, q4 present
    ("33333", True),
    ("11222", False),   # a has no item at 2+
    ("20200", False),   # b has only one item at 2+
    ("21111", False),   # a high total is not the pattern
])
def test_pattern_needs_enough_present_items_in_every_subscale(digits, fires):
    assert codes(instrument(PATTERN), digits) == (["pattern"] if fires else [])


def test_item_and_total_flags_behave_as_before():
    item = FlagRule(code="item", message="m", item="q5", at_least=1)
    total = FlagRule(code="total", message="m", at_least=10)
    assessment = instrument(item, total)
    assert codes(assessment, "00001") == ["item"]
    assert codes(assessment, "33310") == ["total"]


def test_pattern_naming_an_unknown_subscale_is_rejected():
    with pytest.raises(ValidationError, match="flag 'bad' names unknown subscales: z"):
        instrument(FlagRule(code="bad", message="m", at_least=2, subscale_counts={"z": 1}))


def test_pattern_cannot_also_name_an_item():
    with pytest.raises(ValidationError, match="give one of item, subscale_counts, any_item"):
        FlagRule(code="bad", message="m", at_least=2, item="q1", subscale_counts={"a": 1})


def test_pattern_counts_must_be_positive():
    with pytest.raises(ValidationError, match="must be 1 or more"):
        FlagRule(code="bad", message="m", at_least=2, subscale_counts={"a": 0})


def test_an_item_asked_after_an_unknown_item_is_rejected():
    with pytest.raises(ValidationError, match="item 'q2' is asked after unknown items: zz"):
        Assessment(key="x/y", name="n", abbreviation="N", licence="l", attribution="a",
                   options=(Option(value="0", label="No", score=0), Option(value="1", label="Yes", score=1)),
                   items=(Item(key="q1", text="t"), Item(key="q2", text="t", asked_if=("zz",))))


def test_a_flag_needs_exactly_one_limit():
    with pytest.raises(ValidationError, match="exactly one of at_least, at_most"):
        FlagRule(code="bad", message="m", item="q1")
    with pytest.raises(ValidationError, match="exactly one of at_least, at_most"):
        FlagRule(code="bad", message="m", item="q1", at_least=1, at_most=2)


def test_a_free_text_item_is_unscored():
    with pytest.raises(ValidationError, match="a free-text item is unscored"):
        Item(key="e", text="event", free_text=True)
