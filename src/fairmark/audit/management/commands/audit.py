from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fairmark.audit.models import AuditEvent
from fairmark.audit.verification import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chain and names the first bad record."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the hash chain")

    def handle(self, *args: Any, **options: Any) -> None:
        problem = verify_chain()
        if problem is None:
            self.stdout.write(self.style.SUCCESS(f"audit log verified: {AuditEvent.objects.count()} records, chain intact"))
            return
        self.stderr.write(self.style.ERROR(f"audit log FAILED at record {problem.seq} ({problem.kind}): {problem.detail}"))
        raise SystemExit(1)
