"""KPI goals from ingested data: the values that reach each goal's owner in its period so far, the indicator's
formula over them (goals/kpi.py, vectorised per indicator version), the score on the goal's own line, and the
progress that follows. Called after every committed batch that touches the goal's metrics (receivers →
tasks.refresh_after_ingest), after a goal's targets change, and by the nightly check."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from fairmark.ingestion.models import MetricValue, SubjectType
from fairmark.ingestion.selectors import points_reaching, values_reaching

from ..kpi import goal_score, goal_values
from ..models import Goal, GoalKind, GoalLevel, GoalState
from .progress import recompute

SCORE_PLACES = Decimal("0.01")
VALUE_PLACES = Decimal("0.0000000001")


def today() -> date:
    return timezone.localdate()


def values_for_goal(goal: Goal, *, until: date | None = None) -> QuerySet[MetricValue]:
    """The current metric values a KPI goal reads (its period up to `until`, today by default); not scoped:
    the caller has checked that the viewer may read the goal."""
    version = goal.indicator_version
    if version is None:
        return MetricValue.objects.none()
    end = min(goal.period_end, until or today())
    codes = version.metric_codes
    if goal.level == GoalLevel.PERSON and goal.employee_id is not None:
        return values_reaching(goal.employee_id, metric_codes=codes, start=goal.period_start, end=end)
    if goal.level == GoalLevel.DEPARTMENT and goal.department_id is not None:
        return (MetricValue.objects.filter(current=True, metric__code__in=codes, subject_type=SubjectType.DEPARTMENT,
                                           subject_id=goal.department_id, period_start__gte=goal.period_start,
                                           period_start__lte=end).select_related("metric"))
    return MetricValue.objects.none()


def kpi_goals_reading(metric_codes: Iterable[str], start: date | None = None, end: date | None = None
                      ) -> QuerySet[Goal]:
    """Live KPI goals whose indicator reads any of the metrics and whose period overlaps [start, end]."""
    codes = set(metric_codes)
    goals = Goal.objects.filter(kind=GoalKind.KPI, state=GoalState.ACTIVE).select_related("indicator_version")
    if start is not None:
        goals = goals.filter(period_end__gte=start)
    if end is not None:
        goals = goals.filter(period_start__lte=end)
    version_ids = {goal.indicator_version_id for goal in goals.only("indicator_version__metrics")
                   if set(goal.indicator_version.metric_codes) & codes}  # type: ignore[union-attr]
    return goals.filter(indicator_version_id__in=version_ids)


def _goal_points(goal: Goal, day: date) -> tuple[dict[str, list[float]], date | None]:
    """One goal's points by metric, in period order, and its latest period (department goals)."""
    points: dict[str, list[float]] = defaultdict(list)
    last: date | None = None
    for code, value, period_start in values_for_goal(goal, until=day).filter(value__isnull=False).values_list(
            "metric__code", "value", "period_start").order_by("period_start", "pk"):
        points[code].append(float(value))  # type: ignore[arg-type]
        last = period_start  # ordered by period: the last one seen is the latest
    return dict(points), last


def _person_points(goals: Sequence[Goal], day: date) -> dict[int, tuple[dict[str, list[float]], date | None]]:
    """The points of many person goals of ONE indicator version in two queries (their people's subject
    mappings, then every value reaching any of them) rather than two per goal: the same values as
    ingestion.selectors.values_reaching gives each person (about the person, or about a subject they were
    mapped to on the value's day), within each goal's period up to `day`."""
    if not goals:
        return {}
    version = goals[0].indicator_version
    assert version is not None
    windows = {goal.pk: (goal.employee_id, goal.period_start, min(goal.period_end, day)) for goal in goals}
    out: dict[int, tuple[dict[str, list[float]], date | None]] = {}
    for key, found in points_reaching(windows, version.metric_codes).items():
        points: dict[str, list[float]] = defaultdict(list)
        for _period, _pk, code, number in found:
            points[code].append(number)
        out[key] = (dict(points), found[-1][0] if found else None)
    return out


def refresh_kpi_goals(*, goal_ids: Iterable[int] | None = None, metric_codes: Iterable[str] | None = None,
                      start: date | None = None, end: date | None = None, on: date | None = None) -> set[int]:
    """Compute value, score and progress of the chosen KPI goals (by id, or those reading the metrics over
    the dates), store what changed and roll it up. Returns the ids of the KPI goals that changed."""
    if goal_ids is not None:
        goals = Goal.objects.filter(pk__in=list(goal_ids), kind=GoalKind.KPI, state=GoalState.ACTIVE
                                    ).select_related("indicator_version")
    else:
        goals = kpi_goals_reading(metric_codes or (), start, end)
    day = on or today()
    by_version: dict[int, list[Goal]] = defaultdict(list)
    for goal in goals:
        by_version[goal.indicator_version_id].append(goal)  # type: ignore[index]
    changed: list[Goal] = []
    now = timezone.now()
    for group in by_version.values():
        version = group[0].indicator_version
        assert version is not None
        series: dict[str, list[list[float]]] = {code: [] for code in version.metric_codes}
        latest: list[date | None] = []
        batched = _person_points([g for g in group if g.level == GoalLevel.PERSON and g.employee_id], day)
        for goal in group:
            if goal.pk in batched:
                points, last = batched[goal.pk]
            else:
                points, last = _goal_points(goal, day)
            for code in series:
                series[code].append(points.get(code, []))
            latest.append(last)
        values = goal_values(version.formula, version.aggregation, series)
        for goal, value, last in zip(group, values, latest, strict=True):
            value = None if value is None else value.quantize(VALUE_PLACES)
            score = goal_score(value, version.scoring, threshold=goal.threshold, target=goal.target,
                               stretch=goal.stretch, direction=version.direction).value
            score = None if score is None else score.quantize(SCORE_PLACES)
            if (value, score, last) != (goal.value, goal.score, goal.value_on):
                goal.value, goal.score, goal.value_on, goal.computed_at = value, score, last, now
                changed.append(goal)
    if changed:
        Goal.objects.bulk_update(changed, ["value", "score", "value_on", "computed_at"], batch_size=500)
        recompute(goal.pk for goal in changed)
    return {goal.pk for goal in changed}


__all__ = ["kpi_goals_reading", "refresh_kpi_goals", "values_for_goal"]
