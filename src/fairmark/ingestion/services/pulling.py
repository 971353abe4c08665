"""Pulling a SQL or REST source (DESIGN.md C3): read what is new since the source's watermark, map the records
to rows, and receive them as a batch like pushed data. Every pull is a Run with its counts or its error; the
watermark moves in the same transaction as the batch, and because mapped rows have stable keys, reading the
same records twice (a crash between the two) only yields unchanged duplicates."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from fairmark.audit.services import record

from ..connectors import ConnectionResult, ConnectorError, Watermark, rest
from ..mapping import FieldMapping
from ..models import Channel, Run, RunStatus, RunTrigger, Source, SourceKind
from .receiving import content_hash, pack_payload, receive_batch
from .sources import source_secrets


def sql_settings(source: Source) -> Any:
    from ..connectors import sql  # SQLAlchemy loads only when a SQL source is used

    known = {f.name for f in dataclass_fields(sql.SqlSettings)}
    values = {name: value for name, value in source.settings.items() if name in known}
    return sql.SqlSettings(**{"host": "", "port": 0, "username": "", "database": "", **values,
                              "password": str(source_secrets(source).get("password", ""))})


def rest_settings(source: Source) -> rest.RestSettings:
    known = {f.name for f in dataclass_fields(rest.RestSettings)}
    values = {name: value for name, value in source.settings.items() if name in known and name != "headers"}
    headers = source_secrets(source).get("headers") or {}
    return rest.RestSettings(**{"url": "", **values, "headers": {str(k): str(v) for k, v in headers.items()}})


def check_source_connection(*, source: Source) -> ConnectionResult:
    """Connect and read the first page or LIMIT 0, without storing anything (the page's "test" button)."""
    try:
        if source.kind == SourceKind.SQL:
            from ..connectors import sql

            return sql.test_connection(sql_settings(source))
        if source.kind == SourceKind.REST:
            return rest.test_connection(rest_settings(source))
    except (TypeError, ValueError) as error:
        return ConnectionResult.failed(ConnectorError("bad_setting", {"setting": "settings", "value": str(error)[:200]}))
    return ConnectionResult.failed(ConnectorError("not_pulled", {"kind": source.kind}))


def _read(source: Source) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The new records and the watermark to store after them."""
    if source.kind == SourceKind.SQL:
        from ..connectors import sql

        after = Watermark.from_json(source.watermark) if source.watermark else None
        found = sql.pull(sql_settings(source), after=after)
        return found.records, found.watermark.to_json() if found.watermark else None
    if source.kind == SourceKind.REST:
        text = (source.watermark or {}).get("value")
        pulled = rest.pull(rest_settings(source), after=text)
        return pulled.records, {"type": "text", "value": pulled.watermark} if pulled.watermark else None
    raise ConnectorError("not_pulled", {"kind": source.kind})


def pull_source(*, actor: Any, source: Source, trigger: str = RunTrigger.MANUAL) -> Run:
    """One pull, recorded as a Run whatever happens (the run row is committed before the work starts)."""
    started = timezone.now()
    run = Run.objects.create(source=source, trigger=trigger, started_at=started, watermark_before=source.watermark,
                             started_by=actor if getattr(actor, "pk", None) else None)
    try:
        mapping = FieldMapping.from_dict(source.mapping)
        if isinstance(mapping, list):
            raise ConnectorError("bad_mapping", {"problems": [problem.code for problem in mapping]})
        records, watermark = _read(source)
        rows = mapping.rows(records)
        with transaction.atomic():
            if rows:
                payload = pack_payload(rows, records)
                outcome = receive_batch(actor=actor, source=source, idempotency_key=f"pull-{run.pk}", rows=rows,
                                        payload=payload, content_hash=content_hash(payload), channel=Channel.PULL)
                run.batch = outcome.batch
            Source.objects.filter(pk=source.pk).update(
                watermark=watermark or source.watermark, next_run_at=_next_run(source, started))
            run.status, run.records, run.watermark_after = RunStatus.SUCCEEDED, len(records), watermark or source.watermark
            run.finished_at = timezone.now()
            run.save()
    except (ConnectorError, TypeError, ValueError) as error:
        code, params = ((error.code, dict(error.params)) if isinstance(error, ConnectorError)
                        else ("bad_setting", {"setting": "settings", "value": str(error)[:200]}))
        Source.objects.filter(pk=source.pk).update(next_run_at=_next_run(source, started))
        run.status, run.error_code, run.error_params, run.finished_at = RunStatus.FAILED, code, params, timezone.now()
        run.save()
    source.refresh_from_db()
    record(actor=actor, action="ingestion.source.pull", obj=run,
           after={"source": source.code, "status": run.status, "records": run.records, "error": run.error_code,
                  "batch": run.batch_id})
    return run


def _next_run(source: Source, started: Any) -> Any:
    return started + timedelta(minutes=source.interval_minutes) if source.interval_minutes else None


def due_sources(now: Any) -> list[Source]:
    from django.db.models import Q

    return list(Source.objects.filter(kind__in=[SourceKind.SQL, SourceKind.REST], enabled=True,
                                      interval_minutes__isnull=False)
                .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)).order_by("pk"))
