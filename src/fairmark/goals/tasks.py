"""Background work of goals; thin: take plain arguments, call a service, safe to run twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from .services import alerts
from .services.kpi_data import kpi_goals_reading, refresh_kpi_goals


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@shared_task(name="fairmark.goals.tasks.refresh_after_ingest")
def refresh_after_ingest(metric_codes: list[str], start: str | None, end: str | None) -> int:
    """New values for these metrics over [start, end]: the KPI goals reading them are computed again, and every
    one of them (not only those whose aggregate moved: a new day can cross a threshold while the year's average
    stays put) goes through its threshold alert rules."""
    changed = refresh_kpi_goals(metric_codes=metric_codes, start=_day(start), end=_day(end))
    reading = kpi_goals_reading(metric_codes, _day(start), _day(end)).values_list("pk", flat=True)
    alerts.evaluate_threshold_alerts(reading)
    return len(changed)


@shared_task(name="fairmark.goals.tasks.evaluate_alert_rule")
def evaluate_alert_rule(rule_id: int) -> int:
    """A threshold rule created or changed: the latest data of the goals it watches, read with its bounds."""
    return len(alerts.evaluate_rule(rule_id))


@shared_task(name="fairmark.goals.tasks.check_pace_and_staleness")
def check_pace_and_staleness(today: str | None = None) -> int:
    """Hourly (settings.CELERY_BEAT_SCHEDULE): goals behind pace or without recent data; returns the number of
    alert events written (0 when nothing changed, which is the usual hour)."""
    return len(alerts.check_pace_and_staleness(today=_day(today)))
