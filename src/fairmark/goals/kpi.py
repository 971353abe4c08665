"""A KPI goal's value, score and progress from data (DESIGN.md C4). Pure: no Django.

The value is the indicator's formula over the metric values that reach the goal's owner in the goal's period
so far, aggregated by the indicator's aggregation; many goals are computed in one vectorised call. The score
is the indicator's scoring rule, with the goal's own threshold/target/stretch when the rule is linear (门槛/
目标/挑战 are per goal and period). Progress is the achievement on the goal's threshold/target/stretch line,
score ÷ 100: 1.0 (100 %) at the target, 0.6 at the threshold with the default scores, 1.2 at the stretch,
0 below the threshold; it reads the same for goals where lower is better (defect rate).

    values = goal_values("sum(good_units) / sum(produced_units) * 100", "ratio_of_sums",
                         {"good_units": [[9650.0]], "produced_units": [[10000.0]]})     # [Decimal('96.5')]
    achievement(Decimal("96.5"), threshold=Decimal(90), target=Decimal(95), stretch=Decimal(98))"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from fairmark.indicators.formula import default_aggregate, parse
from fairmark.indicators.scoring import LinearRule, Rule, Score, rule_from_dict

_HUNDRED = Decimal(100)
def goal_values(formula: str, aggregation: str, series: Mapping[str, Sequence[Sequence[float]]]
                ) -> list[Decimal | None]:
    """One value per goal: `series` maps each metric to one row of points per goal (rows may differ in
    length; a goal without any point of a metric has an empty row)."""
    parsed = parse(formula)
    rows = max((len(table) for table in series.values()), default=0)
    tables: dict[str, Any] = {}
    for metric in parsed.metrics:
        table = series.get(metric, [[] for _ in range(rows)])
        width = max((len(points) for points in table), default=0) or 1
        padded = np.full((rows, width), np.nan, dtype=np.float64)
        for index, points in enumerate(table):
            padded[index, : len(points)] = points
        tables[metric] = padded
    if rows == 0:
        return []
    column = parsed.evaluate(tables, default_aggregate=default_aggregate(aggregation))
    return [None if math.isnan(value) else Decimal(repr(float(value))) for value in column]


def _linear_scores(scoring: Mapping[str, Any]) -> dict[str, Any]:
    params = scoring.get("params", {}) if scoring.get("kind") == "linear" else {}
    return {key: params[key] for key in ("threshold_score", "target_score", "stretch_score", "floor", "cap")
            if key in params}


def goal_line(*, threshold: Decimal, target: Decimal, stretch: Decimal, direction: str = "higher",
              scoring: Mapping[str, Any] | None = None) -> LinearRule:
    """The goal's threshold/target/stretch line, with the scores of the indicator's linear rule if it has one.
    Raises RuleError (with the field) when the three values are out of order for the direction."""
    return LinearRule(threshold=threshold, target=target, stretch=stretch, direction=direction,  # type: ignore[arg-type]
                      **_linear_scores(scoring or {}))


def goal_rule(scoring: Mapping[str, Any], *, threshold: Decimal | None, target: Decimal | None,
              stretch: Decimal | None, direction: str = "higher") -> Rule:
    """The rule that scores the goal: the goal's own line when the indicator scores linearly and the goal
    has all three values; otherwise the indicator's rule as published."""
    if scoring.get("kind") == "linear" and None not in (threshold, target, stretch):
        return goal_line(threshold=threshold, target=target, stretch=stretch, direction=direction,  # type: ignore[arg-type]
                         scoring=scoring)
    return rule_from_dict(dict(scoring))


def achievement(value: Decimal | None, *, threshold: Decimal | None, target: Decimal | None,
                stretch: Decimal | None, direction: str = "higher",
                scoring: Mapping[str, Any] | None = None) -> Decimal | None:
    """Progress as a fraction (see the module text); None without a value or without the three values."""
    if value is None or None in (threshold, target, stretch):
        return None
    line = goal_line(threshold=threshold, target=target, stretch=stretch, direction=direction,  # type: ignore[arg-type]
                     scoring=scoring)
    score = line.score(value).value
    return None if score is None else score / _HUNDRED


def goal_score(value: Decimal | None, scoring: Mapping[str, Any], *, threshold: Decimal | None,
               target: Decimal | None, stretch: Decimal | None, direction: str = "higher") -> Score:
    return goal_rule(scoring, threshold=threshold, target=target, stretch=stretch, direction=direction).score(value)
