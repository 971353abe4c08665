"""Evaluation and explanation: worked cases from manufacturing and the support/admin/HR roles of the seeds, zero
denominators both ways, missing data, aggregates and rounding. Each table is (subjects, points), NaN = no data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fairmark.indicators.formula import FormulaError, Term, parse

NAN = math.nan


def table(*rows: list[float]) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


def values(result: np.ndarray) -> list[float | None]:
    """NaN as None, rounded to 6 places, so expected values read naturally."""
    return [None if math.isnan(v) else round(float(v), 6) for v in result]


# Five days on a line: operator 0 works normally, operator 1's line produced nothing, operator 2 has no data.
LINE = {
    "good_units": table([2000, 1950, 1900, 1900, 1900], [0, 0, 0, 0, 0], [NAN] * 5),
    "produced_units": table([2000, 2000, 2000, 2000, 2000], [0, 0, 0, 0, 0], [NAN] * 5),
    "defect_units": table([0, 50, 100, 100, 100], [0, 0, 0, 0, 0], [NAN] * 5),
    "run_hours": table([7.5, 8, 6, 8, 7.5], [0, 0, 0, 0, 0], [NAN] * 5),
    "planned_hours": table([8, 8, 8, 8, 8], [8, 8, 8, 8, 8], [NAN] * 5),
    "safety_incidents": table([0, 0, 0, 0, 0], [0, 1, 0, 0, 0], [NAN] * 5),
    "orders_on_time": table([3, 4, NAN, 5, 6], [0, 0, 0, 0, 0], [NAN] * 5),
    "orders_due": table([3, 5, NAN, 5, 7], [0, 0, 0, 0, 0], [NAN] * 5),
}


@pytest.mark.parametrize(("indicator", "text", "expected", "expected_zero"), [
    ("良品率 yield", "sum(good_units) / sum(produced_units) * 100", [96.5, None, None], [96.5, 0.0, None]),
    ("不良率 defect rate", "sum(defect_units) / sum(produced_units) * 100", [3.5, None, None], [3.5, 0.0, None]),
    ("稼动率 utilisation", "sum(run_hours) / sum(planned_hours) * 100", [92.5, 0.0, None], [92.5, 0.0, None]),
    ("生产效率 efficiency", "round(sum(good_units) / sum(run_hours), 2)", [260.81, None, None],
     [260.81, 0.0, None]),
    ("准时交付率 on-time delivery", "div(sum(orders_on_time), sum(orders_due), 1) * 100", [90.0, 100.0, None],
     [90.0, 100.0, None]),
    ("安全一票否决 safety veto", "if(sum(safety_incidents) > 0, 0, sum(good_units) / sum(produced_units) * 100)",
     [96.5, 0.0, None], [96.5, 0.0, None]),
])
def test_manufacturing_indicators(indicator: str, text: str, expected: list[float | None],
                                  expected_zero: list[float | None]) -> None:
    formula = parse(text)
    assert values(formula.evaluate(LINE)) == expected
    assert values(formula.evaluate(LINE, zero_division="zero")) == expected_zero


# Support, HR and admin staff: two people with data, one newcomer with none yet.
OFFICE = {
    # one point per ticket, padded with NaN: average over the tickets there are
    "first_response_minutes": table([12, 30, NAN, 18, NAN], [45, NAN, NAN, NAN, NAN], [NAN] * 5),
    "tickets_opened": table([42, 40], [10, 0], [NAN, NAN]),
    "tickets_resolved": table([40, 38], [9, 0], [NAN, NAN]),
    "days_to_fill": table([30, 45, 24], [60, NAN, NAN], [NAN, NAN, NAN]),
    "recruiting_cost": table([12000, 8000, NAN], [5000, NAN, NAN], [NAN, NAN, NAN]),
    "hires": table([2, 3, 0], [0, NAN, NAN], [NAN, NAN, NAN]),
    "trainings_done": table([12], [15], [NAN]),
    "trainings_planned": table([16], [12], [NAN]),
    "assets_matched": table([498], [200], [NAN]),
    "assets_counted": table([500], [200], [NAN]),
    "admin_spend": table([9000, 9500], [11000, 12000], [NAN, NAN]),
    "admin_budget": table([10000, 10000], [10000, 10000], [NAN, NAN]),
}


@pytest.mark.parametrize(("indicator", "text", "expected"), [
    ("首次响应时长 first response time", "avg(first_response_minutes)", [20.0, 45.0, None]),
    ("首次响应时长, rounded", "round(avg(first_response_minutes), 1)", [20.0, 45.0, None]),
    ("问题解决率 resolution rate", "sum(tickets_resolved) / sum(tickets_opened) * 100", [95.121951, 90.0, None]),
    ("招聘周期 time-to-fill", "avg(days_to_fill)", [33.0, 60.0, None]),
    ("人均招聘成本 cost per hire", "sum(recruiting_cost) / sum(hires)", [4000.0, None, None]),
    ("培训完成率 training completion", "min(sum(trainings_done) / sum(trainings_planned) * 100, 100)",
     [75.0, 100.0, None]),
    ("盘点准确率 asset accuracy", "sum(assets_matched) / sum(assets_counted) * 100", [99.6, 100.0, None]),
    ("行政费用控制率 admin cost control", "sum(admin_spend) / sum(admin_budget) * 100", [92.5, 115.0, None]),
    ("within budget (comparison → 1/0)", "sum(admin_spend) <= sum(admin_budget)", [1.0, 0.0, None]),
    ("tickets handled (count of points)", "count(first_response_minutes)", [3.0, 1.0, 0.0]),
])
def test_support_hr_and_admin_indicators(indicator: str, text: str, expected: list[float | None]) -> None:
    assert values(parse(text).evaluate(OFFICE)) == expected


def test_zero_denominator_both_ways_and_div_fallback() -> None:
    series = {"a": table([5], [0], [NAN], [5]), "b": table([0], [0], [0], [2])}
    assert values(parse("a / b").evaluate(series)) == [None, None, None, 2.5]
    assert values(parse("a / b").evaluate(series, zero_division="zero")) == [0.0, 0.0, None, 2.5]
    assert values(parse("div(a, b, -1)").evaluate(series)) == [-1.0, -1.0, None, 2.5]
    assert values(parse("div(a, b, -1)").evaluate(series, zero_division="zero")) == [-1.0, -1.0, None, 2.5]
    # a guarded ratio: the division by zero happens only in the branch those subjects do not take
    assert values(parse("if(b > 0, a / b, 0)").evaluate(series)) == [0.0, 0.0, 0.0, 2.5]
    assert values(parse("div(a, b, a)").evaluate(series)) == [5.0, 0.0, None, 2.5]


def test_missing_data_propagates() -> None:
    series = {"x": table([1, 2], [NAN, NAN]), "y": table([3, NAN], [4, NAN])}
    for text in ["x + y", "x - y", "x * y", "x / y", "-x", "abs(x)", "round(x, 1)", "x < y", "x == x",
                 "min(x, y)", "max(x, y)", "if(x > 0, 1, 0)", "if(y > 0, x, 0)", "div(x, y, 0)", "sum(x) + 1"]:
        result = parse(text).evaluate(series)
        assert math.isnan(result[1]), text
    assert values(parse("count(x)").evaluate(series)) == [2.0, 0.0]  # counting nothing is 0, not missing
    assert values(parse("if(1, y, x)").evaluate(series)) == [3.0, 4.0]  # the untaken branch does not matter


@pytest.mark.parametrize(("text", "expected"), [
    ("sum(m)", [6.0, None, 5.0, 0.0]),
    ("avg(m)", [2.0, None, 5.0, 0.0]),
    ("count(m)", [3.0, 0.0, 1.0, 2.0]),
    ("last(m)", [3.0, None, 5.0, 1.0]),
    ("min(m)", [1.0, None, 5.0, -1.0]),
    ("max(m)", [3.0, None, 5.0, 1.0]),
])
def test_aggregates_ignore_missing_points(text: str, expected: list[float | None]) -> None:
    series = {"m": table([1, NAN, 2, 3, NAN], [NAN] * 5, [NAN, 5, NAN, NAN, NAN], [-1, 1, NAN, NAN, NAN])}
    assert values(parse(text).evaluate(series)) == expected


def test_bare_metric_uses_the_default_aggregate() -> None:
    series = {"m": table([1, 2, 3, NAN]), "n": table([4, 4, 4, 4])}
    formula = parse("m / n")
    assert values(formula.evaluate(series)) == [0.375]
    assert values(formula.evaluate(series, default_aggregate="avg")) == [0.5]
    assert values(formula.evaluate(series, default_aggregate="last")) == [0.75]
    assert values(formula.evaluate(series, default_aggregate="count")) == [0.75]
    assert values(formula.evaluate(series, default_aggregate="max")) == [0.75]


def test_no_points_and_no_subjects() -> None:
    assert values(parse("sum(m) + count(m)").evaluate({"m": np.empty((2, 0))})) == [None, None]
    assert values(parse("count(m)").evaluate({"m": np.empty((2, 0))})) == [0.0, 0.0]
    assert parse("sum(m) / 2").evaluate({"m": np.empty((0, 30))}).shape == (0,)


def test_constants_broadcast_to_every_subject() -> None:
    assert values(parse("100").evaluate({"m": np.zeros((3, 4))})) == [100.0, 100.0, 100.0]
    assert values(parse("2 * 3 + 1").evaluate({})) == [7.0]


@pytest.mark.parametrize(("text", "expected"), [
    ("round(2.675, 2)", 2.68), ("round(2.5)", 3.0), ("round(-2.5)", -3.0), ("round(0.285, 2)", 0.29),
    ("round(0.4999999)", 0.0), ("round(96.5)", 97.0), ("round(1.005, 2)", 1.01), ("round(-0.3)", 0.0),
    ("round(1e300, 2)", 1e300), ("round(123.456, 10)", 123.456), ("round(0.965 * 100, 0)", 97.0),
])
def test_round_is_half_away_from_zero(text: str, expected: float) -> None:
    result = parse(text).evaluate({})
    assert result[0] == expected
    assert math.copysign(1, result[0]) == math.copysign(1, expected)  # no "-0"


def test_comparisons_give_one_or_zero() -> None:
    series = {"a": table([1], [2], [3]), "b": table([2], [2], [2])}
    expected = {"<": [1, 0, 0], "<=": [1, 1, 0], ">": [0, 0, 1], ">=": [0, 1, 1], "==": [0, 1, 0], "!=": [1, 0, 1]}
    for operator, result in expected.items():
        assert values(parse(f"a {operator} b").evaluate(series)) == [float(r) for r in result], operator


def test_overflow_is_missing_never_infinite() -> None:
    series = {"big": table([1e308, 1e308], [1.0, 2.0]), "odd": table([np.inf, 1.0], [-np.inf, NAN])}
    assert values(parse("sum(big)").evaluate(series)) == [None, 3.0]
    assert values(parse("big * 1e10 / 1e10").evaluate(series, default_aggregate="max")) == [None, 2.0]
    assert values(parse("sum(odd)").evaluate(series)) == [1.0, None]  # an infinite reading is not data


def test_evaluation_errors() -> None:
    formula = parse("sum(good_units) / sum(produced_unit)")
    with pytest.raises(FormulaError) as caught:
        formula.evaluate(LINE)
    assert (caught.value.code, caught.value.column) == ("unknown_metric", 23)
    assert caught.value.message("en") == "Unknown metric 'produced_unit' at column 23."
    series = {"a": np.zeros((3, 2)), "b": np.zeros((2, 2)), "c": np.zeros(3), "d": [["x"]]}
    for text, code in [("a + b", "series_shape"), ("c", "bad_series"), ("d", "bad_series")]:
        with pytest.raises(FormulaError) as caught:
            parse(text).evaluate(series)
        assert caught.value.code == code
    with pytest.raises(FormulaError) as caught:
        parse("a").evaluate(series, zero_division="infinity")
    assert caught.value.code == "bad_option"
    assert caught.value.message("zh-hans") == "选项 zero_division=infinity 无效，可选：missing, zero。"
    with pytest.raises(FormulaError) as caught:
        parse("a").evaluate(series, default_aggregate="median")
    assert caught.value.message("en") == (
        "Invalid option default_aggregate=median; use one of: sum, avg, count, last, min, max.")


def test_inputs_are_not_modified_and_lists_or_ints_are_accepted() -> None:
    good = np.array([[1, 2], [3, 4]])  # integers
    snapshot = good.copy()
    result = parse("-good + round(good, 0) * 0").evaluate({"good": good})
    assert result.dtype == np.float64
    assert values(result) == [-3.0, -7.0]
    assert (good == snapshot).all()
    assert values(parse("sum(x)").evaluate({"x": [[1.5, None], [None, None]]})) == [1.5, None]


def test_explain_yield_shows_every_term_in_order() -> None:
    series = {"good_units": table([9650.0]), "produced_units": table([10000.0])}
    terms = parse("sum(good_units) / sum(produced_units) * 100").explain(series, 0)
    assert terms == [
        Term("sum(good_units)", 9650.0),
        Term("sum(produced_units)", 10000.0),
        Term("sum(good_units) / sum(produced_units)", 0.965),
        Term("sum(good_units) / sum(produced_units) * 100", 96.5),
    ]


def test_explain_names_the_implied_aggregate_leaves_out_literals_and_repeats() -> None:
    formula = parse("if(hires > 0, recruiting_cost / hires, 0)")
    assert formula.explain(OFFICE, 0) == [
        Term("sum(hires)", 5.0),
        Term("sum(hires) > 0", 1.0),
        Term("sum(recruiting_cost)", 20000.0),
        Term("sum(recruiting_cost) / sum(hires)", 4000.0),
        Term("if(sum(hires) > 0, sum(recruiting_cost) / sum(hires), 0)", 4000.0),
    ]
    newcomer = formula.explain(OFFICE, 2, default_aggregate="avg")
    assert newcomer[0] == Term("avg(hires)", None)
    assert newcomer[-1] == Term("if(avg(hires) > 0, avg(recruiting_cost) / avg(hires), 0)", None)
    assert parse("95").explain(OFFICE, 1) == [Term("95", 95.0)]
    assert parse("-5").explain(OFFICE, 1) == [Term("-5", -5.0)]


def test_explain_matches_evaluate_for_every_subject() -> None:
    formula = parse("div(sum(orders_on_time), sum(orders_due), 1) * 100 - sum(defect_units) / 100")
    for option in ("missing", "zero"):
        result = formula.evaluate(LINE, zero_division=option)
        for subject in range(3):
            last = formula.explain(LINE, subject, zero_division=option)[-1]
            assert last.text == formula.canonical
            assert (last.value is None and math.isnan(result[subject])) or last.value == result[subject]


@pytest.mark.parametrize("subject", [-1, 3, 1.0, True, "0"])
def test_explain_refuses_a_subject_that_is_not_there(subject: object) -> None:
    with pytest.raises(FormulaError) as caught:
        parse("sum(good_units)").explain(LINE, subject)  # type: ignore[arg-type]
    assert caught.value.code == "bad_subject"


def test_explain_accepts_a_numpy_index() -> None:
    assert parse("sum(good_units)").explain(LINE, np.int64(0)) == [Term("sum(good_units)", 9650.0)]  # type: ignore[arg-type]
