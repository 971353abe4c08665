"""The read side of the data-quality pages (DESIGN.md C3: "a data-quality page per source: freshness, accepted,
rejected by reason, conflicts, gaps"). Every function starts from a queryset a selector scoped, or from the
viewer through the selectors, and only summarises it: the list of sources is one query however many there are
(the figures are correlated subqueries, not a join that would multiply rows)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Count, IntegerField, Min, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fairmark.org.models import Company, Department, Employee

from .models import (
    ConflictStatus,
    Grain,
    Metric,
    MetricValue,
    QuarantinedRow,
    QuarantineStatus,
    Source,
    Subject,
    SubjectType,
)
from .periods import periods_between
from .quality import Completeness, gaps
from .selectors import batches_visible_to, conflicts_visible_to, quarantine_visible_to, runs_visible_to

WINDOW_DAYS = 30  # the sources list and the outliers look this far back
GAP_DAYS = 14  # completeness is checked over this many days, today included

SubjectRef = tuple[str, int]  # (subject type, id in its own table)


# --- freshness and the list of sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class Freshness:
    """"fresh" when data arrived within the source's `fresh_hours`, "stale" when not, "never" when nothing
    arrived yet; `hours` since the last data (None for never)."""

    state: str
    hours: int | None

    @property
    def days(self) -> int | None:
        """Whole days, for an age of two days or more (a page says "3 days ago", not "72 hours ago")."""
        return None if self.hours is None or self.hours < 48 else self.hours // 24


def freshness(source: Source, now: datetime) -> Freshness:
    if source.last_received_at is None:
        return Freshness("never", None)
    age = now - source.last_received_at
    hours = max(0, int(age.total_seconds() // 3600))
    return Freshness("fresh" if age <= timedelta(hours=source.fresh_hours) else "stale", hours)


def _per_source(queryset: QuerySet[Any], figure: Any) -> Coalesce:
    """`figure` (Count or Sum) over the rows of `queryset` that belong to the outer source; 0 when none."""
    rows = queryset.filter(source=OuterRef("pk")).order_by().values("source").annotate(figure=figure)
    return Coalesce(Subquery(rows.values("figure")[:1], output_field=IntegerField()), Value(0))


def sources_overview(sources: QuerySet[Source], user: Any, now: datetime) -> QuerySet[Source]:
    """`sources` (as sources_visible_to(user) gives them), each with its last 30 days (batches, rows accepted
    and rejected), what is open now (quarantined rows, conflicts, whatever their age) and its last run."""
    since = now - timedelta(days=WINDOW_DAYS)
    recent = batches_visible_to(user).filter(received_at__gte=since)
    runs = runs_visible_to(user).filter(source=OuterRef("pk")).order_by("-started_at", "-id")
    return (sources.select_related("owner_department", "owner").annotate(
        batches_recent=_per_source(recent, Count("pk")),
        accepted_recent=_per_source(recent, Sum("accepted")),
        rejected_recent=_per_source(recent, Sum("rejected")),
        open_quarantined=_per_source(quarantine_visible_to(user).filter(status=QuarantineStatus.OPEN), Count("pk")),
        open_conflicts=_per_source(conflicts_visible_to(user).filter(status=ConflictStatus.OPEN), Count("pk")),
        last_run_status=Subquery(runs.values("status")[:1]),
        last_run_at=Subquery(runs.values("started_at")[:1]),
    ))


# --- rejected rows by reason ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonGroup:
    code: str
    count: int
    example: QuarantinedRow


def rejected_by_reason(quarantined: QuerySet[QuarantinedRow]) -> list[ReasonGroup]:
    """The open rows grouped by reason code, most frequent first, each with its first row as the example."""
    groups = list(quarantined.filter(status=QuarantineStatus.OPEN).order_by().values("code")
                  .annotate(count=Count("pk"), example=Min("pk")).order_by("-count", "code"))
    examples = {row.pk: row for row in quarantined.filter(pk__in=[group["example"] for group in groups])}
    return [ReasonGroup(group["code"], group["count"], examples[group["example"]]) for group in groups]


# --- subjects -------------------------------------------------------------------------------------------------------


def subject_labels(refs: Iterable[SubjectRef]) -> dict[SubjectRef, str]:
    """How a subject is named on a page: an employee by number and name, a department by its name, a line,
    machine, project or team by code and name. One query per type present; an id that no longer resolves is
    shown as type and id."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, ident in refs:
        wanted[kind].add(ident)
    labels: dict[SubjectRef, str] = {}
    for kind, ids in wanted.items():
        if kind == SubjectType.EMPLOYEE:
            for employee in Employee.objects.filter(pk__in=ids).only("number", "name"):
                labels[(kind, employee.pk)] = f"{employee.number} {employee.name}"
        elif kind == SubjectType.DEPARTMENT:
            for department in Department.objects.filter(pk__in=ids):
                labels[(kind, department.pk)] = department.display_name
        else:
            for subject in Subject.objects.filter(type=kind, pk__in=ids):
                labels[(kind, subject.pk)] = f"{subject.code} {subject.display_name}"
        for ident in ids:
            labels.setdefault((kind, ident), f"{kind} #{ident}")
    return labels


# --- completeness ---------------------------------------------------------------------------------------------------


def company_today() -> date:
    """Today in the company's time zone: a day's values belong to the company's day, not the server's."""
    name = Company.objects.values_list("time_zone", flat=True).first() or settings.TIME_ZONE
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return timezone.now().astimezone(zone).date()


@dataclass(frozen=True)
class MetricGaps:
    metric: Metric
    first: date
    last: date
    completeness: Completeness[SubjectRef]


def source_gaps(values: QuerySet[MetricValue], source: Source, today: date, days: int = GAP_DAYS) -> list[MetricGaps]:
    """For each day-grain metric of the source, over the `days` days up to `today`: which subjects that reported
    at least once in that window did not report on which days (the subjects never heard of in the window are
    not expected: the source may not cover them)."""
    first = today - timedelta(days=days - 1)
    periods = [period.key for period in periods_between(first, today, Grain.DAY)]
    metrics = list(source.metrics.filter(grain=Grain.DAY).order_by("code"))
    cells = (values.filter(source=source, metric__in=metrics, current=True, period_start__gte=first,
                           period_start__lte=today)
             .order_by().values_list("metric_id", "subject_type", "subject_id", "period").distinct())
    reported: dict[int, list[tuple[SubjectRef, str]]] = defaultdict(list)
    for metric_id, kind, ident, period in cells:
        reported[metric_id].append(((kind, ident), period))
    labels = subject_labels(ref for found in reported.values() for ref, _period in found)
    result = []
    for metric in metrics:
        found = reported.get(metric.pk, [])
        subjects = sorted({ref for ref, _period in found}, key=lambda ref: labels[ref])
        result.append(MetricGaps(metric, first, today, gaps(subjects, periods, found, label=labels.__getitem__)))
    return result
