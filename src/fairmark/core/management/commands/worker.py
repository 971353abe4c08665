"""`fairmark worker`: the Celery worker. By default it embeds the scheduler (beat), which suits one
machine; with several workers, run them with --no-beat and exactly one with beat (or
`fairmark worker --beat-only`), since two schedulers would send every periodic task twice."""

from __future__ import annotations

from typing import Any

from celery import current_app as app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

# The Celery app is fairmark.config.celery's; it became the current app when the settings package
# was imported. Core sits below config in the layers, so it does not import it by name.


class Command(BaseCommand):
    help = "Run the background worker (Celery) with the scheduler (beat) embedded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-beat", action="store_true", help="run without the embedded scheduler")
        parser.add_argument("--beat-only", action="store_true", help="run only the scheduler, no worker")
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument("--quiet", action="store_true", help="no start-up banner")

    def handle(self, *args: Any, **options: Any) -> None:
        schedule = f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}"
        head = ["--quiet"] if options["quiet"] else []
        if options["beat_only"]:
            app.start([*head, "beat", f"--loglevel={options['loglevel']}", schedule])
            return
        argv = [*head, "worker", f"--loglevel={options['loglevel']}", f"--concurrency={options['concurrency']}",
                "--pool=solo" if options["concurrency"] == 1 else "--pool=prefork"]
        if not options["no_beat"]:
            argv += ["--beat", schedule]
        app.worker_main(argv)
