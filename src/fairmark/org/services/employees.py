from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.access import SYSTEM, Role, forget_viewer, viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ensure_in_scope

from ..models import Assignment, Department, Employee, EmployeeStatus, Level, Position
from ..selectors import departments_editable_by, employees_editable_by
from .snapshots import employee_snapshot

# Fields a plain update may change; department, position and manager change only by transfer,
# which keeps the history.
UPDATABLE_FIELDS = frozenset(
    {"name", "level", "hire_date", "probation_end", "status", "left_on", "location", "cost_centre", "email", "phone"}
)


def _check_manager(employee_id: int | None, manager: Employee | None) -> None:
    if manager is None:
        return
    if employee_id is not None and manager.pk == employee_id:
        raise ServiceError(_("An employee cannot be their own manager."), fields={"manager": [_("Creates a loop.")]})
    if employee_id is not None and _reports_up_to(manager.pk, employee_id):
        raise ServiceError(
            _("This manager reports, directly or not, to the employee."), fields={"manager": [_("Creates a loop.")]}
        )


def _reports_up_to(start_id: int, employee_id: int) -> bool:
    """Walk up the reporting line from `start_id` (one query per level, bounded) looking for the employee."""
    seen: set[int] = set()
    current: int | None = start_id
    while current is not None and current not in seen:
        if current == employee_id:
            return True
        seen.add(current)
        current = Employee.objects.filter(pk=current).values_list("manager_id", flat=True).first()
    return current is not None  # a loop already in the data: refuse rather than extend it


@transaction.atomic
def employee_create(
    *, actor: Any, number: str, name: str, department: Department, hire_date: dt.date,
    position: Position | None = None, level: Level | None = None, manager: Employee | None = None,
    probation_end: dt.date | None = None, status: str = EmployeeStatus.ACTIVE, location: str = "",
    cost_centre: str = "", email: str = "", phone: str = "",
) -> Employee:
    if not departments_editable_by(actor).filter(pk=department.pk).exists():
        raise OutOfScope(_("Not found."))
    if Employee.objects.filter(number=number).exists():
        raise ServiceError(_("This employee number is already used."), fields={"number": [_("Already used.")]})
    if probation_end and probation_end < hire_date:
        raise ServiceError(_("Probation cannot end before the hire date."), fields={"probation_end": [_("Before hire date.")]})
    employee = Employee.objects.create(
        number=number, name=name, company=department.company, department=department, position=position, level=level,
        manager=manager, hire_date=hire_date, probation_end=probation_end, status=status, location=location,
        cost_centre=cost_centre or department.cost_centre, email=email, phone=phone,
    )
    Assignment.objects.create(
        employee=employee, department=department, position=position, manager=manager, valid_from=hire_date,
        reason=_("Hired"),
    )
    audit.record(actor=actor, action="employee.create", obj=employee, after=employee_snapshot(employee),
                 scope=department.path)
    ensure_in_scope(employees_editable_by(actor), employee)
    return employee


@transaction.atomic
def employee_update(*, actor: Any, employee: Employee, **changes: Any) -> Employee:
    ensure_in_scope(employees_editable_by(actor), employee)
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ServiceError(
            _("These fields change only by transfer: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            fields={name: [_("Use a transfer.")] for name in sorted(unknown)},
        )
    before = employee_snapshot(employee)
    for name, value in changes.items():
        setattr(employee, name, value)
    if employee.probation_end and employee.probation_end < employee.hire_date:
        raise ServiceError(_("Probation cannot end before the hire date."), fields={"probation_end": [_("Before hire date.")]})
    if employee.status == EmployeeStatus.LEFT and not employee.left_on:
        employee.left_on = timezone.localdate()
    employee.save()
    if employee.status == EmployeeStatus.LEFT and employee.left_on:
        # The open assignment ends on the last day worked, so pro-rata scoring counts no day after it.
        Assignment.objects.filter(employee=employee, valid_to__isnull=True, valid_from__lte=employee.left_on).update(
            valid_to=employee.left_on
        )
    old, new = audit.diff(before, employee_snapshot(employee))
    audit.record(actor=actor, action="employee.update", obj=employee, before=old, after=new,
                 scope=employee.department.path)
    return employee


@transaction.atomic
def employee_transfer(
    *, actor: Any, employee: Employee, effective: dt.date, department: Department | None = None,
    position: Position | Any | None = ..., manager: Employee | Any | None = ..., reason: str = "",
) -> Employee:
    """Move an employee to another department, position or manager from `effective` on. The open
    assignment is closed the day before, so the old reporting line keeps the period it covered.
    A transfer dated in the future is recorded now and takes effect on its date
    (`assignments_apply_due`, run daily by the worker): until then the old manager keeps the team."""
    ensure_in_scope(employees_editable_by(actor), employee)
    new_department = department or employee.department
    if not departments_editable_by(actor).filter(pk=new_department.pk).exists():
        raise OutOfScope(_("Not found."))
    new_position = employee.position if position is ... else position
    new_manager = employee.manager if manager is ... else manager
    _check_manager(employee.pk, new_manager)
    current = Assignment.objects.select_for_update().filter(employee=employee, valid_to__isnull=True).first()
    if current and effective <= current.valid_from:
        raise ServiceError(
            _("The transfer must take effect after %(date)s.") % {"date": current.valid_from.isoformat()},
            fields={"effective": [_("Too early.")]},
        )
    before = employee_snapshot(employee)
    if current:
        current.valid_to = effective - dt.timedelta(days=1)
        current.save(update_fields=["valid_to"])
    Assignment.objects.create(
        employee=employee, department=new_department, position=new_position, manager=new_manager,
        valid_from=effective, reason=reason,
    )
    planned = {"department_id": new_department.pk, "position_id": getattr(new_position, "pk", None),
               "manager_id": getattr(new_manager, "pk", None)}
    if effective <= timezone.localdate():
        _place(employee, new_department, new_position, new_manager)
    old, new = audit.diff(before, {**before, **planned})
    audit.record(actor=actor, action="employee.transfer", obj=employee, before=old,
                 after={**new, "effective": effective.isoformat(), "reason": reason}, scope=new_department.path)
    forget_viewer(actor)
    ensure_in_scope(employees_editable_by(actor), employee)
    return employee


def _place(employee: Employee, department: Department, position: Position | None, manager: Employee | None) -> None:
    employee.department = department
    employee.company = department.company
    employee.position = position
    employee.manager = manager
    employee.save()


@transaction.atomic
def assignments_apply_due(*, on: dt.date) -> int:
    """Bring employees' current department, position and manager in line with the assignment valid
    on `on` (transfers dated in the future become effective). Safe to run any number of times;
    a missed day is caught up, since it looks at every assignment that started in the last year."""
    current = (
        Assignment.objects.select_related("employee", "department", "employee__department")
        .filter(valid_from__lte=on, valid_from__gt=on - dt.timedelta(days=366))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .exclude(employee__status=EmployeeStatus.LEFT)
    )
    changed = 0
    for assignment in current:
        employee = assignment.employee
        if (employee.department_id, employee.position_id, employee.manager_id) == (
            assignment.department_id, assignment.position_id, assignment.manager_id
        ):
            continue
        before = employee_snapshot(employee)
        _place(employee, assignment.department, assignment.position, assignment.manager)
        old, new = audit.diff(before, employee_snapshot(employee))
        audit.record(actor=SYSTEM, action="employee.transfer_effective", obj=employee, before=old,
                     after={**new, "effective": assignment.valid_from.isoformat()}, scope=assignment.department.path)
        changed += 1
    return changed


@transaction.atomic
def employee_link_user(*, actor: Any, employee: Employee, user: Any) -> Employee:
    # Linking accounts is user administration, the system admin's (DESIGN.md §6), who edits no employee;
    # HR may also link the people it edits.
    if not viewer_for(actor).has(Role.SYSADMIN):
        ensure_in_scope(employees_editable_by(actor), employee)
    if user is not None and Employee.objects.filter(user=user).exclude(pk=employee.pk).exists():
        raise ServiceError(_("This user is linked to another employee."), fields={"user": [_("Already linked.")]})
    before = employee_snapshot(employee)
    employee.user = user
    employee.save(update_fields=["user", "updated_at"])
    old, new = audit.diff(before, employee_snapshot(employee))
    audit.record(actor=actor, action="employee.link_user", obj=employee, before=old, after=new,
                 scope=employee.department.path)
    if user is not None:
        forget_viewer(user)
    return employee
