"""Two writers at once still give one valid chain: the head row is locked with SELECT ... FOR
UPDATE. PostgreSQL only (the SQLite test database is in memory and serialises writers anyway)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from fairmark.accounts.models import User
from fairmark.audit import services
from fairmark.audit.models import AuditEvent
from fairmark.audit.verification import verify_chain

pytestmark = pytest.mark.django_db(transaction=True)
PER_THREAD = 25


def _writers(count: int, hold: float) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (run with DATABASE_URL=postgres://...)")
    users = [User.objects.create_user(username=f"w{i}") for i in range(count)]
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def write(user: User) -> None:
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                # Each event in its own transaction, like a domain service; `hold` keeps the lock a
                # little while so the other thread has to queue behind it.
                with transaction.atomic():
                    services.record(actor=user, action=f"write.{i}", obj=user, after={"i": i})
                    time.sleep(hold)
        except BaseException as error:  # noqa: BLE001 - handed to the main thread, which fails the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, count * PER_THREAD + 1))
    assert verify_chain() is None


def test_two_threads_recording_at_once_keep_the_chain_valid() -> None:
    _writers(2, hold=0.002)


def test_many_first_writers_do_not_collide_on_the_head_row() -> None:
    """No head row yet: every writer tries to create it at the same moment."""
    _writers(6, hold=0)
