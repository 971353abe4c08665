"""Weighted totals: the worked cases of issue 3 and docs/computation.md, computed by hand in the comments.

Convention in the comments: "×" and "+" are exact; "→" is a rounding to 0.01 half-up (the only rounding)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fairmark.indicators.weighting import (
    Adjustment,
    AdjustmentError,
    GroupRating,
    InputError,
    ItemResult,
    RatedItem,
    Section,
    Step,
    Total,
    Veto,
    VetoError,
    WeightError,
    check_weights,
    compute_total,
    q2,
    rate,
    round_ratio,
)

D = Decimal
NO_RATINGS: list[Decimal] = []
UTILISATION = D("85")


def kpi(utilisation: Decimal | None = UTILISATION) -> Section:
    """业绩 KPI 60 %: three indicators, scored by their rules (scoring.py) before they get here."""
    return Section("kpi", "业绩 KPI", D(60), [
        ItemResult("yield", "良品率", D(40), D("110.00"), explanation={"rule": "linear"}),
        ItemResult("on_time", "准时交付率", D(35), D("92.50")),
        ItemResult("utilisation", "稼动率", D(25), utilisation),
    ])


def competencies(*, initiative_self: list[Decimal] | None = None, ratings: bool = True) -> Section:
    """能力/价值观 40 %: two rated items, rater groups manager 60 / peers 20 / self 20 (ratings already 0–100)."""

    def scores(*values: str) -> list[Decimal]:
        return [D(v) for v in values] if ratings else NO_RATINGS

    return Section("values", "能力/价值观", D(40), [
        RatedItem("teamwork", "团队协作", D(50), [
            GroupRating("manager", D(60), scores("80", "90")),
            GroupRating("peer", D(20), scores("70", "80", "90")),
            GroupRating("self", D(20), scores("100")),
        ]),
        RatedItem("initiative", "主动性", D(50), [
            GroupRating("manager", D(60), scores("75")),
            GroupRating("peer", D(20), scores("80", "85", "70")),
            GroupRating("self", D(20), scores("90") if initiative_self is None else initiative_self),
        ]),
    ])


def template(**kwargs: object) -> list[Section]:
    utilisation = kwargs.pop("utilisation", UTILISATION)
    assert utilisation is None or isinstance(utilisation, Decimal)
    return [kpi(utilisation), competencies(**kwargs)]  # type: ignore[arg-type]


def section(total: Total, key: str) -> Decimal | None:
    return next(s.score for s in total.sections if s.key == key)


# ---- the acceptance case ----------------------------------------------------------------------------------------


def test_items_30_percent_at_100_and_70_percent_at_60_make_72() -> None:
    # 100 × 30 % + 60 × 70 % = 30 + 42 = 72.00
    sections = [Section("kpi", "业绩", D(100), [ItemResult("a", "A", D(30), D(100)),
                                                 ItemResult("b", "B", D(70), D(60))])]
    for rule in ("reweight", "zero"):
        total = compute_total(sections, missing=rule)  # type: ignore[arg-type]
        assert total.value == D("72.00")
        assert str(total.value) == "72.00"
        assert total.derivation[-1].value == total.value


# ---- the two-section template ---------------------------------------------------------------------------------


def test_two_section_template_by_hand() -> None:
    total = compute_total(template(), missing="reweight")
    # 业绩 KPI: 110 × 40 % + 92.50 × 35 % + 85 × 25 % = 44 + 32.375 + 21.25 = 97.625 → 97.63 (half up, not 97.62)
    assert section(total, "kpi") == D("97.63")
    # 团队协作: manager (80+90)/2 = 85.00, peers (70+80+90)/3 = 80.00, self 100.00
    #           85 × 60 % + 80 × 20 % + 100 × 20 % = 51 + 16 + 20 = 87.00
    # 主动性:   manager 75.00, peers (80+85+70)/3 = 78.333… → 78.33, self 90.00
    #           75 × 60 % + 78.33 × 20 % + 90 × 20 % = 45 + 15.666 + 18 = 78.666 → 78.67
    values = total.sections[1]
    assert [item.score for item in values.items] == [D("87.00"), D("78.67")]
    assert [g.average for g in values.items[1].groups] == [D("75.00"), D("78.33"), D("90.00")]
    # 能力/价值观: 87 × 50 % + 78.67 × 50 % = 43.5 + 39.335 = 82.835 → 82.84
    assert section(total, "values") == D("82.84")
    # total: 97.63 × 60 % + 82.84 × 40 % = 58.578 + 33.136 = 91.714 → 91.71
    assert total.value == D("91.71")
    assert total.subtotal == D("91.71")
    assert total.forced_grade is None
    assert total.sections[0].items[0].explanation == {"rule": "linear"}


def test_two_section_derivation_reads_line_by_line_in_english() -> None:
    assert compute_total(template(), missing="reweight").lines("en") == [
        "良品率: 110.00 × 40 % = 44.00",
        "准时交付率: 92.50 × 35 % = 32.375",
        "稼动率: 85.00 × 25 % = 21.25",
        "业绩 KPI: the weighted item scores add up to 97.625; section score 97.63",
        "Manager (n = 2): average 85.00 × 60 % = 51.00",
        "Peers (n = 3): average 80.00 × 20 % = 16.00",
        "Self (n = 1): average 100.00 × 20 % = 20.00",
        "团队协作: the rater groups add up to 87.00; item score 87.00",
        "团队协作: 87.00 × 50 % = 43.50",
        "Manager (n = 1): average 75.00 × 60 % = 45.00",
        "Peers (n = 3): average 78.33 × 20 % = 15.666",
        "Self (n = 1): average 90.00 × 20 % = 18.00",
        "主动性: the rater groups add up to 78.666; item score 78.67",
        "主动性: 78.67 × 50 % = 39.335",
        "能力/价值观: the weighted item scores add up to 82.835; section score 82.84",
        "业绩 KPI: 97.63 × 60 % = 58.578",
        "能力/价值观: 82.84 × 40 % = 33.136",
        "Weighted total: the sections add up to 91.714; total 91.71",
        "Total: 91.71",
    ]


def test_two_section_derivation_reads_line_by_line_in_chinese() -> None:
    lines = compute_total(template(), missing="reweight").lines("zh-hans")
    assert lines[:4] == [
        "良品率：110.00 × 40% = 44.00",
        "准时交付率：92.50 × 35% = 32.375",
        "稼动率：85.00 × 25% = 21.25",
        "业绩 KPI：各项加权得分合计 97.625，本部分得分 97.63",
    ]
    assert lines[4] == "上级评（2 份）：平均 85.00 × 60% = 51.00"
    assert lines[5] == "同级评（3 份）：平均 80.00 × 20% = 16.00"
    assert lines[6] == "自评（1 份）：平均 100.00 × 20% = 20.00"
    assert lines[-3:] == [
        "能力/价值观：82.84 × 40% = 33.136",
        "加权总分：各部分合计 91.714，总分 91.71",
        "总分：91.71",
    ]
    # Django's language codes and their variants read the same
    assert compute_total(template(), missing="reweight").lines("zh-Hans") == lines


def test_derivation_steps_are_structured_and_indented() -> None:
    total = compute_total(template(), missing="reweight")
    first = total.derivation[0]
    assert first.code == "item"
    assert first.params["section"] == "kpi"
    assert first.params["item"] == "yield"
    assert first.value == D("44.00")
    assert first.depth == 2
    assert [s.depth for s in total.derivation if s.code.startswith("group")] == [3] * 6
    assert {s.depth for s in total.derivation if s.code in ("section", "section_reweighted")} == {1}
    assert total.derivation[-1].code == "final"
    assert total.derivation[-1].depth == 0


# ---- missing parts: both rules on the same input ---------------------------------------------------------------


def test_missing_indicator_reweight() -> None:
    total = compute_total(template(utilisation=None), missing="reweight")
    # 业绩 KPI without 稼动率 (25 %): (44 + 32.375) ÷ (40 + 35) % = 76.375 ÷ 0.75 = 101.8333… → 101.83
    assert section(total, "kpi") == D("101.83")
    assert total.sections[0].weight_present == D(75)
    # total: 101.83 × 60 % + 82.84 × 40 % = 61.098 + 33.136 = 94.234 → 94.23
    assert total.value == D("94.23")
    lines = total.lines("en")
    assert "稼动率 (25 %): no score, left out; the weights of the items with a score are scaled up" in lines
    assert ("业绩 KPI: the weighted item scores add up to 76.375 ÷ 75 % (the weights of the items with a score) "
            "= section score 101.83") in lines
    assert total.sections[0].items[2].missing
    assert total.sections[0].items[2].contribution is None


def test_missing_indicator_zero() -> None:
    total = compute_total(template(utilisation=None), missing="zero")
    # 业绩 KPI with 稼动率 counted as 0: 44 + 32.375 + 0 = 76.375 → 76.38
    assert section(total, "kpi") == D("76.38")
    # total: 76.38 × 60 % + 82.84 × 40 % = 45.828 + 33.136 = 78.964 → 78.96
    assert total.value == D("78.96")
    assert "稼动率: no score, counted as 0: 0.00 × 25 % = 0.00" in total.lines("en")
    assert "稼动率：无得分，按 0 分计：0.00 × 25% = 0.00" in total.lines("zh-hans")
    assert total.sections[0].items[2].contribution == D("0.00")


def test_same_input_without_missing_parts_gives_the_same_total_under_both_rules() -> None:
    assert compute_total(template(), missing="zero") == compute_total(template(), missing="zero")
    reweight = compute_total(template(), missing="reweight")
    zero = compute_total(template(), missing="zero")
    assert reweight.value == zero.value == D("91.71")
    assert reweight.lines("en") == zero.lines("en")


def test_a_rater_group_without_ratings_is_left_out_under_either_rule() -> None:
    for rule in ("reweight", "zero"):
        total = compute_total(template(initiative_self=[]), missing=rule)  # type: ignore[arg-type]
        # 主动性 without self (20 %): (45 + 15.666) ÷ (60 + 20) % = 60.666 ÷ 0.8 = 75.8325 → 75.83
        assert total.sections[1].items[1].score == D("75.83")
        # 能力/价值观: 87 × 50 % + 75.83 × 50 % = 43.5 + 37.915 = 81.415 → 81.42
        assert section(total, "values") == D("81.42")
        # total: 97.63 × 60 % + 81.42 × 40 % = 58.578 + 32.568 = 91.146 → 91.15
        assert total.value == D("91.15")
        lines = total.lines("en")
        assert "Self (20 %): no ratings, left out; the weights of the groups that rated are scaled up" in lines
        assert ("主动性: the rater groups add up to 60.666 ÷ 80 % (the weights of the groups that rated) "
                "= item score 75.83") in lines


def test_a_section_without_any_score() -> None:
    reweight = compute_total(template(ratings=False), missing="reweight")
    # 能力/价值观 has no rating at all: left out; 97.63 × 60 % = 58.578 ÷ 60 % = 97.63
    assert section(reweight, "values") is None
    assert reweight.value == D("97.63")
    assert "Weighted total: the sections add up to 58.578 ÷ 60 % (the weights of the sections with a score) = 97.63" \
        in reweight.lines("en")
    zero = compute_total(template(ratings=False), missing="zero")
    # counted as 0: 97.63 × 60 % + 0 × 40 % = 58.578 → 58.58
    assert section(zero, "values") == D("0.00")
    assert zero.value == D("58.58")
    assert "团队协作: no rater group has rated, so the item has no score" in zero.lines("en")


@pytest.mark.parametrize("rule", ["reweight", "zero"])
def test_nothing_scored_gives_no_total_and_says_why(rule: str) -> None:
    sections = [kpi(None), competencies(ratings=False)]
    sections[0] = Section("kpi", "业绩 KPI", D(60), [ItemResult(i.key, i.label, i.weight, None)
                                                     for i in sections[0].items if isinstance(i, ItemResult)])
    total = compute_total(sections, missing=rule,  # type: ignore[arg-type]
                          adjustments=[Adjustment(D(3), "牵头完成 MES 切换", D(5))])
    assert total.value is None
    assert total.subtotal is None
    assert all(s.score is None for s in total.sections)
    lines = total.lines("en")
    assert "良品率: no score" in lines
    assert "No item has a score, so there is no total." in lines
    assert "Adjustment +3.00 points (牵头完成 MES 切换) not applied: there is no total" in lines
    assert lines[-1] == "Total: none, as nothing has a score"
    assert total.lines("zh-hans")[-1] == "总分：无（没有任何得分）"
    assert total.derivation[-1].value is None


def test_nothing_scored_with_a_triggered_zero_veto_is_zero() -> None:
    sections = [Section("kpi", "KPI", D(100), [ItemResult("a", "A", D(100), None)])]
    total = compute_total(sections, missing="reweight", vetoes=[Veto(True, "total_zero", None, "重大安全事故")])
    assert total.value == D("0.00")
    assert total.lines("en")[-2:] == ["Veto (重大安全事故): the total is set to 0: — → 0.00", "Total: 0.00"]


# ---- adjustments (加减分) ----------------------------------------------------------------------------------------


def test_adjustments_within_the_cap_apply_in_order() -> None:
    adjustments = [Adjustment(D(3), "牵头完成 MES 切换", D(5)), Adjustment(D("-2.5"), "两次迟交周报", D(5))]
    total = compute_total(template(), missing="reweight", adjustments=adjustments)
    # 91.71 + 3 = 94.71; 94.71 − 2.50 = 92.21
    assert total.subtotal == D("91.71")
    assert total.value == D("92.21")
    lines = total.lines("en")
    assert "Adjustment +3.00 points (牵头完成 MES 切换): 91.71 → 94.71" in lines
    assert "Adjustment -2.50 points (两次迟交周报): 94.71 → 92.21" in lines
    assert "加减分 +3.00 分（牵头完成 MES 切换）：91.71 → 94.71" in total.lines("zh-hans")


def test_an_adjustment_at_the_cap_is_accepted_and_beyond_it_refused() -> None:
    Adjustment(D(5), "季度质量之星", D(5))
    Adjustment(D(-5), "客户投诉", D(5))
    with pytest.raises(AdjustmentError) as caught:
        Adjustment(D("5.01"), "季度质量之星", D(5))
    assert caught.value.code == "adjustment_over_cap"
    assert caught.value.message("en") == "An adjustment of +5.01 points is beyond the cap of ±5.00 points."
    assert caught.value.message("zh-hans") == "加减分 +5.01 分超出上限 ±5.00 分。"
    with pytest.raises(AdjustmentError):
        Adjustment(D(-6), "客户投诉", D(5))


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_adjustment_without_a_reason_is_refused(reason: str) -> None:
    with pytest.raises(AdjustmentError) as caught:
        Adjustment(D(2), reason, D(5))
    assert caught.value.code == "adjustment_reason_required"
    assert caught.value.message("en") == "An adjustment of +2.00 points needs a reason."
    assert caught.value.message("zh-hans") == "加减分 +2.00 分必须填写理由。"


@pytest.mark.parametrize(("points", "cap", "code"), [
    (D("1.005"), D(5), "adjustment_precision"),
    (1.5, D(5), "adjustment_not_number"),
    (D("NaN"), D(5), "adjustment_not_number"),
    (D(1), D(-1), "adjustment_cap_invalid"),
    (D(1), D("5.001"), "adjustment_cap_invalid"),
])
def test_adjustment_numbers_are_checked(points: object, cap: object, code: str) -> None:
    with pytest.raises(AdjustmentError) as caught:
        Adjustment(points, "理由", cap)  # type: ignore[arg-type]
    assert caught.value.code == code


# ---- the clamp ---------------------------------------------------------------------------------------------------


def test_the_total_is_clamped_after_adjustments() -> None:
    single = [Section("kpi", "KPI", D(100), [ItemResult("a", "A", D(100), D("118.50"))])]
    capped = compute_total(single, missing="reweight", score_cap=D(120), adjustments=[Adjustment(D(3), "r", D(5))])
    # 118.50 + 3 = 121.50 > 120 → 120.00
    assert capped.value == D("120.00")
    assert "Above the cap of 120.00, capped: 121.50 → 120.00" in capped.lines("en")
    low = [Section("kpi", "KPI", D(100), [ItemResult("a", "A", D(100), D(1))])]
    floored = compute_total(low, missing="reweight", adjustments=[Adjustment(D(-3), "r", D(5))])
    # 1.00 − 3 = −2.00 < 0 → 0.00
    assert floored.value == D("0.00")
    assert "低于下限 0.00 分，按下限计：-2.00 → 0.00" in floored.lines("zh-hans")


def test_bounds_are_checked() -> None:
    single = [Section("kpi", "KPI", D(100), [ItemResult("a", "A", D(100), D(50))])]
    with pytest.raises(InputError) as caught:
        compute_total(single, missing="reweight", score_floor=D(50), score_cap=D(40))
    assert caught.value.code == "bounds_invalid"
    with pytest.raises(InputError):
        compute_total(single, missing="sometimes")  # type: ignore[arg-type]


# ---- vetoes (一票否决) -------------------------------------------------------------------------------------------


def test_a_triggered_veto_sets_the_total_to_zero() -> None:
    total = compute_total(template(), missing="reweight", adjustments=[Adjustment(D(3), "牵头完成 MES 切换", D(5))],
                          vetoes=[Veto(True, "total_zero", None, "重大安全事故")])
    assert total.subtotal == D("91.71")
    assert total.value == D("0.00")
    assert total.forced_grade is None
    assert total.lines("en")[-2:] == ["Veto (重大安全事故): the total is set to 0: 94.71 → 0.00", "Total: 0.00"]
    assert total.lines("zh-hans")[-2] == "一票否决（重大安全事故）：总分归零：94.71 → 0.00"


def test_a_veto_to_zero_is_not_undone_by_a_floor() -> None:
    total = compute_total(template(), missing="reweight", score_floor=D(40),
                          vetoes=[Veto(True, "total_zero", None, "重大安全事故")])
    assert total.value == D("0.00")


def test_a_triggered_veto_forces_the_grade_and_keeps_the_total() -> None:
    total = compute_total(template(), missing="reweight", vetoes=[
        Veto(False, "total_zero", None, "重大安全事故"),
        Veto(True, "grade", "D", "违反质量红线"),
        Veto(True, "grade", "C", "客户重大投诉"),
    ])
    assert total.value == D("91.71")
    assert total.forced_grade == "D"
    assert total.lines("en")[-4:] == [
        "Veto not triggered: 重大安全事故",
        "Veto (违反质量红线): the grade is set to D",
        "Veto (客户重大投诉) would set the grade to C; an earlier veto has already set it to D",
        "Total: 91.71; grade set by veto: D",
    ]
    assert total.lines("zh-hans")[-1] == "总分：91.71；一票否决定级：D"


def test_an_untriggered_veto_changes_nothing() -> None:
    total = compute_total(template(), missing="reweight", vetoes=[Veto(False, "grade", "D", "违反质量红线")])
    assert total.value == D("91.71")
    assert total.forced_grade is None


@pytest.mark.parametrize(("effect", "grade", "reason", "code"), [
    ("grade", None, "违反质量红线", "veto_grade_required"),
    ("grade", " ", "违反质量红线", "veto_grade_required"),
    ("total_zero", "D", "重大安全事故", "veto_grade_unexpected"),
    ("total_zero", None, "", "veto_reason_required"),
    ("fire", None, "r", "veto_effect_unknown"),
])
def test_vetoes_are_checked(effect: str, grade: str | None, reason: str, code: str) -> None:
    with pytest.raises(VetoError) as caught:
        Veto(True, effect, grade, reason)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert caught.value.message("zh-hans")


# ---- weights ---------------------------------------------------------------------------------------------------


def test_weights_30_and_69_99_are_refused_in_both_languages() -> None:
    with pytest.raises(WeightError) as caught:
        check_weights([D(30), D("69.99")], label="业绩 KPI")
    error = caught.value
    assert error.code == "weights_sum"
    assert error.params["label"] == "业绩 KPI"
    assert error.message("en") == "The weights add up to 99.99 %, not 100 %: 30 + 69.99"
    assert error.message("zh-hans") == "权重合计为 99.99%，应为 100%：30 + 69.99"
    assert str(error) == "业绩 KPI: The weights add up to 99.99 %, not 100 %: 30 + 69.99"


def test_weights_30_and_70_are_accepted() -> None:
    check_weights([D(30), D(70)], label="业绩 KPI")
    check_weights([D("30.00"), D("70.0")], label="业绩 KPI")
    check_weights([D("33.33"), D("33.33"), D("33.34")], label="x")
    check_weights([D(100), D(0)], label="x")


@pytest.mark.parametrize(("weights", "code", "en", "zh"), [
    ([], "weights_empty", "There are no weights: add at least one item.", "没有任何权重：请至少添加一项。"),
    ([D(110), D(-10)], "weight_too_large", "A weight cannot be more than 100 %: 110.", "权重不能超过 100%：110。"),
    ([D(-10), D(110)], "weight_negative", "A weight cannot be negative: -10.", "权重不能为负数：-10。"),
    ([D("30.005"), D("69.995")], "weight_precision", "A weight has at most 2 decimal places: 30.005.",
     "权重最多保留 2 位小数：30.005。"),
    ([30.0, 70.0], "weight_not_number", "A weight must be a decimal number: 30.0.", "权重必须是一个小数：30.0。"),
    ([D("Infinity")], "weight_not_number", "A weight must be a decimal number: Infinity.",
     "权重必须是一个小数：Infinity。"),
    ([D(60), D(60)], "weights_sum", "The weights add up to 120 %, not 100 %: 60 + 60",
     "权重合计为 120%，应为 100%：60 + 60"),
])
def test_bad_weights_are_refused_with_a_clear_message(weights: list[object], code: str, en: str, zh: str) -> None:
    with pytest.raises(WeightError) as caught:
        check_weights(weights, label="x")  # type: ignore[arg-type]
    assert caught.value.code == code
    assert caught.value.message("en") == en
    assert caught.value.message("zh-hans") == zh


def test_int_weights_are_exact_and_accepted() -> None:
    check_weights([30, 70], label="x")  # type: ignore[list-item]


def test_compute_total_checks_every_level_of_weights() -> None:
    bad_sections = [kpi(), Section("values", "能力/价值观", D("39.99"), competencies().items)]
    with pytest.raises(WeightError) as caught:
        compute_total(bad_sections, missing="reweight")
    assert caught.value.params["label"] == "sections"
    assert caught.value.message("en") == "The weights add up to 99.99 %, not 100 %: 60 + 39.99"
    bad_items = [Section("kpi", "业绩 KPI", D(60), [ItemResult("a", "A", D(30), D(1)),
                                                    ItemResult("b", "B", D("69.99"), D(1))]), competencies()]
    with pytest.raises(WeightError) as caught:
        compute_total(bad_items, missing="reweight")
    assert caught.value.params["label"] == "业绩 KPI"
    bad_groups = [kpi(), Section("values", "能力/价值观", D(40), [RatedItem("t", "团队协作", D(100), [
        GroupRating("manager", D(60), [D(80)]), GroupRating("peer", D(20), [D(80)])])])]
    with pytest.raises(WeightError) as caught:
        compute_total(bad_groups, missing="reweight")
    assert caught.value.params["label"] == "团队协作"
    assert caught.value.message("zh-hans") == "权重合计为 80%，应为 100%：60 + 20"


# ---- shape of the input ------------------------------------------------------------------------------------------


def test_input_shape_is_checked() -> None:
    with pytest.raises(InputError) as caught:
        compute_total([Section("kpi", "业绩 KPI", D(100), [ItemResult("a", "A", D(50), D(1)),
                                                            ItemResult("a", "B", D(50), D(1))])], missing="zero")
    assert caught.value.code == "duplicate_key"
    assert caught.value.message("zh-hans") == "“a”在业绩 KPI中重复出现。"
    with pytest.raises(InputError) as caught:
        compute_total([kpi(), Section("kpi", "again", D(40), competencies().items)], missing="zero")
    assert caught.value.code == "duplicate_key"
    with pytest.raises(InputError) as caught:
        ItemResult("a", "A", D(50), 99.5)  # type: ignore[arg-type]
    assert caught.value.code == "score_not_number"
    with pytest.raises(InputError) as caught:
        ItemResult("a", "A", D(50), D(1), kind="guess")  # type: ignore[arg-type]
    assert caught.value.code == "kind_unknown"
    with pytest.raises(InputError) as caught:
        GroupRating("boss", D(60), [D(1)])  # type: ignore[arg-type]
    assert caught.value.code == "group_unknown"
    with pytest.raises(InputError) as caught:
        RatedItem("t", "团队协作", D(100), [GroupRating("peer", D(50)), GroupRating("peer", D(50))])
    assert caught.value.code == "group_duplicate"
    assert caught.value.message("en") == "The rater group Peers appears twice in 团队协作."
    with pytest.raises(InputError) as caught:
        GroupRating("peer", D(50), [D("NaN")])
    assert caught.value.code == "rating_not_number"


def test_numbers_too_long_to_be_exact_are_refused_not_rounded() -> None:
    huge = [Section("kpi", "KPI", D(100), [ItemResult("a", "A", D(50), D("1E+200")),
                                           ItemResult("b", "B", D(50), D("0.01"))])]
    with pytest.raises(InputError) as caught:
        compute_total(huge, missing="zero")
    assert caught.value.code == "too_many_digits"


# ---- rounding ---------------------------------------------------------------------------------------------------


def test_rounding_is_half_up_away_from_zero() -> None:
    assert q2(D("97.625")) == D("97.63")
    assert q2(D("0.005")) == D("0.01")
    assert q2(D("0.0049999")) == D("0.00")
    assert q2(D("-2.345")) == D("-2.35")
    assert str(q2(D("-0.001"))) == "0.00"
    assert round_ratio(D(235), D(3)) == D("78.33")
    assert round_ratio(D(2), D(3)) == D("0.67")


def test_item_scores_are_taken_at_two_places() -> None:
    # 96.505 → 96.51; 96.51 × 100 % = 96.51
    sections = [Section("kpi", "KPI", D(100), [ItemResult("a", "A", D(100), D("96.505"))])]
    total = compute_total(sections, missing="reweight")
    assert total.sections[0].items[0].score == D("96.51")
    assert total.value == D("96.51")


def test_rate_on_its_own() -> None:
    rated = rate(RatedItem("t", "团队协作", D(100), [GroupRating("manager", D(60), [D(80), D(90)]),
                                                     GroupRating("peer", D(20), []),
                                                     GroupRating("self", D(20), [D(100)])]))
    # (85 × 60 % + 100 × 20 %) ÷ 80 % = (51 + 20) ÷ 0.8 = 88.75
    assert rated.score == D("88.75")
    assert rated.weight_present == D(80)
    assert [g.count for g in rated.groups] == [2, 0, 1]
    assert rated.derivation[-1].code == "rated_reweighted"
    nobody = rate(RatedItem("t", "团队协作", D(100), [GroupRating("manager", D(100), [])]))
    assert nobody.score is None


# ---- storing a derivation ------------------------------------------------------------------------------------------


def test_steps_survive_json() -> None:
    import json

    total = compute_total(template(utilisation=None), missing="reweight",
                          adjustments=[Adjustment(D(3), "牵头完成 MES 切换", D(5))],
                          vetoes=[Veto(True, "grade", "D", "违反质量红线")])
    stored = json.loads(json.dumps([step.to_json() for step in total.derivation]))
    restored = [Step.from_json(data) for data in stored]
    assert restored == total.derivation
    assert [s.text("zh-hans") for s in restored] == total.lines("zh-hans")
