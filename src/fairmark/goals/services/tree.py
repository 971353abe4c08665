"""Writes on the goal tree: create a company, department or person goal (cascading it from a parent in any
department), edit, move to another parent, archive. Each write is one transaction, checked against
goals.permissions, audited, and followed by the progress of the parents that it moves (progress.recompute).

A person's goals change in place only while their agreement is a draft or returned; after submission they
wait for the decision, and after sign-off they change through agreement.change_request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import user_or_none, viewer_for
from fairmark.core.errors import ServiceError, not_found, require
from fairmark.indicators.models import IndicatorVersion, VersionStatus
from fairmark.indicators.scoring import RuleError
from fairmark.org.models import Department, Employee

from ..kpi import goal_line
from ..models import Agreement, AgreementStatus, Goal, GoalKind, GoalLevel, GoalState, KeyResult
from ..permissions import writes_company_goals, writes_department_goals, writes_goal
from ..selectors import goal_scope_q
from .common import decimal_or_none, language, weight_of
from .progress import recompute

EDITABLE_AGREEMENT = (AgreementStatus.DRAFT, AgreementStatus.RETURNED)
MAX_KEY_RESULTS = 10
GOAL_FIELDS = ("title", "description", "weight", "period_start", "period_end", "threshold", "target", "stretch")


def snapshot(goal: Goal) -> dict[str, Any]:
    """What the audit log keeps of a goal."""
    return {
        "level": goal.level, "kind": goal.kind, "title": goal.title, "year": goal.year,
        "employee": goal.employee_id, "department": goal.department_id, "parent": goal.parent_id,
        "weight": goal.weight, "period_start": goal.period_start, "period_end": goal.period_end,
        "indicator_version": goal.indicator_version_id, "threshold": goal.threshold, "target": goal.target,
        "stretch": goal.stretch, "state": goal.state,
        "key_results": [{"title": kr.title, "start": kr.start, "target": kr.target, "weight": kr.weight}
                        for kr in goal.key_results.all()] if goal.pk else [],
    }


def _period(year: int, start: Any, end: Any) -> tuple[date, date]:
    period_start = start or date(year, 1, 1)
    period_end = end or date(year, 12, 31)
    require(period_start <= period_end, "period_end", _("The end of the period is before its start."))
    require(period_start.year <= year <= period_end.year, "period_start",
            _("The period must overlap the goal's year."))
    return period_start, period_end


def _check_parent(actor: Any, parent: Goal | None, year: int, child: Goal | None = None) -> None:
    if parent is None:
        return
    if not Goal.objects.filter(goal_scope_q(actor)).filter(pk=parent.pk).exists():
        raise ServiceError(_("Choose a goal you can see."), fields={"parent": [_("Choose a goal you can see.")]})
    require(parent.state == GoalState.ACTIVE, "parent", _("An archived goal takes no new children."))
    require(parent.year == year, "parent", _("A goal aligns to a goal of the same year."))
    if child is not None and child.pk is not None:
        # Walking up from the new parent must not meet the goal itself.
        seen: set[int] = set()
        node: Goal | None = parent
        while node is not None:
            require(node.pk != child.pk and node.pk not in seen, "parent",
                    _("A goal cannot align to one of its own sub-goals."))
            seen.add(node.pk)
            node = node.parent


def _check_kpi(version: IndicatorVersion | None, threshold: Decimal | None, target: Decimal | None,
               stretch: Decimal | None) -> None:
    require(version is not None, "indicator_version", _("Choose the indicator this KPI goal is measured by."))
    assert version is not None
    require(version.status != VersionStatus.DRAFT, "indicator_version", _("Choose a published indicator version."))
    require(not version.is_rated, "indicator_version",
            _("A rated indicator has no data to follow; use an OKR or a review item instead."))
    if target is None:
        raise ServiceError(_("Enter the target."), fields={"target": [_("Enter the target.")]})
    if threshold is not None or stretch is not None:
        require(threshold is not None and stretch is not None, "threshold" if threshold is None else "stretch",
                _("Enter the threshold, the target and the stretch together."))
        try:
            goal_line(threshold=threshold, target=target, stretch=stretch,  # type: ignore[arg-type]
                      direction=version.direction, scoring=version.scoring)
        except RuleError as exc:
            raise ServiceError(exc.message(language()), fields={exc.field: [exc.message(language())]}) from None


def key_results_from(data: Sequence[Mapping[str, Any]]) -> list[KeyResult]:
    require(len(data) <= MAX_KEY_RESULTS, "key_results",
            _("An objective has at most %(max)s key results.") % {"max": MAX_KEY_RESULTS})
    results: list[KeyResult] = []
    for index, item in enumerate(data):
        where = f"key_results.{index}"
        title = str(item.get("title") or "").strip()
        require(bool(title), f"{where}.title", _("Enter the key result."))
        start = decimal_or_none(item.get("start"), f"{where}.start")
        target = decimal_or_none(item.get("target"), f"{where}.target")
        require(start is not None, f"{where}.start", _("Enter the start value."))
        require(target is not None, f"{where}.target", _("Enter the target."))
        confidence = decimal_or_none(item.get("confidence"), f"{where}.confidence")
        require(confidence is None or Decimal(0) <= confidence <= Decimal(1), f"{where}.confidence",
                _("Confidence is between 0 and 1."))
        results.append(KeyResult(
            title=title[:200], unit=str(item.get("unit") or "")[:32], start=start, target=target,  # type: ignore[misc]
            current=decimal_or_none(item.get("current"), f"{where}.current"), confidence=confidence,
            weight=weight_of(item.get("weight"), f"{where}.weight"), position=index,
        ))
    return results


def agreement_for(employee: Employee, year: int) -> Agreement:
    agreement, _created = Agreement.objects.get_or_create(employee=employee, year=year)
    return agreement


def _check_agreement_open(agreement: Agreement | None) -> None:
    if agreement is not None and agreement.status not in EDITABLE_AGREEMENT:
        message = (_("These goals are signed off: ask for a change instead.") if agreement.status == AgreementStatus.SIGNED
                   else _("These goals are waiting for a decision: they change after a return."))
        raise ServiceError(message, code="agreement_locked")


def build_goal(*, actor: Any, level: str, kind: str, title: str, year: int, employee: Employee | None = None,
               department: Department | None = None, parent: Goal | None = None, weight: Any = 1,
               description: str = "", period_start: date | None = None, period_end: date | None = None,
               indicator_version: IndicatorVersion | None = None, threshold: Any = None, target: Any = None,
               stretch: Any = None, key_results: Sequence[Mapping[str, Any]] = (), check_parent: bool = True,
               ) -> tuple[Goal, list[KeyResult]]:
    """A checked, unsaved goal and its key results (goal_create saves one; a goal set saves thousands)."""
    require(level in GoalLevel.values, "level", _("Choose a level."))
    require(kind in GoalKind.values, "kind", _("Choose a kind."))
    title = (title or "").strip()
    require(bool(title), "title", _("Enter the goal."))
    require(len(title) <= 200, "title", _("At most 200 characters."))
    require(isinstance(year, int) and 2000 <= year <= 2100, "year", _("Enter a year."))
    if level == GoalLevel.PERSON:
        require(employee is not None, "employee", _("Choose the person."))
        assert employee is not None
        department = employee.department
    elif level == GoalLevel.DEPARTMENT:
        require(department is not None, "department", _("Choose the department."))
        employee = None
    else:
        employee, department = None, None
    start, end = _period(year, period_start, period_end)
    values = {name: decimal_or_none(value, name)
              for name, value in (("threshold", threshold), ("target", target), ("stretch", stretch))}
    krs: list[KeyResult] = []
    if kind == GoalKind.KPI:
        _check_kpi(indicator_version, values["threshold"], values["target"], values["stretch"])
    else:
        indicator_version, values = None, {"threshold": None, "target": None, "stretch": None}
        krs = key_results_from(key_results)
    if check_parent:
        _check_parent(actor, parent, year)
    company_id = (employee.company_id if employee is not None else department.company_id if department is not None
                  else _company_of(actor))
    goal = Goal(
        company_id=company_id, year=year, level=level, kind=kind, title=title, description=description or "",
        department=department, employee=employee, parent=parent, weight=weight_of(weight), period_start=start,
        period_end=end, indicator_version=indicator_version, created_by=user_or_none(actor), **values,
    )
    return goal, krs


def _company_of(actor: Any) -> int:
    from fairmark.org.models import Company

    viewer = viewer_for(actor)
    if viewer.employee_id is not None:
        return Employee.objects.filter(pk=viewer.employee_id).values_list("company_id", flat=True).get()
    company = Company.objects.order_by("pk").values_list("pk", flat=True).first()
    if company is None:
        raise ServiceError(_("Set up the company first."))
    return company


def _may_write(actor: Any, goal: Goal) -> None:
    viewer = viewer_for(actor)
    if goal.level == GoalLevel.COMPANY and not writes_company_goals(viewer):
        raise not_found()
    if goal.level == GoalLevel.DEPARTMENT and not writes_department_goals(viewer, goal.department.path):  # type: ignore[union-attr]
        raise not_found()
    if goal.level == GoalLevel.PERSON and not writes_goal(viewer, goal):
        raise not_found()


@transaction.atomic
def goal_create(*, actor: Any, **fields: Any) -> Goal:
    goal, krs = build_goal(actor=actor, **fields)
    _may_write(actor, goal)
    if goal.level == GoalLevel.PERSON:
        agreement = agreement_for(goal.employee, goal.year)  # type: ignore[arg-type]
        _check_agreement_open(agreement)
        goal.agreement = agreement
    goal.position = _next_position(goal)
    goal.save()
    for kr in krs:
        kr.goal = goal
    KeyResult.objects.bulk_create(krs)
    record(actor=actor, action="goal.create", obj=goal, after=snapshot(goal))
    _refresh_after_edit(goal)  # a new KPI goal reads the data already there
    return goal


def _next_position(goal: Goal) -> int:
    siblings = Goal.objects.filter(year=goal.year, level=goal.level, employee=goal.employee,
                                   department=goal.department)
    last = siblings.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def lock(goal: Goal) -> Goal:
    return Goal.objects.select_for_update(of=("self",)).select_related(
        "employee", "employee__department", "department", "agreement", "indicator_version", "parent",
    ).get(pk=goal.pk)


def _check_editable(goal: Goal, *, via_change: bool) -> None:
    if goal.level == GoalLevel.PERSON and not via_change:
        _check_agreement_open(goal.agreement)
    require(goal.state == GoalState.ACTIVE, "state", _("An archived goal does not change."))


@transaction.atomic
def goal_update(*, actor: Any, goal: Goal, changes: Mapping[str, Any], via_change: bool = False) -> Goal:
    """Change a goal's title, description, weight, period and threshold/target/stretch (key results through
    key_results)."""
    goal = lock(goal)
    _may_write(actor, goal)
    _check_editable(goal, via_change=via_change)
    before = snapshot(goal)
    unknown = sorted(set(changes) - set(GOAL_FIELDS) - {"key_results"})
    require(not unknown, unknown[0] if unknown else "", _("This field cannot be changed here."))
    if "title" in changes:
        title = str(changes["title"] or "").strip()
        require(bool(title) and len(title) <= 200, "title", _("Enter the goal (at most 200 characters)."))
        goal.title = title
    if "description" in changes:
        goal.description = str(changes["description"] or "")
    if "weight" in changes:
        goal.weight = weight_of(changes["weight"])
    if "period_start" in changes or "period_end" in changes:
        goal.period_start, goal.period_end = _period(goal.year, changes.get("period_start", goal.period_start),
                                                     changes.get("period_end", goal.period_end))
    if goal.kind == GoalKind.KPI:
        for name in ("threshold", "target", "stretch"):
            if name in changes:
                setattr(goal, name, decimal_or_none(changes[name], name))
        _check_kpi(goal.indicator_version, goal.threshold, goal.target, goal.stretch)
    goal.save()
    if goal.kind == GoalKind.OKR and "key_results" in changes:
        krs = key_results_from(changes["key_results"])
        goal.key_results.all().delete()
        for kr in krs:
            kr.goal = goal
        KeyResult.objects.bulk_create(krs)
    record(actor=actor, action="goal.update", obj=goal, before=before, after=snapshot(goal))
    _refresh_after_edit(goal)
    return goal


def _refresh_after_edit(goal: Goal) -> None:
    if goal.kind == GoalKind.KPI:
        from .kpi_data import refresh_kpi_goals

        refresh_kpi_goals(goal_ids=[goal.pk])
    recompute([goal.pk])


@transaction.atomic
def goal_move(*, actor: Any, goal: Goal, parent: Goal | None, weight: Any = None) -> Goal:
    """Align the goal to another parent (or to none): both the old and the new parent are computed again."""
    goal = lock(goal)
    _may_write(actor, goal)
    _check_editable(goal, via_change=False)
    _check_parent(actor, parent, goal.year, child=goal)
    before = snapshot(goal)
    old_parent = goal.parent_id
    goal.parent = parent
    if weight is not None:
        goal.weight = weight_of(weight)
    goal.save(update_fields=["parent", "weight", "updated_at"])
    record(actor=actor, action="goal.move", obj=goal, before=before, after=snapshot(goal))
    recompute([pk for pk in (old_parent, goal.pk) if pk is not None])
    return goal


@transaction.atomic
def goal_archive(*, actor: Any, goal: Goal, via_change: bool = False) -> Goal:
    """Archive: the goal leaves its parent's rollup and every list of live goals; its history stays."""
    goal = lock(goal)
    _may_write(actor, goal)
    _check_editable(goal, via_change=via_change)
    require(not goal.children.filter(state=GoalState.ACTIVE).exists(), "state",
            _("Archive or move its sub-goals first."))
    before = snapshot(goal)
    goal.state = GoalState.ARCHIVED
    goal.save(update_fields=["state", "updated_at"])
    record(actor=actor, action="goal.archive", obj=goal, before=before, after=snapshot(goal))
    if goal.parent_id is not None:
        recompute([goal.parent_id])
    return goal
