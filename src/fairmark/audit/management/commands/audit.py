from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairmark.audit.verification import chain_state, verify_anchor, verify_chain

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chain and names the first bad record."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify the hash chain; exit status 1 names the first bad record")
        verify.add_argument(
            "--anchor", action="append", default=[], metavar="SEQ:HASH",
            help="also check a seq:hash pair printed by an earlier run and kept outside the database",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = []
        for text in options.get("anchor") or []:
            match = ANCHOR.match(text.strip().lower())
            if not match:
                raise CommandError(f"--anchor takes SEQ:HASH (64 hex digits), not {text!r}")
            anchors.append((int(match[1]), match[2]))
        problem = verify_chain()
        for seq, expected in anchors:
            problem = problem or verify_anchor(seq, expected)
        if problem is None:
            state = chain_state()
            self.stdout.write(self.style.SUCCESS(f"audit log verified: {state.records} records, chain intact"))
            # Printed so operators can keep it elsewhere and pass it back with --anchor.
            self.stdout.write(f"head {state.head_seq}:{state.head_hash}")
            return
        self.stderr.write(self.style.ERROR(f"audit log FAILED at record {problem.seq} ({problem.kind}): {problem.detail}"))
        raise SystemExit(1)
