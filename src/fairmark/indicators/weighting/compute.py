"""Item results → section scores → weighted total, with rater groups, adjustments, vetoes and an explicit rule
for missing parts. Pure; the algorithm and its rounding points are written out in docs/computation.md.

Rounding, in one place: every number a user is shown is rounded to 0.01 half-up, and the next step works
from the rounded figure, so anyone with a calculator and the page reproduces the total. The rounded figures
are: an item's score as it comes in, a rater group's average, a rated item's score, a section's score, the
weighted total. Products (score × weight %) and sums are exact and shown with all their places."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .errors import InputError
from .model import (
    Adjustment,
    GroupOutcome,
    Item,
    ItemOutcome,
    MissingRule,
    RatedItem,
    RatedScore,
    Section,
    SectionResult,
    Step,
    Total,
    Veto,
    check_bounds,
    check_missing_rule,
    check_unique,
    check_weights,
)
from .numbers import HUNDRED, ZERO, TooManyDigits, add, mul, percent_of, q2, round_ratio

SECTIONS_LABEL = "sections"  # the label of the section weights in a WeightError (a form maps it to its field)


def _weighted_mean(weighted_sum: Decimal, weight_present: Decimal) -> Decimal:
    """Σ(score × weight %) ÷ (weights counted %), rounded once. With every weight counted this is the sum
    itself; after re-weighting it scales the present weights up to 100 %."""
    return round_ratio(mul(weighted_sum, HUNDRED), weight_present)


def rate(item: RatedItem) -> RatedScore:
    """A rated item's score: each rater group's ratings averaged (rounded), then the group-weighted mean of the
    averages. A group without ratings is left out and the weights of the groups that rated are re-normalised
    (a missing group is the raters' absence, not the ratee's performance, so it never counts as 0, whatever
    the template's MissingRule). No group at all → no score; then the template's rule applies to the item."""
    check_weights([group.weight for group in item.groups], label=item.label)
    try:
        return _rate(item)
    except TooManyDigits as exc:
        raise InputError("too_many_digits", {"label": item.label}) from exc


def _rate(item: RatedItem) -> RatedScore:
    steps: list[Step] = []
    outcomes: list[GroupOutcome] = []
    contributions: list[Decimal] = []
    present_weights: list[Decimal] = []
    for group in item.groups:
        where = {"item": item.key, "group": group.group, "weight": group.weight}
        if not group.scores:
            outcomes.append(GroupOutcome(group.group, group.weight, 0, None, None))
            steps.append(Step("group_missing", where, None, depth=3))
            continue
        average = round_ratio(add(group.scores), Decimal(len(group.scores)))
        contribution = percent_of(average, group.weight)
        outcomes.append(GroupOutcome(group.group, group.weight, len(group.scores), average, contribution))
        contributions.append(contribution)
        present_weights.append(group.weight)
        steps.append(Step("group", {**where, "count": len(group.scores), "average": average,
                                    "contribution": contribution}, contribution, depth=3))
    weight_present = add(present_weights)
    if not contributions or not weight_present:
        steps.append(Step("rated_missing", {"item": item.key, "label": item.label}, None, depth=2))
        return RatedScore(None, tuple(outcomes), weight_present, tuple(steps))
    total = add(contributions)
    score = _weighted_mean(total, weight_present)
    code = "rated" if weight_present == HUNDRED else "rated_reweighted"
    steps.append(Step(code, {"item": item.key, "label": item.label, "sum": total, "weight_present": weight_present,
                             "score": score}, score, depth=2))
    return RatedScore(score, tuple(outcomes), weight_present, tuple(steps))


Scored = tuple[Decimal | None, tuple[GroupOutcome, ...], list[Step]]  # an item's score, its groups, its lines


def _score_item(item: Item) -> Scored:
    if isinstance(item, RatedItem):
        rated = _rate(item)  # weights already checked by _validate
        return rated.score, rated.groups, list(rated.derivation)
    # Scores arrive from the scoring rules already at 0.01; rounding again here makes the rule hold for any caller.
    return (None if item.score is None else q2(item.score)), (), []


def _section(section: Section, scored: list[Scored], missing: MissingRule,
             anything_scored: bool) -> tuple[SectionResult, list[Step]]:
    steps: list[Step] = []
    outcomes: list[ItemOutcome] = []
    contributions: list[Decimal] = []
    counted_weights: list[Decimal] = []
    for item, (score, groups, item_steps) in zip(section.items, scored, strict=True):
        steps.extend(item_steps)
        where: dict[str, Any] = {"section": section.key, "item": item.key, "label": item.label, "weight": item.weight}
        contribution: Decimal | None
        if score is not None:
            contribution = percent_of(score, item.weight)
            steps.append(Step("item", {**where, "score": score, "contribution": contribution}, contribution, depth=2))
        elif not anything_scored:
            contribution = None
            steps.append(Step("item_missing", where, None, depth=2))
        elif missing == "zero":
            contribution = ZERO
            steps.append(Step("item_missing_zero", where, ZERO, depth=2))
        else:
            contribution = None
            steps.append(Step("item_missing_reweight", where, None, depth=2))
        if contribution is not None:
            contributions.append(contribution)
            counted_weights.append(item.weight)
        outcomes.append(ItemOutcome(item.key, item.label, item.kind, item.weight, score, contribution,
                                    item.explanation, groups))
    weight_present = add(counted_weights)
    where = {"section": section.key, "label": section.label, "weight": section.weight}
    if not anything_scored:
        return SectionResult(section.key, section.label, section.weight, None, tuple(outcomes), weight_present,
                             None), steps
    if not contributions or not weight_present:
        # Only under "reweight": nothing with a weight has a score, so the section has no score at all.
        steps.append(Step("section_missing", where, None, depth=1))
        return SectionResult(section.key, section.label, section.weight, None, tuple(outcomes), weight_present,
                             None), steps
    total = add(contributions)
    score = _weighted_mean(total, weight_present)
    code = "section" if weight_present == HUNDRED else "section_reweighted"
    steps.append(Step(code, {**where, "sum": total, "weight_present": weight_present, "score": score}, score, depth=1))
    contribution = percent_of(score, section.weight)
    return SectionResult(section.key, section.label, section.weight, score, tuple(outcomes), weight_present,
                         contribution), steps


def _validate(sections: Sequence[Section]) -> None:
    check_weights([section.weight for section in sections], label=SECTIONS_LABEL)
    check_unique([section.key for section in sections], label=SECTIONS_LABEL)
    for section in sections:
        check_weights([item.weight for item in section.items], label=section.label)
        check_unique([item.key for item in section.items], label=section.label)
        for item in section.items:
            if isinstance(item, RatedItem):
                check_weights([group.weight for group in item.groups], label=item.label)


def compute_total(
    sections: Sequence[Section],
    *,
    adjustments: Sequence[Adjustment] = (),
    vetoes: Sequence[Veto] = (),
    missing: MissingRule,
    score_floor: Decimal = Decimal(0),
    score_cap: Decimal | None = None,
) -> Total:
    """The weighted total and its derivation, in this order:

    1. each item's score (a rated item's from its rater groups) × its weight → the section's score;
    2. each section's score × the section's weight → the weighted total (`subtotal`);
    3. each adjustment, in the order given;
    4. the clamp to [score_floor, score_cap];
    5. each veto, in the order given: "total_zero" sets the total to 0 (after the clamp, so a floor cannot
       undo it), "grade" forces the grade (the first triggered one wins; list vetoes most severe first);
    6. the final line, which carries `value`.

    Missing parts follow `missing`: "reweight" leaves them out and divides by the weights that are present,
    "zero" counts them as 0. When no item has a score at all the total is None (with a line saying so), under
    either rule; a triggered "total_zero" veto still sets it to 0, as a veto does not depend on the scores.
    Raises WeightError / InputError for an invalid template; never for missing scores."""
    rule = check_missing_rule(missing)
    floor, cap = check_bounds(score_floor, score_cap)
    sections = list(sections)
    try:
        _validate(sections)
        return _compute(sections, list(adjustments), list(vetoes), rule, floor, cap)
    except TooManyDigits as exc:
        raise InputError("too_many_digits") from exc


def _compute(sections: list[Section], adjustments: list[Adjustment], vetoes: list[Veto], missing: MissingRule,
             floor: Decimal, cap: Decimal | None) -> Total:
    scored = [[_score_item(item) for item in section.items] for section in sections]
    anything_scored = any(score is not None for items in scored for score, _groups, _steps in items)
    steps: list[Step] = []
    results: list[SectionResult] = []
    for section, section_scored in zip(sections, scored, strict=True):
        result, section_steps = _section(section, section_scored, missing, anything_scored)
        results.append(result)
        steps.extend(section_steps)

    value: Decimal | None = None
    if anything_scored:
        present = [result for result in results if result.contribution is not None]
        contributions: list[Decimal] = []
        for result in present:
            assert result.score is not None
            assert result.contribution is not None
            contributions.append(result.contribution)
            steps.append(Step("section_weighted", {"section": result.key, "label": result.label, "score": result.score,
                                                   "weight": result.weight, "contribution": result.contribution},
                              result.contribution))
        weight_present = add(result.weight for result in present)
        if present and weight_present:
            total = add(contributions)
            value = _weighted_mean(total, weight_present)
            code = "subtotal" if weight_present == HUNDRED else "subtotal_reweighted"
            steps.append(Step(code, {"sum": total, "weight_present": weight_present, "total": value}, value))
    if value is None:
        steps.append(Step("nothing_scored"))
    subtotal = value

    for adjustment in adjustments:
        where = {"points": adjustment.points, "reason": adjustment.reason, "cap": adjustment.cap}
        if value is None:
            steps.append(Step("adjustment_skipped", where))
            continue
        after = add([value, adjustment.points])  # two places + two places: exact, no rounding
        steps.append(Step("adjustment", {**where, "before": value, "after": after}, after))
        value = after

    if value is not None and value < floor:
        steps.append(Step("clamp_floor", {"floor": floor, "before": value, "after": floor}, floor))
        value = floor
    if value is not None and cap is not None and value > cap:
        steps.append(Step("clamp_cap", {"cap": cap, "before": value, "after": cap}, cap))
        value = cap

    forced_grade: str | None = None
    for veto in vetoes:
        where = {"reason": veto.reason, "effect": veto.effect, "grade": veto.grade}
        if not veto.triggered:
            steps.append(Step("veto_clear", where, value))
        elif veto.effect == "total_zero":
            steps.append(Step("veto_zero", {**where, "before": value}, ZERO))
            value = ZERO
        elif forced_grade is None or forced_grade == veto.grade:
            forced_grade = veto.grade
            steps.append(Step("veto_grade", where, value))
        else:
            steps.append(Step("veto_grade_superseded", {**where, "forced": forced_grade}, value))

    if value is not None:
        value = q2(value)  # already two places (floor and cap are checked to have at most two); fixes the exponent
    final = ("final" if value is not None else "final_none") + ("_grade" if forced_grade else "")
    steps.append(Step(final, {"value": value, "grade": forced_grade}, value))
    return Total(value, forced_grade, results, steps, subtotal, missing)
