from __future__ import annotations

from typing import Any

from celery import current_app as app
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background worker (Celery) with the scheduler (beat) embedded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-beat", action="store_true", help="run without the embedded scheduler")
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["worker", f"--loglevel={options['loglevel']}", f"--concurrency={options['concurrency']}",
                "--pool=solo" if options["concurrency"] == 1 else "--pool=prefork"]
        if not options["no_beat"]:
            from django.conf import settings

            argv += ["--beat", f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}"]
        app.worker_main(argv)
