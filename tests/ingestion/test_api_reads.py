"""The ingestion read API: metrics, sources, values with provenance, quarantine replay/dismiss, conflicts."""

from __future__ import annotations

import pytest
from django.test import Client

from fairmark.ingestion.models import Conflict, Metric, MetricValue, QuarantinedRow

from .support import build_mes, push, row

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_values_come_with_their_subject_code_and_provenance(world, client_as) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=96), row(2, subject="E0004", subject_type="employee"),
                                                     row(3, subject="E0005", subject_type="employee")]}, key=mes.key)
    hr = client_as("hr")
    listed = hr.get("/api/v1/metric-values/?metric=output&subject_type=line&subject=L1", **EN).json()
    assert listed["count"] == 1
    item = listed["results"][0]
    assert (item["subject"], item["value"], item["unit"], item["source"], item["version"]) == ("L1", "96", "pcs", "mes", 1)
    detail = hr.get(f"/api/v1/metric-values/{item['id']}/", **EN).json()
    assert detail["raw_row"] == row(1, value=96)
    assert detail["sent_by"]["key"] is not None
    assert [v["value"] for v in detail["versions"]] == ["96"]
    # an employee reads only their own values, without who sent them
    own = client_as("employee").get("/api/v1/metric-values/", **EN).json()
    assert [v["subject"] for v in own["results"]] == ["E0004"]
    mine = client_as("employee").get(f"/api/v1/metric-values/{own['results'][0]['id']}/", **EN).json()
    assert mine["sent_by"] is None
    assert client_as("employee").get(f"/api/v1/metric-values/{item['id']}/").status_code == 404


def test_metrics_are_listed_and_created_by_hr_admins_only(world, client_as) -> None:
    build_mes(world)
    assert {m["code"] for m in client_as("manager").get("/api/v1/metrics/").json()["results"]} >= {"output", "revenue"}
    assert client_as("employee").get("/api/v1/metrics/output/").status_code == 404
    body = {"code": "scrap_kg", "name_zh": "废料重量", "unit": "kg", "value_type": "decimal", "min_value": "0",
            "grain": "day", "subject_types": ["line"]}
    assert client_as("hrbp").post("/api/v1/metrics/", body, content_type="application/json").status_code == 403
    created = client_as("hr").post("/api/v1/metrics/", body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["min_value"] == "0"
    assert Metric.objects.get(code="scrap_kg").subject_types == ["line"]
    again = client_as("hr").post("/api/v1/metrics/", body, content_type="application/json", **EN)
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "code"


def test_quarantined_rows_are_corrected_and_replayed_through_the_api(world, client_as) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=-1), row(2, value=-2)]}, key=mes.key)
    hr = client_as("hr")
    rows = hr.get("/api/v1/ingest/quarantine/?source=mes&status=open", **EN).json()["results"]
    assert [r["code"] for r in rows] == ["out_of_range", "out_of_range"]
    assert rows[0]["message"].startswith("-1")
    body = {"rows": [{"id": rows[0]["id"], "row": row(1, value=5)}]}
    assert client_as("exec").post("/api/v1/ingest/quarantine/replay/", body,
                                  content_type="application/json").status_code == 403
    assert client_as("manager").post("/api/v1/ingest/quarantine/replay/", body,
                                     content_type="application/json").status_code == 404
    replayed = hr.post("/api/v1/ingest/quarantine/replay/", body, content_type="application/json")
    assert replayed.status_code == 201
    assert replayed.json()["accepted"] == [row(1)["row_key"]]
    dismissed = hr.post("/api/v1/ingest/quarantine/dismiss/", {"ids": [rows[1]["id"]], "note": "sensor reset"},
                        content_type="application/json")
    assert dismissed.json() == {"dismissed": 1}
    assert sorted(QuarantinedRow.objects.values_list("status", flat=True)) == ["dismissed", "replayed"]


def test_a_conflict_is_resolved_through_the_api(world, client_as) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=96)]}, key=mes.key)
    push(Client(), {"idempotency_key": "b", "rows": [row(1, value=97)]}, key=mes.key)
    conflict = Conflict.objects.get()
    listed = client_as("exec").get("/api/v1/ingest/conflicts/?status=open").json()["results"]
    assert [(c["stored_value"], c["incoming"]) for c in listed] == [("96", "97")]
    url = f"/api/v1/ingest/conflicts/{conflict.pk}/resolve/"
    assert client_as("exec").post(url, {"accept": True, "reason": "x"}, content_type="application/json").status_code == 403
    missing_reason = client_as("hr").post(url, {"accept": True, "reason": ""}, content_type="application/json")
    assert missing_reason.status_code == 400
    resolved = client_as("hr").post(url, {"accept": True, "reason": "MES recount"}, content_type="application/json")
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "accepted"
    assert MetricValue.objects.get(row_key=row(1)["row_key"], current=True).value == 97


def test_sources_are_read_by_ingestion_readers(world, client_as) -> None:
    build_mes(world)
    listed = client_as("hrbp").get("/api/v1/ingest/sources/").json()["results"]
    assert {s["code"] for s in listed} == {"mes", "erp"}
    assert client_as("hrbp").get("/api/v1/ingest/sources/mes/").json()["metrics"] == ["defect_rate", "output"]
    assert client_as("manager").get("/api/v1/ingest/sources/mes/").status_code == 404
