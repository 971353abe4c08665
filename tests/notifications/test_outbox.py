"""The outbox: written with the event, delivered over real SMTP once the server is back, never twice,
with retries, dead messages, permanent refusals, claims and stale claims."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from fairmark.accounts.models import User
from fairmark.notifications import services, tasks
from fairmark.notifications.channels.email import message_id
from fairmark.notifications.models import Notification, OutboxMessage, OutboxStatus
from fairmark.notifications.services import deliver_due, notify

from .helpers import RecordingChannel, SmtpReceiver

EVENT = {
    "kind": "review.submitted",
    "title": "Review submitted",
    "body": "Chen submitted the self-review.",
    "link": "/reviews/42/",
    "event_key": "review:42:submitted",
}


def make_due(message: OutboxMessage) -> None:
    """Move past the backoff: the retry time is simply set to the past (no clock mocking)."""
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# --- written with the event -----------------------------------------------------------------------


def _event_that_fails(person: User, event_key: str = EVENT["event_key"]) -> None:
    with transaction.atomic():
        notify(recipients=[person], **{**EVENT, "event_key": event_key})
        # Written inside the event's transaction...
        assert OutboxMessage.objects.filter(recipient=person, subject=EVENT["title"]).count() >= 1
        assert Notification.objects.filter(event_key=event_key).exists()
        raise RuntimeError("the business write failed after notifying")


def test_outbox_rolls_back_with_the_event(person: User, smtp_settings: int) -> None:
    with pytest.raises(RuntimeError):
        _event_that_fails(person)
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_worker_is_asked_only_after_commit(person: User, smtp_settings: int, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        notify(recipients=[person], **EVENT)
    assert len(callbacks) == 1  # the delivery task is queued on commit, not before
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks() as callbacks:
        _event_that_fails(person, "review:43:submitted")
    assert callbacks == []


def test_one_notification_and_message_per_person_and_event(person: User, smtp_settings: int) -> None:
    other = User.objects.create_user(username="wu", email="wu@example.com")
    notify(recipients=[person, other, person], **EVENT)
    notify(recipients=[person], **EVENT)  # the caller retried
    assert Notification.objects.count() == 2
    assert sorted(OutboxMessage.objects.values_list("address", flat=True)) == ["lin@example.com", "wu@example.com"]


def test_long_event_keys_do_not_merge_recipients(person: User, smtp_settings: int) -> None:
    """The old dedupe key was cut to 200 characters, which dropped the user id from long keys."""
    other = User.objects.create_user(username="wu", email="wu@example.com")
    notify(recipients=[person, other], **{**EVENT, "event_key": "k" * 200})
    assert OutboxMessage.objects.count() == 2
    with pytest.raises(ValueError, match="event_key"):
        notify(recipients=[person], **{**EVENT, "event_key": "k" * 201})


def test_inactive_people_and_people_without_address(person: User, smtp_settings: int) -> None:
    User.objects.create_user(username="gone", email="gone@example.com", is_active=False)
    no_mail = User.objects.create_user(username="nomail", email="")
    notify(recipients=User.objects.all(), **EVENT)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"lin", "nomail"}
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == [person.pk]
    assert no_mail.notifications.count() == 1  # in-app only


# --- acceptance: SMTP down, then back -----------------------------------------------------------


def test_smtp_down_then_back_delivers_once_and_never_twice(person: User, smtp_settings: int) -> None:
    """An event that notifies someone while SMTP is down is delivered once SMTP is back, and never twice."""
    notify(recipients=[person], **EVENT)
    message = OutboxMessage.objects.get()

    before = timezone.now()
    assert deliver_due() == {"sent": 0, "failed": 1, "dead": 0, "skipped": 0, "released": 0}
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "ConnectionRefused" in message.last_error
    assert message.next_attempt_at > before + timedelta(seconds=20)  # backoff: about 30 s

    assert deliver_due()["failed"] == 0  # not due yet: no new attempt
    message.refresh_from_db()
    assert message.attempts == 1

    with SmtpReceiver(smtp_settings) as smtp:
        make_due(message)
        assert deliver_due()["sent"] == 1
        assert len(smtp.received) == 1
        got = smtp.received[0]
        assert got.rcpt_tos == ["lin@example.com"]
        assert got.message["To"] == "lin@example.com"
        assert got.message["Subject"] == "Review submitted"
        body = got.message.get_content()
        assert "Chen submitted the self-review." in body
        assert "http://127.0.0.1:8000/reviews/42/" in body
        message.refresh_from_db()
        assert got.message["Message-ID"] == message_id(message)
        assert message.status == OutboxStatus.SENT
        assert message.attempts == 2
        assert message.sent_at is not None

        # Delivery runs again, the event is notified again, delivery runs again: still one mail.
        assert deliver_due()["sent"] == 0
        notify(recipients=[person], **EVENT)
        make_due(message)  # even if someone pushed the clock, a sent message is not due
        assert deliver_due()["sent"] == 0
        assert len(smtp.received) == 1
    assert OutboxMessage.objects.count() == 1
    assert Notification.objects.count() == 1


def test_retries_stop_after_max_attempts(person: User, smtp_settings: int, settings: Any) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    notify(recipients=[person], **EVENT)
    message = OutboxMessage.objects.get()
    results = []
    for _ in range(3):
        make_due(message)
        counts = deliver_due()
        results.append("dead" if counts["dead"] else "failed" if counts["failed"] else "?")
    assert results == ["failed", "failed", "dead"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 3)
    assert message.last_error
    with SmtpReceiver(smtp_settings) as smtp:  # the server is back, but a dead message waits for a person
        make_due(message)
        assert deliver_due()["sent"] == 0
        assert smtp.received == []


def test_permanent_refusal_is_not_retried(person: User, smtp_settings: int) -> None:
    with SmtpReceiver(smtp_settings) as smtp:
        smtp.refuse("lin@example.com", "550 5.1.1 No such user here")
        notify(recipients=[person], **EVENT)
        assert deliver_due()["dead"] == 1
        message = OutboxMessage.objects.get()
        assert (message.status, message.attempts) == (OutboxStatus.DEAD, 1)
        assert "550" in message.last_error
        assert "No such user" in message.last_error
        make_due(message)
        assert deliver_due() == {"sent": 0, "failed": 0, "dead": 0, "skipped": 0, "released": 0}
        assert smtp.received == []


def test_temporary_refusal_is_retried(person: User, smtp_settings: int) -> None:
    """4xx on RCPT (greylisting, mailbox busy) means "later", not "never"."""
    with SmtpReceiver(smtp_settings) as smtp:
        smtp.refuse("lin@example.com", "450 4.2.0 Greylisted, try again later")
        notify(recipients=[person], **EVENT)
        assert deliver_due()["failed"] == 1
        message = OutboxMessage.objects.get()
        assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
        assert "450" in message.last_error
        smtp.handler.refuse.clear()
        make_due(message)
        assert deliver_due()["sent"] == 1
        assert len(smtp.received) == 1


# --- claims ---------------------------------------------------------------------------------------


def test_a_second_deliverer_during_a_send_does_not_send(person: User, robot: type[RecordingChannel]) -> None:
    """Worker B arrives while worker A is in the middle of sending the same message."""
    notify(recipients=[person], **EVENT)
    message = OutboxMessage.objects.get()
    seen: list[Any] = []

    def second_worker(msg: OutboxMessage) -> None:
        seen.append(services.deliver_one(msg.pk))
        seen.append(deliver_due())

    robot.during_send = second_worker
    assert services.deliver_one(message.pk) == "sent"
    assert seen[0] == "skipped"
    assert seen[1]["sent"] == 0
    assert len(robot.sent) == 1


def test_stale_claim_is_released_and_retried(person: User, robot: type[RecordingChannel]) -> None:
    notify(recipients=[person], **EVENT)
    message = OutboxMessage.objects.get()
    # A worker claimed it and died: the claim ran out a minute ago.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, claimed_until=timezone.now() - timedelta(minutes=1)
    )
    counts = deliver_due()
    assert (counts["released"], counts["sent"]) == (1, 1)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2  # the lost try counts
    assert message.last_error == services.STALE_CLAIM_ERROR
    assert len(robot.sent) == 1


def test_live_claim_is_left_alone(person: User, robot: type[RecordingChannel]) -> None:
    notify(recipients=[person], **EVENT)
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, claimed_until=timezone.now() + timedelta(minutes=1)
    )
    assert deliver_due() == {"sent": 0, "failed": 0, "dead": 0, "skipped": 0, "released": 0}
    assert robot.sent == []


def test_stale_claims_do_not_loop_for_ever(person: User, robot: type[RecordingChannel], settings: Any) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    notify(recipients=[person], **EVENT)
    OutboxMessage.objects.update(status=OutboxStatus.SENDING, attempts=2, claimed_until=timezone.now() - timedelta(1))
    assert deliver_due()["released"] == 1
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 3)
    assert robot.sent == []


def test_a_worker_whose_claim_lapsed_does_not_overwrite_the_outcome(person: User, robot: type[RecordingChannel]) -> None:
    """Worker A is so slow that its claim lapses; worker B takes the message over and sends it;
    A's late "failed" must not turn B's "sent" back into "pending"."""
    notify(recipients=[person], **EVENT)
    message = OutboxMessage.objects.get()

    def slow_worker_a(msg: OutboxMessage) -> None:
        robot.during_send = None
        OutboxMessage.objects.filter(pk=msg.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
        assert deliver_due()["sent"] == 1  # worker B
        robot.fail_with = RuntimeError("A's connection finally timed out")

    robot.during_send = slow_worker_a
    assert services.deliver_one(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(robot.sent) == 1


def test_a_crashing_adapter_does_not_stop_the_queue(person: User, robot: type[RecordingChannel]) -> None:
    other = User.objects.create_user(username="wu", email="wu@example.com")
    notify(recipients=[person, other], **EVENT)
    robot.fail_with = KeyError("bug in the adapter")
    assert deliver_due()["failed"] == 2  # both tried; the exception did not escape
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    assert "KeyError" in OutboxMessage.objects.first().last_error  # type: ignore[union-attr]


def test_message_for_a_channel_no_longer_configured_is_dead(person: User, robot: type[RecordingChannel], settings: Any) -> None:
    notify(recipients=[person], **EVENT)
    settings.FAIRMARK_CHANNELS = {"email": settings.FAIRMARK_CHANNELS["email"]}
    assert deliver_due()["dead"] == 1
    assert "not configured" in OutboxMessage.objects.get().last_error


# --- the Celery task ------------------------------------------------------------------------------


def test_celery_task_delivers(person: User, robot: type[RecordingChannel], settings: Any) -> None:
    assert settings.CELERY_TASK_ALWAYS_EAGER
    notify(recipients=[person], **EVENT)
    result = tasks.deliver_due.delay()
    assert result.get()["sent"] == 1
    assert robot.sent == [(OutboxMessage.objects.get().pk, "robot:lin", "Review submitted")]
    assert tasks.deliver_due.delay().get()["sent"] == 0  # safe to run twice


def test_commit_queues_the_task_which_delivers(person: User, robot: type[RecordingChannel],
                                               django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[person], **EVENT)
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
    assert len(robot.sent) == 1


def test_backoff_grows_and_is_capped() -> None:
    waits = [services.backoff(n).total_seconds() for n in range(1, 12)]
    assert 24 <= waits[0] <= 30
    assert all(later >= earlier * 1.5 for earlier, later in itertools.pairwise(waits[:6]))
    assert max(waits) <= services.MAX_BACKOFF_SECONDS
