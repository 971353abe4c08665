"""Pulling a REST source end to end: a local HTTP service that checks the Authorization header exactly, two
pages, a JSON-path mapping, and a second pull that passes the watermark and takes only what is new."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from fairmark.core.access import SYSTEM
from fairmark.ingestion.models import MetricValue, SourceKind
from fairmark.ingestion.services.pulling import pull_source
from fairmark.ingestion.services.sources import source_create

from .support import build_mes

pytestmark = pytest.mark.django_db
TOKEN = "Bearer qms-secret-token-42"
ITEMS = [{"id": n, "line": {"code": "L1" if n % 2 else "L2"}, "day": f"2026-11-0{1 + n // 2}",
          "measures": {"defect_rate": f"1.{n}"}, "updated": f"2026-11-0{2 + n // 2}T06:00:00+08:00"}
         for n in range(1, 7)]


class Qms(BaseHTTPRequestHandler):
    seen: list[dict[str, list[str]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        query = parse_qs(urlparse(self.path).query)
        Qms.seen.append(query)
        if self.headers.get("Authorization") != TOKEN:
            self.send_response(401)
            self.end_headers()
            return
        after = query.get("updated_after", [""])[0]
        items = [item for item in ITEMS if item["updated"] > after]
        page, size = int(query["page"][0]), int(query["page_size"][0])
        body = json.dumps({"data": {"items": items[(page - 1) * size: page * size]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def qms() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Qms)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Qms.seen = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/defects"
    finally:
        server.shutdown()
        server.server_close()


def test_a_rest_source_pulls_pages_and_then_only_what_is_new(world, qms: str) -> None:
    mes = build_mes(world)
    source = source_create(
        actor=SYSTEM, code="qms", name="QMS", kind=SourceKind.REST, metrics=[mes.metrics["defect_rate"]],
        mapping={"subject": "line", "period": "day", "row_key": "id", "constants": {"subject_type": "line"},
                 "values": {"defect_rate": "rate"}},
        settings={"url": qms, "records_path": "data.items", "paging": "page", "page_size": 4,
                  "fields": {"id": "id", "line": "line.code", "day": "day", "rate": "measures.defect_rate",
                             "updated": "updated"},
                  "watermark_param": "updated_after", "watermark_field": "updated"},
        secrets={"headers": {"Authorization": TOKEN}})
    first = pull_source(actor=SYSTEM, source=source)
    assert (first.status, first.records, first.error_code) == ("succeeded", 6, "")
    assert [q["page"] for q in Qms.seen] == [["1"], ["2"]]
    assert MetricValue.objects.get(row_key="3:defect_rate").value == Decimal("1.3")
    ITEMS.append({"id": 7, "line": {"code": "L1"}, "day": "2026-11-05", "measures": {"defect_rate": "2.5"},
                  "updated": "2026-11-06T06:00:00+08:00"})
    try:
        second = pull_source(actor=SYSTEM, source=source)
    finally:
        ITEMS.pop()
    assert (second.status, second.records) == ("succeeded", 1)
    assert Qms.seen[-1]["updated_after"] == ["2026-11-05T06:00:00+08:00"]
    assert MetricValue.objects.filter(source=source).count() == 7


def test_a_wrong_token_fails_the_run_without_leaking_it(world, qms: str) -> None:
    mes = build_mes(world)
    source = source_create(
        actor=SYSTEM, code="qms", name="QMS", kind=SourceKind.REST, metrics=[mes.metrics["defect_rate"]],
        mapping={"subject": "line", "period": "day", "values": {"defect_rate": "rate"},
                 "constants": {"subject_type": "line"}},
        settings={"url": qms, "records_path": "data.items", "paging": "page"},
        secrets={"headers": {"Authorization": "Bearer wrong-token-77"}})
    run = pull_source(actor=SYSTEM, source=source)
    assert run.status == "failed"
    assert run.error_code
    assert "wrong-token-77" not in json.dumps(run.error_params)
    assert MetricValue.objects.count() == 0
