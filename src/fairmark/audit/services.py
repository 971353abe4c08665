"""Recording audit events. Every domain service calls `record` (or `record_many`) inside its own
transaction, so the event commits or rolls back with the change it describes."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from fairmark.core import context

from . import chain
from .models import AuditChainHead, AuditEvent


@dataclass
class Entry:
    action: str
    object_type: str
    object_id: str = ""
    object_repr: str = ""
    before: Any = None
    after: Any = None
    scope: str = ""


def _plain(value: Any) -> Any:
    """Integral floats become ints and NaN/infinity become text, because PostgreSQL's jsonb gives
    1e16 back as 10000000000000000 and refuses NaN: the hash would no longer match what is stored."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _json_safe(value: Any) -> Any:
    """What we hash must be exactly what the JSON column gives back, so normalise first."""
    if value is None:
        return None
    return _plain(json.loads(json.dumps(value, default=str, ensure_ascii=False)))


def entry_for(action: str, obj: Model, *, before: Any = None, after: Any = None, scope: str = "") -> Entry:
    meta = obj._meta
    return Entry(
        action=action,
        object_type=f"{meta.app_label}.{meta.model_name}",
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        scope=scope,
    )


def record(*, actor: Any, action: str, obj: Model, before: Any = None, after: Any = None, scope: str = "") -> AuditEvent:
    return record_many(actor=actor, entries=[entry_for(action, obj, before=before, after=after, scope=scope)])[0]


def record_many(*, actor: Any, entries: Sequence[Entry]) -> list[AuditEvent]:
    if not entries:
        return []
    ctx = context.current()
    actor_id = getattr(actor, "pk", None)
    actor_label = (getattr(actor, "username", None) or "system")[:150]
    # Cut to the columns' lengths before hashing: the hash must cover what is stored, and behind a
    # proxy the address comes from a header the client controls.
    ip = ctx.ip[:64] if ctx.ip else None
    now = timezone.now()
    with transaction.atomic():
        head = _lock_head()
        seq, prev = head.last_seq, head.last_hash
        events = []
        for entry in entries:
            seq += 1
            fields = {
                "seq": seq,
                "at": now.isoformat(),
                "actor_id": actor_id,
                "actor_label": actor_label,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "object_repr": entry.object_repr[:200],
                "scope": entry.scope,
                "before": _json_safe(entry.before),
                "after": _json_safe(entry.after),
                "ip": ip,
                "user_agent": ctx.user_agent[:400],
            }
            digest = chain.compute_hash(prev, fields)
            events.append(
                AuditEvent(
                    seq=seq,
                    at=now,
                    actor_id=actor_id,
                    actor_label=actor_label,
                    action=entry.action,
                    object_type=entry.object_type,
                    object_id=entry.object_id,
                    object_repr=entry.object_repr[:200],
                    scope=entry.scope,
                    before=fields["before"],
                    after=fields["after"],
                    ip=ip,
                    user_agent=fields["user_agent"],
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    return events


def _lock_head() -> AuditChainHead:
    """Lock the one head row: writers queue here, which keeps the chain a single line. The row is
    made on first use with INSERT ... ON CONFLICT DO NOTHING, so two first writers do not collide."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=1, last_seq=0, last_hash=chain.GENESIS)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, for a readable before/after."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
