from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fairmark.core.access import Role, viewer_for

from .models import AuditEvent


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """HR admins and system admins: everything. HR BPs: events in their units. Everyone else: the
    actions they took themselves (DESIGN.md §6)."""
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return AuditEvent.objects.none()
    if viewer.has(Role.HR_ADMIN, Role.SYSADMIN):
        return AuditEvent.objects.all()
    q = Q(actor_id=viewer.user_id)
    if viewer.has(Role.HR_BP):
        for path in viewer.hr_paths:
            q |= Q(scope__startswith=path)
    return AuditEvent.objects.filter(q)


def can_use_audit_page(user: Any) -> bool:
    """Who may open the audit page and API: the people §6 gives more than their own actions."""
    return viewer_for(user).has(Role.HR_ADMIN, Role.SYSADMIN, Role.HR_BP)
