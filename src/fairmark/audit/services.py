"""Recording audit events. Every domain service calls `record` (or `record_many`) inside its own
transaction, so the event commits or rolls back with the change it describes."""

from __future__ import annotations

import json
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


def _json_safe(value: Any) -> Any:
    """What we hash must be exactly what the JSON column gives back, so normalise first."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


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
    actor_label = getattr(actor, "username", None) or "system"
    now = timezone.now()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, last_seq=0, last_hash=chain.GENESIS)
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
                "ip": ctx.ip,
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
                    ip=ctx.ip,
                    user_agent=fields["user_agent"],
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    return events


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, for a readable before/after."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
