"""Launching a cycle: who is reviewed (population and eligibility rules), which template each person gets (by
position, level and job family, or by hand later), the parts of a person who changed position during the period
(pro rata by days), and the reviews themselves, created in chunks by the background task so the cycle page
shows progress. Safe to run twice: people who already have a review in the cycle are skipped."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from fairmark.indicators.applies import Placement, applies, normalise
from fairmark.indicators.models import Template, TemplateVersion
from fairmark.org.models import Assignment, Department, Employee, Position

from .. import proration, workflow
from ..models import Cycle, CycleStatus, Population, Review
from .scoring import recompute_reviews

CHUNK = 500


def population(cycle: Cycle) -> QuerySet[Employee]:
    people = Employee.objects.filter(company=cycle.company, hire_date__lte=cycle.period_end).exclude(
        left_on__lt=cycle.period_start)
    if cycle.population == Population.DEPARTMENTS:
        q = Q(pk__in=[])
        for path in Department.objects.filter(pk__in=cycle.departments.all()).values_list("path", flat=True):
            q |= Q(department__path__startswith=path)
        people = people.filter(q)
    elif cycle.population == Population.LIST:
        people = people.filter(pk__in=cycle.people.all())
    return people.select_related("position", "position__job_family", "level", "department", "manager")


def candidate_templates(cycle: Cycle) -> list[TemplateVersion]:
    """The cycle's templates, or every published one; most specific first (more dimensions named), then code."""
    chosen = list(cycle.templates.select_related("template"))
    if not chosen:
        chosen = [t.published for t in Template.objects.filter(archived=False, published__isnull=False)
                  .select_related("published", "published__template") if t.published is not None]
    return sorted(chosen, key=lambda v: (-sum(bool(x) for x in normalise(v.applies_to).values()),
                                         v.template.code))


def placement(position: Position | None, level_code: str) -> Placement:
    if position is None:
        return Placement(level=level_code)
    family = position.job_family.code if position.job_family else ""
    return Placement(position_code=position.code, position_name=position.name, job_family=family, level=level_code)


def template_for(where: Placement, templates: Sequence[TemplateVersion], default: TemplateVersion | None
                 ) -> TemplateVersion | None:
    for version in templates:
        if applies(version.applies_to, where):
            return version
    return default


@dataclass
class Plan:
    reviews: list[Review]
    excluded: list[dict[str, Any]]
    no_template: list[int]


def plan(cycle: Cycle, people: Sequence[Employee]) -> Plan:
    """The reviews to create for these people (not saved), and who is left out and why."""
    rules = proration.EligibilityRules(min_tenure_days=cycle.min_tenure_days, leavers=cycle.leavers,  # type: ignore[arg-type]
                                       include_probation=cycle.include_probation)
    templates = candidate_templates(cycle)
    default = cycle.default_template
    start_state = workflow.start(cycle.phase_list())
    history: dict[int, list[Assignment]] = defaultdict(list)
    for row in Assignment.objects.filter(employee__in=[p.pk for p in people], valid_from__lte=cycle.period_end
                                         ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=cycle.period_start)
                                                  ).select_related("position", "position__job_family"):
        history[row.employee_id].append(row)
    n2_of = dict(Employee.objects.filter(pk__in={p.manager_id for p in people if p.manager_id})
                 .values_list("pk", "manager_id"))
    result = Plan([], [], [])
    for person in people:
        decision = proration.eligible(hire_date=person.hire_date, left_on=person.left_on, status=person.status,
                                      cycle_start=cycle.period_start, cycle_end=cycle.period_end, rules=rules)
        if not decision.included:
            result.excluded.append({"employee": person.pk, "code": decision.code})
            continue
        level = person.level.code if person.level else ""
        template = template_for(placement(person.position, level), templates, default)
        parts = _parts(cycle, history.get(person.pk, []), level, templates, default)
        if template is None or (parts and any(p["template"] is None for p in parts)):
            result.no_template.append(person.pk)
            continue
        result.reviews.append(Review(
            cycle=cycle, employee=person, department=person.department, template_version=template,
            state=start_state, manager_id=person.manager_id, n2_id=n2_of.get(person.manager_id) if person.manager_id else None,
            parts=parts))
    return result


def _parts(cycle: Cycle, rows: list[Assignment], level: str, templates: Sequence[TemplateVersion],
           default: TemplateVersion | None) -> list[dict[str, Any]]:
    """The positions held in the period when there were several (a transfer), each with its template and its
    pro-rata weight; [] for one position (the review's own template covers the whole period)."""
    if len({row.position_id for row in rows}) < 2:
        return []
    positions = {row.position_id: row.position for row in rows}
    split = proration.segments(cycle.period_start, cycle.period_end,
                               [proration.Assignment(row.position_id, row.valid_from, row.valid_to) for row in rows])
    if len(split.parts) < 2:
        return []
    out: list[dict[str, Any]] = []
    for part in split.parts:
        position = positions.get(part.key)
        template = template_for(placement(position, level), templates, default)
        out.append({"start": part.start.isoformat(), "end": part.end.isoformat(), "days": part.days,
                    "weight": str(part.weight), "position": position.display_name if position else "",
                    "position_id": part.key, "template": template.pk if template else None})
    return out


def create_reviews(cycle_id: int) -> int:
    """The task's body: create the missing reviews chunk by chunk, counting progress, then compute them."""
    cycle = Cycle.objects.select_related("company", "default_template").get(pk=cycle_id)
    if cycle.status != CycleStatus.LAUNCHING:
        return 0
    have = set(Review.objects.filter(cycle=cycle).values_list("employee_id", flat=True))
    people = [p for p in population(cycle).order_by("pk") if p.pk not in have]
    Cycle.objects.filter(pk=cycle.pk).update(launch_total=len(people) + len(have), launch_done=len(have))
    excluded: list[dict[str, Any]] = list(cycle.launch_report.get("excluded", []))
    no_template: list[int] = list(cycle.launch_report.get("no_template", []))
    created = 0
    for start in range(0, len(people), CHUNK):
        chunk = people[start:start + CHUNK]
        planned = plan(cycle, chunk)
        with transaction.atomic():
            made = Review.objects.bulk_create(planned.reviews, batch_size=CHUNK)
            Cycle.objects.filter(pk=cycle.pk).update(launch_done=F("launch_done") + len(chunk))
        recompute_reviews([r.pk for r in made])
        excluded.extend(planned.excluded)
        no_template.extend(planned.no_template)
        created += len(made)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.ACTIVE, launch_report={
        "excluded": excluded, "no_template": no_template, "created": created + len(have)})
    return created


def today_in(cycle: Cycle) -> date:
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    return timezone.now().astimezone(ZoneInfo(cycle.company.time_zone or "Asia/Shanghai")).date()
