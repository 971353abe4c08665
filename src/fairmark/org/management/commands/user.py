from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from fairmark.accounts import services as account_services
from fairmark.core.access import SYSTEM
from fairmark.core.errors import ServiceError
from fairmark.org.models import Employee
from fairmark.org.services import employees as employee_services


class Command(BaseCommand):
    help = "Create a user and link them to an employee: `user create USERNAME [--employee NUMBER] [--superuser]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a user")
        create.add_argument("username")
        create.add_argument("--employee", help="employee number to link the account to")
        create.add_argument("--email", default="")
        create.add_argument("--password", help="omit to be asked (or to create an account without one)")
        create.add_argument("--superuser", action="store_true", help="a system admin (must enrol TOTP at first login)")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if password is None and options["stdin_is_tty"]:
            password = getpass.getpass("Password (empty for none): ") or None
        employee = None
        if options["employee"]:
            employee = Employee.objects.filter(number=options["employee"]).first()
            if employee is None:
                raise CommandError(f"no employee with number {options['employee']!r}")
        try:
            with transaction.atomic():
                user = account_services.user_create(actor=SYSTEM, username=options["username"], password=password,
                                                    email=options["email"] or (employee.email if employee else ""),
                                                    is_superuser=options["superuser"])
                if employee is not None:
                    employee_services.employee_link_user(actor=SYSTEM, employee=employee, user=user)
        except ServiceError as error:
            raise CommandError(f"{error.message} {error.fields or ''}") from error
        self.stdout.write(f"created user {user.username}" + (f" linked to {employee}" if employee else ""))

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.set_defaults(stdin_is_tty=sys.stdin.isatty())
        return parser
