from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairmark.accounts.models import User
from fairmark.core.access import GRANTABLE_ROLES, SYSTEM
from fairmark.core.errors import ServiceError
from fairmark.org.models import Department
from fairmark.org.services import roles


class Command(BaseCommand):
    help = "Grant or revoke a role: `role grant USERNAME ROLE [--unit CODE ...]`, `role revoke USERNAME ROLE`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("grant", "revoke"):
            action = sub.add_parser(name)
            action.add_argument("username")
            action.add_argument("role", choices=[r.value for r in GRANTABLE_ROLES])
            if name == "grant":
                action.add_argument("--unit", action="append", default=[], help="department code (HR BP; repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        try:
            if options["action"] == "grant":
                units = list(Department.objects.filter(code__in=options["unit"]))
                unknown = set(options["unit"]) - {d.code for d in units}
                if unknown:
                    raise CommandError(f"unknown department codes: {', '.join(sorted(unknown))}")
                roles.role_grant(actor=SYSTEM, user=user, role=options["role"], departments=units)
            else:
                roles.role_revoke(actor=SYSTEM, user=user, role=options["role"])
        except ServiceError as error:
            raise CommandError(f"{error.message} {error.fields or ''}") from error
        self.stdout.write(f"{options['action']} {options['role']} for {user.username}: done")
