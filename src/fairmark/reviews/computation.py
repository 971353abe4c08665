"""The review computation (DESIGN.md C5): a pinned template version plus one person's inputs → the weighted
total with its derivation, and a cycle's parts (a mid-cycle transfer) → the pro-rata total. Pure: standard
library, decimal and the pure packages scoring, weighting, anonymity and proration; no Django, so the review
service, the explanation page and the benchmark all run the same code, and hypothesis can test it fast.

    spec = TemplateSpec(template["sections"], template["missing_rule"], indicators_by_code())
    total = compute_part(spec, PartInputs(values={"yield_rate": Decimal("96.5"), ...}, ratings=[...]))
    review = compute_review([("welder", date(2025, 1, 1), date(2025, 2, 14), spec_a, inputs_a),
                             ("inspector", date(2025, 2, 15), date(2025, 3, 31), spec_b, inputs_b)],
                            cycle_start=date(2025, 1, 1), cycle_end=date(2025, 3, 31))
    review.total, review.forced_grade, review.lines("zh-hans"), review.to_json()

The rules, item kind by item kind (the translation itself is in `computation_items`):

- **indicator**: the indicator's scoring rule, or the person's KPI goal line (`inputs.lines[code]`) when there
  is one, applied to the value over the window. No value is a missing item; the template's missing rule
  ("reweight" / "zero") decides what that means. The item's explanation carries the value, the rule used,
  the rule's own explanation and the metric value ids the value came from.
- **rated**: each raw rating is mapped to 0–100 by the indicator's rating rule, then **anonymity is applied
  before weighting**: self and manager count as they are; an anonymous group (peer, subordinate, n_plus_2,
  others) counts as itself only when at least `minimum` people rated the item; smaller ones are pooled into
  "others" with the sum of their template weights (plus the template's own "others" weight); a pool under
  the minimum is withheld and its weight re-normalised away, like a group that did not rate. Why before: the
  ratee is shown only the anonymised groups, and must be able to recompute their number from what they are
  shown; a score computed from the raw groups would depend on ratings they may not see (and would let them
  work out a withheld rating from the difference). The grouping is `anonymity.aggregate(audience="ratee")`
  itself, so the page and the score cannot disagree. A review's ratings serve all its parts, so ratings of
  items this template does not rate are ignored; raters nominated as "others" count only in the pool; a
  rating from any other group the item does not weight is refused (it would dilute the groups that count).
- **okr**: the OKR score 0..1 × 100 (`OkrRule`); no score is a missing item.
- **adjustment**: ± points with a reason, within the item's cap (`weighting.Adjustment` refuses otherwise).
- **veto**: triggered when the indicator's value meets the item's trigger; no value never triggers (a veto
  needs evidence), and the veto's line says so.

Sections without weighted items (the weight-0 "adjustments and vetoes" section) are not passed to
`compute_total` as sections: their items act on the total, not on a section score, and compute_total needs
every section it gets to have items whose weights add up to 100.

Several parts: each part is computed on its own template and window, then weighted by its days (proration:
largest remainder to 4 places, Σ score × weight rounded once). A part whose total is None (nothing had data)
is left out and the weights are re-normalised over the days of the parts that have a total: no data is the
data's absence, not a zero, as within a template. A veto in any part holds for the review: a grade veto forces
the review's grade (the earliest part's wins), a "total_zero" veto sets the review total to 0, since a veto
diluted by the days of a transfer would be no veto.

Decimal everywhere, never float; results carry no rater id (a property test holds it)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from fairmark.indicators.weighting import (
    GroupOutcome,
    ItemOutcome,
    SectionResult,
    Step,
    Total,
    compute_total,
)
from fairmark.indicators.weighting.messages import render
from fairmark.reviews.proration import Assignment, Proration, Segments, prorate, segments

from .computation_items import (
    ComputationError,
    PartInputs,
    RatingIn,
    TemplateSpec,
    build,
    item_key,
)

__all__ = [
    "REVIEW_STEPS",
    "ComputationError",
    "PartInputs",
    "PartResult",
    "RatingIn",
    "ReviewResult",
    "ReviewStep",
    "TemplateSpec",
    "compute_part",
    "compute_review",
    "item_key",
    "total_from_json",
    "total_to_json",
]

K = TypeVar("K", bound=Hashable)
ZERO = Decimal("0.00")
NO_WEIGHT = Decimal("0.0000")


def compute_part(spec: TemplateSpec, inputs: PartInputs, *, language: str = "zh-hans", minimum: int = 3) -> Total:
    """One template for one person over one window: the weighted total and its derivation (labels in
    `language`). Raises ComputationError, WeightingError, AnonymityError or RuleError for bad input, never
    for missing data."""
    built = build(spec, inputs, language=language, minimum=minimum)
    return compute_total(built.sections, adjustments=built.adjustments, vetoes=built.vetoes,
                         missing=spec.missing_rule)  # type: ignore[arg-type]  # checked by compute_total


# ---- several parts -----------------------------------------------------------------------------------------------

REVIEW_STEPS: dict[str, tuple[str, str]] = {  # code → (English, 简体中文), rendered like weighting's steps
    "proration_part": ("{key}: {start} to {end}, {days} of {covered_days} days = {weight} %; "
                       "{score} × {weight} % = {contribution}",
                       "{key}：{start} 至 {end}，{covered_days} 天中的 {days} 天 = {weight}%；"
                       "{score} × {weight}% = {contribution}"),
    "proration_left_out": ("{key}: {start} to {end}, {days} days: no total, left out; the weights are shared by the "
                           "days of the parts with a total",
                           "{key}：{start} 至 {end}，{days} 天：无总分，不计入；权重按有总分各段的天数分配"),
    "proration_gap": ("{start} to {end}, {days} days in no position: not counted",
                      "{start} 至 {end}，{days} 天不在任何岗位：不计入"),
    "proration_total": ("Pro rata total: {terms} = {sum}, rounded to {total}",
                        "按天数折算总分：{terms} = {sum}，四舍五入为 {total}"),
    "proration_none": ("No part has a total, so there is no total.", "各段均无总分，因此没有总分。"),
    "proration_veto_zero": ("A veto in {key} sets the total to 0: {before} → 0.00",
                            "{key} 的一票否决使总分归零：{before} → 0.00"),
    "proration_veto_grade": ("A veto in {key} sets the grade to {grade}", "{key} 的一票否决将绩效等级定为 {grade}"),
    "proration_veto_grade_superseded": ("A veto in {key} would set the grade to {grade}; a veto in an earlier part "
                                        "has already set it to {forced}",
                                        "{key} 的一票否决应定为 {grade}；前一段的一票否决已定为 {forced}"),
    "proration_final": ("Total: {value}", "总分：{value}"),
    "proration_final_grade": ("Total: {value}; grade set by veto: {grade}", "总分：{value}；一票否决定级：{grade}"),
    "proration_final_none": ("Total: none, as no part has a total", "总分：无（各段均无总分）"),
    "proration_final_none_grade": ("Total: none, as no part has a total; grade set by veto: {grade}",
                                   "总分：无（各段均无总分）；一票否决定级：{grade}"),
}


@dataclass(frozen=True)
class ReviewStep(Step):
    """A proration line: a weighting Step (same JSON, same params conventions) whose sentences live here,
    because the weighting package knows nothing of parts of a cycle."""

    def text(self, language: str) -> str:
        return render(REVIEW_STEPS, self.code, self.params, language)


def step_from_json(data: Mapping[str, Any]) -> Step:
    return (ReviewStep if data.get("code") in REVIEW_STEPS else Step).from_json(data)


@dataclass(frozen=True)
class PartResult(Generic[K]):
    """One part of the cycle: its window inside the cycle, its days, the weight its total counted with
    (0.0000 when it had no total and was left out), and its own total."""

    key: K
    start: date
    end: date
    days: int
    weight: Decimal
    total: Total


@dataclass(frozen=True)
class ReviewResult(Generic[K]):
    """The review's total (None when nothing had data), a grade forced by a veto, the parts, and the
    derivation: the proration lines when there are several parts, else the one part's own lines."""

    total: Decimal | None
    forced_grade: str | None
    parts: tuple[PartResult[K], ...]
    derivation: tuple[Step, ...]
    cycle_start: date
    cycle_end: date

    def lines(self, language: str) -> list[str]:
        return [step.text(language) for step in self.derivation]

    def to_json(self) -> dict[str, Any]:
        """Decimals as strings and dates as ISO strings; `from_json` reads it back. With one part the review's
        derivation is that part's, stored once ("derivation": null) rather than twice in every review row."""
        own = (None if len(self.parts) == 1 and tuple(self.derivation) == tuple(self.parts[0].total.derivation)
               else [step.to_json() for step in self.derivation])
        return {"total": _text(self.total), "forced_grade": self.forced_grade,
                "cycle_start": self.cycle_start.isoformat(), "cycle_end": self.cycle_end.isoformat(),
                "parts": [{"key": _json_key(part.key), "start": part.start.isoformat(), "end": part.end.isoformat(),
                           "days": part.days, "weight": str(part.weight), "total": total_to_json(part.total)}
                          for part in self.parts],
                "derivation": own}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReviewResult[Any]:
        parts = tuple(PartResult(part["key"], date.fromisoformat(part["start"]), date.fromisoformat(part["end"]),
                                 int(part["days"]), Decimal(part["weight"]), total_from_json(part["total"]))
                      for part in data["parts"])
        steps = (tuple(step_from_json(step) for step in data["derivation"]) if data.get("derivation") is not None
                 else tuple(parts[0].total.derivation) if len(parts) == 1 else ())
        return cls(_number(data["total"]), data.get("forced_grade"), parts, steps,
                   date.fromisoformat(data["cycle_start"]), date.fromisoformat(data["cycle_end"]))


def compute_review(parts: Sequence[tuple[K, date, date, TemplateSpec, PartInputs]], *, cycle_start: date,
                   cycle_end: date, minimum: int = 3, language: str = "zh-hans") -> ReviewResult[K]:
    """The review's total over the cycle: one part → its total; several → pro rata by days (module docstring);
    none → no total. Each part's window is start..end inclusive, clipped to the cycle; windows may not overlap
    (ProrationError) and part keys are unique."""
    if not parts:
        # No template applied to the person in the cycle: no total, said so, rather than failing a whole run.
        return ReviewResult(None, None, (), (ReviewStep("proration_none"), ReviewStep("proration_final_none")),
                            cycle_start, cycle_end)
    totals: dict[K, Total] = {}
    for key, _start, _end, spec, inputs in parts:
        if key in totals:
            raise ComputationError("part_key_duplicate", {"key": _json_key(key)})
        totals[key] = compute_part(spec, inputs, language=language, minimum=minimum)
    split = segments(cycle_start, cycle_end, [Assignment(key, start, end) for key, start, end, _s, _i in parts])
    outside = [key for key in totals if key not in {part.key for part in split.parts}]
    if outside:
        raise ComputationError("part_outside_cycle", {"key": _json_key(outside[0])})
    scores = {part.key: total for part in split.parts if (total := totals[part.key].value) is not None}
    weights: dict[K, Decimal] = {}
    value: Decimal | None = None
    proration = None
    if scores:
        # Re-cut over the parts with a total only, so their days alone share the weight (module docstring).
        counted = segments(cycle_start, cycle_end,
                           [Assignment(part.key, part.start, part.end) for part in split.parts if part.key in scores])
        proration = prorate(scores, counted)
        weights = {line.key: line.weight for line in proration.parts}
        value = proration.total
    results = tuple(PartResult(part.key, part.start, part.end, part.days, weights.get(part.key, NO_WEIGHT),
                               totals[part.key]) for part in split.parts)
    if len(results) == 1:
        only = results[0].total
        return ReviewResult(value, only.forced_grade, results, tuple(only.derivation), cycle_start, cycle_end)
    derivation = _proration_lines(split, proration)
    value, forced_grade, veto_lines = _vetoes(results, value)
    derivation += veto_lines
    final = ("proration_final" if value is not None else "proration_final_none") + ("_grade" if forced_grade else "")
    derivation.append(ReviewStep(final, {"value": value, "grade": forced_grade}, value))
    return ReviewResult(value, forced_grade, results, tuple(derivation), cycle_start, cycle_end)


def _proration_lines(split: Segments[Any], proration: Proration[Any] | None) -> list[Step]:
    """Parts (counted or left out) and gaps in date order, then the pro-rata total."""
    counted = {line.key: line for line in proration.parts} if proration else {}
    dated: list[tuple[date, Step]] = []
    for part in split.parts:
        where = {"key": _json_key(part.key), "start": part.start.isoformat(), "end": part.end.isoformat(),
                 "days": part.days}
        line = counted.get(part.key)
        if line is None:
            dated.append((part.start, ReviewStep("proration_left_out", where, None, depth=1)))
            continue
        dated.append((part.start, ReviewStep("proration_part", {
            **where, "covered_days": split.covered_days if proration is None else proration.covered_days, "weight": line.weight.scaleb(2), "score": line.score,
            "contribution": line.contribution}, line.contribution, depth=1)))
    for gap in split.gaps:  # the cycle's real gaps; a left-out part is its own line above
        dated.append((gap.start, ReviewStep("proration_gap", {"start": gap.start.isoformat(),
                                                              "end": gap.end.isoformat(), "days": gap.days},
                                            None, depth=1)))
    dated.sort(key=lambda pair: pair[0])
    lines = [step for _start, step in dated]
    if proration is None:
        lines.append(ReviewStep("proration_none"))
    else:
        lines.append(ReviewStep("proration_total", {"terms": [line.contribution for line in proration.parts],
                                                    "sum": proration.exact, "total": proration.total},
                                proration.total))
    return lines


def _vetoes(results: Sequence[PartResult[Any]], value: Decimal | None) -> tuple[Decimal | None, str | None, list[Step]]:
    lines: list[Step] = []
    for part in results:
        if any(step.code == "veto_zero" for step in part.total.derivation):
            lines.append(ReviewStep("proration_veto_zero", {"key": _json_key(part.key), "before": value}, ZERO))
            value = ZERO
    forced: str | None = None
    for part in results:
        grade = part.total.forced_grade
        if grade is None:
            continue
        where = {"key": _json_key(part.key), "grade": grade}
        if forced is None or forced == grade:
            forced = grade
            lines.append(ReviewStep("proration_veto_grade", where, value))
        else:
            lines.append(ReviewStep("proration_veto_grade_superseded", {**where, "forced": forced}, value))
    return value, forced, lines


# ---- JSON --------------------------------------------------------------------------------------------------------


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _number(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _json_key(key: object) -> object:
    return key if isinstance(key, str) or (isinstance(key, int) and not isinstance(key, bool)) else str(key)


def _plain(value: Any) -> Any:
    """An explanation as JSON: scoring Explanations via to_dict, decimals and dates as strings. The exact-type
    checks come first because this runs over every item of every review (a tenth of a cycle's recompute)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is Decimal:
        return str(value)
    if kind is dict:
        return {k if type(k) is str else str(k): _plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    if hasattr(value, "to_dict"):
        return _plain(value.to_dict())
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def total_to_json(total: Total) -> dict[str, Any]:
    """A weighting Total as JSON (every figure the explanation page shows, and the derivation)."""
    return {
        "value": _text(total.value), "forced_grade": total.forced_grade, "subtotal": _text(total.subtotal),
        "missing": total.missing,
        "sections": [{
            "key": section.key, "label": section.label, "weight": str(section.weight), "score": _text(section.score),
            "weight_present": str(section.weight_present), "contribution": _text(section.contribution),
            "items": [{
                "key": item.key, "label": item.label, "kind": item.kind, "weight": str(item.weight),
                "score": _text(item.score), "contribution": _text(item.contribution),
                "explanation": _plain(item.explanation),
                "groups": [{"group": group.group, "weight": str(group.weight), "count": group.count,
                            "average": _text(group.average), "contribution": _text(group.contribution)}
                           for group in item.groups],
            } for item in section.items],
        } for section in total.sections],
        "derivation": [step.to_json() for step in total.derivation],
    }


def total_from_json(data: Mapping[str, Any]) -> Total:
    """`total_to_json` read back; explanations stay the JSON they were stored as."""
    sections = [SectionResult(
        section["key"], section["label"], Decimal(section["weight"]), _number(section["score"]),
        tuple(ItemOutcome(item["key"], item["label"], item["kind"], Decimal(item["weight"]), _number(item["score"]),
                          _number(item["contribution"]), item["explanation"],
                          tuple(GroupOutcome(group["group"], Decimal(group["weight"]), int(group["count"]),
                                             _number(group["average"]), _number(group["contribution"]))
                                for group in item["groups"]))
              for item in section["items"]),
        Decimal(section["weight_present"]), _number(section["contribution"]),
    ) for section in data["sections"]]
    return Total(_number(data["value"]), data.get("forced_grade"), sections,
                 [step_from_json(step) for step in data["derivation"]], _number(data.get("subtotal")),
                 data.get("missing", "reweight"))
