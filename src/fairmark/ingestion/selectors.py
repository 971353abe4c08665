"""Scoped reads of ingestion (DESIGN.md §6). Sources, their batches, runs, quarantined rows and conflicts are
operational data: HR admins, HR BPs, executives and system admins read them; HR admins and system admins
manage every source, an HR BP the sources owned by one of their units. Metric values are read by those
roles in full; a manager reads the values about their team, an employee the values about themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fairmark.core.access import Role, Viewer, viewer_for
from fairmark.org.selectors import people_scope_q

from .models import (
    Batch,
    Conflict,
    Metric,
    MetricValue,
    QuarantinedRow,
    Run,
    Source,
    SourceKey,
    Subject,
    SubjectMapping,
    SubjectType,
)

READS_ALL = (Role.HR_ADMIN, Role.HR_BP, Role.EXECUTIVE, Role.SYSADMIN)
MANAGES_ALL = (Role.HR_ADMIN, Role.SYSADMIN)
READS_METRICS = (*READS_ALL, Role.MANAGER, Role.DEPT_HEAD)


def reads_ingestion(viewer: Viewer) -> bool:
    return viewer.has(*READS_ALL)


def can_create_sources(user: Any) -> bool:
    viewer = viewer_for(user)
    return viewer.has(*MANAGES_ALL, Role.HR_BP)


def sources_visible_to(user: Any) -> QuerySet[Source]:
    viewer = viewer_for(user)
    return Source.objects.all() if reads_ingestion(viewer) else Source.objects.none()


def sources_managed_by(user: Any) -> QuerySet[Source]:
    viewer = viewer_for(user)
    if viewer.has(*MANAGES_ALL):
        return Source.objects.all()
    if not viewer.has(Role.HR_BP) or not viewer.hr_paths:
        return Source.objects.none()
    q = Q(pk__in=[])
    for path in viewer.hr_paths:
        q |= Q(owner_department__path__startswith=path)
    return Source.objects.filter(q)


def source_of_token(token: Any) -> Source | None:
    """The source an `ingest` key is bound to, or None for a personal token."""
    key = SourceKey.objects.select_related("source").filter(token=token).first()
    return key.source if key else None


# A batch's payload is the whole request (megabytes for a large one): read only when a raw row is asked for.
HEAVY_BATCH_FIELDS = ("payload", "unchanged_keys")


def batches_visible_to(user: Any) -> QuerySet[Batch]:
    return Batch.objects.filter(source__in=sources_visible_to(user)).select_related("source").defer(*HEAVY_BATCH_FIELDS)


def runs_visible_to(user: Any) -> QuerySet[Run]:
    return Run.objects.filter(source__in=sources_visible_to(user)).select_related("source")


def quarantine_visible_to(user: Any) -> QuerySet[QuarantinedRow]:
    return QuarantinedRow.objects.filter(source__in=sources_visible_to(user)).select_related("batch", "source")


def quarantine_managed_by(user: Any) -> QuerySet[QuarantinedRow]:
    return QuarantinedRow.objects.filter(source__in=sources_managed_by(user)).select_related("batch", "source")


def conflicts_visible_to(user: Any) -> QuerySet[Conflict]:
    return Conflict.objects.filter(source__in=sources_visible_to(user)).select_related("stored", "batch", "source")


def conflicts_managed_by(user: Any) -> QuerySet[Conflict]:
    return Conflict.objects.filter(source__in=sources_managed_by(user)).select_related("stored", "batch", "source")


def metrics_visible_to(user: Any) -> QuerySet[Metric]:
    viewer = viewer_for(user)
    return Metric.objects.all() if viewer.has(*READS_METRICS) else Metric.objects.none()


def subjects_visible_to(user: Any) -> QuerySet[Subject]:
    viewer = viewer_for(user)
    return Subject.objects.all() if viewer.has(*READS_METRICS) else Subject.objects.none()


def mappings_visible_to(user: Any) -> QuerySet[SubjectMapping]:
    """The mappings of the subjects the viewer sees; about the people they see unless they read ingestion
    (whose readers see every value, so every mapping)."""
    viewer = viewer_for(user)
    mappings = (SubjectMapping.objects.filter(subject__in=subjects_visible_to(user))
                .select_related("subject", "employee"))
    if reads_ingestion(viewer):
        return mappings
    return mappings.filter(people_scope_q(viewer, "employee__"))


def values_visible_to(user: Any) -> QuerySet[MetricValue]:
    viewer = viewer_for(user)
    values = MetricValue.objects.select_related("metric", "source", "batch")
    if reads_ingestion(viewer):
        return values
    people = set(viewer.team_ids)
    if viewer.employee_id is not None:
        people.add(viewer.employee_id)
    if not people:
        return values.none()
    return values.filter(subject_type=SubjectType.EMPLOYEE, subject_id__in=sorted(people))


def subject_table(kind: str) -> tuple[QuerySet[Any], str]:
    """Where subjects of a type live and which field is their code: employees by number, departments by code,
    lines, machines, projects and teams in Subject by code."""
    from fairmark.org.models import Department, Employee

    if kind == SubjectType.EMPLOYEE:
        return Employee.objects.all(), "number"
    if kind == SubjectType.DEPARTMENT:
        return Department.objects.all(), "code"
    return Subject.objects.filter(type=kind), "code"


def subject_codes(refs: Any) -> dict[tuple[str, int], str]:
    """(subject type, id) → the code a sender uses for it. One query per type present (the inverse of
    services.subjects.resolve_subjects)."""
    from collections import defaultdict

    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, ident in refs:
        wanted[kind].add(ident)
    codes: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        table, field = subject_table(kind)
        for ident, code in table.filter(pk__in=ids).values_list("pk", field):
            codes[(kind, ident)] = code
    return codes


def values_reaching(employee_id: int, *, metric_codes: Any, start: Any, end: Any) -> QuerySet[MetricValue]:
    """The current values that count for a person over [start, end] (period dates): those about the person,
    and those about a line, machine, project or team the person was mapped to on the value's day (a line's
    output reaches the operators on its shifts while they were there). Not scoped: the caller (a goal or a
    review of this person) has already checked that the viewer may see the person."""
    from .models import SubjectMapping

    about_person = Q(subject_type=SubjectType.EMPLOYEE, subject_id=employee_id)
    mapped = Q(pk__in=[])
    for mapping in SubjectMapping.objects.filter(employee_id=employee_id, valid_from__lte=end).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start)).select_related("subject"):
        window = Q(subject_type=mapping.subject.type, subject_id=mapping.subject_id,
                   period_start__gte=mapping.valid_from)
        if mapping.valid_to is not None:
            window &= Q(period_start__lte=mapping.valid_to)
        mapped |= window
    return (MetricValue.objects.filter(current=True, metric__code__in=list(metric_codes), period_start__gte=start,
                                       period_start__lte=end)
            .filter(about_person | mapped).select_related("metric"))


Point = tuple[Any, int, str, float]  # (period_start, value id, metric code, value)


def points_reaching(windows: Any, metric_codes: Any) -> dict[Any, list[Point]]:
    """`values_reaching` for many windows at once, in two queries: `windows` maps any key to (employee id, start,
    end); the answer maps each key to its points sorted by period then value id, each value once. Used where many
    people are scored together (KPI goals of one indicator, the reviews of a cycle). Not scoped, as above."""
    from collections import defaultdict

    from .models import SubjectMapping

    if not windows:
        return {}
    codes = list(metric_codes)
    low = min(start for _person, start, _end in windows.values())
    high = max(end for _person, _start, end in windows.values())
    people = {person for person, _start, _end in windows.values() if person is not None}
    mappings: dict[int, list[tuple[str, int, Any, Any]]] = defaultdict(list)
    subjects: set[tuple[str, int]] = set()
    for employee_id, kind, subject_id, valid_from, valid_to in (
            SubjectMapping.objects.filter(employee_id__in=people, valid_from__lte=high)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=low))
            .values_list("employee_id", "subject__type", "subject_id", "valid_from", "valid_to")):
        mappings[employee_id].append((kind, subject_id, valid_from, valid_to))
        subjects.add((kind, subject_id))
    about = Q(subject_type=SubjectType.EMPLOYEE, subject_id__in=people)
    for kind in {kind for kind, _id in subjects}:
        about |= Q(subject_type=kind, subject_id__in=[i for k, i in subjects if k == kind])
    by_subject: dict[tuple[str, int], list[Point]] = defaultdict(list)
    for pk, code, value, period_start, kind, subject_id in (
            MetricValue.objects.filter(current=True, metric__code__in=codes, period_start__gte=low,
                                       period_start__lte=high, value__isnull=False).filter(about)
            .values_list("pk", "metric__code", "value", "period_start", "subject_type", "subject_id")):
        by_subject[(kind, subject_id)].append((period_start, pk, code, float(value)))  # type: ignore[arg-type]
    out: dict[Any, list[Point]] = {}
    for key, (person, start, end) in windows.items():
        found = [row for row in by_subject.get((SubjectType.EMPLOYEE, person), ()) if start <= row[0] <= end]
        for kind, subject_id, valid_from, valid_to in mappings.get(person, ()):
            found.extend(row for row in by_subject.get((kind, subject_id), ())
                         if start <= row[0] <= end and row[0] >= valid_from
                         and (valid_to is None or row[0] <= valid_to))
        out[key] = sorted(set(found))
    return out
