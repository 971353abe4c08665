"""Notifying people. `notify` writes the in-app notification and one outbox message per external
channel in the caller's transaction, then asks the worker to deliver after commit. Delivery
(`deliver_due`, `deliver_one`) claims each message with a conditional UPDATE, so any number of
workers may run it at once and a message is sent by one of them only."""

from __future__ import annotations

import hashlib
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.errors import ConflictError
from fairmark.core.scoping import ensure_in_scope

from .channels import Channel, DeliveryError, enabled_channels, get_channel
from .models import Notification, OutboxMessage, OutboxStatus
from .selectors import outbox_visible_to

log = logging.getLogger(__name__)

BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
# Longer than any channel's timeout (EMAIL_TIMEOUT is 10 s): a live worker never loses its claim.
CLAIM_SECONDS = 300
MAX_EVENT_KEY = 200
STALE_CLAIM_ERROR = "the worker stopped while delivering; trying again"


def _dedupe_key(event_key: str, user_pk: Any, channel: str) -> str:
    # Hash the event key: cutting a long "event:user:channel" string to the column's length would
    # let two recipients of one event share a key and silently lose one message.
    digest = hashlib.sha256(event_key.encode("utf-8")).hexdigest()
    return f"{channel}:{user_pk}:{digest}"


def notify(
    *, recipients: Iterable[Any], kind: str, title: str, body: str = "", link: str = "", event_key: str,
) -> None:
    """`event_key` identifies the event (e.g. "review:42:submitted"); the same event notifies a
    person at most once per channel, however often the caller retries. Call it inside the
    transaction of the change that causes it: if that rolls back, nobody is notified."""
    if not event_key or len(event_key) > MAX_EVENT_KEY:
        # A programming error, not user input: a cut key could merge two different events.
        raise ValueError(f"event_key must be 1..{MAX_EVENT_KEY} characters")
    notifications: list[Notification] = []
    outbox: list[OutboxMessage] = []
    now = timezone.now()
    channels: list[Channel] = enabled_channels()
    seen: set[Any] = set()
    for user in recipients:
        # Deactivated people cannot sign in to read it and should not be mailed.
        if user.pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        notifications.append(Notification(
            recipient=user, kind=kind, title=title[:200], body=body, link=link, event_key=event_key,
        ))
        for channel in channels:
            address = channel.address_for(user)
            if address:
                outbox.append(OutboxMessage(
                    channel=channel.code, recipient=user, address=address[:300],
                    dedupe_key=_dedupe_key(event_key, user.pk, channel.code),
                    subject=title[:200], body=body, link=link, next_attempt_at=now,
                ))
    with transaction.atomic():
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        OutboxMessage.objects.bulk_create(outbox, ignore_conflicts=True)
        if outbox:
            transaction.on_commit(_kick_worker)


def notify_in_their_language(recipients: Iterable[Any], *, kind: str, event_key: str, link: str,
                             title: Callable[[], str], body: Callable[[], str] = lambda: "") -> None:
    """One notification per recipient, worded in the recipient's language: `title` and `body` are called once
    per language with that language active (one `notify` call per language)."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for user in recipients:
        if user is not None:
            groups[getattr(user, "language", "") or "zh-hans"].append(user)
    for language, users in groups.items():
        with translation.override(language):
            notify(recipients=users, kind=kind, title=title(), body=body(), link=link, event_key=event_key)


def _kick_worker() -> None:
    from .tasks import deliver_due

    try:
        deliver_due.delay()
    except Exception:  # the broker being down must not fail the user's request; beat retries
        log.warning("could not queue outbox delivery; the scheduler will pick the messages up", exc_info=True)


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter: 30 s, 1 min, 2 min, ... capped at an hour. The jitter spreads the
    retries of many messages that failed together (a channel outage) over time."""
    seconds = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.0))


def _claim(message_id: int) -> datetime | None:
    """Take a message for delivery; only one worker wins (a conditional UPDATE: on PostgreSQL the
    loser waits for the winner's row lock, then sees status 'sending' and updates nothing).
    Returns the claim's expiry, which also serves as the claim's token."""
    now = timezone.now()
    until = now + timedelta(seconds=CLAIM_SECONDS)
    won = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now
    ).update(status=OutboxStatus.SENDING, claimed_until=until)
    return until if won else None


def _finish(message_id: int, claim: datetime, **changes: Any) -> None:
    """Write the outcome only while this worker still holds the claim: if the claim lapsed and
    another worker took the message over, that worker's outcome stands."""
    kept = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.SENDING, claimed_until=claim).update(
        claimed_until=None, **changes
    )
    if not kept:
        log.warning("outbox message %s: claim lapsed during delivery; outcome left to the next worker", message_id)


def _send(message: OutboxMessage) -> DeliveryError | None:
    try:
        channel = get_channel(message.channel)
    except (KeyError, ImportError) as error:
        return DeliveryError(f"channel {message.channel!r} is not configured: {error}", permanent=True)
    try:
        channel.send(message)
    except DeliveryError as error:
        return error
    except Exception as error:  # a bug in one adapter must not stop the queue; it is logged and retried
        log.exception("outbox message %s: channel %s raised", message.pk, message.channel)
        return DeliveryError(f"{type(error).__name__}: {error}")
    return None


def deliver_one(message_id: int) -> str:
    """Deliver one message if it is due and nobody else is delivering it. Safe to run twice."""
    claim = _claim(message_id)
    if claim is None:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    attempts = message.attempts + 1
    error = _send(message)
    if error is None:
        _finish(message_id, claim, status=OutboxStatus.SENT, attempts=attempts, sent_at=timezone.now())
        return "sent"
    dead = error.permanent or attempts >= settings.OUTBOX_MAX_ATTEMPTS
    log.warning("outbox message %s: attempt %s failed%s: %s", message_id, attempts, " for good" if dead else "", error)
    changes: dict[str, Any] = {"attempts": attempts, "last_error": str(error)[:2000]}
    if dead:
        changes["status"] = OutboxStatus.DEAD
    else:
        changes["status"] = OutboxStatus.PENDING
        changes["next_attempt_at"] = timezone.now() + backoff(attempts)
    _finish(message_id, claim, **changes)
    return "dead" if dead else "failed"


def release_stale_claims() -> int:
    """A worker that died mid-send leaves a claim; after it lapses, the message is tried again. The
    lost try counts as an attempt, so a message that kills its worker every time ends up dead
    instead of looping for ever."""
    now = timezone.now()
    stale = OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_until__lt=now)
    common: dict[str, Any] = {"claimed_until": None, "attempts": F("attempts") + 1, "last_error": STALE_CLAIM_ERROR}
    dead = stale.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS - 1).update(status=OutboxStatus.DEAD, **common)
    released = stale.update(status=OutboxStatus.PENDING, next_attempt_at=now, **common)
    return dead + released


def deliver_due(limit: int = 200) -> dict[str, int]:
    counts = {"sent": 0, "failed": 0, "dead": 0, "skipped": 0, "released": release_stale_claims()}
    ids = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for message_id in ids:
        counts[deliver_one(message_id)] += 1
    return counts


def mark_read(*, actor: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them when no ids are given); ids of other
    people's notifications are ignored. Reading a notification is not a change to business data,
    so it is not audited."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


@transaction.atomic
def outbox_retry(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """Send a failed ('dead') message again, e.g. after the admin fixed the mail server or the
    person's address. The attempts start again from zero; the last error stays until replaced."""
    ensure_in_scope(outbox_visible_to(actor), message)
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if locked.status != OutboxStatus.DEAD:
        raise ConflictError(_("Only messages that failed can be sent again."), code="not_failed")
    before = {"status": locked.status, "attempts": locked.attempts, "last_error": locked.last_error}
    locked.status = OutboxStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.claimed_until = None
    locked.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_until"])
    audit.record(actor=actor, action="outbox.retry", obj=locked, before=before,
                 after={"status": locked.status, "attempts": 0})
    transaction.on_commit(_kick_worker)
    return locked
