"""Scoped reads of the indicator library and the templates (DESIGN.md §6, "configuration"): HR admins,
HR BPs, executives, managers, department heads and system admins read all of it; an employee reads the
published templates that apply to them and the indicators those templates use ("read what applies").
HR admins change everything; an HR BP changes what is owned by one of their units."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet

from fairmark.core.access import Role, Viewer, viewer_for
from fairmark.org.models import Employee

from .applies import Placement, applies
from .models import Indicator, IndicatorVersion, Template, TemplateVersion

READS_ALL = (Role.HR_ADMIN, Role.HR_BP, Role.EXECUTIVE, Role.SYSADMIN, Role.MANAGER, Role.DEPT_HEAD)


def reads_all_configuration(viewer: Viewer) -> bool:
    return viewer.has(*READS_ALL)


def can_create_configuration(user: Any) -> bool:
    """HR admins create company-wide indicators and templates; HR BPs create them for their units."""
    return viewer_for(user).has(Role.HR_ADMIN, Role.HR_BP)


def _owned_q(viewer: Viewer) -> Q:
    if viewer.has(Role.HR_ADMIN):
        return Q()
    q = Q(pk__in=[])
    if viewer.has(Role.HR_BP):
        for path in viewer.hr_paths:
            q |= Q(owner_department__path__startswith=path)
    return q


def placement_of(employee: Employee | None) -> Placement:
    if employee is None:
        return Placement()
    position = employee.position
    return Placement(
        position_code=position.code if position else "",
        position_name=position.name if position else "",
        job_family=position.job_family.code if position and position.job_family else "",
        level=employee.level.code if employee.level else "",
    )


def _versions_applying_to(employee: Employee | None) -> list[TemplateVersion]:
    """The published versions of active templates that apply to the person. Templates are few (tens), so
    matching runs in Python over the published versions rather than as JSON queries."""
    placement = placement_of(employee)
    published = TemplateVersion.objects.filter(template__archived=False, template__published=F("id"))
    return [version for version in published.only("template_id", "applies_to", "sections")
            if applies(version.applies_to, placement)]


def _own_employee(viewer: Viewer) -> Employee | None:
    if not viewer.employee_id:
        return None
    return Employee.objects.select_related("position__job_family", "level").filter(pk=viewer.employee_id).first()


def templates_visible_to(user: Any) -> QuerySet[Template]:
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return Template.objects.none()
    queryset = Template.objects.select_related("head", "published", "owner_department").order_by("code")
    if reads_all_configuration(viewer):
        return queryset
    return queryset.filter(pk__in=[version.template_id for version in _versions_applying_to(_own_employee(viewer))])


def templates_editable_by(user: Any) -> QuerySet[Template]:
    viewer = viewer_for(user)
    if not viewer.has(Role.HR_ADMIN, Role.HR_BP):
        return Template.objects.none()
    return templates_visible_to(user).filter(_owned_q(viewer))


def template_versions_visible_to(user: Any) -> QuerySet[TemplateVersion]:
    """Every version of a template the viewer reads in full; an employee sees only published versions."""
    viewer = viewer_for(user)
    versions = TemplateVersion.objects.filter(template__in=templates_visible_to(user)).select_related("template")
    if not reads_all_configuration(viewer):
        versions = versions.filter(template__published=F("id"))
    return versions.order_by("template__code", "-number")


def _indicator_codes_applying_to(viewer: Viewer) -> set[str]:
    codes: set[str] = set()
    for version in _versions_applying_to(_own_employee(viewer)):
        codes |= version.indicator_codes()
    return codes


def indicators_visible_to(user: Any) -> QuerySet[Indicator]:
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return Indicator.objects.none()
    queryset = Indicator.objects.select_related("head", "published", "owner_department", "owner").order_by("code")
    if reads_all_configuration(viewer):
        return queryset
    return queryset.filter(code__in=sorted(_indicator_codes_applying_to(viewer)), published__isnull=False)


def indicators_editable_by(user: Any) -> QuerySet[Indicator]:
    viewer = viewer_for(user)
    if not viewer.has(Role.HR_ADMIN, Role.HR_BP):
        return Indicator.objects.none()
    return indicators_visible_to(user).filter(_owned_q(viewer))


def indicator_versions_visible_to(user: Any) -> QuerySet[IndicatorVersion]:
    viewer = viewer_for(user)
    versions = IndicatorVersion.objects.filter(indicator__in=indicators_visible_to(user)).select_related("indicator")
    if not reads_all_configuration(viewer):
        versions = versions.exclude(status="draft")
    return versions.order_by("indicator__code", "-number")


def published_indicator_versions(user: Any) -> dict[str, IndicatorVersion]:
    """code → the published version, for the template editor and validation (what a new template may use)."""
    return {
        version.indicator.code: version
        for version in IndicatorVersion.objects.filter(
            indicator__in=indicators_visible_to(user).filter(retired=False), indicator__published=F("id")
        ).select_related("indicator")
    }
