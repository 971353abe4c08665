from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from fairmark.core.access import SYSTEM

from .models import RunTrigger
from .services.pulling import due_sources, pull_source


@shared_task(name="fairmark.ingestion.tasks.pull_due_sources")
def pull_due_sources() -> int:
    """Every minute: pull the SQL and REST sources whose interval has passed. A failing source records a
    failed run and waits for its next turn; it does not stop the others."""
    sources = due_sources(timezone.now())
    for source in sources:
        pull_source(actor=SYSTEM, source=source, trigger=RunTrigger.SCHEDULE)
    return len(sources)
