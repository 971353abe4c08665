"""`fairmark library install` adds the indicators and templates a newer release ships (codes already in the
database are left alone, so nothing HR changed is overwritten); `fairmark library check` validates the
shipped files and says what is installed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairmark.indicators import library
from fairmark.indicators.models import Indicator, LibraryInstall, Template
from fairmark.indicators.services.library import install_library


class Command(BaseCommand):
    help = "Install or check the shipped indicator and template library."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["install", "check"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            problems = library.validate()
            for problem in problems:
                self.stderr.write(problem)
            if problems:
                raise CommandError(f"{len(problems)} problems in the shipped library")
            self.stdout.write(
                f"Shipped library v{library.library_version()}: {len(library.load_indicators())} indicators, "
                f"{len(library.load_templates())} templates, valid. In the database: {Indicator.objects.count()} "
                f"indicators, {Template.objects.count()} templates, {LibraryInstall.objects.count()} installations."
            )
            return
        installed = install_library()
        if not installed.indicators and not installed.templates:
            self.stdout.write("Nothing to add: every shipped indicator and template is in the database.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Added {len(installed.indicators)} indicators and {len(installed.templates)} templates."))
        for code in installed.indicators + installed.templates:
            self.stdout.write(f"  + {code}")
