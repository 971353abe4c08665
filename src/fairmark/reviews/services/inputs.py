"""Everything the computation of many reviews needs, read in bulk: the pinned template and indicator versions,
the values reaching each person in each part's window (ingestion.selectors.points_reaching, one pass per
indicator version for all reviews at once), OKR scores from the person's goals, the submitted ratings and the
adjustments. A cycle of 10,000 people is read in a handful of queries per chunk, not per person."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from fairmark.goals.kpi import goal_line, goal_values
from fairmark.goals.models import Goal, GoalKind, GoalLevel, GoalState
from fairmark.indicators.models import IndicatorVersion, TemplateVersion
from fairmark.indicators.scoring import RuleError
from fairmark.ingestion.selectors import points_reaching

from ..computation import PartInputs, RatingIn, TemplateSpec, item_key
from ..models import Adjustment, Rating, Review
from ..selectors import pinned_versions

VALUE_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Part:
    key: int
    start: date
    end: date
    template_id: int
    position: str = ""


def parts_of(review: Review) -> list[Part]:
    """The windows a review is scored over: its stored parts (a transfer), else the whole period."""
    if review.parts:
        return [Part(i, date.fromisoformat(p["start"]), date.fromisoformat(p["end"]), int(p["template"]),
                     str(p.get("position", ""))) for i, p in enumerate(review.parts)]
    cycle = review.cycle
    return [Part(0, cycle.period_start, cycle.period_end, review.template_version_id)]


def _indicator_dict(version: IndicatorVersion) -> dict[str, Any]:
    return {"scoring": version.scoring, "name_zh": version.name_zh, "name_en": version.name_en,
            "formula": version.formula, "aggregation": version.aggregation, "unit": version.unit,
            "direction": version.direction, "metrics": version.metric_codes, "id": version.pk}


def template_specs(template_ids: Iterable[int]) -> dict[int, TemplateSpec]:
    """Each template version with the indicator versions its items pinned at publishing (by number)."""
    templates = list(TemplateVersion.objects.filter(pk__in=set(template_ids)))
    pinned = pinned_versions(templates)
    return {template.pk: TemplateSpec(sections=template.sections, missing_rule=template.missing_rule,
                                      indicators={code: _indicator_dict(version)
                                                  for code, version in pinned[template.pk].items()})
            for template in templates}


def data_codes(spec: TemplateSpec) -> set[str]:
    """The indicators of a template whose value comes from data (indicator and veto items)."""
    codes: set[str] = set()
    for section in spec.sections:
        for item in section.get("items", []):
            if item.get("kind") in ("indicator", "veto") and item.get("indicator") in spec.indicators:
                codes.add(item["indicator"])
    return codes


def gather(reviews: Sequence[Review], specs: dict[int, TemplateSpec]) -> dict[tuple[int, int], PartInputs]:
    """PartInputs for every (review id, part key)."""
    parts = {review.pk: parts_of(review) for review in reviews}
    values, sources = _values(reviews, parts, specs)
    lines = _goal_lines(reviews, parts, specs)
    okr = _okr_scores(reviews, parts, specs)
    ratings: dict[int, list[RatingIn]] = defaultdict(list)
    for review_id, rater_id, group, item, rating, comment in (
            Rating.objects.filter(review__in=[r.pk for r in reviews], submitted=True, rating__isnull=False)
            .values_list("review_id", "rater_id", "group", "item", "rating", "comment")):
        ratings[review_id].append(RatingIn(rater_id, group, item, rating, comment or None))  # type: ignore[arg-type]
    adjustments: dict[int, dict[str, tuple[Decimal, str]]] = defaultdict(dict)
    for review_id, item, points, reason in Adjustment.objects.filter(
            review__in=[r.pk for r in reviews]).values_list("review_id", "item", "points", "reason"):
        adjustments[review_id][item] = (points, reason)
    out: dict[tuple[int, int], PartInputs] = {}
    for review in reviews:
        for part in parts[review.pk]:
            key = (review.pk, part.key)
            out[key] = PartInputs(values=values.get(key, {}), sources=sources.get(key, {}), lines=lines.get(key, {}),
                                  okr=okr.get(key, {}), ratings=tuple(ratings.get(review.pk, ())),
                                  adjustments=adjustments.get(review.pk, {}))
    return out


def _values(reviews: Sequence[Review], parts: dict[int, list[Part]], specs: dict[int, TemplateSpec]
            ) -> tuple[dict[tuple[int, int], dict[str, Decimal | None]], dict[tuple[int, int], dict[str, list[int]]]]:
    """Each data item's value per review part: the indicator's formula over the points reaching the person in
    the part's window, computed for every part reading that indicator at once (vectorised formula)."""
    readers: dict[str, list[tuple[tuple[int, int], int, date, date]]] = defaultdict(list)
    definitions: dict[str, Mapping[str, Any]] = {}
    for review in reviews:
        for part in parts[review.pk]:
            spec = specs.get(part.template_id)
            if spec is None:
                continue
            for code in data_codes(spec):
                definitions.setdefault(code, spec.indicators[code])
                readers[code].append(((review.pk, part.key), review.employee_id, part.start, part.end))
    values: dict[tuple[int, int], dict[str, Decimal | None]] = defaultdict(dict)
    sources: dict[tuple[int, int], dict[str, list[int]]] = defaultdict(dict)
    for code, rows in readers.items():
        definition = definitions[code]
        if not definition["formula"]:
            continue
        windows = {key: (person, start, end) for key, person, start, end in rows}
        found = points_reaching(windows, definition["metrics"])
        keys = list(windows)
        series: dict[str, list[list[float]]] = {metric: [] for metric in definition["metrics"]}
        for key in keys:
            by_metric: dict[str, list[float]] = defaultdict(list)
            for _period, _pk, metric, number in found.get(key, ()):
                by_metric[metric].append(number)
            for metric in series:
                series[metric].append(by_metric.get(metric, []))
        computed = goal_values(definition["formula"], definition["aggregation"], series)
        for key, value in zip(keys, computed, strict=True):
            has_points = bool(found.get(key))
            values[key][code] = value.quantize(VALUE_PLACES) if value is not None and has_points else None
            sources[key][code] = [pk for _period, pk, _metric, _number in found.get(key, ())]
    return values, sources


# A goal's line over a longer period scores a window of it only for measures that do not grow with the period
# (a yearly output target says nothing about a quarter's output; a yearly defect-rate target does).
PERIOD_FREE = {"avg", "ratio_of_sums", "last", "min", "max"}


def _goal_lines(reviews: Sequence[Review], parts: dict[int, list[Part]], specs: dict[int, TemplateSpec]
                ) -> dict[tuple[int, int], dict[str, dict[str, Any]]]:
    """The person's own threshold/target/stretch (their signed KPI goal on the same indicator) for each data item
    of each part, where the goal covers the window and the measure does not depend on the period's length (or
    the goal's period is the window). Without such a goal the indicator's published rule scores the item."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for review in reviews:
        for part in parts[review.pk]:
            spec = specs.get(part.template_id)
            for code in data_codes(spec) if spec is not None else ():
                if spec is not None and spec.indicators[code].get("scoring", {}).get("kind") == "linear":
                    wanted[code].add(review.employee_id)
    if not wanted:
        return {}
    goals: dict[tuple[int, str], list[Goal]] = defaultdict(list)
    for goal in (Goal.objects.filter(level=GoalLevel.PERSON, kind=GoalKind.KPI, state=GoalState.ACTIVE,
                                     indicator_version__indicator__code__in=list(wanted),
                                     employee_id__in={p for people in wanted.values() for p in people},
                                     threshold__isnull=False, target__isnull=False, stretch__isnull=False)
                 .select_related("indicator_version__indicator").order_by("pk")):
        goals[(goal.employee_id, goal.indicator_version.indicator.code)].append(goal)  # type: ignore[index, union-attr]
    out: dict[tuple[int, int], dict[str, dict[str, Any]]] = defaultdict(dict)
    for review in reviews:
        for part in parts[review.pk]:
            spec = specs.get(part.template_id)
            if spec is None:
                continue
            for code in data_codes(spec):
                indicator = spec.indicators[code]
                for goal in goals.get((review.employee_id, code), ()):
                    same = goal.period_start == part.start and goal.period_end == part.end
                    covers = goal.period_start <= part.start and goal.period_end >= part.end
                    threshold, target, stretch = goal.threshold, goal.target, goal.stretch
                    if threshold is None or target is None or stretch is None:
                        continue
                    if same or (covers and indicator.get("aggregation") in PERIOD_FREE):
                        try:
                            line = goal_line(threshold=threshold, target=target, stretch=stretch,
                                             direction=indicator.get("direction", "higher"),
                                             scoring=indicator.get("scoring"))
                        except RuleError:
                            continue
                        out[(review.pk, part.key)][code] = line.to_dict()
                        break
    return out


def _okr_scores(reviews: Sequence[Review], parts: dict[int, list[Part]], specs: dict[int, TemplateSpec]
                ) -> dict[tuple[int, int], dict[str, Decimal | None]]:
    """An OKR item's score: the weighted progress (0–1) of the person's OKR goals overlapping the window."""
    wanted = [(review, part) for review in reviews for part in parts[review.pk]
              if part.template_id in specs and _okr_keys(specs[part.template_id])]
    if not wanted:
        return {}
    people = {review.employee_id for review, _part in wanted}
    goals: dict[int, list[tuple[date, date, Decimal, Decimal | None]]] = defaultdict(list)
    for employee_id, start, end, weight, progress in Goal.objects.filter(
            employee_id__in=people, level=GoalLevel.PERSON, kind=GoalKind.OKR, state=GoalState.ACTIVE
    ).values_list("employee_id", "period_start", "period_end", "weight", "progress"):
        goals[employee_id].append((start, end, weight, progress))
    out: dict[tuple[int, int], dict[str, Decimal | None]] = {}
    for review, part in wanted:
        rows = [(w, p) for s, e, w, p in goals.get(review.employee_id, ())
                if s <= part.end and e >= part.start and p is not None and w > 0]
        weight = sum((w for w, _p in rows), Decimal(0))
        score = None if not weight else (sum((w * p for w, p in rows), Decimal(0)) / weight)
        if score is not None:
            score = min(max(score, Decimal(0)), Decimal(1)).quantize(Decimal("0.0001"))
        out[(review.pk, part.key)] = {key: score for key in _okr_keys(specs[part.template_id])}
    return out


def _okr_keys(spec: TemplateSpec) -> list[str]:
    return [item_key(section, index, item) for section in spec.sections
            for index, item in enumerate(section.get("items", [])) if item.get("kind") == "okr"]
