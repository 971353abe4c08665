"""Checks the stored chain; used by `fairmark audit verify`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import chain
from .models import AuditChainHead, AuditEvent

_FIELDS = [*chain.HASHED_FIELDS, "prev_hash", "hash"]


@dataclass(frozen=True)
class ChainState:
    records: int
    head_seq: int
    head_hash: str


def _rows() -> Iterator[dict[str, Any]]:
    # Streamed in chunks: the log grows without bound and must not be loaded whole.
    for row in AuditEvent.objects.order_by("seq").values(*_FIELDS).iterator(chunk_size=2000):
        row["at"] = row["at"].isoformat()
        yield row


def chain_state() -> ChainState:
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, chain.GENESIS)
    return ChainState(records=AuditEvent.objects.count(), head_seq=head_seq, head_hash=head_hash)


def verify_chain() -> chain.ChainProblem | None:
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        # Without the head row every record would look "inserted"; say what is actually wrong.
        first = AuditEvent.objects.order_by("seq").values_list("seq", flat=True).first()
        if first is not None:
            return chain.ChainProblem(first, "head_missing", "the chain head row was deleted")
        return None
    return chain.verify(_rows(), head.last_seq, head.last_hash)


def verify_anchor(seq: int, expected_hash: str) -> chain.ChainProblem | None:
    """Check a (seq, hash) pair written down outside the database earlier: it catches a rewrite of
    the whole tail together with the head row, which the chain alone cannot."""
    stored = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if stored is None:
        return chain.ChainProblem(seq, "deleted", f"record {seq}, named by the anchor, is missing")
    if stored != expected_hash:
        return chain.ChainProblem(seq, "altered", f"record {seq} does not have the hash of the anchor")
    return None
