"""Who the viewer is, as every selector needs it: their employee record, their roles, and the
parts of the organisation those roles cover (DESIGN.md §6).

The facts come from the org app (reporting lines, department heads, role grants), which is above
core in the layering; core only defines the shape and asks the provider named in
settings.FAIRMARK_VIEWER_PROVIDER, so cross-cutting apps (audit, notifications) can scope their
reads without importing org.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    # granted (org.RoleGrant)
    HR_BP = "hr_bp", _("HR business partner")
    HR_ADMIN = "hr_admin", _("HR admin")
    EXECUTIVE = "executive", _("Executive")
    SYSADMIN = "sysadmin", _("System admin")
    # derived from the org
    EMPLOYEE = "employee", _("Employee")
    MANAGER = "manager", pgettext_lazy("role", "Manager")
    DEPT_HEAD = "dept_head", _("Department head")


GRANTABLE_ROLES = (Role.HR_BP, Role.HR_ADMIN, Role.EXECUTIVE, Role.SYSADMIN)


@dataclass(frozen=True)
class Viewer:
    user_id: int | None = None
    employee_id: int | None = None
    roles: frozenset[str] = frozenset()
    # Department paths ("/1/4/") whose subtrees the viewer covers as HR BP / as department head.
    hr_paths: tuple[str, ...] = ()
    head_paths: tuple[str, ...] = ()
    # Direct and indirect reports, including the teams of managers the viewer stands in for today.
    team_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def reads_all_people(self) -> bool:
        return self.has(Role.HR_ADMIN, Role.EXECUTIVE, Role.SYSADMIN)

    @property
    def edits_all_org(self) -> bool:
        return self.has(Role.HR_ADMIN)


ANONYMOUS = Viewer()
_CACHE_ATTR = "_fairmark_viewer"


class SystemActor:
    """The operator at the server's console (management commands) or a scheduled job: may change
    anything, and the audit log records it as 'system'."""

    pk = None
    username = "system"
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_system = True


SYSTEM = SystemActor()


def user_or_none(actor: Any) -> Any:
    """The user to store as who did something: None for the system actor (the audit log shows "system")."""
    return actor if getattr(actor, "pk", None) is not None else None

SYSTEM_VIEWER = Viewer(user_id=0, roles=frozenset({Role.HR_ADMIN, Role.SYSADMIN}))


def viewer_for(user: Any) -> Viewer:
    """The viewer for a user, computed once per user object (that is, once per request)."""
    if getattr(user, "is_system", False):
        return SYSTEM_VIEWER
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = import_string(settings.FAIRMARK_VIEWER_PROVIDER)(user)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_viewer(user: Any) -> None:
    """After a write that changes someone's roles or team within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
