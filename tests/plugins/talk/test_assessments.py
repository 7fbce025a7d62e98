"""Scoring of the talk plugin's instruments, checked against hand-computed totals.

Answers are written one digit per item (the option value); every band's low
and high edge is hit exactly.
"""

import pytest

from polymodal.core.api import Severity
from polymodal.core.testing import installed_plugin, make_registry


@pytest.fixture(scope="module")
def talk():
    return make_registry(("talk", installed_plugin("talk")))


def answers(digits: str) -> dict[str, str]:
    return {f"q{n}": d for n, d in enumerate(digits.replace(" ", ""), start=1)}


def pcl5(digits: str) -> dict[str, str]:
    return {"index_event": "car accident, 2019", **answers(digits)}


PHQ9 = [
    ("000000000", 0, "Minimal"), ("111100000", 4, "Minimal"),
    ("111110000", 5, "Mild"), ("333000000", 9, "Mild"),
    ("333100000", 10, "Moderate"), ("333320000", 14, "Moderate"),
    ("333330000", 15, "Moderately severe"), ("333332200", 19, "Moderately severe"),
    ("333333200", 20, "Severe"), ("333333333", 27, "Severe"),
]
GAD7 = [
    ("0000000", 0, "Minimal"), ("1111000", 4, "Minimal"),
    ("1111100", 5, "Mild"), ("3330000", 9, "Mild"),
    ("3331000", 10, "Moderate"), ("3332111", 14, "Moderate"),
    ("3333300", 15, "Severe"), ("3333333", 21, "Severe"),
]
WHO5 = [  # raw x 4
    ("00000", 0, "Poor wellbeing; suggests depression"), ("22111", 28, "Poor wellbeing; suggests depression"),
    ("22211", 32, "Poor wellbeing: screen"), ("33222", 48, "Poor wellbeing: screen"),
    ("33322", 52, "Above the poor-wellbeing cut-off"), ("55555", 100, "Above the poor-wellbeing cut-off"),
]
K10 = [
    ("1111111111", 10, "Low"), ("2222211111", 15, "Low"),
    ("2222221111", 16, "Moderate"), ("3222222222", 21, "Moderate"),
    ("3322222222", 22, "High"), ("3333333332", 29, "High"),
    ("3333333333", 30, "Very high"), ("5555555555", 50, "Very high"),
]
PCL5 = [
    ("00000 00 0000000 000000", 0, "Below"), ("22222 22 2222222 200000", 30, "Below"),
    ("22222 22 2222222 210000", 31, "Within"), ("22222 22 2222222 230000", 33, "Within"),
    ("22222 22 2222222 240000", 34, "Above"), ("44444 44 4444444 444444", 80, "Above"),
]


@pytest.mark.parametrize(
    ("key", "digits", "total", "band"),
    [("talk/phq-9", *c) for c in PHQ9] + [("talk/gad-7", *c) for c in GAD7] + [("talk/who-5", *c) for c in WHO5]
    + [("talk/k10", *c) for c in K10] + [("talk/pcl-5", *c) for c in PCL5],
)
def test_band_edges(talk, key, digits, total, band):
    instrument = talk.assessments.get(key)
    values, errors = instrument.validate_answers(pcl5(digits) if key == "talk/pcl-5" else answers(digits))
    assert errors == {}
    score = instrument.score(values)
    assert score.total == total
    assert score.band.startswith(band)


def test_every_band_edge_is_covered_by_the_cases(talk):
    # A band added later without edge cases here would go untested.
    cases = {"talk/phq-9": PHQ9, "talk/gad-7": GAD7, "talk/who-5": WHO5, "talk/k10": K10, "talk/pcl-5": PCL5}
    for key, rows in cases.items():
        totals = {t for _, t, _ in rows}
        for band in talk.assessments.get(key).bands:
            assert {band.low, band.high} <= totals, f"{key}: band {band.label} edges untested"


def test_phq9_item9_flags_risk_at_a_total_of_1(talk):
    score = talk.assessments.get("talk/phq-9").score(answers("000000001"))
    assert score.total == 1
    assert score.band == "Minimal"
    assert [(f.code, f.severity) for f in score.flags] == [("phq9-item9", Severity.risk)]


def test_phq9_no_item9_flag_when_item9_is_zero_even_if_severe(talk):
    score = talk.assessments.get("talk/phq-9").score(answers("333333330"))
    assert score.total == 24 and score.band == "Severe"
    assert score.flags == ()


def test_phq9_functional_item_is_asked_but_not_scored(talk):
    phq9 = talk.assessments.get("talk/phq-9")
    with_difficulty = {**answers("111111111"), "difficulty": "extremely"}
    values, errors = phq9.validate_answers(with_difficulty)
    assert errors == {} and values["difficulty"] == "extremely"
    assert phq9.score(values).total == 9
    _, errors = phq9.validate_answers(answers("111111111"))
    assert errors == {}


def test_who5_reports_raw_times_four(talk):
    who5 = talk.assessments.get("talk/who-5")
    assert who5.multiplier == 4
    assert who5.score_range == (0, 100)
    assert who5.score(answers("54322")).total == 64  # raw 16


def test_k10_ranges_from_10_to_50(talk):
    assert talk.assessments.get("talk/k10").score_range == (10, 50)


def test_k10_carries_the_required_who_notice(talk):
    k10 = talk.assessments.get("talk/k10")
    assert "© World Health Organization 2003" in k10.attribution
    assert "Kessler" in k10.attribution


def test_pcl5_cluster_subscales(talk):
    score = talk.assessments.get("talk/pcl-5").score(answers("11111 22 3333333 444444"))
    assert score.total == 54
    assert score.subscales == {"b": 5, "c": 4, "d": 21, "e": 24}


def test_pcl5_item16_prompts_about_risk(talk):
    pcl5 = talk.assessments.get("talk/pcl-5")
    assert [f.code for f in pcl5.score(answers("00000 00 0000000 020000")).flags] == ["pcl5-item16"]
    assert pcl5.score(answers("00000 00 0000000 010000")).flags == ()


def test_missing_item_is_reported_against_that_item(talk):
    digits = answers("1111111111")
    del digits["q4"]
    _, errors = talk.assessments.get("talk/k10").validate_answers(digits)
    assert errors == {"q4": "Answer this item."}


def test_answer_outside_the_options_is_rejected(talk):
    _, errors = talk.assessments.get("talk/gad-7").validate_answers(answers("0000004"))
    assert "q7" in errors


def test_free_instruments_carry_items_licence_and_attribution(talk):
    for key, count in (("talk/phq-9", 10), ("talk/gad-7", 8), ("talk/pcl-5", 21), ("talk/who-5", 5),
                       ("talk/k10", 10)):
        instrument = talk.assessments.get(key)
        assert len(instrument.items) == count
        assert instrument.licence and instrument.attribution


@pytest.mark.parametrize("key", ["talk/ors", "talk/srs", "talk/c-ssrs-screener"])
def test_restricted_instruments_ship_no_item_text(talk, key):
    instrument = talk.assessments.get(key)
    assert instrument.items == ()
    assert instrument.bands == ()


@pytest.mark.parametrize(("digits", "met"), [
    ("20000 20 2200000 220000", True),   # exactly 1 B, 1 C, 2 D, 2 E at "Moderately" or more
    ("20000 20 2200000 210000", False),  # only 1 E item present
    ("00000 22 2200000 220000", False),  # no B item present
    ("11111 11 1111111 111111", False),  # everything "A little bit": nothing counts as present
])
def test_pcl5_provisional_dsm5_pattern(talk, digits, met):
    flags = [f.code for f in talk.assessments.get("talk/pcl-5").score(answers(digits)).flags]
    assert ("pcl5-provisional-dsm5" in flags) is met


# --- Content corrections (issue 11, item 11) ---

@pytest.mark.parametrize(("digits", "flagged"), [
    ("55552", False),  # lowest item 2: no flag, whatever the total
    ("55551", True),   # one item "Some of the time" (1): flagged although the total is 84%
    ("55550", True),   # one item "At no time" (0)
    ("22222", False),  # poor total (40%) but no single item at 0 or 1: the band speaks, not this flag
])
def test_who5_flags_any_item_scored_0_or_1(talk, digits, flagged):
    # Topp et al. 2015: follow up when any single item is answered 0 or 1, whatever the total.
    score = talk.assessments.get("talk/who-5").score(answers(digits))
    assert ("who5-low-item" in [f.code for f in score.flags]) is flagged


def test_phq9_prorates_one_or_two_missing_items(talk):
    # NHS Data Dictionary (PHQ-9) / Kroenke 2010: up to two missing items take the mean of the answered ones.
    phq9 = talk.assessments.get("talk/phq-9")
    one_missing = {k: v for k, v in answers("222222221").items() if k != "q1"}  # 8 answered, sum 15
    values, errors = phq9.validate_answers(one_missing)
    assert errors == {}
    score = phq9.score(values)
    assert score.total == 17  # 15 * 9 / 8 = 16.875, rounded
    assert score.band == "Moderately severe"
    assert "prorated" in [f.code for f in score.flags]
    two_missing = {k: v for k, v in answers("333333331").items() if k not in ("q1", "q2")}  # sum 19 over 7
    score = phq9.score(phq9.validate_answers(two_missing)[0])
    assert score.total == 24 and score.band == "Severe"  # 19 * 9 / 7 = 24.43


def test_phq9_refuses_three_missing_items_naming_each(talk):
    phq9 = talk.assessments.get("talk/phq-9")
    three_missing = {k: v for k, v in answers("111111111").items() if k not in ("q1", "q2", "q3")}
    _, errors = phq9.validate_answers(three_missing)
    assert set(errors) == {"q1", "q2", "q3"}
    assert "at most 2" in errors["q1"]
    with pytest.raises(ValueError):
        phq9.score(three_missing)


def test_phq9_item9_is_never_prorated_away(talk):
    # The risk flag reads item 9, so it must be answered even though two items may be missing.
    phq9 = talk.assessments.get("talk/phq-9")
    _, errors = phq9.validate_answers({k: v for k, v in answers("111111111").items() if k != "q9"})
    assert errors == {"q9": "Answer this item."}


def test_pcl5_records_its_index_event(talk):
    pcl = talk.assessments.get("talk/pcl-5")
    assert pcl.items[0].key == "index_event" and pcl.items[0].free_text
    _, errors = pcl.validate_answers(answers("00000 00 0000000 000000"))
    assert errors == {"index_event": "Answer this item."}
    values, errors = pcl.validate_answers(pcl5("11111 11 1111111 111111"))
    assert errors == {} and values["index_event"] == "car accident, 2019"
    assert pcl.score(values).total == 20


def test_k10_cites_the_source_of_its_bands(talk):
    k10 = talk.assessments.get("talk/k10")
    assert "Andrews" in k10.bands_source and "Slade" in k10.bands_source and "2001" in k10.bands_source


ASQ_CASES = [
    # (q1..q4, q5 or None, positive, acute): NIMH ASQ toolkit scoring
    (("no", "no", "no", "no"), None, False, False),
    (("yes", "no", "no", "no"), "no", True, False),
    (("no", "no", "no", "yes"), "no", True, False),       # a past attempt alone is a positive screen
    (("no", "declined", "no", "no"), "no", True, False),  # declining to answer counts as positive
    (("yes", "yes", "yes", "no"), "yes", True, True),     # item 5 yes: acute positive, imminent risk
]


@pytest.mark.parametrize(("first", "q5", "positive", "acute"), ASQ_CASES)
def test_asq_scoring(talk, first, q5, positive, acute):
    asq = talk.assessments.get("talk/asq")
    given = {f"q{n}": a for n, a in enumerate(first, start=1)} | ({"q5": q5} if q5 else {})
    values, errors = asq.validate_answers(given)
    assert errors == {}
    score = asq.score(values)
    codes = [f.code for f in score.flags]
    assert ("asq-positive" in codes) is positive
    assert ("asq-acute" in codes) is acute
    assert score.band.startswith("Positive" if positive else "Negative")
    assert all(f.severity is Severity.risk for f in score.flags)


def test_asq_item5_is_asked_only_after_a_yes(talk):
    asq = talk.assessments.get("talk/asq")
    _, errors = asq.validate_answers({"q1": "yes", "q2": "no", "q3": "no", "q4": "no"})
    assert errors == {"q5": "Answer this item."}
    _, errors = asq.validate_answers({"q1": "no", "q2": "no", "q3": "no", "q4": "no"})
    assert errors == {}


def test_asq_acute_sets_current_suicidal_ideation(talk):
    from polymodal.core.api import ClientFact

    flag = next(f for f in talk.assessments.get("talk/asq").flags if f.code == "asq-acute")
    assert flag.sets_fact is ClientFact.current_suicidal_ideation
