from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fairmark.core.access import Role, viewer_for

from .models import ApiToken, User


def tokens_visible_to(user: Any) -> QuerySet[ApiToken]:
    """Your own tokens; a system admin sees everyone's (to revoke a leaked one)."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    if viewer_for(user).has(Role.SYSADMIN):
        return ApiToken.objects.select_related("user")
    return ApiToken.objects.filter(user=user).select_related("user")


def can_manage_users(user: Any) -> bool:
    """User administration is the system admin's (DESIGN.md §2), whether by grant or as superuser."""
    return viewer_for(user).has(Role.SYSADMIN)


def users_visible_to(user: Any) -> QuerySet[User]:
    """Every account for a system admin; nobody else sees the list (their own profile has its page)."""
    if not can_manage_users(user):
        return User.objects.none()
    return User.objects.order_by("username")
