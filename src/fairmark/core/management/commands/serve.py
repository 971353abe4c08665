"""`fairmark serve`: the embedded deployment in one command. Migrates, then runs gunicorn and the
Celery worker (with beat) as child processes, restarts the worker if it dies, and stops both on
Ctrl-C or SIGTERM. Static files are served by WhiteNoise straight from the package
(WHITENOISE_USE_FINDERS), so no collectstatic step is needed here; production runs collectstatic
once per release (docs/operations.md)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

WORKER_RESTARTS = 5  # a worker that keeps dying is a bug to report, not to hide behind restarts
STOP_TIMEOUT = 20


class Command(BaseCommand):
    help = "Serve Fairmark: the web server (gunicorn) and, unless --no-worker, the background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2, help="web worker processes")
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")

    def _worker(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "fairmark.cli", "worker", "--loglevel=WARNING", "--quiet"]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        worker = None if options["no_worker"] else self._worker()
        web = subprocess.Popen([  # noqa: S603 - fixed argv, no shell
            sys.executable, "-m", "gunicorn", "fairmark.config.wsgi:application",
            f"--bind={options['host']}:{options['port']}", f"--workers={options['workers']}",
            "--access-logfile=-", "--timeout=120",
            # gunicorn 23+ opens a control socket at a fixed path under ~/.gunicorn; two instances
            # (the demo and a test, say) would fight over it, and nothing here uses it.
            "--no-control-socket",
        ])
        self.stdout.write(f"Fairmark is serving on http://{options['host']}:{options['port']}/ (Ctrl-C to stop)")
        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True
            for process in (web, worker):
                if process is not None and process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        restarts = 0
        try:
            while web.poll() is None:
                if worker is not None and worker.poll() is not None and not stopping:
                    if restarts >= WORKER_RESTARTS:
                        self.stderr.write("The worker keeps stopping; background work is off until restart.")
                        worker = None
                    else:
                        restarts += 1
                        self.stderr.write(f"The worker stopped (exit {worker.returncode}); restarting it.")
                        worker = self._worker()
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in (web, worker):
                if process is None:
                    continue
                try:
                    process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if web.returncode and not stopping:
            raise CommandError(f"The web server stopped with exit code {web.returncode}.")
