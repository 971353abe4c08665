from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ApiToken


def tokens_visible_to(user: Any) -> QuerySet[ApiToken]:
    """Your own tokens; a system admin sees everyone's (to revoke a leaked one)."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    if user.is_superuser:
        return ApiToken.objects.select_related("user")
    return ApiToken.objects.filter(user=user).select_related("user")
