"""Worked cases for every scoring rule (issue 3, acceptance), with their explanations in both languages."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest

from fairmark.indicators.scoring import (
    EXPLANATIONS,
    MISSING,
    AdditionRule,
    Comparison,
    DeductionRule,
    Explanation,
    LinearRule,
    OkrRule,
    PassFailRule,
    RatingScaleRule,
    RatioRule,
    Rule,
    Score,
    StepRule,
    VetoRule,
    normalise_language,
    quantise,
    rule_from_dict,
)

D = Decimal

# 良品率 yield: 门槛 90 %, 目标 95 %, 挑战 98 %, scores 60/100/120 (the issue's example).
YIELD = LinearRule(threshold=D("90"), target=D("95"), stretch=D("98"))
# 不良率 defect rate, lower is better: 门槛 8 %, 目标 5 %, 挑战 3 %.
DEFECTS = LinearRule(threshold=D("8"), target=D("5"), stretch=D("3"), direction="lower")
# The same with room above the stretch: the target→stretch line continues to 130.
YIELD_OPEN = LinearRule(threshold=D("90"), target=D("95"), stretch=D("98"), cap=D("130"))
DEFECTS_OPEN = LinearRule(threshold=D("8"), target=D("5"), stretch=D("3"), cap=D("130"), direction="lower")
ON_TIME = RatioRule(target=D("95"))  # 准时交付率 against a 95 % target
RESPONSE = RatioRule(target=D("4"), direction="lower", floor=D("20"))  # 首次响应时长 hours, target 4 h
UTILISATION = StepRule(bands=[(D("70"), D("60")), (D("80"), D("80")), (D("90"), D("100"))])  # 稼动率 区间
COMPLAINTS = StepRule(bands=[(D("0"), D("100")), (D("2"), D("80")), (D("5"), D("60"))], direction="lower")
SAFETY = DeductionRule(points_per_incident=D("5"))  # 扣分: base 100, 5 points per incident
PATENTS = AdditionRule(points_per_unit=D("2"), cap=D("10"))  # 加分: 2 points per patent, at most 10
SAMPLES = PassFailRule(pass_if=Comparison(">=", D("95")))  # 样品合格率 ≥ 95 %
ACCIDENT = VetoRule(trigger=Comparison(">=", D("1")))  # 重大安全事故 → 一票否决
FRAUD = VetoRule(trigger=Comparison(">", D("0")), effect="grade", grade="D")
TEAMWORK = RatingScaleRule.even(anchors=[
    ("Works alone, withholds information", "独自工作，不分享信息"),
    ("Helps when asked", "被要求时才协助"),
    ("Shares information and helps the team", "主动分享信息并帮助团队"),
    ("Coordinates across teams", "跨团队协调"),
    ("Builds the team others want to join", "打造他人向往的团队"),
])
PLAIN_SCALE = RatingScaleRule(points=[(D(1), D(0)), (D(3), D(60)), (D(5), D(100))])
OKR = OkrRule()

# (rule, value, expected score, expected explanation code). Together these reach every explanation code.
CASES: list[tuple[Rule, str | None, str | None, str]] = [
    (YIELD, "96.5", "110.00", "linear.above_target"),
    (YIELD, "95", "100.00", "linear.at_target"),
    (YIELD, "89", "0.00", "linear.below_threshold"),
    (YIELD, "90", "60.00", "linear.at_threshold"),
    (YIELD, "92.5", "80.00", "linear.threshold_to_target"),
    (YIELD, "98", "120.00", "linear.at_stretch"),
    (YIELD, "99.5", "120.00", "linear.above_stretch_capped"),
    (YIELD_OPEN, "98.6", "124.00", "linear.above_stretch"),
    (YIELD_OPEN, "99.9", "130.00", "linear.above_stretch_capped"),
    (DEFECTS, "5", "100.00", "linear.at_target"),
    (DEFECTS, "4", "110.00", "linear.lower.below_target"),
    (DEFECTS, "6.5", "80.00", "linear.lower.threshold_to_target"),
    (DEFECTS, "8", "60.00", "linear.at_threshold"),
    (DEFECTS, "9", "0.00", "linear.lower.above_threshold"),
    (DEFECTS, "3", "120.00", "linear.at_stretch"),
    (DEFECTS, "2", "120.00", "linear.lower.below_stretch_capped"),
    (DEFECTS_OPEN, "2.5", "125.00", "linear.lower.below_stretch"),
    (ON_TIME, "90.25", "95.00", "ratio.higher"),
    (ON_TIME, "120", "120.00", "ratio.higher_capped"),
    (ON_TIME, "-5", "0.00", "ratio.higher_floored"),
    (RESPONSE, "5", "80.00", "ratio.lower"),
    (RESPONSE, "3", "120.00", "ratio.lower_capped"),
    (RESPONSE, "40", "20.00", "ratio.lower_floored"),
    (RESPONSE, "0", "120.00", "ratio.lower_zero"),
    (UTILISATION, "85", "80.00", "step.band"),
    (UTILISATION, "90", "100.00", "step.band"),
    (UTILISATION, "69.99", "0.00", "step.below_all"),
    (COMPLAINTS, "0", "100.00", "step.lower.band"),
    (COMPLAINTS, "2", "80.00", "step.lower.band"),
    (COMPLAINTS, "6", "0.00", "step.lower.above_all"),
    (SAFETY, "3", "85.00", "deduction.applied"),
    (SAFETY, "25", "0.00", "deduction.floored"),
    (SAFETY, "-1", "100.00", "deduction.negative"),
    (PATENTS, "3", "6.00", "addition.applied"),
    (PATENTS, "7", "10.00", "addition.capped"),
    (PATENTS, "-2", "0.00", "addition.negative"),
    (SAMPLES, "96", "100.00", "passfail.pass"),
    (SAMPLES, "94.9", "0.00", "passfail.fail"),
    (ACCIDENT, "1", "0.00", "veto.total_zero"),
    (ACCIDENT, "0", "100.00", "veto.clear"),
    (FRAUD, "1", "0.00", "veto.grade"),
    (TEAMWORK, "4", "75.00", "rating.point_anchored"),
    (PLAIN_SCALE, "3", "60.00", "rating.point"),
    (TEAMWORK, "3.5", "62.50", "rating.between"),
    (TEAMWORK, "0", "0.00", "rating.below_scale"),
    (TEAMWORK, "6", "100.00", "rating.above_scale"),
    (OKR, "0.7", "70.00", "okr.score"),
    (OKR, "-0.2", "0.00", "okr.below_zero"),
    (OKR, "1.3", "100.00", "okr.above_one"),
    (OKR, None, None, "missing"),
]
ALL_RULES = [YIELD, DEFECTS, YIELD_OPEN, ON_TIME, RESPONSE, UTILISATION, COMPLAINTS, SAFETY, PATENTS, SAMPLES,
             ACCIDENT, FRAUD, TEAMWORK, PLAIN_SCALE, OKR]


@pytest.mark.parametrize(("rule", "value", "expected", "code"), CASES)
def test_worked_case(rule: Rule, value: str | None, expected: str | None, code: str) -> None:
    score = rule.score(None if value is None else D(value))
    assert score.value == (None if expected is None else D(expected))
    assert score.explanation.code == code
    if expected is not None:
        assert score.explanation.params["score"] == expected  # always two places, as stored
        assert str(score.value) == expected
    for language in ("en", "zh-hans"):
        text = score.text(language)
        assert text
        assert "{" not in text
        if expected is not None and not code.startswith("veto."):  # a veto's text says its effect instead
            assert expected in text
    # The bulk path gives the same number (NaN for no data).
    bulk = rule.score_many(np.array([np.nan if value is None else float(value)]))
    if expected is None:
        assert np.isnan(bulk[0])
    else:
        assert abs(bulk[0] - float(expected)) <= 0.005


def test_every_explanation_code_is_reached_and_has_both_languages() -> None:
    reached = {code for *_, code in CASES} | {rule.describe().code for rule in ALL_RULES}
    reached |= {LinearRule(threshold=D(8), target=D(5), stretch=D(3), direction="lower").describe().code,
                RatioRule(target=D(1), direction="lower").describe().code}
    assert reached == set(EXPLANATIONS)
    for code, templates in EXPLANATIONS.items():
        assert set(templates) == {"en", "zh-hans"}, code
        assert templates["en"] != templates["zh-hans"] or code == "missing"


def test_issue_examples_read_as_written() -> None:
    score = YIELD.score(D("96.5"))
    assert score.explanation == Explanation("linear.above_target", {
        "value": "96.5", "threshold": "90", "target": "95", "stretch": "98", "threshold_score": "60",
        "target_score": "100", "stretch_score": "120", "floor": "0", "cap": "120", "rise_to_target": "40",
        "rise_to_stretch": "20", "score": "110.00"})
    assert score.text("en") == ("96.5 is between the target 95 and the stretch 98: "
                                "100 + (96.5 − 95) / (98 − 95) × 20 = 110.00")
    assert score.text("zh-hans") == "96.5 介于目标值 95 与挑战值 98 之间：100 + (96.5 − 95) ÷ (98 − 95) × 20 = 110.00"
    assert YIELD.score(D("95")).value == D("100.00")
    assert YIELD.score(D("89")).value == YIELD.floor == D("0")
    assert SAFETY.score(D(3)).value == D(85)
    assert SAFETY.score(D(3)).text("en") == "3 incidents: 100 − 3 × 5 = 85.00"
    assert OKR.score(D("0.7")).value == D(70)
    assert OKR.score(D("0.7")).text("zh-Hans") == "OKR 得分 0.7 × 100 = 70.00"


def test_defect_rate_mirrors_yield() -> None:
    """Lower is better is the mirror image: same distance past the target in the good direction, same score."""
    mirror = LinearRule(threshold=D(-8), target=D(-5), stretch=D(-3))
    for value in ("9", "8", "7.25", "6", "5", "4.5", "3.2", "3", "1", "-2"):
        assert DEFECTS.score(D(value)).value == mirror.score(-D(value)).value


def test_floor_and_scores_can_be_chosen() -> None:
    rule = LinearRule(threshold=D(90), target=D(95), stretch=D(98), threshold_score=D(50), target_score=D(80),
                      stretch_score=D(100), floor=D(20))
    assert rule.score(D(80)).value == D(20)
    assert rule.score(D("92.5")).value == D(65)
    assert rule.score(D(99)).value == D(100)
    assert rule.cap == D(100)  # defaults to the stretch score


def test_rounding_is_half_up_to_the_cent() -> None:
    assert quantise(D("2.345")) == D("2.35")  # half-even would give 2.34
    assert quantise(D("2.344999")) == D("2.34")
    assert quantise(D("-2.345")) == D("-2.35")  # half away from zero, as people round by hand
    assert RatioRule(target=D(100)).score(D("2.345")).value == D("2.35")
    assert OKR.score(D("0.02345")).value == D("2.35")
    # A third of the way: 60 + 1/3 × 40 = 73.333… → 73.33; two thirds → 86.67.
    assert YIELD.score(D("91.6666666666666666666666666667")).value == D("73.33")
    assert LinearRule(threshold=D(0), target=D(3), stretch=D(6)).score(D(2)).value == D("86.67")


def test_missing_data_scores_none_for_every_rule() -> None:
    for rule in ALL_RULES:
        for missing in (None, D("NaN"), D("sNaN")):
            score = rule.score(missing)
            assert score == Score(None, MISSING)
            assert score.missing
            assert not score.veto
            assert score.text("en") == "no data"
            assert score.text("zh-hans") == "无数据"
        bulk = rule.score_many(np.array([[np.nan, 1.0], [np.nan, np.nan]]))
        assert bulk.shape == (2, 2)
        assert np.isnan(bulk).tolist() == [[True, False], [True, True]]


def test_extreme_values_hold_caps_and_floors() -> None:
    huge, tiny = D("9E+999999"), D("1E-999999")
    assert YIELD.score(huge).value == D(120)
    assert YIELD.score(-huge).value == D(0)
    assert YIELD.score(D("Infinity")).value == D(120)
    assert DEFECTS.score(D("Infinity")).value == D(0)
    assert RESPONSE.score(tiny).value == D(120)  # 4 / 10^-999999 would overflow; it is the cap
    assert RESPONSE.score(D("-Infinity")).value == D(120)
    assert ON_TIME.score(D("Infinity")).value == D(120)
    assert ON_TIME.score(D("Infinity")).explanation.params["raw"] == "∞"
    assert SAFETY.score(D("Infinity")).value == D(0)
    assert PATENTS.score(huge).value == D(10)
    assert OKR.score(huge).value == D(100)
    assert YIELD.score_many(np.array([np.inf, -np.inf, 1e308])).tolist() == [120.0, 0.0, 120.0]


def test_values_other_than_decimal_are_accepted_at_runtime() -> None:
    assert YIELD.score(96).value == D("106.67")  # type: ignore[arg-type]
    assert YIELD.score(float("nan")).missing  # type: ignore[arg-type]
    assert YIELD.score_many([96.5, None]).tolist()[0] == pytest.approx(110.0)  # type: ignore[list-item,arg-type]


def test_veto_contract() -> None:
    triggered = ACCIDENT.score(D(2))
    assert (triggered.veto, triggered.veto_effect, triggered.veto_grade) == (True, "total_zero", None)
    assert triggered.value == D(0)
    assert triggered.text("en") == "2 ≥ 1: veto, the total becomes 0"
    assert triggered.text("zh-hans") == "2 ≥ 1：一票否决，总分记为 0"
    graded = FRAUD.score(D(1))
    assert (graded.veto, graded.veto_effect, graded.veto_grade) == (True, "grade", "D")
    assert graded.text("en").endswith("the grade becomes D")
    clear = ACCIDENT.score(D(0))
    assert (clear.veto, clear.veto_effect, clear.value) == (False, None, D(100))
    assert not ACCIDENT.score(None).veto  # no data never vetoes
    assert ACCIDENT.triggered_many(np.array([0, 1, np.nan, 3])).tolist() == [False, True, False, True]
    assert triggered.to_dict() == {"value": "0.00", "explanation": triggered.explanation.to_dict(), "veto": True,
                                   "veto_effect": "total_zero", "veto_grade": None}


def test_rating_scale_keeps_anchors_for_display() -> None:
    assert [str(point.score) for point in TEAMWORK.scale] == ["0.00", "25.00", "50.00", "75.00", "100.00"]
    assert TEAMWORK.scale[2].anchor_zh == "主动分享信息并帮助团队"
    score = TEAMWORK.score(D(5))
    assert score.text("en") == "rating 5 (“Builds the team others want to join”): 100.00"
    assert score.text("zh-hans") == "评分 5（“打造他人向往的团队”）：100.00"
    assert TEAMWORK.describe().text("zh-hans").startswith("评分量表：1 → 0（“独自工作，不分享信息”）；2 → 25（")
    assert TEAMWORK.describe().text("en").startswith("Rating scale: 1 → 0 (“Works alone, withholds information”); 2")
    # An averaged 360 rating between two points is interpolated.
    assert TEAMWORK.score(D("3.6")).value == D("65.00")
    assert RatingScaleRule.even(lowest=1, highest=4).scale[-1].score == D(100)
    assert [p.score for p in RatingScaleRule.even(lowest=1, highest=4).scale] == [D(0), D("33.33"), D("66.67"),
                                                                                    D(100)]


def test_comparison_accepts_what_people_write() -> None:
    assert Comparison.parse("≥ 95") == Comparison(">=", D(95))
    assert Comparison.parse("<=5") == Comparison("≤", D(5))
    assert Comparison.parse("= 0").op == "=="
    assert Comparison.parse("≠0").holds(D(1))
    assert Comparison("!=", D(0)).shown == "≠"
    assert PassFailRule(pass_if=">= 95").pass_if == Comparison(">=", D(95))  # type: ignore[arg-type]
    assert VetoRule(trigger={"op": ">", "bound": "0"}).trigger == Comparison(">", D(0))  # type: ignore[arg-type]


def test_parameters_accept_ints_and_strings_and_become_decimals() -> None:
    rule = LinearRule(threshold=90, target="95", stretch=98.0)  # type: ignore[arg-type]
    assert rule == YIELD
    assert all(isinstance(getattr(rule, name), Decimal) for name in ("threshold", "target", "stretch", "cap"))
    assert hash(rule) == hash(YIELD)  # frozen: usable as a cache key


def test_rules_are_frozen() -> None:
    with pytest.raises(AttributeError):
        YIELD.target = D(96)  # type: ignore[misc]


@pytest.mark.parametrize("rule", ALL_RULES)
def test_stored_form_round_trips_through_json(rule: Rule) -> None:
    stored = json.loads(json.dumps(rule.to_dict(), ensure_ascii=False))
    assert stored == rule.to_dict()
    rebuilt = rule_from_dict(stored)
    assert rebuilt == rule
    assert type(rebuilt) is type(rule)
    assert rebuilt.to_dict() == stored
    assert rebuilt.describe() == rule.describe()


def test_stored_form_is_readable() -> None:
    assert YIELD.to_dict() == {"kind": "linear", "params": {
        "threshold": "90", "target": "95", "stretch": "98", "threshold_score": "60", "target_score": "100",
        "stretch_score": "120", "floor": "0", "cap": "120", "direction": "higher"}}
    assert COMPLAINTS.to_dict()["params"]["bands"] == [["0", "100"], ["2", "80"], ["5", "60"]]
    assert FRAUD.to_dict() == {"kind": "veto", "params": {"trigger": {"op": ">", "bound": "0"}, "effect": "grade",
                                                          "grade": "D"}}
    assert OKR.to_dict() == {"kind": "okr", "params": {}}
    # Trailing zeros survive storage: HR typed 95.0 and reads 95.0 back.
    assert rule_from_dict({"kind": "ratio", "params": {"target": "95.0"}}).to_dict()["params"]["target"] == "95.0"
    # Defaults may be left out of stored data.
    assert rule_from_dict({"kind": "linear", "params": {"threshold": "90", "target": "95", "stretch": "98"}}) == YIELD


def test_explanation_and_score_serialise() -> None:
    score = YIELD.score(D("96.5"))
    assert Explanation.from_dict(json.loads(json.dumps(score.explanation.to_dict()))) == score.explanation
    assert score.to_dict()["value"] == "110.00"


def test_language_names_are_forgiving() -> None:
    assert [normalise_language(x) for x in ("zh-Hans", "zh_CN", "ZH", "zh-hans", "en", "en-GB", "fr")] == [
        "zh-hans", "zh-hans", "zh-hans", "zh-hans", "en", "en", "en"]


def test_a_huge_ratio_is_capped_not_an_arithmetic_error() -> None:
    """Found by hypothesis: a tiny target and a huge value once overflowed the cents of the explanation."""
    from fairmark.indicators.scoring import rule_from_dict

    rule = rule_from_dict({"kind": "ratio", "params": {"target": "0.01", "cap": "120", "direction": "higher"}})
    assert rule.score(Decimal("1E+28")).value == Decimal("120.00")
