"""Corrections: quarantined rows corrected and replayed or dismissed, conflicts resolved as new versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from fairmark.audit.models import AuditEvent
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.ingestion.models import Batch, Channel, Conflict, MetricValue, QuarantinedRow
from fairmark.ingestion.services.corrections import dismiss_quarantined, replay_quarantined, resolve_conflict

from .support import build_mes, push, row
from .test_push_api import ten_thousand_with_37_invalid

pytestmark = pytest.mark.django_db


def _fixed(quarantined: QuarantinedRow) -> dict:
    """What the sender would correct: the row as it should have been."""
    return row(quarantined.row_index)


def test_correcting_and_replaying_the_37_commits_them_and_a_resend_changes_nothing(world) -> None:
    mes = build_mes(world)
    rows, _bad = ten_thousand_with_37_invalid()
    push(Client(), {"idempotency_key": "day-1", "rows": rows}, key=mes.key)
    quarantined = list(QuarantinedRow.objects.order_by("row_index"))
    outcome = replay_quarantined(actor=world.user("hr"), corrections={q.pk: _fixed(q) for q in quarantined})
    assert len(outcome.accepted) == 37
    assert not outcome.rejected
    assert outcome.batch.channel == Channel.REPLAY
    assert MetricValue.objects.filter(source=mes.source).count() == 10_000
    assert set(QuarantinedRow.objects.values_list("status", flat=True)) == {"replayed"}
    assert AuditEvent.objects.filter(action="ingestion.quarantine.replay").count() == 37
    before = (MetricValue.objects.count(), Batch.objects.count(), QuarantinedRow.objects.count())
    again = push(Client(), {"idempotency_key": "day-1", "rows": rows}, key=mes.key).json()
    assert again["repeated"] is True
    assert (MetricValue.objects.count(), Batch.objects.count(), QuarantinedRow.objects.count()) == before


def test_a_replayed_row_that_is_still_wrong_stays_open_with_its_new_reason(world) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=-1), row(2, value=-2)]}, key=mes.key)
    first, second = QuarantinedRow.objects.order_by("row_index")
    outcome = replay_quarantined(actor=world.user("hr"), corrections={
        first.pk: row(1, value=5), second.pk: row(2, value="five")})
    assert outcome.accepted == [row(1)["row_key"]]
    assert [(p.index, p.code) for p in outcome.rejected] == [(1, "not_a_number")]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("replayed", "open")
    assert first.replay_batch == outcome.batch
    assert QuarantinedRow.objects.count() == 2  # the failed replay is not quarantined a second time
    with pytest.raises(ServiceError):
        replay_quarantined(actor=world.user("hr"), corrections={first.pk: row(1, value=5)})  # already replayed


def test_dismissing_needs_a_note_and_only_managers_of_the_source_may(world) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=-1)]}, key=mes.key)
    quarantined = QuarantinedRow.objects.get()
    with pytest.raises(ServiceError):
        dismiss_quarantined(actor=world.user("hr"), ids=[quarantined.pk], note=" ")
    for role in ("manager", "hrbp", "exec", "employee"):
        with pytest.raises(OutOfScope):
            dismiss_quarantined(actor=world.user(role), ids=[quarantined.pk], note="test row")
    assert dismiss_quarantined(actor=world.user("hr"), ids=[quarantined.pk], note="test row") == 1
    quarantined.refresh_from_db()
    assert (quarantined.status, quarantined.resolution_note) == ("dismissed", "test row")


def test_accepting_a_conflict_makes_the_next_version_and_keeps_the_old_one(world) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=96)]}, key=mes.key)
    push(Client(), {"idempotency_key": "b", "rows": [row(1, value=97)]}, key=mes.key)
    push(Client(), {"idempotency_key": "c", "rows": [row(1, value=98)]}, key=mes.key)
    first, second = Conflict.objects.order_by("pk")
    with pytest.raises(ServiceError):
        resolve_conflict(actor=world.user("hr"), conflict=first, accept=True, reason="")
    with pytest.raises(OutOfScope):
        resolve_conflict(actor=world.user("manager"), conflict=first, accept=True, reason="MES recount")
    resolved = resolve_conflict(actor=world.user("hr"), conflict=first, accept=True, reason="MES recount")
    versions = list(MetricValue.objects.filter(row_key=row(1)["row_key"]).order_by("version"))
    assert [(v.version, v.value, v.current) for v in versions] == [(1, Decimal(96), False), (2, Decimal(97), True)]
    assert resolved.resolution == versions[1]
    assert resolved.status == "accepted"
    second.refresh_from_db()
    assert second.stored == versions[1]  # the other open conflict now compares with the current value
    kept = resolve_conflict(actor=world.user("hr"), conflict=second, accept=False, reason="98 was a typo")
    assert kept.status == "rejected"
    assert MetricValue.objects.get(row_key=row(1)["row_key"], current=True).value == 97
    # resending the accepted value is now unchanged
    again = push(Client(), {"idempotency_key": "d", "rows": [row(1, value=97)]}, key=mes.key).json()
    assert again["unchanged"] == [row(1)["row_key"]]
    assert AuditEvent.objects.filter(action="ingestion.conflict.resolve").count() == 2
