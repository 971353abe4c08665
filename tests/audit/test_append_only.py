"""The application cannot change or remove audit events: every ORM path raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from fairmark.accounts.models import User
from fairmark.audit import services
from fairmark.audit.models import AppendOnlyError, AuditEvent
from fairmark.audit.verification import verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    user = User.objects.create_user(username="u")
    services.record(actor=user, action="first", obj=user, after={"a": 1})
    return services.record(actor=user, action="second", obj=user, after={"a": 2})


def _save_changed(event: AuditEvent) -> None:
    event.action = "rewritten"
    event.save()


def _save_some_fields(event: AuditEvent) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    stored.action = "rewritten"
    stored.save(update_fields=["action"])


ATTEMPTS: dict[str, Callable[[AuditEvent], Any]] = {
    "instance save": _save_changed,
    "save with update_fields": _save_some_fields,
    "instance delete": lambda e: AuditEvent.objects.get(pk=e.pk).delete(),
    "queryset update": lambda e: AuditEvent.objects.filter(pk=e.pk).update(action="rewritten"),
    "queryset delete": lambda e: AuditEvent.objects.filter(pk=e.pk).delete(),
    "delete everything": lambda e: AuditEvent.objects.all().delete(),
    "bulk_update": lambda e: AuditEvent.objects.bulk_update([e], ["action"]),
    "update_or_create": lambda e: AuditEvent.objects.update_or_create(seq=e.seq, defaults={"action": "x"}),  # type: ignore[misc]
    "base manager update": lambda e: AuditEvent._base_manager.filter(pk=e.pk).update(action="rewritten"),
}


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=list(ATTEMPTS))
def test_changing_or_removing_raises(event: AuditEvent, attempt: str) -> None:
    with pytest.raises(AppendOnlyError):
        ATTEMPTS[attempt](event)
    assert AuditEvent.objects.get(pk=event.pk).action == "second"
    assert AuditEvent.objects.count() == 2
    assert verify_chain() is None


def test_a_new_instance_with_a_stored_pk_cannot_overwrite(event: AuditEvent) -> None:
    """Before the fix, Model.save() turned this into an UPDATE of the stored row."""
    impostor = AuditEvent(pk=event.pk, seq=event.seq, at=event.at, actor_label="mallory", action="second",
                          object_type=event.object_type, prev_hash=event.prev_hash, hash=event.hash)
    with pytest.raises(IntegrityError), transaction.atomic():
        impostor.save()
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "u"
    assert verify_chain() is None
