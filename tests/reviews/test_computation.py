"""The review computation (DESIGN.md C5): a template version plus one person's inputs → the weighted total, with
anonymity applied before weighting, and pro rata over a mid-cycle transfer. Pure: no database.

Every expected figure is worked out by hand in the comment above it. Rounding is 0.01 half up, applied to a
rater group's average, an item's, a section's and the total's score; products and sums are exact."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairmark.indicators.library import indicators_by_code, templates_by_code
from fairmark.indicators.weighting import AdjustmentError, Total
from fairmark.indicators.weighting.numbers import round_ratio
from fairmark.reviews.anonymity import ANONYMOUS_GROUPS, KNOWN_GROUPS, Rating, aggregate
from fairmark.reviews.computation import (
    ComputationError,
    PartInputs,
    RatingIn,
    ReviewResult,
    TemplateSpec,
    compute_part,
    compute_review,
    item_key,
    total_to_json,
)

D = Decimal
RATING = {"kind": "rating", "params": {"points": [["1", "0"], ["2", "25"], ["3", "50"], ["4", "75"], ["5", "100"]]}}
MAPPED = {1: D(0), 2: D(25), 3: D(50), 4: D(75), 5: D(100)}  # the 1–5 scale, written out independently
INDICATORS: dict[str, dict[str, Any]] = {
    # linear: 60 at the threshold, 100 at the target, 120 at the stretch (docs/scoring.md)
    "yield_rate": {"name_zh": "良品率", "name_en": "Yield",
                   "scoring": {"kind": "linear", "params": {"threshold": "90", "target": "95", "stretch": "98"}}},
    "on_time": {"name_zh": "准时交付率", "name_en": "On-time delivery",
                "scoring": {"kind": "linear", "params": {"threshold": "80", "target": "90", "stretch": "100"}}},
    "teamwork": {"name_zh": "团队协作", "name_en": "Teamwork", "scoring": RATING},
    "initiative": {"name_zh": "主动性", "name_en": "Initiative", "scoring": RATING},
    "serious_incidents": {"name_zh": "重大安全事故", "name_en": "Serious incidents",
                          "scoring": {"kind": "veto", "params": {"trigger": {"op": ">=", "bound": "1"},
                                                                 "effect": "grade", "grade": "D"}}},
    "fraud": {"name_zh": "舞弊", "name_en": "Fraud",
              "scoring": {"kind": "veto", "params": {"trigger": {"op": ">=", "bound": "1"}, "effect": "total_zero"}}},
}
M60_P20_S20 = [{"group": "manager", "weight": "60"}, {"group": "peer", "weight": "20"}, {"group": "self", "weight": "20"}]
Q1 = (date(2025, 1, 1), date(2025, 3, 31))  # 31 + 28 + 31 = 90 days
Q3 = (date(2025, 7, 1), date(2025, 9, 30))  # 31 + 31 + 30 = 92 days
ID = 9_000_001_000  # rater ids: ten digits, longer than any figure a result holds, so a leak cannot hide


def rated(code: str, weight: str, groups: Sequence[Mapping[str, str]] = M60_P20_S20) -> dict[str, Any]:
    return {"kind": "rated", "indicator": code, "weight": weight, "rater_groups": list(groups)}


def kpi_behaviour(*, behaviour: Sequence[dict[str, Any]] | None = None,
                  extra: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """KPI 60 % (yield 50 / on-time 50) and behaviour 40 % (teamwork, manager 60 / peer 20 / self 20)."""
    sections: list[dict[str, Any]] = [
        {"key": "kpi", "name_zh": "业绩 KPI", "name_en": "KPIs", "weight": "60",
         "items": [{"kind": "indicator", "indicator": "yield_rate", "weight": "50"},
                   {"kind": "indicator", "indicator": "on_time", "weight": "50"}]},
        {"key": "behaviour", "name_zh": "能力/价值观", "name_en": "Behaviour", "weight": "40",
         "items": list(behaviour) if behaviour is not None else [rated("teamwork", "100")]},
    ]
    if extra:
        sections.append({"key": "adjustments", "name_zh": "加减分与一票否决", "name_en": "Adjustments and vetoes",
                         "weight": "0", "items": list(extra)})
    return sections


def spec(sections: list[dict[str, Any]], missing: str = "reweight") -> TemplateSpec:
    return TemplateSpec(sections, missing, INDICATORS)


def r(n: int, group: str, rating: int, item: str = "teamwork") -> RatingIn:
    return RatingIn(ID + n, group, item, D(rating))


# manager 4 → 75, self 5 → 100; peers 4, 4, 3 → 75, 75, 50
MANAGER_SELF = [r(1, "manager", 4), r(2, "self", 5)]
THREE_PEERS = [r(11, "peer", 4), r(12, "peer", 4), r(13, "peer", 3)]
VALUES = {"yield_rate": D("96.5"), "on_time": D(85)}


def inputs(ratings: Sequence[RatingIn] = (*MANAGER_SELF, *THREE_PEERS), **kwargs: Any) -> PartInputs:
    values = kwargs.pop("values", VALUES)
    return PartInputs(values=values, ratings=tuple(ratings), **kwargs)


def item(total: Total, key: str) -> Any:
    return next(outcome for section in total.sections for outcome in section.items if outcome.key == key)


def codes(total: Total) -> list[str]:
    return [step.code for step in total.derivation]


# ---- 1. two sections: KPI from data, behaviour rated ------------------------------------------------------------


def test_two_section_template_exact_total() -> None:
    total = compute_part(spec(kpi_behaviour()), inputs(sources={"yield_rate": [11, 12]}))
    # yield 96.5 on 90/95/98: 100 + (96.5 − 95) × 20 / 3 = 110.00; on-time 85 on 80/90/100: 60 + 5 × 40 / 10 = 80.00
    # KPI: 110 × 50 % + 80 × 50 % = 55 + 40 = 95.00
    assert [item(total, "yield_rate").score, item(total, "on_time").score] == [D("110.00"), D("80.00")]
    assert total.sections[0].score == D("95.00")
    # teamwork: manager 75; peers (75 + 75 + 50) / 3 = 66.666… → 66.67; self 100
    # 75 × 60 % + 66.67 × 20 % + 100 × 20 % = 45 + 13.334 + 20 = 78.334 → 78.33
    assert item(total, "teamwork").score == D("78.33")
    assert total.sections[1].score == D("78.33")
    # total: 95 × 60 % + 78.33 × 40 % = 57 + 31.332 = 88.332 → 88.33
    assert total.value == D("88.33")
    assert total.forced_grade is None
    explanation = item(total, "yield_rate").explanation
    assert explanation["indicator"] == "yield_rate"
    assert explanation["value"] == "96.5"
    assert explanation["rule"] == {"kind": "linear", "params": explanation["rule"]["params"]}
    assert explanation["rule"]["params"]["target"] == "95"
    assert explanation["explanation"]["code"] == "linear.above_target"
    assert explanation["explanation"]["params"]["score"] == "110.00"
    assert explanation["sources"] == [11, 12]
    assert explanation["goal_line"] is False
    groups = {g["group"]: g for g in item(total, "teamwork").explanation["groups"]}
    assert groups == {"manager": {"group": "manager", "weight": "60", "count": 1, "mean": "75.00", "sources": 1},
                      "peer": {"group": "peer", "weight": "20", "count": 3, "mean": "66.67", "sources": 1},
                      "self": {"group": "self", "weight": "20", "count": 1, "mean": "100.00", "sources": 1}}
    assert item(total, "teamwork").explanation["withheld"] == 0
    assert total.lines("zh-hans")[-1] == "总分：88.33"
    assert total.lines("en")[-1] == "Total: 88.33"
    assert total.sections[0].label == "业绩 KPI"
    assert compute_part(spec(kpi_behaviour()), inputs(), language="en").sections[0].items[0].label == "Yield"


def test_a_goal_line_replaces_the_indicator_rule() -> None:
    line = {"kind": "linear", "params": {"threshold": "92", "target": "96", "stretch": "99"}}
    total = compute_part(spec(kpi_behaviour()), inputs(lines={"yield_rate": line}))
    # yield 96.5 on the person's line 92/96/99: 100 + 0.5 × 20 / 3 = 103.333… → 103.33
    # KPI: 103.33 × 50 % + 80 × 50 % = 51.665 + 40 = 91.665 → 91.67
    # total: 91.67 × 60 % + 78.33 × 40 % = 55.002 + 31.332 = 86.334 → 86.33
    assert item(total, "yield_rate").score == D("103.33")
    assert total.sections[0].score == D("91.67")
    assert total.value == D("86.33")
    assert item(total, "yield_rate").explanation["goal_line"] is True
    assert item(total, "yield_rate").explanation["rule"]["params"]["target"] == "96"


# ---- 2. vetoes ------------------------------------------------------------------------------------------------------

GRADE_VETO = {"kind": "veto", "indicator": "serious_incidents", "trigger": {"op": ">=", "bound": "1"},
              "effect": "grade", "grade": "D", "name_zh": "重大安全事故一票否决", "name_en": "Serious incident veto"}
ZERO_VETO = {"kind": "veto", "indicator": "fraud", "trigger": {"op": ">=", "bound": "1"}, "effect": "total_zero",
             "name_zh": "舞弊一票否决", "name_en": "Fraud veto"}


def test_a_triggered_grade_veto_forces_the_grade_and_keeps_the_total() -> None:
    template = spec(kpi_behaviour(extra=[GRADE_VETO]))
    total = compute_part(template, inputs(values={**VALUES, "serious_incidents": D(1)}), language="en")
    # the weighted total is still 88.33 (case 1); one serious incident ≥ 1 forces grade D
    assert (total.value, total.forced_grade) == (D("88.33"), "D")
    assert "Serious incident veto: Serious incidents 1 ≥ 1" in total.lines("en")[-2]
    assert len(total.sections) == 2  # the weight-0 section of vetoes is no section of the total
    clear = compute_part(template, inputs(values={**VALUES, "serious_incidents": D(0)}), language="en")
    assert (clear.value, clear.forced_grade) == (D("88.33"), None)
    assert "not ≥ 1" in clear.lines("en")[-2]


def test_a_triggered_total_zero_veto_sets_the_total_to_zero() -> None:
    total = compute_part(spec(kpi_behaviour(extra=[ZERO_VETO, GRADE_VETO])),
                         inputs(values={**VALUES, "fraud": D(2)}))
    # fraud 2 ≥ 1: 88.33 → 0.00; the grade veto has no data and does not fire
    assert (total.subtotal, total.value, total.forced_grade) == (D("88.33"), D("0.00"), None)
    assert codes(total)[-3:] == ["veto_zero", "veto_clear", "final"]


def test_a_veto_without_data_does_not_fire_and_says_so() -> None:
    total = compute_part(spec(kpi_behaviour(extra=[GRADE_VETO])), inputs())
    assert (total.value, total.forced_grade) == (D("88.33"), None)
    assert total.lines("zh-hans")[-2] == "一票否决未触发：重大安全事故一票否决：重大安全事故无数据，不触发"


# ---- 3. adjustments ---------------------------------------------------------------------------------------------

ADJUSTMENT = {"kind": "adjustment", "cap": "5", "reason_required": True, "name_zh": "上级加减分",
              "name_en": "Manager adjustment"}
ADJUSTMENT_KEY = "adjustments.0"  # no key and no indicator: section key and position


def test_a_plus_three_adjustment_with_its_reason() -> None:
    template = spec(kpi_behaviour(extra=[ADJUSTMENT]))
    assert item_key(template.sections[2], 0, ADJUSTMENT) == ADJUSTMENT_KEY
    total = compute_part(template, inputs(adjustments={ADJUSTMENT_KEY: (D(3), "牵头完成 MES 切换")}))
    # 88.33 + 3 = 91.33
    assert (total.subtotal, total.value) == (D("88.33"), D("91.33"))
    assert "加减分 +3.00 分（牵头完成 MES 切换）：88.33 → 91.33" in total.lines("zh-hans")
    assert compute_part(template, inputs()).value == D("88.33")  # no adjustment given: none applied


@pytest.mark.parametrize(("points", "reason", "code"), [(D(6), "超额完成", "adjustment_over_cap"),
                                                         (D(-6), "质量事故", "adjustment_over_cap"),
                                                         (D(3), "  ", "adjustment_reason_required")])
def test_an_adjustment_over_the_cap_or_without_a_reason_is_refused(points: Decimal, reason: str, code: str) -> None:
    with pytest.raises(AdjustmentError) as raised:
        compute_part(spec(kpi_behaviour(extra=[ADJUSTMENT])), inputs(adjustments={ADJUSTMENT_KEY: (points, reason)}))
    assert raised.value.code == code


# ---- 4. a mid-cycle transfer ----------------------------------------------------------------------------------

INSPECTOR = [{"key": "kpi", "name_zh": "业绩 KPI", "name_en": "KPIs", "weight": "100",
              "items": [{"kind": "indicator", "indicator": "on_time", "weight": "100"}]}]
INSPECTOR_INPUTS = PartInputs(values={"on_time": D(95)})  # 95 on 80/90/100: 100 + 5 × 20 / 10 = 110.00


def transfer(first: tuple[date, date], second: tuple[date, date], cycle: tuple[date, date],
             a: PartInputs | None = None, b: PartInputs = INSPECTOR_INPUTS,
             a_sections: list[dict[str, Any]] | None = None) -> ReviewResult[str]:
    return compute_review([("welder", *first, spec(a_sections or kpi_behaviour()), a or inputs()),
                           ("inspector", *second, spec(INSPECTOR), b)], cycle_start=cycle[0], cycle_end=cycle[1])


def test_a_transfer_45_45_days_is_half_and_half() -> None:
    review = transfer((date(2025, 1, 1), date(2025, 2, 14)), (date(2025, 2, 15), date(2025, 3, 31)), Q1)
    # 1 Jan – 14 Feb = 31 + 14 = 45 days; 15 Feb – 31 Mar = 14 + 31 = 45 days → 0.5000 / 0.5000
    # 88.33 × 0.5 + 110.00 × 0.5 = 44.165 + 55 = 99.165 → 99.17
    assert [(p.key, p.days, p.weight, p.total.value) for p in review.parts] == [
        ("welder", 45, D("0.5000"), D("88.33")), ("inspector", 45, D("0.5000"), D("110.00"))]
    assert (review.total, review.forced_grade) == (D("99.17"), None)
    assert [step.code for step in review.derivation] == ["proration_part", "proration_part", "proration_total",
                                                         "proration_final"]
    assert review.lines("en")[0] == "welder: 2025-01-01 to 2025-02-14, 45 of 90 days = 50 %; 88.33 × 50 % = 44.165"
    assert review.lines("zh-hans")[2] == "按天数折算总分：44.165 + 55 = 99.165，四舍五入为 99.17"
    assert review.lines("en")[-1] == "Total: 99.17"


def test_an_uneven_transfer_is_weighted_by_days() -> None:
    review = transfer((date(2025, 7, 1), date(2025, 7, 31)), (date(2025, 8, 1), date(2025, 9, 30)), Q3)
    # 31 and 61 of 92 days: 0.33696 → 0.3370, 0.66304 → 0.6630 (largest remainder, adding up to 1)
    # 88.33 × 0.3370 + 110.00 × 0.6630 = 29.76721 + 72.93 = 102.69721 → 102.70
    assert [(p.days, p.weight) for p in review.parts] == [(31, D("0.3370")), (61, D("0.6630"))]
    assert review.total == D("102.70")


def test_a_part_without_a_total_is_left_out_and_the_others_reweighted() -> None:
    review = transfer((date(2025, 1, 1), date(2025, 2, 14)), (date(2025, 2, 15), date(2025, 3, 31)), Q1,
                      b=PartInputs(values={}))
    # the inspector part has no data at all (total None): the welder's 45 days are the whole basis, weight 1
    assert [(p.weight, p.total.value) for p in review.parts] == [(D("1.0000"), D("88.33")), (D("0.0000"), None)]
    assert review.total == D("88.33")
    assert [step.code for step in review.derivation] == ["proration_part", "proration_left_out", "proration_total",
                                                         "proration_final"]
    assert review.lines("en")[0].startswith("welder: 2025-01-01 to 2025-02-14, 45 of 45 days = 100 %")


def test_a_veto_in_one_part_holds_for_the_review() -> None:
    dates = (date(2025, 1, 1), date(2025, 2, 14)), (date(2025, 2, 15), date(2025, 3, 31))
    graded = transfer(*dates, Q1, a=inputs(values={**VALUES, "serious_incidents": D(1)}),
                      a_sections=kpi_behaviour(extra=[GRADE_VETO]))
    assert (graded.total, graded.forced_grade) == (D("99.17"), "D")
    assert graded.derivation[-1].code == "proration_final_grade"
    zeroed = transfer(*dates, Q1, a=inputs(values={**VALUES, "fraud": D(1)}),
                      a_sections=kpi_behaviour(extra=[ZERO_VETO]))
    # the welder part is 0.00 after its veto: 0 × 0.5 + 110 × 0.5 = 55.00, then the veto zeroes the review
    assert zeroed.parts[0].total.value == D("0.00")
    assert zeroed.total == D("0.00")
    assert "A veto in welder sets the total to 0: 55.00 → 0.00" in zeroed.lines("en")


def test_one_part_is_the_review_and_no_part_has_no_total() -> None:
    review = compute_review([("p", *Q1, spec(kpi_behaviour()), inputs())], cycle_start=Q1[0], cycle_end=Q1[1])
    assert (review.total, review.parts[0].weight) == (D("88.33"), D("1.0000"))
    assert review.derivation == tuple(review.parts[0].total.derivation)
    empty = compute_review([], cycle_start=Q1[0], cycle_end=Q1[1])
    assert (empty.total, empty.parts, empty.lines("en")[-1]) == (None, (), "Total: none, as no part has a total")


def test_parts_must_be_in_the_cycle_and_distinct() -> None:
    part = (spec(INSPECTOR), INSPECTOR_INPUTS)
    with pytest.raises(ComputationError, match="part_outside_cycle"):
        compute_review([("a", *Q1, *part), ("b", *Q3, *part)], cycle_start=Q1[0], cycle_end=Q1[1])
    with pytest.raises(ComputationError, match="part_key_duplicate"):
        compute_review([("a", *Q1, *part), ("a", *Q3, *part)], cycle_start=Q1[0], cycle_end=Q3[1])


# ---- 5. missing rater groups and missing items ------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["reweight", "zero"])
def test_an_absent_peer_group_is_reweighted_under_either_rule(missing: str) -> None:
    total = compute_part(spec(kpi_behaviour(), missing), inputs(MANAGER_SELF))
    # no peer rated: manager 60 / self 20 → 75 / 25 whatever the missing rule (raters' absence is no zero)
    # (75 × 60 % + 100 × 20 %) ÷ 80 % = (45 + 20) ÷ 0.8 = 81.25 = 75 × 75 % + 100 × 25 %
    # total: 95 × 60 % + 81.25 × 40 % = 57 + 32.5 = 89.50
    assert item(total, "teamwork").score == D("81.25")
    assert total.value == D("89.50")
    assert {g.group: g.count for g in item(total, "teamwork").groups} == {"manager": 1, "peer": 0, "self": 1}


@pytest.mark.parametrize(("missing", "section", "expected"), [
    # teamwork 60 / initiative 40, initiative rated by nobody; teamwork 81.25 as above
    # reweight: 81.25 × 60 % ÷ 60 % = 81.25; total 57 + 81.25 × 40 % = 57 + 32.5 = 89.50
    ("reweight", D("81.25"), D("89.50")),
    # zero: 81.25 × 60 % + 0 × 40 % = 48.75; total 57 + 48.75 × 40 % = 57 + 19.5 = 76.50
    ("zero", D("48.75"), D("76.50")),
])
def test_an_item_nobody_rated_follows_the_missing_rule(missing: str, section: Decimal, expected: Decimal) -> None:
    behaviour = [rated("teamwork", "60"), rated("initiative", "40")]
    total = compute_part(spec(kpi_behaviour(behaviour=behaviour), missing), inputs(MANAGER_SELF))
    assert item(total, "initiative").score is None
    assert (total.sections[1].score, total.value) == (section, expected)


def test_a_section_with_nothing_rated_is_reweighted_or_zero() -> None:
    # reweight: behaviour has no score, the total is KPI alone: 57 ÷ 60 % = 95.00; zero: 57 + 0 = 57.00
    assert compute_part(spec(kpi_behaviour()), inputs(())).value == D("95.00")
    assert compute_part(spec(kpi_behaviour(), "zero"), inputs(())).value == D("57.00")


# ---- 6. anonymity before weighting --------------------------------------------------------------------------------


def test_two_peers_are_withheld_and_count_as_absent() -> None:
    two = compute_part(spec(kpi_behaviour()), inputs([*MANAGER_SELF, r(11, "peer", 1), r(12, "peer", 1)]))
    without = compute_part(spec(kpi_behaviour()), inputs(MANAGER_SELF))
    # 2 peers < 3: pooled into "others" (weight 20), still under 3: withheld; the item is 81.25 as with no peers,
    # so two ratings of 1 cannot pull the score down, and the ratee's 89.50 is what the page lets them recompute
    assert two.value == without.value == D("89.50")
    explanation = item(two, "teamwork").explanation
    assert [g["group"] for g in explanation["groups"]] == ["manager", "self", "others"]
    assert explanation["groups"][-1] == {"group": "others", "weight": "20", "count": 0, "mean": None, "sources": 0}
    assert explanation["withheld"] == 2
    assert "peer" not in json.dumps(total_to_json(two))
    three = compute_part(spec(kpi_behaviour()), inputs())
    assert [(g["group"], g["count"], g["mean"]) for g in item(three, "teamwork").explanation["groups"]] == [
        ("manager", 1, "75.00"), ("peer", 3, "66.67"), ("self", 1, "100.00")]


def test_small_groups_pool_into_others_with_their_weights() -> None:
    groups = [{"group": "manager", "weight": "50"}, {"group": "peer", "weight": "20"},
              {"group": "subordinate", "weight": "10"}, {"group": "self", "weight": "20"}]
    sections = [{"key": "behaviour", "name_zh": "能力", "name_en": "Behaviour", "weight": "100",
                 "items": [rated("teamwork", "100", groups)]}]
    ratings = [*MANAGER_SELF, r(11, "peer", 4), r(12, "peer", 5), r(21, "subordinate", 3)]
    total = compute_part(spec(sections), inputs(ratings))
    # 2 peers + 1 subordinate pool into others: 3 raters, (75 + 100 + 50) / 3 = 75.00, weight 20 + 10 = 30
    # 75 × 50 % + 100 × 20 % + 75 × 30 % = 37.5 + 20 + 22.5 = 80.00
    assert total.value == D("80.00")
    assert item(total, "teamwork").explanation["groups"][-1] == {
        "group": "others", "weight": "30", "count": 3, "mean": "75.00", "sources": 2}


def test_raters_nominated_as_others_only_count_in_the_pool() -> None:
    ratings = [*MANAGER_SELF, r(11, "peer", 4), r(12, "peer", 4), r(31, "others", 5)]
    total = compute_part(spec(kpi_behaviour()), inputs(ratings))
    # the template gives "others" no weight: 2 peers + 1 other pool (3 raters), weight 20 (the peers') + 0
    # pool (75 + 75 + 100) / 3 = 83.333… → 83.33; 45 + 83.33 × 20 % + 20 = 45 + 16.666 + 20 = 81.666 → 81.67
    # total 57 + 81.67 × 40 % = 57 + 32.668 = 89.668 → 89.67
    assert item(total, "teamwork").score == D("81.67")
    assert total.value == D("89.67")


def test_ratings_of_other_templates_are_ignored_and_unweighted_groups_refused() -> None:
    elsewhere = RatingIn(ID + 99, "manager", "coaching_new_hires", D(1))
    assert compute_part(spec(kpi_behaviour()), inputs([*MANAGER_SELF, *THREE_PEERS, elsewhere])).value == D("88.33")
    with pytest.raises(ComputationError) as raised:
        compute_part(spec(kpi_behaviour()), inputs([*MANAGER_SELF, r(21, "subordinate", 3)]))
    assert (raised.value.code, raised.value.params) == ("rating_group_not_weighted",
                                                        {"item": "teamwork", "group": "subordinate"})


GROUP_WEIGHTS = {  # two templates: with and without an "others" weight of their own
    "with_others": {"manager": "30", "self": "10", "peer": "20", "subordinate": "20", "n_plus_2": "10",
                    "others": "10"},
    "without_others": {"manager": "40", "self": "10", "peer": "20", "subordinate": "20", "n_plus_2": "10"},
}


@st.composite
def rating_sets(draw: st.DrawFn) -> tuple[str, int, list[RatingIn]]:
    template = draw(st.sampled_from(sorted(GROUP_WEIGHTS)))
    ratings: list[RatingIn] = []
    for group in [*KNOWN_GROUPS, *ANONYMOUS_GROUPS]:
        if group not in GROUP_WEIGHTS[template] and group != "others":
            continue
        count = draw(st.integers(0, 1 if group in KNOWN_GROUPS else 5))
        for _ in range(count):
            ratings.append(RatingIn(ID + len(ratings), group, "teamwork", D(draw(st.integers(1, 5)))))
    return template, draw(st.sampled_from([3, 4])), ratings


def one_item(template: str) -> TemplateSpec:
    groups = [{"group": g, "weight": w} for g, w in GROUP_WEIGHTS[template].items()]
    return spec([{"key": "b", "name_zh": "能力", "name_en": "Behaviour", "weight": "100",
                  "items": [rated("teamwork", "100", groups)]}])


@settings(max_examples=300, deadline=None)
@given(rating_sets())
def test_the_groups_used_are_the_groups_anonymity_shows(case: tuple[str, int, list[RatingIn]]) -> None:
    template, minimum, ratings = case
    total = compute_part(one_item(template), PartInputs(values={}, ratings=ratings), minimum=minimum)
    rows = [Rating(x.rater, x.group, x.item, MAPPED[int(x.rating)]) for x in ratings]  # type: ignore[arg-type]
    views = aggregate(rows, audience="ratee", minimum=minimum).items
    shown = {(g.group, g.count, g.mean) for g in views[0].groups} if views else set()
    outcome = total.sections[0].items[0]
    assert {(g.group, g.count, g.average) for g in outcome.groups if g.count} == shown
    assert {(g["group"], g["count"], D(g["mean"])) for g in outcome.explanation["groups"] if g["count"]} == shown
    assert outcome.explanation["withheld"] == (views[0].withheld_ratings if views else 0)
    # the score, recomputed from what is shown alone: each shown group's mean × its weight, where "others"
    # weighs its own template weight plus those of the anonymous groups that rated but stayed under the minimum
    weights = {g: D(w) for g, w in GROUP_WEIGHTS[template].items()}
    counts = {g: sum(1 for x in ratings if x.group == g) for g in weights}
    pooled = [g for g in ANONYMOUS_GROUPS if g != "others" and 0 < counts.get(g, 0) < minimum]
    weight_of = {**weights, "others": weights.get("others", D(0)) + sum((weights[g] for g in pooled), D(0))}
    present = [(mean, weight_of[group]) for group, _count, mean in shown]
    weight = sum((w for _mean, w in present), D(0))
    expected = round_ratio(sum((m * w for m, w in present), D(0)), weight) if present and weight else None
    assert outcome.score == expected
    assert total.value == expected


# ---- the shipped library ------------------------------------------------------------------------------------------


def test_production_operator_from_the_shipped_library() -> None:
    template = templates_by_code()["production_operator"]
    library = TemplateSpec(template["sections"], template["missing_rule"], indicators_by_code())
    values = {"output": D(20000), "yield_rate": D("96.5"), "production_efficiency": D(200), "rework_rate": D("1.5"),
              "material_utilisation": D(93), "safety_incidents": D(1), "audit_5s": D(90),
              "serious_safety_incidents": D(0)}
    ratings = [r(1, "manager", 4), r(11, "peer", 5), r(12, "peer", 4), r(13, "peer", 4), r(2, "self", 4),
               r(1, "manager", 5, "initiative"), r(2, "self", 4, "initiative"),
               r(1, "manager", 3, "compliance"), r(11, "peer", 3, "compliance"), r(12, "peer", 3, "compliance"),
               r(13, "peer", 3, "compliance"), r(2, "self", 5, "compliance")]
    adjustment = {ADJUSTMENT_KEY: (D(3), "牵头完成 MES 切换")}
    total = compute_part(library, PartInputs(values=values, ratings=ratings, adjustments=adjustment))
    # KPI: output 20000 / 20000 = 100.00 × 20 % = 20; yield 110.00 × 25 % = 27.5; efficiency 200 / 200 = 100 × 15 %
    # = 15; rework 1.5 at target 100 × 10 % = 10; material 93 at target 100 × 10 % = 10; one safety incident
    # 100 − 20 = 80 × 10 % = 8; 5S 90 at target 100 × 10 % = 10 → 100.50
    assert total.sections[0].score == D("100.50")
    # teamwork: 75 × 60 % + (100 + 75 + 75) / 3 = 83.33 × 20 % + 75 × 20 % = 45 + 16.666 + 15 = 76.666 → 76.67
    # initiative (no peers): (100 × 60 % + 75 × 20 %) ÷ 80 % = 75 ÷ 0.8 = 93.75
    # compliance: 50 × 60 % + 50 × 20 % + 100 × 20 % = 30 + 10 + 20 = 60.00
    # competency: 76.67 × 35 % + 93.75 × 30 % + 60 × 35 % = 26.8345 + 28.125 + 21 = 75.9595 → 75.96
    assert [item(total, k).score for k in ("teamwork", "initiative", "compliance")] == [
        D("76.67"), D("93.75"), D("60.00")]
    assert total.sections[1].score == D("75.96")
    # total: 100.50 × 70 % + 75.96 × 30 % = 70.35 + 22.788 = 93.138 → 93.14; + 3 → 96.14; no serious incident
    assert (total.subtotal, total.value, total.forced_grade) == (D("93.14"), D("96.14"), None)
    vetoed = compute_part(library, PartInputs(values={**values, "serious_safety_incidents": D(1)}, ratings=ratings))
    assert (vetoed.value, vetoed.forced_grade) == (D("93.14"), "D")


# ---- 7. no rater id in any result --------------------------------------------------------------------------------


def walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*value.keys(), *(leaf for v in value.values() for leaf in walk(v))]
    if isinstance(value, list):
        return [leaf for v in value for leaf in walk(v)]
    return [value]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["manager", "self", "peer", "others"]), st.integers(1, 5),
                          st.sampled_from(["teamwork", "initiative"]), st.booleans()), max_size=14),
       st.booleans(), st.sampled_from([3, 4]))
def test_no_result_carries_a_rater_id(rows: list[tuple[str, int, str, bool]], transferred: bool,
                                      minimum: int) -> None:
    ratings: list[RatingIn] = []
    used: set[tuple[str, str]] = set()
    for n, (group, rating, key, textual) in enumerate(rows):
        if group in KNOWN_GROUPS and (group, key) in used:
            continue  # one manager and one self
        used.add((group, key))
        number = ID + 900 + KNOWN_GROUPS.index(group) if group in KNOWN_GROUPS else ID + n  # one manager, one self
        rater: int | str = f"rater-{number}" if textual and group not in KNOWN_GROUPS else number
        ratings.append(RatingIn(rater, group, key, D(rating), "按时交接，主动补位"))
    sections = kpi_behaviour(behaviour=[rated("teamwork", "50"), rated("initiative", "50")], extra=[GRADE_VETO])
    part = (spec(sections), inputs(ratings, values={**VALUES, "serious_incidents": D(0)}))
    if transferred:
        review = compute_review([("a", date(2025, 1, 1), date(2025, 2, 14), *part),
                                 ("b", date(2025, 2, 15), date(2025, 3, 31), *part)],
                                cycle_start=Q1[0], cycle_end=Q1[1], minimum=minimum)
    else:
        review = compute_review([("a", *Q1, *part)], cycle_start=Q1[0], cycle_end=Q1[1], minimum=minimum)
    data = review.to_json()
    text = json.dumps(data, ensure_ascii=False)
    ids = {x.rater for x in ratings}
    assert not any(str(ID + n) in text for n in range(1000))
    assert not ids & {leaf for leaf in walk(data) if isinstance(leaf, int | str)}
    assert "按时交接" not in text  # comments are the anonymity page's, never the score's
    again = ReviewResult.from_json(json.loads(text))
    assert again.to_json() == data
    assert again.lines("zh-hans") == review.lines("zh-hans")
    assert again.lines("en") == review.lines("en")


def test_template_errors_are_named() -> None:
    unknown_kind = kpi_behaviour(extra=[{"kind": "bonus", "weight": "0"}])
    with pytest.raises(ComputationError, match="item_kind_unknown"):
        compute_part(spec(unknown_kind), inputs())
    twice = kpi_behaviour(behaviour=[rated("teamwork", "50"), rated("teamwork", "50")])
    with pytest.raises(ComputationError, match="item_key_duplicate"):
        compute_part(spec(twice), inputs())
    with pytest.raises(ComputationError, match="indicator_unknown"):
        compute_part(TemplateSpec(kpi_behaviour(), "reweight", {}), inputs())
    not_rating = kpi_behaviour(behaviour=[rated("on_time", "100")])
    with pytest.raises(ComputationError, match="rule_not_rating"):
        compute_part(spec(not_rating), inputs(()))
