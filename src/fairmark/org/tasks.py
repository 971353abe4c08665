from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services.employees import assignments_apply_due


@shared_task(name="fairmark.org.tasks.apply_due_transfers")
def apply_due_transfers() -> int:
    """Daily: transfers whose effective date has come change the employee's current placement."""
    return assignments_apply_due(on=timezone.localdate())
