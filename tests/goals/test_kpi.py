"""The pure KPI computation (goals/kpi.py): a goal's value from its metric points (one vectorised call for many
goals), its achievement on its own threshold/target/stretch line for higher- and lower-is-better indicators,
and which rule scores it (the goal's line, or the indicator's rule when the goal has no line of its own)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairmark.goals.kpi import achievement, default_aggregate, goal_line, goal_rule, goal_score, goal_values
from fairmark.indicators.scoring import LinearRule, RuleError

D = Decimal
LINEAR_LOWER = {"kind": "linear", "params": {"threshold": "8", "target": "5", "stretch": "2", "direction": "lower"}}


def test_values_one_per_goal_with_rows_of_any_length() -> None:
    values = goal_values("sum(good_units) / sum(produced_units) * 100", "ratio_of_sums",
                         {"good_units": [[9650.0], [480.0, 470.0], []],
                          "produced_units": [[10000.0], [500.0, 500.0], []]})
    assert values == [D("96.5"), D(95), None]  # a goal without any point has no value


def test_bare_metric_names_take_the_indicators_aggregation() -> None:
    series = {"defect_rate": [[3.0, 4.0, 8.0]]}
    assert goal_values("defect_rate", "avg", series) == [D(5)]
    assert goal_values("defect_rate", "max", series) == [D(8)]
    assert goal_values("defect_rate", "ratio_of_sums", series) == [D(15)]  # each side of a ratio is summed
    assert default_aggregate("last") == "last"
    assert default_aggregate("ratio_of_sums") == "sum"


def test_no_goals_no_values() -> None:
    assert goal_values("sum(output)", "sum", {"output": []}) == []


def test_a_metric_missing_from_the_series_is_no_value() -> None:
    assert goal_values("sum(output) + sum(rework)", "sum", {"output": [[1.0]]}) == [None]


def test_achievement_higher_is_better() -> None:
    line = {"threshold": D(90), "target": D(95), "stretch": D(98)}
    assert achievement(D(95), **line) == D(1)
    assert achievement(D(90), **line) == D("0.6")
    assert achievement(D(98), **line) == D("1.2")
    assert achievement(D("96.5"), **line) == D("1.1")
    assert achievement(D(80), **line) == D(0)
    assert achievement(D(99), **line) == D("1.2")  # capped at the stretch score by default
    assert achievement(None, **line) is None
    assert achievement(D(95), threshold=None, target=D(95), stretch=D(98)) is None


def test_achievement_lower_is_better() -> None:
    line = {"threshold": D(8), "target": D(5), "stretch": D(2), "direction": "lower"}
    assert achievement(D(5), **line) == D(1)
    assert achievement(D(8), **line) == D("0.6")
    assert achievement(D(2), **line) == D("1.2")
    assert achievement(D("6.5"), **line) == D("0.8")
    assert achievement(D(9), **line) == D(0)


def test_achievement_uses_the_indicators_linear_scores() -> None:
    scoring = {"kind": "linear", "params": {"threshold": "0", "target": "1", "stretch": "2",
                                            "threshold_score": "50", "target_score": "100", "stretch_score": "150"}}
    assert achievement(D(90), threshold=D(90), target=D(95), stretch=D(98), scoring=scoring) == D("0.5")
    assert achievement(D(98), threshold=D(90), target=D(95), stretch=D(98), scoring=scoring) == D("1.5")


def test_a_line_out_of_order_for_its_direction_is_refused() -> None:
    with pytest.raises(RuleError) as caught:
        goal_line(threshold=D(2), target=D(5), stretch=D(8), direction="lower")
    assert caught.value.field == "threshold"
    goal_line(threshold=D(8), target=D(5), stretch=D(2), direction="lower")


def test_goal_rule_is_the_goals_line_when_it_has_one() -> None:
    rule = goal_rule(LINEAR_LOWER, threshold=D(6), target=D(4), stretch=D(1), direction="lower")
    assert isinstance(rule, LinearRule)
    assert (rule.threshold, rule.target, rule.stretch) == (D(6), D(4), D(1))
    assert goal_score(D(4), LINEAR_LOWER, threshold=D(6), target=D(4), stretch=D(1), direction="lower").value == D(100)


def test_goal_rule_falls_back_to_the_indicators_rule() -> None:
    # Without all three values of its own, the goal is scored by the indicator's rule as published.
    rule = goal_rule(LINEAR_LOWER, threshold=None, target=D(4), stretch=None, direction="lower")
    assert isinstance(rule, LinearRule)
    assert (rule.threshold, rule.target, rule.stretch) == (D(8), D(5), D(2))
    # A non-linear rule ignores the goal's line altogether.
    bands = {"kind": "step", "params": {"bands": [["0", "60"], ["90", "100"]]}}
    fallback = goal_rule(bands, threshold=D(80), target=D(90), stretch=D(95))
    assert not isinstance(fallback, LinearRule)
    assert fallback.score(D(92)).value == D(100)  # the band, not the goal's 90 → 95 line
    assert goal_score(None, LINEAR_LOWER, threshold=None, target=None, stretch=None).value is None


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=20),
       st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=20))
def test_values_of_many_goals_are_each_goals_own(first: list[Decimal], second: list[Decimal]) -> None:
    """Computing goals together gives each the value it has alone (rows of different lengths do not leak), up to
    the last bits of a float sum (refresh_kpi_goals keeps ten places)."""
    rows = [[float(v) for v in first], [float(v) for v in second]]
    together = goal_values("avg(x)", "avg", {"x": rows})
    alone = [goal_values("avg(x)", "avg", {"x": [row]})[0] for row in rows]
    for values, mine, each in zip(rows, together, alone, strict=True):
        assert mine is not None
        assert each is not None
        assert abs(mine - each) < D("1e-9")
        assert abs(mine - D(repr(sum(values) / len(values)))) < D("1e-9")


@given(st.decimals(min_value=-50, max_value=150, places=3), st.decimals(min_value=-50, max_value=150, places=3),
       st.sampled_from(["higher", "lower"]))
def test_achievement_is_monotone_in_the_better_direction(a: Decimal, b: Decimal, direction: str) -> None:
    line = ({"threshold": D(60), "target": D(80), "stretch": D(100)} if direction == "higher"
            else {"threshold": D(100), "target": D(80), "stretch": D(60)})
    better, worse = (max(a, b), min(a, b)) if direction == "higher" else (min(a, b), max(a, b))
    high = achievement(better, direction=direction, **line)
    low = achievement(worse, direction=direction, **line)
    assert high is not None
    assert low is not None
    assert high >= low
    assert D(0) <= low <= high <= D("1.2")
