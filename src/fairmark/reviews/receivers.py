"""Listening to ingestion: committed values recompute the open reviews that read them, in the background."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.dispatch import receiver

from fairmark.ingestion.signals import values_committed


@receiver(values_committed, dispatch_uid="reviews.recompute_after_ingest")
def recompute_after_ingest(sender: Any, *, metric_codes: list[str], start: date | None, end: date | None,
                           **kwargs: Any) -> None:
    from .tasks import recompute_after_ingest as task

    task.delay(sorted(set(metric_codes)), start.isoformat() if start else None, end.isoformat() if end else None)
