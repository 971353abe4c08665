"""The Celery app. On the embedded default it uses the SQL transport in a SQLite file under var/,
so the demo needs no broker; set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to scale."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairmark.config.settings")

app = Celery("fairmark")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
