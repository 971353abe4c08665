"""Authorization cases for the data-quality pages (ingestion/views: sources, batches, values, rejected rows,
conflicts). Readers of ingestion (HR admin, HR BP, executive, system admin) open every page; anyone else gets
404, except a value's provenance, which whoever sees the value opens (an employee their own, a manager or head
their team's). Dismissing, correcting and resolving take a manager of the source: HR admins and system admins
manage every source, the HR BP (of QA) a QA-owned one; a reader who does not manage it gets 403."""

from __future__ import annotations

import itertools
from typing import Any

from tests.authz.matrix import Case
from tests.world import World

READERS = {"hr": 200, "hrbp": 200, "exec": 200, "admin": 200}
MANAGE_ALL = {"hr": 200, "admin": 200, "hrbp": 403, "exec": 403}
MANAGE_QA = {"hr": 200, "admin": 200, "hrbp": 200, "exec": 403}
_KEYS = itertools.count()


def _redirecting(expect: dict[str, int]) -> dict[str, int]:
    return {role: 302 if status == 200 else status for role, status in expect.items()}


def _source(w: World, code: str) -> Any:
    """The MES (company-wide) or a QA lab source, each with a batch holding an accepted row, a rejected row and
    a row about the employee, and a second batch that conflicts with the first; made once per test."""
    from fairmark.core.access import SYSTEM
    from fairmark.ingestion.models import Channel, Source, SourceKind
    from fairmark.ingestion.services.receiving import content_hash, pack_payload, receive_batch
    from fairmark.ingestion.services.sources import source_create
    from tests.ingestion.support import build_mes, row

    found = Source.objects.filter(code=code).first()
    if found is not None:
        return found
    if not Source.objects.filter(code="mes").exists():
        build_mes(w)
    source = Source.objects.get(code="mes")
    if code == "qa_lab":
        source = source_create(actor=SYSTEM, code="qa_lab", name="QA lab", kind=SourceKind.PUSH,
                               owner_department=w.depts["QA"], metrics=list(source.metrics.all()))
    batches = ([row(1, value=10), row(2, value=-1), row(3, subject="E0004", subject_type="employee")],
               [row(1, value=11)])
    for rows in batches:
        payload = pack_payload(rows)
        receive_batch(actor=SYSTEM, source=source, idempotency_key=f"authz-pages-{next(_KEYS)}", rows=rows,
                      payload=payload, content_hash=content_hash(payload), channel=Channel.API)
    return source


def _quarantined(code: str) -> Any:
    def make(w: World) -> int:
        from fairmark.ingestion.models import QuarantinedRow

        return QuarantinedRow.objects.get(source=_source(w, code)).pk

    return make


def _conflict(code: str) -> Any:
    def make(w: World) -> int:
        from fairmark.ingestion.models import Conflict

        return Conflict.objects.get(source=_source(w, code)).pk

    return make


def _batch_url(w: World) -> str:
    from fairmark.ingestion.models import Batch

    return f"/data/batches/{Batch.objects.filter(source=_source(w, 'mes')).order_by('pk').first().pk}/"


def _value_url(subject_type: str) -> Any:
    def make(w: World) -> str:
        from fairmark.ingestion.models import MetricValue

        value = MetricValue.objects.filter(source=_source(w, "mes"), subject_type=subject_type).first()
        return f"/data/values/{value.pk}/"

    return make


def _url(path: str, code: str = "mes") -> Any:
    def make(w: World) -> str:
        _source(w, code)
        return path

    return make


def _correction(code: str) -> Any:
    def make(w: World) -> dict[str, Any]:
        from tests.ingestion.support import row

        pk = _quarantined(code)(w)
        return {"ids": [pk], "replay": "1", **{f"{pk}-{name}": value for name, value in row(2).items()}}

    return make


def _resolve_url(code: str) -> Any:
    return lambda w: f"/data/conflicts/{_conflict(code)(w)}/resolve/"


CASES = [
    # Sources and their data quality
    Case("ingest_pages sources", "ingestion:sources", _url("/data/sources/"), expect=READERS),
    Case("ingest_pages source", "ingestion:source", _url("/data/sources/mes/"), expect=READERS),
    Case("ingest_pages source, QA-owned", "ingestion:source", _url("/data/sources/qa_lab/", "qa_lab"),
         expect=READERS),
    Case("ingest_pages source, no such code", "ingestion:source", _url("/data/sources/no_such_source/")),
    # Batches and provenance
    Case("ingest_pages batch", "ingestion:batch", _batch_url, expect=READERS),
    Case("ingest_pages batch, no such batch", "ingestion:batch", _url("/data/batches/999999/")),
    Case("ingest_pages value about a line", "ingestion:value", _value_url("line"), expect=READERS),
    # E0004 is the employee, a report of the manager and (indirectly) of the head; not in the HR BP's units,
    # but the HR BP reads all of ingestion
    Case("ingest_pages value about the employee", "ingestion:value", _value_url("employee"), default=200),
    Case("ingest_pages value, no such value", "ingestion:value", _url("/data/values/999999/")),
    # Rejected rows
    Case("ingest_pages quarantine", "ingestion:quarantine", _url("/data/quarantine/"), expect=READERS),
    Case("ingest_pages quarantine, filtered", "ingestion:quarantine",
         _url("/data/quarantine/?source=mes&code=out_of_range&status=all"), expect=READERS),
    Case("ingest_pages correct, forms", "ingestion:quarantine-correct",
         lambda w: f"/data/quarantine/correct/?ids={_quarantined('mes')(w)}", expect=MANAGE_ALL),
    Case("ingest_pages correct, forms of a QA row", "ingestion:quarantine-correct",
         lambda w: f"/data/quarantine/correct/?ids={_quarantined('qa_lab')(w)}", expect=MANAGE_QA),
    Case("ingest_pages correct and replay", "ingestion:quarantine-correct", _url("/data/quarantine/correct/"),
         method="POST", data=_correction("mes"), writes=True, expect=MANAGE_ALL),
    Case("ingest_pages correct and replay a QA row", "ingestion:quarantine-correct",
         _url("/data/quarantine/correct/", "qa_lab"), method="POST", data=_correction("qa_lab"), writes=True,
         expect=MANAGE_QA),
    Case("ingest_pages correct and replay, no such row", "ingestion:quarantine-correct",
         _url("/data/quarantine/correct/"), method="POST", data=lambda w: {"ids": ["999999"], "replay": "1"},
         writes=True),
    Case("ingest_pages dismiss", "ingestion:quarantine-dismiss", _url("/data/quarantine/dismiss/"), method="POST",
         data=lambda w: {"ids": [_quarantined("mes")(w)], "note": "test row"}, writes=True,
         expect=_redirecting(MANAGE_ALL)),
    Case("ingest_pages dismiss a QA row", "ingestion:quarantine-dismiss", _url("/data/quarantine/dismiss/"),
         method="POST", data=lambda w: {"ids": [_quarantined("qa_lab")(w)], "note": "test row"}, writes=True,
         expect=_redirecting(MANAGE_QA)),
    Case("ingest_pages dismiss, GET", "ingestion:quarantine-dismiss", _url("/data/quarantine/dismiss/"),
         expect={"hr": 405, "hrbp": 405, "exec": 405, "admin": 405}),
    # Conflicts
    Case("ingest_pages conflicts", "ingestion:conflicts", _url("/data/conflicts/"), expect=READERS),
    Case("ingest_pages conflicts, filtered", "ingestion:conflicts", _url("/data/conflicts/?source=mes&status=all"),
         expect=READERS),
    Case("ingest_pages resolve", "ingestion:conflict-resolve", _resolve_url("mes"), method="POST",
         data=lambda w: {"decision": "accept", "reason": "MES recount"}, writes=True, expect=_redirecting(MANAGE_ALL)),
    Case("ingest_pages resolve a QA conflict", "ingestion:conflict-resolve", _resolve_url("qa_lab"), method="POST",
         data=lambda w: {"decision": "keep", "reason": "typo"}, writes=True, expect=_redirecting(MANAGE_QA)),
    Case("ingest_pages resolve, no such conflict", "ingestion:conflict-resolve",
         _url("/data/conflicts/999999/resolve/"), method="POST", data=lambda w: {"decision": "keep", "reason": "x"},
         writes=True),
]
