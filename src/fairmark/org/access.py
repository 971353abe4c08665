"""Builds the core Viewer from the org: role grants, department heads, reporting lines and
acting managers / delegates in force today."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from fairmark.core.access import Role, Viewer

from .models import Delegation, Department, Employee, RoleGrant

MAX_REPORTING_DEPTH = 30  # a chain longer than this is a data error; stop rather than loop


def build_viewer(user: Any) -> Viewer:
    roles: set[str] = set()
    hr_paths: list[str] = []
    for grant in RoleGrant.objects.filter(user=user).prefetch_related("departments"):
        roles.add(grant.role)
        if grant.role == Role.HR_BP:
            hr_paths.extend(d.path for d in grant.departments.all())
    if user.is_superuser:
        roles.add(Role.SYSADMIN)

    employee = Employee.objects.filter(user=user).exclude(status="left").only("id").first()
    if employee is None:
        return Viewer(user_id=user.pk, roles=frozenset(roles), hr_paths=tuple(hr_paths))

    roles.add(Role.EMPLOYEE)
    head_paths = tuple(Department.objects.filter(head=employee, active=True).values_list("path", flat=True))
    if head_paths:
        roles.add(Role.DEPT_HEAD)
    today = timezone.localdate()
    stand_in_for = list(
        Delegation.objects.filter(delegate=employee, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values_list("principal_id", flat=True)
    )
    team = reports_of([employee.pk, *stand_in_for])
    team.discard(employee.pk)
    if team:
        roles.add(Role.MANAGER)
    return Viewer(
        user_id=user.pk,
        employee_id=employee.pk,
        roles=frozenset(roles),
        hr_paths=tuple(hr_paths),
        head_paths=head_paths,
        team_ids=frozenset(team),
    )


def reports_of(manager_ids: list[int]) -> set[int]:
    """Direct and indirect reports of the given managers: one query per level of the tree."""
    found: set[int] = set()
    frontier = set(manager_ids)
    for _level in range(MAX_REPORTING_DEPTH):
        if not frontier:
            break
        below = set(
            Employee.objects.filter(manager_id__in=frontier).exclude(status="left").values_list("id", flat=True)
        )
        frontier = below - found
        found |= frontier
    return found
