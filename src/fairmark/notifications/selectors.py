from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fairmark.core.access import Role, viewer_for

from .models import Notification, OutboxMessage


def notifications_visible_to(user: Any) -> QuerySet[Notification]:
    """Your own notifications, and nobody else's."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_count(user: Any) -> int:
    return notifications_visible_to(user).filter(read_at__isnull=True).count()


def outbox_visible_to(user: Any) -> QuerySet[OutboxMessage]:
    """Delivery state of external messages, for system admins."""
    if not viewer_for(user).has(Role.SYSADMIN):
        return OutboxMessage.objects.none()
    return OutboxMessage.objects.all()


def can_use_outbox_page(user: Any) -> bool:
    return viewer_for(user).has(Role.SYSADMIN)
