"""Listening to ingestion: committed values move the KPI goals that read them, in the background (the push
API answers without waiting for goals), and the same work runs again safely if it is sent twice."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.dispatch import receiver

from fairmark.ingestion.signals import values_committed


@receiver(values_committed, dispatch_uid="goals.refresh_after_ingest")
def refresh_after_ingest(sender: Any, *, metric_codes: list[str], start: date | None, end: date | None,
                         **kwargs: Any) -> None:
    from .tasks import refresh_after_ingest as task

    task.delay(sorted(set(metric_codes)), start.isoformat() if start else None, end.isoformat() if end else None)
