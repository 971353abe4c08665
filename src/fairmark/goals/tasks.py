"""Background work of goals; thin: take plain arguments, call a service, safe to run twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from .services.kpi_data import refresh_kpi_goals


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@shared_task(name="fairmark.goals.tasks.refresh_after_ingest")
def refresh_after_ingest(metric_codes: list[str], start: str | None, end: str | None) -> int:
    """New values for these metrics over [start, end]: the KPI goals reading them are computed again."""
    changed = refresh_kpi_goals(metric_codes=metric_codes, start=_day(start), end=_day(end))
    return len(changed)
