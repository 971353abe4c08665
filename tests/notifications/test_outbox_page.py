"""The system admin's outbox page: delivery state, and "retry now" for failed messages (a service,
audited)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from fairmark.audit.models import AuditEvent
from fairmark.core.errors import ConflictError, OutOfScope
from fairmark.notifications import services
from fairmark.notifications.models import OutboxMessage, OutboxStatus
from tests.world import World


def _message(world: World, status: str, error: str = "") -> OutboxMessage:
    user = world.user("employee")
    return OutboxMessage.objects.create(
        channel="email", recipient=user, address="employee@example.com", dedupe_key=f"k:{status}:{error}",
        subject=f"Subject {status}", body="b", status=status, attempts=8 if status == OutboxStatus.DEAD else 1,
        last_error=error, next_attempt_at=timezone.now(),
    )


def test_admin_sees_status_attempts_and_last_error(world: World, client_as: Any) -> None:
    dead = _message(world, OutboxStatus.DEAD, "recipient refused: 550 No such user")
    _message(world, OutboxStatus.SENT)
    html = client_as("admin").get("/notifications/outbox/").content.decode()
    rows = re.findall(r'data-testid="outbox-row" data-id="(\d+)" data-status="(\w+)"', html)
    assert sorted(rows) == sorted([(str(dead.pk), "dead"), (str(dead.pk + 1), "sent")])
    assert "550 No such user" in html
    assert html.count('data-testid="retry"') == 1  # only the failed one can be retried
    only_dead = client_as("admin").get("/notifications/outbox/?status=dead").content.decode()
    assert re.findall(r'data-testid="outbox-row" data-id="(\d+)"', only_dead) == [str(dead.pk)]


def test_retry_now_requeues_and_is_audited(world: World, client_as: Any, django_capture_on_commit_callbacks: Any) -> None:
    dead = _message(world, OutboxStatus.DEAD, "SMTPServerDisconnected")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_as("admin").post(f"/notifications/outbox/{dead.pk}/retry/", {"status": "dead"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/outbox/?status=dead"
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (OutboxStatus.PENDING, 0)
    assert dead.next_attempt_at <= timezone.now()
    event = AuditEvent.objects.get(action="outbox.retry")
    assert event.actor_id == world.users["admin"].pk
    assert event.object_id == str(dead.pk)
    assert event.before == {"status": "dead", "attempts": 8, "last_error": "SMTPServerDisconnected"}
    assert len(callbacks) == 1  # the worker is asked after commit


def test_only_failed_messages_can_be_retried(world: World, client_as: Any) -> None:
    sent = _message(world, OutboxStatus.SENT)
    response = client_as("admin").post(f"/notifications/outbox/{sent.pk}/retry/")
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == OutboxStatus.SENT
    assert not AuditEvent.objects.exists()
    with pytest.raises(ConflictError):
        services.outbox_retry(actor=world.users["admin"], message=sent)


@pytest.mark.parametrize("role", ["employee", "manager", "head", "hrbp", "hr", "exec"])
def test_others_get_404(world: World, client_as: Any, role: str) -> None:
    dead = _message(world, OutboxStatus.DEAD)
    client = client_as(role)
    assert client.get("/notifications/outbox/").status_code == 404
    assert client.post(f"/notifications/outbox/{dead.pk}/retry/").status_code == 404
    dead.refresh_from_db()
    assert dead.status == OutboxStatus.DEAD
    with pytest.raises(OutOfScope):
        services.outbox_retry(actor=world.users[role], message=dead)
