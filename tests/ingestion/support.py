"""A small MES for ingestion tests: metrics, two production lines, a push source with a bound key, and a
second source (an ERP) whose metric the MES key must not write."""

from __future__ import annotations

import gzip as gzip_module
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.test import Client

from fairmark.core.access import SYSTEM
from fairmark.ingestion.models import Grain, Metric, Source, SourceKind, Subject, SubjectType, ValueType
from fairmark.ingestion.services.metrics import metric_create
from fairmark.ingestion.services.sources import source_create, source_key_issue
from fairmark.ingestion.services.subjects import subject_create

from ..world import World

URL = "/api/v1/ingest/batches"


@dataclass
class Mes:
    source: Source
    erp: Source
    key: str
    erp_key: str
    metrics: dict[str, Metric]
    lines: dict[str, Subject]


def build_mes(world: World) -> Mes:
    hr = world.user("hr")
    metrics = {
        "output": metric_create(actor=SYSTEM, code="output", name_zh="产量", name_en="Output", unit="pcs",
                                value_type=ValueType.INTEGER, min_value=Decimal(0), grain=Grain.DAY,
                                subject_types=[SubjectType.LINE, SubjectType.EMPLOYEE]),
        "defect_rate": metric_create(actor=SYSTEM, code="defect_rate", name_zh="不良率", name_en="Defect rate", unit="%",
                                     value_type=ValueType.DECIMAL, min_value=Decimal(0), max_value=Decimal(100),
                                     grain=Grain.DAY, subject_types=[SubjectType.LINE, SubjectType.EMPLOYEE]),
        "revenue": metric_create(actor=SYSTEM, code="revenue", name_zh="销售额", name_en="Revenue", unit="CNY",
                                 grain=Grain.MONTH, subject_types=[SubjectType.EMPLOYEE]),
    }
    lines = {code: subject_create(actor=SYSTEM, type=SubjectType.LINE, code=code, name_zh=f"电芯{code}线")
             for code in ("L1", "L2")}
    source = source_create(actor=SYSTEM, code="mes", name="MES", kind=SourceKind.PUSH,
                           metrics=[metrics["output"], metrics["defect_rate"]])
    erp = source_create(actor=SYSTEM, code="erp", name="ERP", kind=SourceKind.PUSH, metrics=[metrics["revenue"]])
    _token, key = source_key_issue(actor=hr, source=source)
    _token, erp_key = source_key_issue(actor=hr, source=erp)
    return Mes(source, erp, key, erp_key, metrics, lines)


def row(index: int, *, metric: str = "output", value: Any = None, subject: str = "L1",
        subject_type: str = "line", day: int | None = None) -> dict[str, Any]:
    """A valid row with a key of its own: line output for a day of 2026 (index → a distinct key)."""
    ordinal = 739_252 + (index if day is None else day)  # 2025-01-01 + n days
    from datetime import date

    return {"row_key": f"{metric}-{subject}-{index}", "metric": metric, "subject_type": subject_type,
            "subject": subject, "period": date.fromordinal(ordinal).isoformat(),
            "value": 1000 + index % 7 if value is None else value}


def push(client: Client, body: dict[str, Any] | bytes, *, key: str | None = None, compress: bool = False,
         language: str = "en") -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers: dict[str, str] = {"Accept-Language": language}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    if compress:
        data = gzip_module.compress(data, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return client.post(URL, data=data, content_type="application/json", headers=headers)
