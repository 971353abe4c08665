"""`fairmark demo [--size N] [--no-serve] [--port P] [--reset]`

Migrates the database, writes the demo company unless it is already there (a second run detects
it and skips, so nothing is duplicated; `--reset` empties the database and writes it again),
prints the demo logins and then serves the app with its worker, like `fairmark serve`.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairmark.demo import generator
from fairmark.demo.names import DEFAULT_SEED
from fairmark.demo.structure import minimum_size
from fairmark.indicators.models import Indicator, Template

MAX_SIZE = 50_000


def _width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def login_table(rows: list[generator.Login]) -> str:
    header = generator.Login("username", "role", "person", "department")
    cells = [header, *rows]
    widths = [max(_width(getattr(r, f)) for r in cells) for f in ("username", "role", "person", "department")]
    lines = []
    for i, row in enumerate(cells):
        lines.append("  ".join(_pad(getattr(row, f), w)
                               for f, w in zip(("username", "role", "person", "department"), widths, strict=True)))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


class Command(BaseCommand):
    help = "Create the demo company (宁川新能源, ~500 people by default) and serve it with the worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, default=500, help="current headcount (default 500)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (the same seed, the same company)")
        parser.add_argument("--no-serve", action="store_true", help="only create the data")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--reset", action="store_true",
            help="empty the whole database (including the audit log) and create the demo again; "
                 "refused when the database holds a company that is not the demo's",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size: int = options["size"]
        if not minimum_size() <= size <= MAX_SIZE:
            raise CommandError(f"--size must be between {minimum_size()} and {MAX_SIZE}")
        call_command("migrate", interactive=False, verbosity=0)
        if options["reset"]:
            if generator.foreign_org_present():
                raise CommandError("This database holds organisation data that is not the demo's; "
                                   "--reset refuses to erase it.")
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("Database emptied.")
        if generator.demo_present():
            self.stdout.write("The demo company is already in the database; nothing was added "
                              "(use --reset to create it again).")
        elif generator.foreign_org_present() or generator.usernames_taken():
            raise CommandError("This database already holds organisation data or the demo's user names "
                               f"({', '.join(generator.usernames_taken()) or 'employees'}); use an empty database "
                               "(set FAIRMARK_VAR_DIR or DATABASE_URL) or --reset.")
        else:
            result = generator.generate(size=size, seed=options["seed"])
            self.stdout.write(self.style.SUCCESS(f"Demo company created: {generator.describe(result)}"))
        self.stdout.write(f"Indicator library: {Indicator.objects.count()} indicators, "
                          f"{Template.objects.count()} review templates.")
        self.stdout.write("")
        self.stdout.write(login_table(generator.logins()))
        self.stdout.write(f"\nPassword for every login: {generator.DEMO_PASSWORD}")
        self.stdout.write("admin must set up two-factor authentication (TOTP) at the first login.\n")
        if options["no_serve"]:
            return
        if options["host"] not in {"127.0.0.1", "localhost", "::1"} and "ALLOWED_HOSTS" not in os.environ:
            self.stdout.write("Other machines can reach it once ALLOWED_HOSTS names this machine "
                              "(e.g. ALLOWED_HOSTS=perf.example.com,192.168.1.20).")
        call_command("serve", port=options["port"], host=options["host"])
