"""Authorization cases for the ingestion read API (metrics, sources, metric values, quarantine, conflicts).
Lists answer 200 to everyone signed in, holding only what the caller may see. Metrics are read by HR,
executives, managers and heads (an employee gets 404) and created by HR admins and system admins (403 for
the rest). Sources, rejected rows and conflicts are read by HR admins, HR BPs, executives and system admins;
correcting them takes a manager of the source (HR admin, system admin: 403 for the HR BP of QA and the
executive on the company-wide MES, 404 for the others). A value is read by whoever sees it: readers of
ingestion all, a manager or head their team's (the employee's), the employee their own."""

from __future__ import annotations

import itertools
from typing import Any

from tests.authz.cases_ingest_pages import MANAGE_ALL, READERS, _conflict, _quarantined, _source, _url
from tests.authz.matrix import Case
from tests.world import World

ALL = {role: 200 for role in ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")}
METRIC_READERS = {role: 200 for role in ("manager", "head", "hrbp", "hr", "exec", "admin")}
CREATE_METRIC = {"hr": 201, "admin": 201, **{r: 403 for r in ("employee", "manager", "head", "hrbp", "exec")}}
_CODES = itertools.count()


def _value(subject_type: str) -> Any:
    def make(w: World) -> str:
        from fairmark.ingestion.models import MetricValue

        value = MetricValue.objects.filter(source=_source(w, "mes"), subject_type=subject_type).first()
        return f"/api/v1/metric-values/{value.pk}/"

    return make


def _metric_body(w: World) -> dict[str, Any]:
    _source(w, "mes")
    return {"code": f"scrap_{next(_CODES)}", "name_zh": "废料", "unit": "kg", "subject_types": ["line"]}


def _replay(w: World) -> dict[str, Any]:
    from tests.ingestion.support import row

    return {"rows": [{"id": _quarantined("mes")(w), "row": row(2)}]}


CASES = [
    Case("ingest api metrics", "api:metric-list", _url("/api/v1/metrics/"), api=True, expect=ALL),
    Case("ingest api metric", "api:metric-detail", _url("/api/v1/metrics/output/"), api=True, expect=METRIC_READERS),
    Case("ingest api metric create", "api:metric-list", _url("/api/v1/metrics/"), method="POST", api=True,
         data=_metric_body, writes=True, expect=CREATE_METRIC),
    Case("ingest api sources", "api:ingest-source-list", _url("/api/v1/ingest/sources/"), api=True, expect=ALL),
    Case("ingest api source", "api:ingest-source-detail", _url("/api/v1/ingest/sources/mes/"), api=True,
         expect=READERS),
    Case("ingest api values", "api:metric-value-list", _url("/api/v1/metric-values/"), api=True, expect=ALL),
    Case("ingest api value about a line", "api:metric-value-detail", _value("line"), api=True, expect=READERS),
    Case("ingest api value about the employee", "api:metric-value-detail", _value("employee"), api=True,
         default=200),
    Case("ingest api quarantine", "api:ingest-quarantine-list", _url("/api/v1/ingest/quarantine/"), api=True,
         expect=ALL),
    Case("ingest api quarantined row", "api:ingest-quarantine-detail",
         lambda w: f"/api/v1/ingest/quarantine/{_quarantined('mes')(w)}/", api=True, expect=READERS),
    Case("ingest api replay", "api:ingest-quarantine-replay", _url("/api/v1/ingest/quarantine/replay/"),
         method="POST", api=True, data=_replay, writes=True,
         expect={**MANAGE_ALL, "hr": 201, "admin": 201}),
    Case("ingest api dismiss", "api:ingest-quarantine-dismiss", _url("/api/v1/ingest/quarantine/dismiss/"),
         method="POST", api=True, data=lambda w: {"ids": [_quarantined("mes")(w)], "note": "test row"},
         writes=True, expect=MANAGE_ALL),
    Case("ingest api conflicts", "api:ingest-conflict-list", _url("/api/v1/ingest/conflicts/"), api=True,
         expect=ALL),
    Case("ingest api conflict", "api:ingest-conflict-detail",
         lambda w: f"/api/v1/ingest/conflicts/{_conflict('mes')(w)}/", api=True, expect=READERS),
    Case("ingest api resolve", "api:ingest-conflict-resolve",
         lambda w: f"/api/v1/ingest/conflicts/{_conflict('mes')(w)}/resolve/", method="POST", api=True,
         data=lambda w: {"accept": True, "reason": "recount"}, writes=True, expect=MANAGE_ALL),
]
