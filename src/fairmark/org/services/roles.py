from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.access import GRANTABLE_ROLES, Role, forget_viewer, viewer_for
from fairmark.core.errors import OutOfScope, ServiceError

from ..models import Department, RoleGrant


def _require_sysadmin(actor: Any) -> None:
    if not viewer_for(actor).has(Role.SYSADMIN):
        raise OutOfScope(_("Not found."))


@transaction.atomic
def role_grant(*, actor: Any, user: Any, role: str, departments: Iterable[Department] = ()) -> RoleGrant:
    _require_sysadmin(actor)
    if role not in GRANTABLE_ROLES:
        raise ServiceError(_("This role cannot be granted."), fields={"role": [_("Unknown role.")]})
    units = list(departments)
    if role == Role.HR_BP and not units:
        raise ServiceError(_("An HR BP needs at least one org unit."), fields={"departments": [_("Required.")]})
    grant, _created = RoleGrant.objects.get_or_create(user=user, role=role)
    grant.departments.set(units)
    audit.record(actor=actor, action="role.grant", obj=grant,
                 after={"user": user.username, "role": role, "departments": [d.code for d in units]})
    forget_viewer(user)
    return grant


@transaction.atomic
def role_revoke(*, actor: Any, user: Any, role: str) -> None:
    _require_sysadmin(actor)
    if role == Role.SYSADMIN and getattr(actor, "pk", None) == user.pk:
        # Nobody else might be left to give it back; another system admin or the console can.
        raise ServiceError(_("You cannot revoke your own system-admin role."), fields={"role": [_("Your own role.")]})
    grant = RoleGrant.objects.filter(user=user, role=role).first()
    if grant is None:
        return
    audit.record(actor=actor, action="role.revoke", obj=grant, before={"user": user.username, "role": role})
    grant.delete()
    forget_viewer(user)
