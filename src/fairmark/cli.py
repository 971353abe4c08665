"""The `fairmark` command. Its subcommands are Django management commands, so `fairmark demo`,
`fairmark serve`, `fairmark worker`, `fairmark token create USERNAME`, `fairmark audit verify` and
every Django command (`fairmark migrate`, `fairmark shell`, ...) share one entry point."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairmark.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
