from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from .models import Heartbeat


@shared_task(name="fairmark.core.tasks.heartbeat")
def heartbeat() -> None:
    Heartbeat.objects.update_or_create(name="worker", defaults={"at": timezone.now()})


@worker_ready.connect
def beat_on_start(**_kwargs: Any) -> None:
    """Say we are alive as soon as the worker can take tasks, rather than at the first beat 30 s
    later, so /api/v1/health reports the worker right after `fairmark serve` starts. Run in the
    worker's own process: no round trip through the broker is needed to prove the worker is up."""
    heartbeat()
