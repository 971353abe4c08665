"""Goal sets (目标模板包) and bulk assignment: a manager keeps a named set of goals for a year and department
("30 goals of a cell-line operator") and gives every goal of it to many people in one action.

An item of a set is a goal spec (specs.resolve_spec: kind, title, weight, indicator code or version,
threshold/target/stretch, key results, parent goal, period), checked when the set is saved as tree.build_goal
checks a goal, with field errors named after the item ("items.3.target").

`goal_set_assign` is all or nothing: it checks that the actor leads every person chosen, skips the people who
already hold goals of the set (assigning twice does not duplicate), refuses the whole action when anyone left
has a submitted, approved or signed agreement (naming them), then creates the missing agreements and all the
goals and key results in bulk, one audit event per person (with the goal ids), one "assign" step per
agreement, one notification per person, and computes the new goals' values and progress once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit.services import entry_for, record, record_many
from fairmark.core.access import Viewer, user_or_none, viewer_for
from fairmark.core.errors import Refused, ServiceError, not_found, require
from fairmark.org.models import Department, Employee, EmployeeStatus
from fairmark.org.selectors import employees_visible_to

from ..models import Agreement, Goal, GoalKind, GoalLevel, GoalSet, GoalSetItem, GoalState, KeyResult
from ..okr import KeyResult as PureKeyResult
from ..okr import objective_score
from ..permissions import leads_person, writes_department_goals
from ..selectors import goal_sets_visible_to
from . import tree
from .agreement import assigned_steps, employee_user, link_of, send
from .progress import PLACES, recompute
from .specs import prefixed, resolve_spec, spec_of

MAX_ITEMS = 100
MAX_PEOPLE = 2000


@dataclass
class AssignResult:
    goal_set: GoalSet
    assigned: list[Employee] = field(default_factory=list)
    skipped: list[Employee] = field(default_factory=list)
    goals: int = 0
    agreements_created: int = 0


# ------------------------------------------------------------------------------------------------ who

def may_manage_department(viewer: Viewer, department: Department) -> bool:
    """Keeps goal sets for the department: writes its goals (head, HR BP, HR admin, executive) or leads
    someone in it."""
    if writes_department_goals(viewer, department.path):
        return True
    return bool(viewer.team_ids) and Employee.objects.filter(
        pk__in=sorted(viewer.team_ids), department__path__startswith=department.path).exists()


def set_departments_for(user: Any) -> QuerySet[Department]:
    """The departments the user may keep goal sets for (the choices of the set form)."""
    viewer = viewer_for(user)
    departments = Department.objects.filter(active=True).order_by("path")
    if not viewer.is_authenticated:
        return departments.none()
    if writes_department_goals(viewer, "/"):  # executives and HR admins: every unit
        return departments
    q = Q(pk__in=[])
    for path in viewer.head_paths + viewer.hr_paths:
        q |= Q(path__startswith=path)
    if viewer.team_ids:
        q |= Q(pk__in=Employee.objects.filter(pk__in=sorted(viewer.team_ids)).values("department_id"))
    return departments.filter(q)


def may_keep_sets(user: Any) -> bool:
    return set_departments_for(user).exists()


def assignable_people(user: Any) -> QuerySet[Employee]:
    """The people the user may give goals to (leads them), still employed."""
    from .agreement import led_people_q

    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return Employee.objects.none()
    return (employees_visible_to(user).filter(led_people_q(viewer)).exclude(status=EmployeeStatus.LEFT)
            .select_related("department", "position"))


# ------------------------------------------------------------------------------------------------ the set

def _clean_header(name: Any, year: Any) -> tuple[str, int]:
    text = str(name or "").strip()
    require(bool(text), "name", _("Enter the name of the set."))
    require(len(text) <= 200, "name", _("At most 200 characters."))
    require(isinstance(year, int) and not isinstance(year, bool) and 2000 <= year <= 2100, "year",
            _("Enter a year."))
    return text, year


def clean_items(actor: Any, *, year: int, department: Department, items: Sequence[Any]) -> list[dict[str, Any]]:
    """Each item checked as a goal of the department for the year would be; every item's errors at once."""
    require(isinstance(items, Sequence) and not isinstance(items, str | bytes) and len(items) > 0, "items",
            _("Add at least one goal to the set."))
    require(len(items) <= MAX_ITEMS, "items", _("A set has at most %(max)s goals.") % {"max": MAX_ITEMS})
    specs: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        try:
            fields = resolve_spec(actor, item)
            goal, krs = tree.build_goal(actor=actor, level=GoalLevel.DEPARTMENT, department=department, year=year,
                                        **fields)
        except ServiceError as error:
            errors.update(prefixed(error, f"items.{index}."))
            continue
        specs.append(spec_of(goal, krs))
    if errors:
        count = len({name.split(".")[1] for name in errors if name.count(".") >= 1})
        raise ServiceError(_("%(count)s goals of the set need correcting.") % {"count": count or 1}, fields=errors)
    return specs


def _save_items(goal_set: GoalSet, specs: list[dict[str, Any]]) -> None:
    goal_set.items.all().delete()
    GoalSetItem.objects.bulk_create([GoalSetItem(goal_set=goal_set, position=index, spec=spec)
                                     for index, spec in enumerate(specs)])


def set_snapshot(goal_set: GoalSet, specs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if specs is None:
        specs = [item.spec for item in goal_set.items.all()]
    return {"name": goal_set.name, "year": goal_set.year, "department": goal_set.department_id, "items": specs}


@transaction.atomic
def goal_set_create(*, actor: Any, name: str, year: int, department: Department,
                    items: Sequence[Mapping[str, Any]]) -> GoalSet:
    viewer = viewer_for(actor)
    text, year = _clean_header(name, year)
    require(department is not None and may_manage_department(viewer, department), "department",
            _("Choose a department whose goals you set."))
    specs = clean_items(actor, year=year, department=department, items=items)
    goal_set = GoalSet.objects.create(name=text, year=year, department=department, created_by=user_or_none(actor))
    _save_items(goal_set, specs)
    record(actor=actor, action="goal.set.create", obj=goal_set, after=set_snapshot(goal_set, specs))
    return goal_set


@transaction.atomic
def goal_set_update(*, actor: Any, goal_set: GoalSet, name: str, year: int, department: Department,
                    items: Sequence[Mapping[str, Any]]) -> GoalSet:
    """Change the set's name, year, department and goals. Goals already assigned from it keep what they were
    given (a change of a person's goals goes through their agreement)."""
    if not goal_sets_visible_to(actor).filter(pk=goal_set.pk).exists():
        raise not_found()
    goal_set = GoalSet.objects.select_for_update().select_related("department").get(pk=goal_set.pk)
    viewer = viewer_for(actor)
    if not may_manage_department(viewer, goal_set.department):
        raise Refused(_("Only the people who set the department's goals change this set."))
    text, year = _clean_header(name, year)
    require(department is not None and may_manage_department(viewer, department), "department",
            _("Choose a department whose goals you set."))
    specs = clean_items(actor, year=year, department=department, items=items)
    before = set_snapshot(goal_set)
    goal_set.name, goal_set.year, goal_set.department = text, year, department
    goal_set.save()
    _save_items(goal_set, specs)
    record(actor=actor, action="goal.set.update", obj=goal_set, before=before, after=set_snapshot(goal_set, specs))
    return goal_set


# ------------------------------------------------------------------------------------------------ assignment

def _who(people: Sequence[Employee]) -> list[str]:
    return [f"{person.name} ({person.number})" for person in people]


def _check_people(actor: Any, viewer: Viewer, employees: Sequence[Employee]) -> list[Employee]:
    ids = list(dict.fromkeys(employee.pk for employee in employees))
    require(bool(ids), "employees", _("Choose at least one person."))
    require(len(ids) <= MAX_PEOPLE, "employees",
            _("At most %(max)s people in one assignment.") % {"max": MAX_PEOPLE})
    people = {person.pk: person for person in
              Employee.objects.filter(pk__in=ids).select_related("department", "user")}
    visible = set(employees_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if len(people) != len(ids) or visible != set(ids):
        raise not_found()
    ordered = [people[pk] for pk in ids]
    not_led = [p for p in ordered if not leads_person(viewer, p.pk, p.department.path)]
    if not_led:
        names = _who(not_led)
        raise Refused(_("Nothing was assigned: you do not set the goals of %(names)s.") % {"names": ", ".join(names)},
                      fields={"employees": names})
    gone = [p for p in ordered if p.status == EmployeeStatus.LEFT]
    if gone:
        names = _who(gone)
        raise ServiceError(_("Nothing was assigned: %(names)s left the company.") % {"names": ", ".join(names)},
                           fields={"employees": names}, code="left")
    return ordered


def _values(instance: Any) -> dict[str, Any]:
    """A built, unsaved instance's column values, to make copies of it."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
            if not field.primary_key and field.attname != "goal_id"}


def _okr_progress(krs: Sequence[KeyResult]) -> Decimal | None:
    score = objective_score([PureKeyResult(start=kr.start, target=kr.target, current=kr.current, weight=kr.weight)
                             for kr in krs])
    return None if score is None else score.quantize(PLACES)


def _resolved_items(actor: Any, goal_set: GoalSet) -> list[dict[str, Any]]:
    items = list(goal_set.items.all())
    require(bool(items), "items", _("The set has no goals to assign."))
    resolved: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        try:
            resolved.append(resolve_spec(actor, item.spec))
        except ServiceError as error:
            errors.update(prefixed(error, f"items.{index}."))
    if errors:
        raise ServiceError(_("Some goals of the set no longer fit: correct the set first."), fields=errors)
    return resolved


@transaction.atomic
def goal_set_assign(*, actor: Any, goal_set: GoalSet, employees: Sequence[Employee]) -> AssignResult:
    """Give every goal of the set to every person listed, in one transaction (see the module's docstring)."""
    if not goal_sets_visible_to(actor).filter(pk=goal_set.pk).exists():
        raise not_found()
    # Locking the set makes two assignments of it queue, so the second sees the first's goals and skips.
    goal_set = GoalSet.objects.select_for_update().get(pk=goal_set.pk)
    viewer = viewer_for(actor)
    people = _check_people(actor, viewer, employees)
    resolved = _resolved_items(actor, goal_set)
    year = goal_set.year
    result = AssignResult(goal_set=goal_set)

    held = set(Goal.objects.filter(goal_set=goal_set, employee_id__in=[p.pk for p in people],
                                   state=GoalState.ACTIVE).values_list("employee_id", flat=True))
    result.skipped = [p for p in people if p.pk in held]
    todo = [p for p in people if p.pk not in held]
    if not todo:
        return result
    ids = [p.pk for p in todo]

    def agreements() -> dict[int, Agreement]:
        return {a.employee_id: a for a in
                Agreement.objects.select_for_update().filter(employee_id__in=ids, year=year)}

    existing = agreements()
    locked = [p for p in todo if p.pk in existing and existing[p.pk].status not in tree.EDITABLE_AGREEMENT]
    if locked:
        names = [f"{p.name} ({p.number}): {existing[p.pk].get_status_display()}" for p in locked]
        raise ServiceError(
            _("Nothing was assigned: the goals of %(names)s are submitted, approved or signed off.")
            % {"names": ", ".join(_who(locked))}, fields={"employees": names}, code="agreement_locked")
    missing = [p for p in todo if p.pk not in existing]
    if missing:
        Agreement.objects.bulk_create([Agreement(employee=p, year=year) for p in missing], batch_size=500,
                                      ignore_conflicts=True)
        existing = agreements()
        result.agreements_created = len(missing)

    last = dict(Goal.objects.filter(employee_id__in=ids, year=year, level=GoalLevel.PERSON)
                .values("employee_id").annotate(last=Max("position")).values_list("employee_id", "last"))
    # Each goal of the set is built and checked once (as goal_create would), then copied for every person:
    # what differs from person to person is only the owner, their department and company, and the position.
    now = timezone.now()
    templates: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for index, fields in enumerate(resolved):
        try:
            goal, krs = tree.build_goal(actor=actor, level=GoalLevel.PERSON, employee=todo[0], year=year, **fields)
        except ServiceError as error:
            raise ServiceError(error.message, fields=prefixed(error, f"items.{index}.")) from None
        if goal.kind == GoalKind.OKR:  # an OKR's progress is its key results' score: known before it is saved
            goal.progress = _okr_progress(krs)
            goal.computed_at = now if goal.progress is not None else None
        templates.append((_values(goal), [_values(kr) for kr in krs]))
    goals: list[Goal] = []
    key_results: list[list[KeyResult]] = []
    for person in todo:
        position = last.get(person.pk, -1) + 1
        for goal_values, kr_values in templates:
            goals.append(Goal(**{**goal_values, "employee_id": person.pk, "department_id": person.department_id,
                                 "company_id": person.company_id, "agreement_id": existing[person.pk].pk,
                                 "goal_set_id": goal_set.pk, "position": position}))
            key_results.append([KeyResult(**values) for values in kr_values])
            position += 1
    Goal.objects.bulk_create(goals, batch_size=500)
    for goal, krs in zip(goals, key_results, strict=True):
        for kr in krs:
            kr.goal = goal
    KeyResult.objects.bulk_create([kr for krs in key_results for kr in krs], batch_size=1000)

    # The KPI goals' values, scores and progress from the data they read (rolled up from those that have data);
    # then the parents once, from every new child's stored progress.
    kpi_ids = [goal.pk for goal in goals if goal.kind == GoalKind.KPI]
    if kpi_ids:
        from .kpi_data import refresh_kpi_goals

        refresh_kpi_goals(goal_ids=kpi_ids)
    recompute({goal.parent_id for goal in goals if goal.parent_id is not None})

    by_person: dict[int, list[int]] = {}
    for goal in goals:
        by_person.setdefault(goal.employee_id, []).append(goal.pk)  # type: ignore[arg-type]
    agreements_done = [existing[p.pk] for p in todo]
    counts = {existing[p.pk].pk: len(by_person[p.pk]) for p in todo}
    steps = assigned_steps(actor, agreements_done, counts,
                           lambda count: _("%(count)s goals from the set “%(name)s”")
                           % {"count": count, "name": goal_set.name})
    for person, agreement, step in zip(todo, agreements_done, steps, strict=True):
        words = {"count": counts[agreement.pk], "year": year, "name": goal_set.name}
        send(employee_user(person), kind="goal.agreement.assigned",
             event_key=f"goal.agreement:{agreement.pk}:step:{step.pk}", link=link_of(agreement),
             title=lambda words=words: _("%(count)s goals were assigned to you for %(year)s") % words,  # type: ignore[misc]
             body=lambda words=words: _("From the goal set “%(name)s”.") % words)  # type: ignore[misc]
    # Last: the audit chain's head stays locked from here to the commit, so other writers wait the least.
    record_many(actor=actor, entries=[
        entry_for("goal.agreement.assign", existing[p.pk],
                  after={"goal_set": goal_set.pk, "name": goal_set.name, "employee": p.number,
                         "count": len(by_person[p.pk]), "goals": by_person[p.pk]})
        for p in todo
    ])
    result.assigned = todo
    result.goals = len(goals)
    return result


__all__ = ["AssignResult", "assignable_people", "clean_items", "goal_set_assign", "goal_set_create",
           "goal_set_update", "may_keep_sets", "may_manage_department", "set_departments_for"]
