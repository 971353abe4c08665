"""Deliverers racing for real: several threads, each with its own database connection, run the
delivery at the same moment. PostgreSQL only: the embedded SQLite test database is in memory, and
SQLite serialises writers anyway."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fairmark.accounts.models import User
from fairmark.notifications import services
from fairmark.notifications.models import OutboxMessage, OutboxStatus

from .helpers import RecordingChannel

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 4


def _pending(people: list[User], key: str) -> None:
    # Written directly, not through notify(): here notify's commit would run the (eager) delivery
    # task at once, and there would be nothing left to race for.
    OutboxMessage.objects.bulk_create(
        OutboxMessage(channel="robot", recipient=p, address=f"robot:{p.username}", dedupe_key=f"{key}:{p.pk}",
                      subject="t", body="", next_attempt_at=timezone.now())
        for p in people
    )


def _run_together(target: Any, count: int) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(target())
        except BaseException as error:  # noqa: BLE001 - handed to the main thread, which fails the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_racing_deliverers_send_each_message_once(robot: type[RecordingChannel]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (run with DATABASE_URL=postgres://...)")
    people = [User.objects.create_user(username=f"p{i}", email=f"p{i}@example.com") for i in range(20)]
    _pending(people, "race:1")

    def slow(message: OutboxMessage) -> None:
        time.sleep(0.01)  # widen the window in which another worker could take the same message

    robot.during_send = slow
    results = _run_together(services.deliver_due, WORKERS)
    assert sum(r["sent"] for r in results) == 20
    sent_ids = [pk for pk, _address, _subject in robot.sent]
    assert len(sent_ids) == len(set(sent_ids)) == 20
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_racing_for_one_message_only_one_wins(robot: type[RecordingChannel]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (run with DATABASE_URL=postgres://...)")
    person = User.objects.create_user(username="solo", email="solo@example.com")
    _pending([person], "race:2")
    message_id = OutboxMessage.objects.get().pk
    results = _run_together(lambda: services.deliver_one(message_id), 8)
    assert sorted(results) == ["sent"] + ["skipped"] * 7
    assert len(robot.sent) == 1
