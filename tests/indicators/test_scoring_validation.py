"""Parameter validation: every error names its field and reads in English and in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from fairmark.indicators.scoring import (
    ERRORS,
    FIELDS,
    AdditionRule,
    Comparison,
    DeductionRule,
    LinearRule,
    PassFailRule,
    RatingScaleRule,
    RatioRule,
    Rule,
    RuleError,
    StepRule,
    VetoRule,
    rule_from_dict,
)

D = Decimal


def linear(**overrides: Any) -> Callable[[], Rule]:
    params: dict[str, Any] = {"threshold": D(90), "target": D(95), "stretch": D(98), **overrides}
    return lambda: LinearRule(**params)


def defects(**overrides: Any) -> Callable[[], Rule]:
    params: dict[str, Any] = {"threshold": D(8), "target": D(5), "stretch": D(3), "direction": "lower", **overrides}
    return lambda: LinearRule(**params)


def stored(kind: str, **params: Any) -> Callable[[], Rule]:
    return lambda: rule_from_dict({"kind": kind, "params": params})


# (id, build, code, field, text expected in the English message, text expected in the Chinese message)
CASES: list[tuple[str, Callable[[], object], str, str, str, str]] = [
    ("threshold above target", linear(threshold=D(96)), "linear.threshold_order", "threshold",
     "threshold (96) must be below the target (95)", "门槛值（96）必须小于目标值（95）"),
    ("stretch below target", linear(stretch=D(94)), "linear.stretch_order", "stretch",
     "stretch (94) must be above the target (95)", "挑战值（94）必须大于目标值（95）"),
    ("lower: threshold below target", defects(threshold=D(4)), "linear.lower.threshold_order", "threshold",
     "When lower is better the threshold (4) must be above the target (5)", "越低越好时，门槛值（4）必须大于目标值（5）"),
    ("lower: stretch above target", defects(stretch=D(6)), "linear.lower.stretch_order", "stretch",
     "stretch (6) must be below the target (5)", "挑战值（6）必须小于目标值（5）"),
    ("lower with a rising order", linear(direction="lower"), "linear.lower.threshold_order", "threshold",
     "lower is better", "越低越好"),
    ("higher with a falling order", defects(direction="higher"), "linear.threshold_order", "threshold",
     "higher is better", "越高越好"),
    ("equal threshold and target", linear(threshold=D(95)), "linear.threshold_order", "threshold",
     "threshold (95)", "门槛值（95）"),
    ("target score not above threshold score", linear(target_score=D(60)), "linear.target_score_order",
     "target_score", "target score (60) must be above the threshold score (60)", "目标得分（60）必须大于门槛得分（60）"),
    ("stretch score not above target score", linear(stretch_score=D(90)), "linear.stretch_score_order",
     "stretch_score", "stretch score (90)", "挑战得分（90）"),
    ("floor above threshold score", linear(floor=D(70)), "linear.floor_order", "floor",
     "floor (70) must not be above the threshold score (60)", "保底分（70）不能高于门槛得分（60）"),
    ("cap below stretch score", linear(cap=D(110)), "linear.cap_order", "cap",
     "cap (110) must not be below the stretch score (120)", "封顶分（110）不能低于挑战得分（120）"),
    ("unknown direction", linear(direction="up"), "direction.invalid", "direction",
     "direction must be “higher”", "指标方向必须是“higher”"),
    ("not a number", linear(target="ninety-five"), "value.not_a_number", "target",
     "target must be a number, not “ninety-five”", "目标值必须是数字"),
    ("a bool is not a number", linear(target=True), "value.not_a_number", "target", "target", "目标值"),
    ("NaN parameter", linear(stretch=D("NaN")), "value.not_finite", "stretch", "stretch must be a finite number",
     "挑战值必须是有限的数字"),
    ("huge parameter", linear(stretch=D("1e20")), "value.too_large", "stretch",
     "stretch (100000000000000000000) is too large",
     "挑战值（100000000000000000000）过大"),
    ("too many places", linear(target=D("95.0000001")), "value.too_precise", "target",
     "more than 6 decimal places", "小数位超过 6 位"),
    ("ratio target zero", lambda: RatioRule(target=D(0)), "ratio.target_not_positive", "target",
     "target (0) must be above 0", "目标值（0）必须大于 0"),
    ("ratio floor at cap", lambda: RatioRule(target=D(95), floor=D(120)), "range.floor_order", "floor",
     "floor (120) must be below the cap (120)", "保底分（120）必须小于封顶分（120）"),
    ("step without bands", lambda: StepRule(bands=[]), "step.empty", "bands", "at least one band", "至少需要一个区间"),
    ("step with too many bands", lambda: StepRule(bands=[(D(i), D(i)) for i in range(51)]), "step.too_many",
     "bands", "more than 50 bands", "超过 50 个"),
    ("step band not a pair",
     lambda: StepRule(bands=[(D(1), D(2), D(3))]),  # type: ignore[list-item]
     "step.bad_band", "bands",
     "Band 1 must be a pair", "第 1 个区间"),
    ("step bounds not rising", lambda: StepRule(bands=[(D(90), D(60)), (D(90), D(80))]), "step.bound_order",
     "bands", "90 (band 2) does not come after 90", "第 2 个区间的 90 没有大于 90"),
    ("step scores falling", lambda: StepRule(bands=[(D(90), D(80)), (D(95), D(60))]), "step.score_order", "bands",
     "60 (band 2) is below 80", "第 2 个区间的 60 低于 80"),
    ("lower: step scores rising", lambda: StepRule(bands=[(D(3), D(60)), (D(5), D(80))], direction="lower"),
     "step.lower.score_order", "bands", "must not rise", "不能随界限值升高而升高"),
    ("step floor above worst band", lambda: StepRule(bands=[(D(90), D(60))], floor=D(70)), "step.floor_order",
     "floor", "floor (70) must not be above the worst band's score (60)", "保底分（70）不能高于最差区间的得分（60）"),
    ("deduction without points", lambda: DeductionRule(points_per_incident=D(0)), "points.not_positive",
     "points_per_incident", "points per incident (0) must be above 0", "每次扣分（0）必须大于 0"),
    ("deduction floor at base", lambda: DeductionRule(points_per_incident=D(5), floor=D(100)),
     "deduction.floor_order", "floor", "floor (100) must be below the base (100)", "保底分（100）必须小于基础分（100）"),
    ("addition negative points", lambda: AdditionRule(points_per_unit=D(-1), cap=D(10)), "points.not_positive",
     "points_per_unit", "points per unit (-1) must be above 0", "每项加分（-1）必须大于 0"),
    ("addition cap at base", lambda: AdditionRule(points_per_unit=D(1), cap=D(0)), "addition.cap_order", "cap",
     "cap (0) must be above the base (0)", "封顶分（0）必须大于基础分（0）"),
    ("pass score not above fail", lambda: PassFailRule(pass_if=Comparison(">=", D(95)), pass_score=D(0)),
     "passfail.score_order", "fail_score", "pass score (0) must be above the fail score (0)", "合格得分（0）必须大于不合格得分（0）"),
    ("unknown comparison", lambda: Comparison("=>", D(1)), "comparison.op", "op", "Unknown comparison “=>”",
     "无法识别的比较符“=>”"),
    ("comparison text without operator", lambda: Comparison.parse("about 5"), "comparison.op", "op",
     "Unknown comparison", "无法识别的比较符"),
    ("comparison of the wrong shape", stored("pass_fail", pass_if=5), "comparison.bad", "pass_if",
     "pass condition must be a comparison", "合格条件必须是比较条件"),
    ("veto effect unknown", lambda: VetoRule(trigger=Comparison(">", D(0)), effect="fire"),  # type: ignore[arg-type]
     "veto.effect", "effect", "not “fire”", "而不是“fire”"),
    ("grade veto without grade", lambda: VetoRule(trigger=Comparison(">", D(0)), effect="grade"),
     "veto.grade_required", "grade", "needs the grade", "必须填写等级"),
    ("grade veto with blank grade", lambda: VetoRule(trigger=Comparison(">", D(0)), effect="grade", grade="  "),
     "veto.grade_required", "grade", "needs the grade", "必须填写等级"),
    ("zero veto with grade", lambda: VetoRule(trigger=Comparison(">", D(0)), grade="D"), "veto.grade_unexpected",
     "grade", "takes no grade", "不需要填写等级"),
    ("grade not text", stored("veto", trigger=">0", effect="grade", grade=3), "text.not_text", "grade",
     "grade must be text", "等级必须是文字"),
    ("anchor too long", lambda: RatingScaleRule(points=[(D(1), D(0), "x" * 501, "长"), (D(2), D(100))]),
     "text.too_long", "anchor_en", "English anchor is longer than 500 characters", "英文行为描述超过 500 个字符"),
    ("rating scale of one point", lambda: RatingScaleRule(points=[(D(1), D(0))]), "rating.too_few", "points",
     "at least two points", "至少需要两档"),
    ("rating scale of 22 points", lambda: RatingScaleRule(points=[(D(i), D(i)) for i in range(22)]),
     "rating.too_many", "points", "at most 21 points", "最多 21 档"),
    ("rating point malformed",
     lambda: RatingScaleRule(points=[(D(1),), (D(2), D(100))]),  # type: ignore[list-item]
     "rating.bad_point",
     "points", "Point 1 must be a rating", "第 1 档"),
    ("ratings not rising", lambda: RatingScaleRule(points=[(D(2), D(0)), (D(1), D(100))]), "rating.order",
     "points", "1 (point 2) does not come after 2", "第 2 档的 1 没有大于 2"),
    ("rating scores falling", lambda: RatingScaleRule(points=[(D(1), D(50)), (D(2), D(0))]), "rating.score_order",
     "points", "0 (point 2) is below 50", "第 2 档的 0 低于 50"),
    ("anchor in one language", lambda: RatingScaleRule(points=[(D(1), D(0), "Rarely", ""), (D(2), D(100))]),
     "rating.anchor_incomplete", "anchor_zh", "Rating 1 has its anchor in one language only",
     "评分 1 的行为描述只有一种语言"),
    ("stored rule not an object",
     lambda: rule_from_dict(["linear"]),  # type: ignore[arg-type]
     "rule.not_a_dict", "kind", "must be an object", "必须是包含"),
    ("stored rule with extra keys", lambda: rule_from_dict({"kind": "okr", "params": {}, "x": 1}), "rule.not_a_dict",
     "kind", "“kind” and “params”", "“kind”和“params”"),
    ("stored params not an object", lambda: rule_from_dict({"kind": "okr", "params": []}), "rule.not_a_dict", "params",
     "must be an object", "必须是包含"),
    ("unknown kind", stored("bonus"), "rule.unknown_kind", "kind", "Unknown scoring rule type “bonus”",
     "未知的计分规则类型“bonus”"),
    ("missing parameter", stored("linear", threshold="90", target="95"), "rule.missing_param", "stretch",
     "The stretch is required", "挑战值为必填项"),
    ("unknown parameter", stored("okr", scale="100"), "rule.unknown_param", "params",
     "“scale” is not a parameter", "“scale”不是该计分规则的参数"),
    ("float bands from JSON are fine but text is not", stored("step", bands=[["a", "1"]]), "value.not_a_number",
     "bands", "bands must be a number, not “a”", "区间必须是数字"),
]


@pytest.mark.parametrize(("build", "code", "field", "en", "zh"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_invalid_parameters_are_rejected_in_both_languages(
    build: Callable[[], object], code: str, field: str, en: str, zh: str
) -> None:
    with pytest.raises(RuleError) as caught:
        build()
    error = caught.value
    assert (error.code, error.field) == (code, field)
    assert en in error.message("en"), error.message("en")
    assert zh in error.message("zh-hans"), error.message("zh-hans")
    assert error.message("zh-Hans") == error.message("zh-hans")
    assert str(error) == error.message("en")
    assert error.to_dict()["field"] == field
    assert isinstance(error, ValueError)  # forms and serializers that catch ValueError keep working


def test_every_error_code_is_exercised_and_has_both_languages() -> None:
    assert {case[2] for case in CASES} == set(ERRORS)
    for code, templates in ERRORS.items():
        assert set(templates) == {"en", "zh-hans"}, code
    for name, labels in FIELDS.items():
        assert set(labels) == {"en", "zh-hans"}, name


def test_fields_named_by_errors_have_labels() -> None:
    assert {case[3] for case in CASES} <= set(FIELDS)


def test_valid_edge_parameters_are_accepted() -> None:
    # The floor may equal the threshold score, the cap may equal the stretch score, bands may share a score.
    LinearRule(threshold=D(90), target=D(95), stretch=D(98), floor=D(60))
    LinearRule(threshold=D("0.000001"), target=D("0.000002"), stretch=D("0.000003"))
    StepRule(bands=[(D(1), D(50)), (D(2), D(50))])
    RatingScaleRule(points=[(D(1), D(0)), (D(2), D(0)), (D(3), D(100))])
    VetoRule(trigger=Comparison(">", D(0)), effect="grade", grade=" C ")
    assert VetoRule(trigger=Comparison(">", D(0)), effect="grade", grade=" C ").grade == "C"
    assert LinearRule(threshold=D("90.0000000"), target=D(95), stretch=D(98)).threshold == D(90)  # zeros are exact
