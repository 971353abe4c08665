"""Notifying people. `notify` writes the in-app notification and one outbox message per external
channel in the caller's transaction, then asks the worker to deliver after commit."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .channels import DeliveryError, enabled_channels, get_channel
from .models import Notification, OutboxMessage, OutboxStatus

BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
CLAIM_SECONDS = 300


def notify(
    *, recipients: Iterable[Any], kind: str, title: str, body: str = "", link: str = "", event_key: str,
) -> None:
    """`event_key` identifies the event (e.g. "review:42:submitted"); the same event notifies a
    person at most once per channel, however often the caller retries."""
    notifications: list[Notification] = []
    outbox: list[OutboxMessage] = []
    now = timezone.now()
    channels = enabled_channels()
    for user in recipients:
        notifications.append(Notification(
            recipient=user, kind=kind, title=title[:200], body=body, link=link, event_key=event_key[:200],
        ))
        for channel in channels:
            address = channel.address_for(user)
            if address:
                outbox.append(OutboxMessage(
                    channel=channel.code, recipient=user, address=address,
                    dedupe_key=f"{event_key}:{user.pk}:{channel.code}"[:200],
                    subject=title[:200], body=body, link=link, next_attempt_at=now,
                ))
    with transaction.atomic():
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        OutboxMessage.objects.bulk_create(outbox, ignore_conflicts=True)
        if outbox:
            transaction.on_commit(_kick_worker)


def _kick_worker() -> None:
    from .tasks import deliver_due

    try:
        deliver_due.delay()
    except Exception:  # noqa: BLE001 - the broker being down must not fail the user's request; beat retries
        pass


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter: 30 s, 1 min, 2 min, ... capped at an hour."""
    seconds = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.0))


def _claim(message_id: int) -> bool:
    """Take a message for delivery; only one worker wins (a conditional UPDATE)."""
    now = timezone.now()
    return bool(
        OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now).update(
            status=OutboxStatus.SENDING, claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
        )
    )


def deliver_one(message_id: int) -> str:
    if not _claim(message_id):
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        get_channel(message.channel).send(message)
    except DeliveryError as error:
        message.attempts += 1
        message.last_error = str(error)[:2000]
        message.claimed_until = None
        if error.permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.status = OutboxStatus.DEAD
        else:
            message.status = OutboxStatus.PENDING
            message.next_attempt_at = timezone.now() + backoff(message.attempts)
        message.save(update_fields=["attempts", "last_error", "claimed_until", "status", "next_attempt_at"])
        return "failed"
    message.attempts += 1
    message.status = OutboxStatus.SENT
    message.sent_at = timezone.now()
    message.claimed_until = None
    message.save(update_fields=["attempts", "status", "sent_at", "claimed_until"])
    return "sent"


def release_stale_claims() -> int:
    """A worker that died mid-send leaves a claim; after it lapses, the message is tried again."""
    return OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_until__lt=timezone.now()).update(
        status=OutboxStatus.PENDING, claimed_until=None
    )


def deliver_due(limit: int = 200) -> dict[str, int]:
    release_stale_claims()
    ids = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for message_id in ids:
        counts[deliver_one(message_id)] += 1
    return counts


def mark_read(*, actor: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them when no ids are given). Reading a
    notification is not a change to business data, so it is not audited."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
