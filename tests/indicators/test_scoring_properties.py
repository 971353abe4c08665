"""Hypothesis properties of the scoring rules (issue 3, acceptance): linear and ratio rules are monotone in the
indicator's direction; caps and floors hold for any input; the bulk path agrees with the exact path; the
stored form round-trips; a stored rule, whatever it holds, either builds or raises RuleError."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairmark.indicators.scoring import (
    RULE_KINDS,
    AdditionRule,
    Comparison,
    DeductionRule,
    LinearRule,
    OkrRule,
    PassFailRule,
    RatingScaleRule,
    RatioRule,
    Rule,
    RuleError,
    StepRule,
    VetoRule,
    rule_from_dict,
)

# The bulk path is unrounded float64; the exact path rounds half up to 0.01, so they may differ by 0.005 plus
# the float error of the bulk arithmetic (~1e-10 at these magnitudes; 1e-6 leaves room for steep slopes).
TOLERANCE = 0.005 + 1e-6
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

directions = st.sampled_from(["higher", "lower"])


def dec(low: str, high: str, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False,
                       allow_infinity=False)


def rising(strategy: st.SearchStrategy[Decimal], size: int) -> st.SearchStrategy[list[Decimal]]:
    return st.lists(strategy, min_size=size, max_size=size, unique=True).map(sorted)


@st.composite
def linear_rules(draw: st.DrawFn, direction: str | None = None) -> LinearRule:
    points = draw(rising(dec("-1000", "1000"), 3))
    scores = draw(rising(dec("-200", "300"), 3))
    chosen: Any = direction or draw(directions)
    if chosen == "lower":
        points.reverse()
    return LinearRule(threshold=points[0], target=points[1], stretch=points[2], threshold_score=scores[0],
                      target_score=scores[1], stretch_score=scores[2], floor=draw(dec("-500", str(scores[0]))),
                      cap=draw(st.one_of(st.none(), dec(str(scores[2]), "600"))), direction=chosen)


@st.composite
def ratio_rules(draw: st.DrawFn, direction: str | None = None) -> RatioRule:
    floor = draw(dec("-100", "100"))
    return RatioRule(target=draw(dec("0.01", "1000")), cap=floor + draw(dec("0.01", "500")), floor=floor,
                     direction=direction or draw(directions))  # type: ignore[arg-type]


@st.composite
def step_rules(draw: st.DrawFn, direction: str | None = None) -> StepRule:
    size = draw(st.integers(1, 8))
    bounds = draw(rising(dec("-1000", "1000"), size))
    scores = sorted(draw(st.lists(dec("-100", "200"), min_size=size, max_size=size)))
    chosen = direction or draw(directions)
    if chosen == "lower":
        scores.reverse()
    worst = scores[0] if chosen == "higher" else scores[-1]
    return StepRule(bands=list(zip(bounds, scores, strict=True)), floor=draw(dec("-300", str(worst))),
                    direction=chosen)  # type: ignore[arg-type]


@st.composite
def deduction_rules(draw: st.DrawFn) -> DeductionRule:
    base = draw(dec("-100", "200"))
    return DeductionRule(points_per_incident=draw(dec("0.01", "50")), base=base,
                         floor=base - draw(dec("0.01", "300")))


@st.composite
def addition_rules(draw: st.DrawFn) -> AdditionRule:
    base = draw(dec("-100", "100"))
    return AdditionRule(points_per_unit=draw(dec("0.01", "50")), base=base, cap=base + draw(dec("0.01", "100")))


comparisons = st.builds(Comparison, st.sampled_from([">", ">=", "<", "<=", "==", "!="]), dec("-100", "100"))


@st.composite
def pass_fail_rules(draw: st.DrawFn) -> PassFailRule:
    fail = draw(dec("-100", "100"))
    return PassFailRule(pass_if=draw(comparisons), fail_score=fail, pass_score=fail + draw(dec("0.01", "100")))


veto_rules = st.one_of(
    st.builds(VetoRule, trigger=comparisons),
    st.builds(VetoRule, trigger=comparisons, effect=st.just("grade"), grade=st.sampled_from(["C", "D", "不合格"])),
)
anchors = st.one_of(st.just(("", "")), st.tuples(st.text(min_size=1, max_size=20).filter(str.strip),
                                                 st.text(min_size=1, max_size=20).filter(str.strip)))


@st.composite
def rating_rules(draw: st.DrawFn) -> RatingScaleRule:
    size = draw(st.integers(2, 7))
    ratings = draw(rising(dec("-10", "10"), size))
    scores = sorted(draw(st.lists(dec("-100", "200"), min_size=size, max_size=size)))
    labels = draw(st.lists(anchors, min_size=size, max_size=size))
    return RatingScaleRule(points=[(r, s, en, zh) for r, s, (en, zh) in zip(ratings, scores, labels, strict=True)])


any_rule: st.SearchStrategy[Rule] = st.one_of(
    linear_rules(), ratio_rules(), step_rules(), deduction_rules(), addition_rules(), pass_fail_rules(),
    veto_rules, rating_rules(), st.just(OkrRule()),
)
# Values with few digits: exactly representable enough that float(value) keeps its order against every bound.
values = st.one_of(dec("-2000", "2000", 3), dec("-2", "2", 4))
# Anything a Decimal can be, infinities and absurd exponents included (NaN is "no data", tested elsewhere).
any_value = st.decimals(allow_nan=False)


def edge_values(rule: Rule) -> list[Decimal]:
    """The rule's own parameters: where the exact and the bulk path switch branches."""
    found: list[Decimal] = []
    for raw in json.dumps(rule.to_dict()).replace("[", " ").replace("]", " ").replace(",", " ").split('"'):
        try:
            number = Decimal(raw)
        except ArithmeticError:
            continue
        if number.is_finite():
            found.append(number)
    return found


def score_value(rule: Rule, value: Decimal) -> Decimal:
    result = rule.score(value).value
    assert result is not None
    return result


# --- monotone in the indicator's direction -------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(rule=st.one_of(linear_rules(), ratio_rules(), step_rules()), a=values, b=values)
def test_monotone_in_the_direction(rule: LinearRule | RatioRule | StepRule, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    if rule.direction == "higher":
        assert score_value(rule, low) <= score_value(rule, high)
    else:
        assert score_value(rule, low) >= score_value(rule, high)


@PROPERTY_SETTINGS
@given(rule=st.one_of(linear_rules(), ratio_rules()), data=st.data())
def test_monotone_across_the_rules_own_breakpoints(rule: LinearRule | RatioRule, data: st.DataObject) -> None:
    """Around each parameter, where one branch of the rule hands over to the next."""
    points = sorted({*edge_values(rule), *(e + d for e in edge_values(rule) for d in (Decimal("-0.001"),
                                                                                      Decimal("0.001")))})
    scores = [score_value(rule, point) for point in points]
    if rule.direction == "lower":
        scores.reverse()
    assert scores == sorted(scores)


@PROPERTY_SETTINGS
@given(rule=linear_rules(), value=values)
def test_linear_directions_mirror_each_other(rule: LinearRule, value: Decimal) -> None:
    mirrored = LinearRule(threshold=-rule.threshold, target=-rule.target, stretch=-rule.stretch,
                          threshold_score=rule.threshold_score, target_score=rule.target_score,
                          stretch_score=rule.stretch_score, floor=rule.floor, cap=rule.cap,
                          direction="lower" if rule.direction == "higher" else "higher")
    assert rule.score(value).value == mirrored.score(-value).value


# --- caps and floors hold for any input -----------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(rule=linear_rules(), value=any_value)
def test_linear_stays_between_floor_and_cap(rule: LinearRule, value: Decimal) -> None:
    assert rule.floor <= score_value(rule, value) <= rule.cap_score


@PROPERTY_SETTINGS
@given(rule=ratio_rules(), value=any_value)
def test_ratio_stays_between_floor_and_cap(rule: RatioRule, value: Decimal) -> None:
    assert rule.floor <= score_value(rule, value) <= rule.cap


@PROPERTY_SETTINGS
@given(rule=step_rules(), value=any_value)
def test_step_stays_within_its_table(rule: StepRule, value: Decimal) -> None:
    best = max(band.score for band in rule.table)
    result = score_value(rule, value)
    assert rule.floor <= result <= best
    assert result == rule.floor or result in {band.score for band in rule.table}


@PROPERTY_SETTINGS
@given(rule=deduction_rules(), value=any_value)
def test_deduction_stays_between_floor_and_base(rule: DeductionRule, value: Decimal) -> None:
    assert rule.floor <= score_value(rule, value) <= rule.base


@PROPERTY_SETTINGS
@given(rule=addition_rules(), value=any_value)
def test_addition_stays_between_base_and_cap(rule: AdditionRule, value: Decimal) -> None:
    assert rule.base <= score_value(rule, value) <= rule.cap


@PROPERTY_SETTINGS
@given(rule=rating_rules(), value=any_value)
def test_rating_stays_on_its_scale(rule: RatingScaleRule, value: Decimal) -> None:
    assert rule.scale[0].score <= score_value(rule, value) <= rule.scale[-1].score


@PROPERTY_SETTINGS
@given(value=any_value)
def test_okr_stays_between_0_and_100(value: Decimal) -> None:
    assert Decimal(0) <= score_value(OkrRule(), value) <= Decimal(100)


@PROPERTY_SETTINGS
@given(rule=any_rule, value=any_value)
def test_any_rule_any_value_gives_a_cent_score_and_an_explanation(rule: Rule, value: Decimal) -> None:
    score = rule.score(value)
    assert score.value is not None
    assert score.value.as_tuple().exponent == -2  # stored with exactly two places
    assert score.veto == (isinstance(rule, VetoRule) and score.value == 0)
    for language in ("en", "zh-hans"):
        assert score.text(language)
        assert rule.describe().text(language)


# --- the bulk path agrees with the exact path -----------------------------------------------------------------


@PROPERTY_SETTINGS
@given(rule=any_rule, data=st.data())
def test_bulk_path_agrees_with_exact_path(rule: Rule, data: st.DataObject) -> None:
    inputs: list[Decimal | None] = [*data.draw(st.lists(values, max_size=20)), *edge_values(rule), None]
    bulk = rule.score_many(np.array([np.nan if v is None else float(v) for v in inputs], dtype=np.float64))
    assert bulk.dtype == np.float64
    assert bulk.shape == (len(inputs),)
    for value, fast in zip(inputs, bulk, strict=True):
        exact = rule.score(value).value
        if exact is None:
            assert np.isnan(fast)
        else:
            assert abs(float(fast) - float(exact)) <= TOLERANCE, (value, fast, exact)


@PROPERTY_SETTINGS
@given(rule=any_rule)
def test_bulk_path_handles_infinities_like_the_exact_path(rule: Rule) -> None:
    bulk = rule.score_many(np.array([np.inf, -np.inf]))
    for fast, value in zip(bulk, (Decimal("Infinity"), Decimal("-Infinity")), strict=True):
        assert abs(float(fast) - float(score_value(rule, value))) <= TOLERANCE


# --- stored form ----------------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(rule=any_rule)
def test_stored_form_round_trips_exactly(rule: Rule) -> None:
    stored = json.loads(json.dumps(rule.to_dict(), ensure_ascii=False))
    rebuilt = rule_from_dict(stored)
    assert rebuilt == rule
    assert rebuilt.to_dict() == rule.to_dict() == stored
    assert all(isinstance(v, str | dict | list) or v is None for v in stored["params"].values())


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                         st.text(max_size=12), st.sampled_from(["90", ">= 1", "higher", "lower", "grade", "1e400"]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(st.text(max_size=6), inner,
                                                                                 max_size=3)), max_leaves=12)
param_names = st.sampled_from(["threshold", "target", "stretch", "threshold_score", "target_score",
                               "stretch_score", "floor", "cap", "direction", "bands", "points_per_incident", "base",
                               "points_per_unit", "pass_if", "pass_score", "fail_score", "trigger", "effect",
                               "grade", "points", "other"])


@PROPERTY_SETTINGS
@given(kind=st.one_of(st.sampled_from(sorted(RULE_KINDS)), json_values),
       params=st.one_of(st.dictionaries(param_names, json_values, max_size=8), json_values))
def test_any_stored_data_builds_a_rule_or_raises_rule_error(kind: Any, params: Any) -> None:
    outcome = build(kind, params)
    if isinstance(outcome, RuleError):
        assert outcome.message("en")
        assert outcome.message("zh-hans")
    else:
        assert rule_from_dict(outcome.to_dict()) == outcome


def build(kind: Any, params: Any) -> Rule | RuleError:
    """Any exception other than RuleError propagates and fails the test."""
    try:
        return rule_from_dict({"kind": kind, "params": params})
    except RuleError as error:
        return error
