"""Receiving a batch (ADR 0006): validate every row, classify the valid ones against the stored values of the
same row keys, write new values, quarantine rejected rows, hold conflicts for review, flag outliers, all in one
transaction that starts by inserting the batch row. A retry with the same idempotency key finds that row and
gets the stored outcome; a process killed mid-way leaves nothing, so the retry starts clean.

    outcome = receive_batch(actor=user, source=source, idempotency_key="mes-2026-11-03", rows=rows,
                            payload=gzip_of_the_body, content_hash=sha256, channel=Channel.API)
    outcome.as_json()   # {"counts": {...}, "accepted": [...], "conflicts": [...], "rejected": [...]}"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.errors import ConflictError
from fairmark.org.models import Company

from ..models import Batch, Channel, Conflict, ConflictStatus, Metric, QuarantinedRow, Source
from ..quality import outliers
from ..rows import AcceptedRow, Rejection, validate_rows
from ..rows.decode import RawRow, UnreadableRow
from ..signals import announce
from .outcome import ConflictRow, FlaggedRow, Outcome, RowProblem, stored_outcome
from .storing import Stored, current_values, insert_values
from .subjects import resolve_subjects

_ATTEMPTS = 3  # a concurrent writer of the same keys makes the insert fail; classify again and retry


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pack_payload(rows: Sequence[Any], records: Sequence[Any] | None = None) -> bytes:
    """The raw rows (and the records they were mapped from) as stored on the batch: gzip of JSON."""
    body: dict[str, Any] = {"rows": msgspec.to_builtins(list(rows), builtin_types=())}
    if records is not None:
        body["records"] = msgspec.to_builtins(list(records), builtin_types=())
    return gzip.compress(json.dumps(body, ensure_ascii=False, default=str).encode(), compresslevel=1)


def source_time_zone(source: Source) -> ZoneInfo:
    name = source.time_zone or (Company.objects.values_list("time_zone", flat=True).first() or settings.TIME_ZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def receive_batch(*, actor: Any, source: Source, idempotency_key: str, rows: Sequence[Any], payload: bytes,
                  content_hash: str, channel: str, token: Any = None, file_name: str = "",
                  quarantine: bool = True) -> Outcome:
    """Store a batch of rows for `source`. `rows` are RawRow (push API) or mappings with the same keys;
    `payload` is what `Batch.raw_row` reads back (gzip of JSON with "rows"). With `quarantine` False
    (replaying corrected rows) rejected rows are reported but not quarantined again."""
    with transaction.atomic():
        existing = Batch.objects.select_related("source").filter(source=source, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _repeat(existing, content_hash)
        try:
            with transaction.atomic():
                batch = Batch.objects.create(
                    source=source, idempotency_key=idempotency_key, channel=channel, received_at=timezone.now(),
                    received_by=actor if getattr(actor, "pk", None) else None, token=token,
                    content_hash=content_hash, rows=len(rows), payload=payload, file_name=file_name[:255])
        except IntegrityError:
            # A concurrent request with the same key committed first (PostgreSQL made us wait for it).
            return _repeat(Batch.objects.select_related("source").get(source=source, idempotency_key=idempotency_key),
                           content_hash)
        outcome, created = _store(actor, batch, rows, channel, quarantine)
        batch.accepted, batch.unchanged = len(outcome.accepted), len(outcome.unchanged)
        batch.conflicts, batch.rejected, batch.flagged = len(outcome.conflicts), len(outcome.rejected), len(outcome.flagged)
        batch.unchanged_keys = outcome.unchanged
        batch.warnings = [{"code": "conflict_already_open", **c.as_json()} for c in outcome.conflicts
                          if c.conflict_id not in created]
        batch.save(update_fields=["accepted", "unchanged", "conflicts", "rejected", "flagged", "unchanged_keys",
                                  "warnings"])
        if outcome.accepted or outcome.unchanged or outcome.conflicts:
            Source.objects.filter(pk=source.pk).update(last_received_at=batch.received_at)
        record(actor=actor, action="ingestion.batch.receive", obj=batch,
               after={"source": source.code, "idempotency_key": idempotency_key, "channel": channel,
                      **outcome.counts()})
        return outcome


def _repeat(batch: Batch, content_hash: str) -> Outcome:
    if batch.content_hash != content_hash:
        raise ConflictError(
            _("The idempotency key “%(key)s” was already used for a batch with other rows (received %(at)s). "
              "Use a new key for new data.") % {"key": batch.idempotency_key, "at": batch.received_at.isoformat()},
            code="idempotency_key_reused", fields={"idempotency_key": [_("Already used for other rows.")]})
    return stored_outcome(batch)


def _rules(source: Source) -> tuple[dict[str, Any], dict[str, int]]:
    metrics = list(source.metrics.filter(active=True))
    return {metric.code: metric.rule() for metric in metrics}, {metric.code: metric.pk for metric in metrics}


def _subject_pairs(rows: Sequence[Any]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    add = pairs.add
    for row in rows:
        if type(row) is RawRow:
            kind, subject = row.subject_type, row.subject
        elif isinstance(row, dict):
            kind, subject = row.get("subject_type"), row.get("subject")
        else:
            continue
        if isinstance(subject, str):
            add((kind if isinstance(kind, str) and kind else "employee", subject))
    return pairs


def check_rows(source: Source, rows: Sequence[Any], channel: str) -> tuple[list[AcceptedRow], list[Rejection], dict[str, int]]:
    """Validate rows against the source's metrics: the valid ones, the rejections, and metric code → id.
    Periods are strict for the push API; uploads and pulls may give a date for a monthly metric."""
    rules, metric_ids = _rules(source)
    subjects = resolve_subjects(_subject_pairs(rows))
    checked = validate_rows(rows, rules, subjects, lenient_periods=channel != Channel.API,
                            default_timezone=source_time_zone(source))
    return checked.accepted, _name_forbidden_metrics(checked.rejected, source), metric_ids


def classify_rows(source: Source, accepted: list[AcceptedRow]
                  ) -> tuple[list[AcceptedRow], list[AcceptedRow], list[tuple[AcceptedRow, Stored]]]:
    """New, unchanged, and conflicting (with the stored value) against the source's current values."""
    return _classify(accepted, current_values(source.pk, [row.row_key for row in accepted]))


def _store(actor: Any, batch: Batch, rows: Sequence[Any], channel: str, quarantine: bool) -> tuple[Outcome, set[int]]:
    """The outcome, and the ids of the conflicts this batch opened (the others were open already)."""
    source = batch.source
    accepted, rejected, metric_ids = check_rows(source, rows, channel)
    outcome = Outcome(batch)
    for attempt in range(_ATTEMPTS):
        new, unchanged, conflicting = classify_rows(source, accepted)
        scores = _outlier_scores(new)
        try:
            with transaction.atomic():
                insert_values([_value_tuple(row, metric_ids, batch, scores.get(row.index)) for row in new])
            break
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    outcome.accepted = [row.row_key for row in new]
    announce((row.metric for row in new), (row.period_start for row in new))
    outcome.unchanged = [row.row_key for row in unchanged]
    outcome.flagged = [FlaggedRow(row.index, row.row_key, scores[row.index]) for row in new if row.index in scores]
    outcome.conflicts, created = _hold_conflicts(batch, conflicting)
    outcome.rejected = [RowProblem(r.index, r.row_key, r.field, r.code, r.params) for r in rejected]
    if quarantine and rejected:
        QuarantinedRow.objects.bulk_create(
            [QuarantinedRow(batch=batch, source=source, row_index=r.index, row_key=r.row_key or "",
                            raw=_raw(rows[r.index]), field=r.field, code=r.code, params=r.params) for r in rejected],
            batch_size=2_000)
    return outcome, created


def _name_forbidden_metrics(rejected: list[Rejection], source: Source) -> list[Rejection]:
    """`unknown_metric` for a metric that exists but is not the source's: say so (a key is bound to its source)."""
    asked = {str(r.params.get("metric")) for r in rejected if r.code == "unknown_metric"}
    if not asked:
        return rejected
    known = set(Metric.objects.filter(code__in=asked).values_list("code", flat=True))
    return [Rejection(r.index, r.row_key, r.field, "metric_not_allowed", {"metric": r.params["metric"],
                                                                         "source": source.code})
            if r.code == "unknown_metric" and r.params.get("metric") in known else r for r in rejected]


def _classify(rows: list[AcceptedRow], stored: dict[str, Stored]
              ) -> tuple[list[AcceptedRow], list[AcceptedRow], list[tuple[AcceptedRow, Stored]]]:
    new: list[AcceptedRow] = []
    unchanged: list[AcceptedRow] = []
    conflicting: list[tuple[AcceptedRow, Stored]] = []
    if not stored:
        return rows, unchanged, conflicting
    for row in rows:
        known = stored.get(row.row_key)
        if known is None:
            new.append(row)
        elif (known.value == row.value) if isinstance(row.value, Decimal) else (known.text_value == row.value):
            unchanged.append(row)  # 96.5 and 96.50 are the same value
        else:
            conflicting.append((row, known))
    return new, unchanged, conflicting


def _outlier_scores(rows: list[AcceptedRow]) -> dict[int, Decimal]:
    """Robust z-scores of the values that stand out among the batch's values of the same metric and subject
    (a line's day against its other days) or of the same metric and period (a line against the others that
    day). Flagged, not rejected."""
    by_subject: dict[tuple[str, str, int], list[tuple[int, Decimal]]] = defaultdict(list)
    by_period: dict[tuple[str, str], list[tuple[int, Decimal]]] = defaultdict(list)
    for row in rows:
        if isinstance(row.value, Decimal):
            by_subject[(row.metric, row.subject_type, row.subject_id)].append((row.index, row.value))
            by_period[(row.metric, row.period)].append((row.index, row.value))
    scores: dict[int, Decimal] = {}
    for found in (outliers(by_subject), outliers(by_period)):
        for outlier in found:
            previous = scores.get(outlier.id)
            if previous is None or abs(outlier.score) > abs(previous):
                scores[outlier.id] = outlier.score
    return scores


def _value_tuple(row: AcceptedRow, metric_ids: dict[str, int], batch: Batch, score: Decimal | None) -> tuple[Any, ...]:
    number = row.value if isinstance(row.value, Decimal) else None
    text = row.value if isinstance(row.value, str) else ""
    return (metric_ids[row.metric], row.subject_type, row.subject_id, row.period, row.period_start, row.period_end,
            row.at, number, text, batch.source_id, row.row_key, batch.pk, row.index, 1, True, batch.received_at, score)


def _hold_conflicts(batch: Batch, conflicting: list[tuple[AcceptedRow, Stored]]) -> tuple[list[ConflictRow], set[int]]:
    """One open conflict per stored value and incoming value: the same disagreement sent again is not a
    second thing to review (the batch notes it among its warnings, so a retry answers alike)."""
    created: set[int] = set()
    if not conflicting:
        return [], created
    open_ones = {(c.stored_id, c.incoming_value if c.incoming_value is not None else c.incoming_text): c.pk
                 for c in Conflict.objects.filter(stored_id__in=[known.id for _row, known in conflicting],
                                                  status=ConflictStatus.OPEN)}
    result: list[ConflictRow] = []
    for row, known in conflicting:
        stored_value: Decimal | str = known.value if known.value is not None else known.text_value
        ident = open_ones.get((known.id, row.value))
        if ident is None:
            number = row.value if isinstance(row.value, Decimal) else None
            conflict = Conflict.objects.create(
                source_id=batch.source_id, batch=batch, row_index=row.index, row_key=row.row_key, stored_id=known.id,
                incoming_value=number, incoming_text="" if number is not None else str(row.value))
            ident = open_ones[(known.id, row.value)] = conflict.pk
            created.add(ident)
        result.append(ConflictRow(row.index, row.row_key, stored_value, row.value, ident))
    return result, created


def _raw(row: Any) -> Any:
    if isinstance(row, UnreadableRow):
        return {"unreadable": row.path, "detail": row.detail}
    if type(row) is RawRow:
        row = {name: getattr(row, name) for name in row.__struct_fields__ if getattr(row, name) is not None}
    return json.loads(json.dumps(row, default=str))
