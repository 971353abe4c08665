"""Background work of reviews; thin: take plain arguments, call a service, safe to run twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from .services import launch, reminding, scoring


@shared_task(name="fairmark.reviews.tasks.launch_cycle")
def launch_cycle(cycle_id: int) -> int:
    """Create the reviews of a launched cycle (people who have one already are skipped) and compute them."""
    return launch.create_reviews(cycle_id)


@shared_task(name="fairmark.reviews.tasks.recompute_after_ingest")
def recompute_after_ingest(metric_codes: list[str], start: str | None, end: str | None) -> int:
    """New values: the open reviews of running cycles whose period they fall in and whose templates read them."""
    return scoring.recompute_reading(metric_codes, date.fromisoformat(start) if start else None,
                                     date.fromisoformat(end) if end else None)


@shared_task(name="fairmark.reviews.tasks.send_reminders")
def send_reminders() -> int:
    """Every 15 minutes (settings.CELERY_BEAT_SCHEDULE): reminders due now in each company's time zone."""
    return reminding.send_due_reminders()
