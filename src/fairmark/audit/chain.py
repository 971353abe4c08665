"""The audit hash chain: pure functions, no Django.

Each record's hash is SHA-256 over the previous record's hash and a canonical JSON of the record's
own fields. Changing a stored record breaks its hash; deleting one breaks the sequence numbers and
the next record's link; inserting one breaks the link of the record after it, or, at the end, the
chain head that the application keeps beside the log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# The fields that the hash covers, in order. Adding one means a new chain version.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "scope",
    "before",
    "after",
    "ip",
    "user_agent",
)


def canonical(fields: Mapping[str, Any]) -> str:
    return json.dumps(
        [fields.get(name) for name in HASHED_FIELDS], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def compute_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + canonical(fields)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "altered" | "deleted" | "inserted" | "truncated"
    detail: str


def verify(records: Iterable[Mapping[str, Any]], head_seq: int, head_hash: str) -> ChainProblem | None:
    """Walk the records in sequence order; return the first problem, or None if the chain holds.
    Each record mapping has the HASHED_FIELDS plus `prev_hash` and `hash`.

    The reported `seq` is where to look: for a changed record, its own place in the chain (even
    when its `seq` field is what was changed); for deleted records, the first one missing; for a
    record added behind the application's back, the first one added."""
    expected_seq = 1
    prev = GENESIS
    for record in records:
        seq = record["seq"]
        intact = compute_hash(record["prev_hash"], record) == record["hash"]
        if type(seq) is not int or seq != expected_seq:  # a bool is not a sequence number
            if not intact:
                # The record no longer matches its own hash, so its seq was rewritten: name the
                # place it occupies, not the number it now claims.
                return ChainProblem(expected_seq, "altered", f"record {expected_seq} was changed (its number too)")
            if type(seq) is int and seq > expected_seq:
                return ChainProblem(expected_seq, "deleted", f"records {expected_seq}..{seq - 1} are missing")
            return ChainProblem(expected_seq, "inserted", f"record {expected_seq} repeats or breaks the numbering")
        if not intact:
            return ChainProblem(seq, "altered", f"record {seq} was changed after it was written")
        if record["prev_hash"] != prev:
            # Intact on its own but not linked: it was forged whole, or the record before it was
            # changed and its hash recomputed.
            return ChainProblem(seq, "inserted", f"record {seq} does not link to record {seq - 1}")
        prev = record["hash"]
        expected_seq = seq + 1
    last_seq = expected_seq - 1
    if last_seq < head_seq:
        return ChainProblem(last_seq + 1, "truncated", f"records {last_seq + 1}..{head_seq} are missing")
    if last_seq > head_seq:
        return ChainProblem(head_seq + 1, "inserted", f"records after {head_seq} were not written by Fairmark")
    if prev != head_hash:
        return ChainProblem(last_seq, "altered", f"record {last_seq} does not match the chain head")
    return None
