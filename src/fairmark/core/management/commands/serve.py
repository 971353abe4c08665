from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Fairmark: the web server (gunicorn) and, unless --no-worker, the background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2, help="web worker processes")
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        processes: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"]:
            processes.append(subprocess.Popen([sys.executable, "-m", "fairmark.cli", "worker", "--loglevel=WARNING"]))
        web = subprocess.Popen([
            sys.executable, "-m", "gunicorn", "fairmark.config.wsgi:application",
            f"--bind={options['host']}:{options['port']}", f"--workers={options['workers']}",
            "--access-logfile=-", "--timeout=120",
        ])
        processes.append(web)
        self.stdout.write(f"Fairmark is serving on http://{options['host']}:{options['port']}/ (Ctrl-C to stop)")

        def stop(*_args: Any) -> None:
            for process in processes:
                process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in processes:
                process.wait(timeout=20)
