"""What ingestion announces to the apps above it (which it may not import): `values_committed` is sent after
the transaction that stored values commits, with the metric codes and the span of period starts they cover
(start/end None for values with a timestamp only). Receivers must be cheap: they queue work."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.dispatch import Signal

values_committed = Signal()


def announce(metric_codes: Iterable[str], starts: Iterable[date | None]) -> None:
    codes = sorted(set(metric_codes))
    if not codes:
        return
    days = [day for day in starts if day is not None]
    start, end = (min(days), max(days)) if days else (None, None)
    transaction.on_commit(lambda: values_committed.send(sender=None, metric_codes=codes, start=start, end=end))
