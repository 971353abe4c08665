from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="fairmark.notifications.tasks.deliver_due")
def deliver_due() -> dict[str, int]:
    return services.deliver_due()
