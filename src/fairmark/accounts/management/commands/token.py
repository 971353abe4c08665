from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairmark.accounts import services
from fairmark.accounts.models import TokenScope, User
from fairmark.core.errors import ServiceError


class Command(BaseCommand):
    help = "Manage API tokens. `token create USERNAME` prints the new token as its last line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for a user")
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        create.add_argument("--scopes", default="read,write", help=f"comma-separated: {', '.join(TokenScope.values)}")
        create.add_argument("--days", type=int, default=90, help="days until it expires (1-366)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {options['username']!r}")
        try:
            token, text = services.token_create(
                actor=user, user=user, name=options["name"],
                scopes=[s.strip() for s in options["scopes"].split(",") if s.strip()],
                expires_in_days=options["days"],
            )
        except ServiceError as error:
            raise CommandError(f"{error.message} {error.fields}") from error
        expires = token.expires_at.isoformat() if token.expires_at else "never"
        self.stdout.write(f"token for {user.username}, scopes {','.join(token.scopes)}, expires {expires}:")
        self.stdout.write(text)
