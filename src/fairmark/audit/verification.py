"""Checks the stored chain; used by `fairmark audit verify` and the audit page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import chain
from .models import AuditChainHead, AuditEvent


def _rows() -> Iterator[dict[str, Any]]:
    fields = ["seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "object_repr",
              "scope", "before", "after", "ip", "user_agent", "prev_hash", "hash"]
    for row in AuditEvent.objects.order_by("seq").values(*fields).iterator(chunk_size=2000):
        row["at"] = row["at"].isoformat()
        yield row


def verify_chain() -> chain.ChainProblem | None:
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, chain.GENESIS)
    return chain.verify(_rows(), head_seq, head_hash)
