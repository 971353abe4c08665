"""Scoped reads of the organisation (DESIGN.md §6). Every page and API view takes its objects from
one of these, with the viewer as the first argument."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fairmark.core.access import Role, Viewer, viewer_for

from .models import (
    Assignment,
    Delegation,
    Department,
    Employee,
    EmployeeStatus,
    ImportJob,
    JobFamily,
    Level,
    Position,
)


def _path_q(paths: tuple[str, ...], field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def people_scope_q(viewer: Viewer, prefix: str = "") -> Q:
    """The Q that limits employees (reached through `prefix`, e.g. "employee__") to the viewer's
    scope. Later apps use it for goals and reviews, whose owner is an employee."""
    if viewer.reads_all_people:
        return Q()
    q = Q(**{f"{prefix}pk__in": []})
    if viewer.employee_id:
        q |= Q(**{f"{prefix}pk": viewer.employee_id})
    paths = viewer.hr_paths + viewer.head_paths
    if paths:
        q |= _path_q(paths, f"{prefix}department__path")
    if viewer.team_ids:
        q |= Q(**{f"{prefix}pk__in": sorted(viewer.team_ids)})
    return q


def employees_visible_to(user: Any) -> QuerySet[Employee]:
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return Employee.objects.none()
    return (
        Employee.objects.filter(people_scope_q(viewer))
        .select_related("department", "position", "level", "manager", "company")
        .order_by("number")
    )


def employees_editable_by(user: Any) -> QuerySet[Employee]:
    """HR admins change everyone; HR BPs the people of their units."""
    viewer = viewer_for(user)
    if viewer.edits_all_org:
        return Employee.objects.all()
    if viewer.has(Role.HR_BP) and viewer.hr_paths:
        return Employee.objects.filter(_path_q(viewer.hr_paths, "department__path"))
    return Employee.objects.none()


def departments_visible_to(user: Any) -> QuerySet[Department]:
    """The department structure (names, heads, tree) is public inside the company: every signed-in
    member sees the org chart. What is scoped is the people data behind it."""
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return Department.objects.none()
    return Department.objects.select_related("parent", "head", "company").order_by("path")


def departments_editable_by(user: Any) -> QuerySet[Department]:
    viewer = viewer_for(user)
    if viewer.edits_all_org:
        return Department.objects.all()
    if viewer.has(Role.HR_BP) and viewer.hr_paths:
        return Department.objects.filter(_path_q(viewer.hr_paths, "path"))
    return Department.objects.none()


def can_import_org(user: Any) -> bool:
    return viewer_for(user).has(Role.HR_ADMIN, Role.HR_BP)


def positions_visible_to(user: Any) -> QuerySet[Position]:
    if not viewer_for(user).is_authenticated:
        return Position.objects.none()
    return Position.objects.select_related("job_family")


def levels_visible_to(user: Any) -> QuerySet[Level]:
    if not viewer_for(user).is_authenticated:
        return Level.objects.none()
    return Level.objects.all()


def job_families_visible_to(user: Any) -> QuerySet[JobFamily]:
    if not viewer_for(user).is_authenticated:
        return JobFamily.objects.none()
    return JobFamily.objects.all()


def assignments_of(user: Any, employee: Employee) -> QuerySet[Assignment]:
    """An employee's history, if the viewer may see the employee."""
    if not employees_visible_to(user).filter(pk=employee.pk).exists():
        return Assignment.objects.none()
    return Assignment.objects.filter(employee=employee).select_related("department", "position", "manager")


def delegations_visible_to(user: Any) -> QuerySet[Delegation]:
    visible = employees_visible_to(user)
    return (
        Delegation.objects.filter(Q(principal__in=visible) | Q(delegate__in=visible))
        .select_related("principal", "delegate")
        .order_by("-valid_from", "pk")
    )


def _leads_q() -> Q:
    """People who manage someone or head a department."""
    return Q(pk__in=Employee.objects.filter(manager__isnull=False).values("manager_id")) | Q(
        pk__in=Department.objects.filter(head__isnull=False).values("head_id")
    )


def delegations_editable_by(user: Any) -> QuerySet[Delegation]:
    """Stand-ins the user may set up or end: their own (as the principal) and, for HR, those of the
    people they edit. Mirrors the check in services.delegations.delegation_create."""
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return Delegation.objects.none()
    q = Q(principal__in=employees_editable_by(user).values("pk"))
    if viewer.employee_id:
        q |= Q(principal_id=viewer.employee_id)
    return Delegation.objects.filter(q)


def delegation_principals_for(user: Any) -> QuerySet[Employee]:
    """Whom the user may name a stand-in for, as offered on the page: the people who lead someone among
    those they edit (HR), and themselves when they lead anyone (a manager or department head)."""
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return Employee.objects.none()
    q = Q(pk__in=employees_editable_by(user).values("pk")) & _leads_q()
    if viewer.employee_id and viewer.has(Role.MANAGER, Role.DEPT_HEAD):
        q |= Q(pk=viewer.employee_id)
    return (
        Employee.objects.filter(q).exclude(status=EmployeeStatus.LEFT).select_related("department").order_by("number")
    )


def stand_in_candidates(user: Any) -> QuerySet[Employee]:
    """Who may be named as a stand-in: anyone active in the company, often a peer manager outside the
    viewer's scope (as in the API). Pages look them up by exact employee number and never list them."""
    if not viewer_for(user).is_authenticated:
        return Employee.objects.none()
    return Employee.objects.exclude(status=EmployeeStatus.LEFT)


def manager_candidates(user: Any) -> QuerySet[Employee]:
    """Suggestions for a manager field: the active people in the viewer's sight who already lead someone."""
    return employees_visible_to(user).exclude(status=EmployeeStatus.LEFT).filter(_leads_q())


def direct_reports(user: Any, employee: Employee) -> QuerySet[Employee]:
    return employees_visible_to(user).filter(manager=employee)


def import_jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    """A user sees their own uploads only, and only while they may import."""
    if not can_import_org(user):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=user)
