"""Corrections (DESIGN.md C3): a quarantined row corrected and replayed, a quarantined row dismissed with a
note, a conflict resolved. A correction is always a new fact: a replayed row arrives in a batch of its own, an
accepted conflict becomes the next version of the stored value and the old version stops being current."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit.services import entry_for, record, record_many
from fairmark.core.errors import OutOfScope, ServiceError

from ..models import Channel, Conflict, ConflictStatus, MetricValue, QuarantinedRow, QuarantineStatus
from ..selectors import conflicts_managed_by, quarantine_managed_by
from ..signals import announce
from .outcome import Outcome
from .receiving import content_hash, pack_payload, receive_batch

ROW_FIELDS = ("row_key", "metric", "subject_type", "subject", "period", "at", "value", "unit")


def _lock_open_rows(actor: Any, ids: Sequence[int]) -> list[QuarantinedRow]:
    rows = list(quarantine_managed_by(actor).select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    if len(rows) != len(set(ids)):
        raise OutOfScope(_("Not found."))
    if any(row.status != QuarantineStatus.OPEN for row in rows):
        raise ServiceError(_("Some of these rows were already replayed or dismissed."), code="not_open")
    return rows


@transaction.atomic
def replay_quarantined(*, actor: Any, corrections: Mapping[int, Mapping[str, Any]]) -> Outcome:
    """Send corrected rows (quarantined row id → the row's fields as corrected) through validation again, as a
    batch of their own. The rows that now pass (accepted, unchanged or held as a conflict) are marked
    replayed; the others stay open, and the outcome says why. The outcome's row numbers are positions in the
    quarantined rows ordered by id (the correction page matches them back that way)."""
    if not corrections:
        raise ServiceError(_("Choose at least one row."), code="nothing_chosen")
    quarantined = _lock_open_rows(actor, list(corrections))
    if len({row.source_id for row in quarantined}) != 1:
        raise ServiceError(_("Replay the rows of one source at a time."), code="several_sources")
    source = quarantined[0].source
    rows = [{name: corrections[q.pk].get(name) for name in ROW_FIELDS if corrections[q.pk].get(name) not in (None, "")}
            for q in quarantined]
    payload = pack_payload([{**row, "quarantined": q.pk} for row, q in zip(rows, quarantined, strict=True)])
    outcome = receive_batch(actor=actor, source=source, idempotency_key=f"replay-{uuid.uuid4()}", rows=rows,
                            payload=payload, content_hash=content_hash(payload), channel=Channel.REPLAY,
                            quarantine=False)
    refused = {problem.index for problem in outcome.rejected}
    now = timezone.now()
    done = [q for index, q in enumerate(quarantined) if index not in refused]
    for q in done:
        q.status, q.resolved_at, q.resolved_by, q.replay_batch = QuarantineStatus.REPLAYED, now, actor, outcome.batch
    QuarantinedRow.objects.bulk_update(done, ["status", "resolved_at", "resolved_by", "replay_batch"])
    record_many(actor=actor, entries=[
        entry_for("ingestion.quarantine.replay", q, before={"raw": q.raw, "code": q.code},
                  after={"row": rows[index], "batch": outcome.batch.pk})
        for index, q in enumerate(quarantined) if index not in refused])
    return outcome


@transaction.atomic
def dismiss_quarantined(*, actor: Any, ids: Sequence[int], note: str) -> int:
    """Close rows that will not be corrected (a test row, a line that no longer exists), saying why."""
    if not note.strip():
        raise ServiceError(_("Say why these rows are dismissed."), code="note_required",
                           fields={"note": [_("This field is required.")]})
    quarantined = _lock_open_rows(actor, ids)
    now = timezone.now()
    for q in quarantined:
        q.status, q.resolved_at, q.resolved_by, q.resolution_note = QuarantineStatus.DISMISSED, now, actor, note.strip()
    QuarantinedRow.objects.bulk_update(quarantined, ["status", "resolved_at", "resolved_by", "resolution_note"])
    record_many(actor=actor, entries=[entry_for("ingestion.quarantine.dismiss", q, after={"note": note.strip()})
                                      for q in quarantined])
    return len(quarantined)


@transaction.atomic
def resolve_conflict(*, actor: Any, conflict: Conflict, accept: bool, reason: str) -> Conflict:
    """Accept the incoming value (it becomes the next version of the stored one) or keep the stored value."""
    if not reason.strip():
        raise ServiceError(_("Give a reason for the decision."), code="reason_required",
                           fields={"reason": [_("This field is required.")]})
    locked = conflicts_managed_by(actor).select_for_update(of=("self",)).filter(pk=conflict.pk).first()
    if locked is None:
        raise OutOfScope(_("Not found."))
    if locked.status != ConflictStatus.OPEN:
        raise ServiceError(_("This conflict was already resolved."), code="not_open")
    if accept:
        locked.resolution = _next_version(locked)
        announce([locked.resolution.metric.code], [locked.resolution.period_start])
    locked.status = ConflictStatus.ACCEPTED if accept else ConflictStatus.REJECTED
    locked.resolved_at, locked.resolved_by, locked.reason = timezone.now(), actor, reason.strip()
    locked.save(update_fields=["status", "resolved_at", "resolved_by", "reason", "resolution"])
    record(actor=actor, action="ingestion.conflict.resolve", obj=locked,
           before={"value": str(locked.stored.value if locked.stored.value is not None else locked.stored.text_value)},
           after={"accepted": accept, "reason": locked.reason,
                  "value": str(locked.incoming_value if locked.incoming_value is not None else locked.incoming_text)})
    if accept:  # other open conflicts on the same stored value now compare against a value that is not current
        Conflict.objects.filter(stored=locked.stored, status=ConflictStatus.OPEN).update(
            stored=locked.resolution)
    return locked


def _next_version(conflict: Conflict) -> MetricValue:
    current = MetricValue.objects.select_for_update().get(source_id=conflict.source_id, row_key=conflict.row_key,
                                                          current=True)
    MetricValue.objects.filter(pk=current.pk).update(current=False)
    return MetricValue.objects.create(
        metric_id=current.metric_id, subject_type=current.subject_type, subject_id=current.subject_id,
        period=current.period, period_start=current.period_start, period_end=current.period_end, at=current.at,
        value=conflict.incoming_value, text_value=conflict.incoming_text, source_id=current.source_id,
        row_key=current.row_key, batch_id=conflict.batch_id, row_index=conflict.row_index,
        version=current.version + 1, current=True, received_at=timezone.now())
