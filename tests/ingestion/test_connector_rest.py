"""fairmark.ingestion.connectors.rest (and jsonpath) against a local HTTP server that pages JSON like an MES API.

The server runs in a thread on 127.0.0.1 (port chosen by the system), checks the Authorization header exactly
(401 otherwise) and records every request, so the tests can see which parameters and headers were sent."""

from __future__ import annotations

import json
import re
import socket
import string
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from fairmark.ingestion.connectors import MESSAGES, MISSING, ConnectorError, parse_path, read, rest
from fairmark.ingestion.connectors.watermark import latest

TOKEN = "tok-3f9a7c1e5b"
AUTHORIZATION = f"Bearer {TOKEN}"


def item(number: int) -> dict[str, Any]:
    return {"id": number, "line": {"code": f"L{number % 3 + 1}", "name": "一号线"}, "date": "2026-11-03",
            "metrics": {"output": 1000 + number, "yield": f"@{number}"},
            "updated_at": f"2026-11-03T08:{number:02d}:00+08:00"}


def encode(document: Any) -> bytes:
    """JSON whose yields ("@n") are written with a trailing zero (96.010), as a float could never carry them."""
    text = json.dumps(document, ensure_ascii=False)
    return re.sub(r'"@([0-9]+)"', lambda match: f"96.{int(match[1]):02d}0", text).encode()


class Api(BaseHTTPRequestHandler):
    server: ApiServer

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest's output clean
        pass

    def answer(self, status: int, body: bytes, content_type: str = "application/json",
               headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        self.server.requests.append((parts.path, query, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != AUTHORIZATION:
            self.answer(401, b'{"error": "unauthorized"}')
            return
        items = [record for record in self.server.items
                 if "updated_after" not in query or record["updated_at"] > query["updated_after"]]
        route = getattr(self, "route_" + parts.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.answer(404, b'{"error": "not found"}')
        else:
            route(query, items)

    def route_page(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        size, page = int(query["page_size"]), int(query["page"]) - int(query.get("base", 1))  # page 0, 1, ...
        self.answer(200, encode({"data": {"items": items[page * size:(page + 1) * size]}, "page": page}))

    def route_offset(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        start, size = int(query["offset"]), int(query["limit"])
        self.answer(200, encode({"results": items[start:start + size]}))

    def route_linked(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        cursor, size = int(query.get("cursor", 0)), 4
        following = None
        if cursor + size < len(items):
            following = f"/linked?cursor={cursor + size}"
            if query.get("absolute"):
                following = f"http://127.0.0.1:{self.server.server_port}{following}&absolute=1"
        self.answer(200, encode({"data": items[cursor:cursor + size], "links": {"next": following}}))

    def route_linked_away(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        self.answer(200, encode({"data": items[:2], "links": {"next": "http://other.invalid/linked?cursor=2"}}))

    def route_moved(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        self.answer(302, b"", headers={"Location": "/page?page=1&page_size=50"})

    def route_moved_away(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        port = self.server.server_port
        self.answer(302, b"", headers={"Location": f"http://localhost:{port}/page?page=1&page_size=50"})

    def route_error(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        echo = json.dumps({"error": "boom", "you_sent": self.headers.get("Authorization")}).encode()
        self.answer(500, echo)

    def route_html(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        self.answer(200, b"<html><body>Login " + TOKEN.encode() + b"</body></html>", "text/html")

    def route_object(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        self.answer(200, encode({"data": {"items": {"id": 1}}}))

    def route_numbers(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        self.answer(200, encode({"data": {"items": [1, 2]}}))

    def route_same(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:  # ignores paging
        self.answer(200, encode({"data": {"items": items[:3]}}))

    def route_gbk(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        body = json.dumps([{"line": "一号线", "output": 12.50}], ensure_ascii=False).encode("gbk")
        self.answer(200, body, "application/json; charset=gbk")

    def route_slow(self, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        time.sleep(2)
        self.answer(200, b"[]")


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Api)
        self.items: list[dict[str, Any]] = []
        self.requests: list[tuple[str, dict[str, str], str | None]] = []


@pytest.fixture(scope="module")
def running() -> Iterator[ApiServer]:
    server = ApiServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def api(running: ApiServer) -> ApiServer:
    running.items = [item(number) for number in range(1, 11)]
    running.requests = []
    return running


def settings(api: ApiServer, path: str, **changes: Any) -> rest.RestSettings:
    values: dict[str, Any] = {"headers": {"Authorization": AUTHORIZATION}, "records_path": "data.items",
                              **changes}
    return rest.RestSettings(f"http://127.0.0.1:{api.server_port}{path}", **values)


FIELDS = {"line": "line.code", "day": "date", "output": "metrics.output", "yield": "metrics.yield",
          "absent": "metrics.nothing"}


def assert_token_hidden(error: Any) -> None:
    shown = [error.message("en"), error.message("zh-hans"), repr(error.params), str(error), repr(error)]
    assert all(TOKEN not in text for text in shown), shown


# ------------------------------------------------------------------------------------------------- paging

def test_page_paging_reads_every_page_with_exact_decimals(api: ApiServer) -> None:
    result = rest.pull(settings(api, "/page", paging="page", page_size=4, fields=FIELDS))
    assert result.pages == 3
    assert not result.truncated
    assert [query["page"] for _, query, _ in api.requests] == ["1", "2", "3"]
    assert {query["page_size"] for _, query, _ in api.requests} == {"4"}
    assert len(result.records) == 10
    assert result.columns == list(FIELDS)
    first = result.records[0]
    assert first == {"line": "L2", "day": "2026-11-03", "output": 1001, "yield": Decimal("96.010"), "absent": None}
    assert str(first["yield"]) == "96.010"
    assert type(first["yield"]) is Decimal


def test_an_empty_page_ends_the_reading(api: ApiServer) -> None:
    result = rest.pull(settings(api, "/page", paging="page", page_size=5))
    assert result.pages == 3
    assert len(result.records) == 10


def test_pages_can_count_from_zero(api: ApiServer) -> None:
    result = rest.pull(settings(api, "/page?base=0", paging="page", page_size=4, first_page=0))
    assert [query["page"] for _, query, _ in api.requests] == ["0", "1", "2"]
    assert {query["base"] for _, query, _ in api.requests} == {"0"}  # the address's own parameters are kept
    assert [record["id"] for record in result.records] == list(range(1, 11))


def test_offset_paging(api: ApiServer) -> None:
    result = rest.pull(settings(api, "/offset", records_path="results", paging="offset", page_param="offset",
                                size_param="limit", page_size=3))
    assert [query["offset"] for _, query, _ in api.requests] == ["0", "3", "6", "9"]
    assert [record["id"] for record in result.records] == list(range(1, 11))
    assert result.pages == 4


@pytest.mark.parametrize("path", ["/linked", "/linked?absolute=1"])
def test_next_link_paging_follows_relative_and_absolute_links(api: ApiServer, path: str) -> None:
    result = rest.pull(settings(api, path, records_path="data", paging="next_link"))
    assert result.pages == 3
    assert [record["id"] for record in result.records] == list(range(1, 11))
    assert [query.get("cursor") for _, query, _ in api.requests] == [None, "4", "8"]


def test_without_fields_the_records_are_the_objects_themselves(api: ApiServer) -> None:
    result = rest.pull(settings(api, "/page", paging="page", page_size=50))
    assert result.columns == ["id", "line", "date", "metrics", "updated_at"]
    assert result.records[0]["line"] == {"code": "L2", "name": "一号线"}


def test_max_pages_stops_early_and_says_so(api: ApiServer) -> None:
    result = rest.pull(settings(api, "/page", paging="page", page_size=3, max_pages=2))
    assert (result.pages, len(result.records), result.truncated) == (2, 6, True)


def test_a_service_that_ignores_paging_is_caught(api: ApiServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        rest.pull(settings(api, "/same", paging="page", page_size=3))
    assert (raised.value.code, raised.value.params) == ("page_repeated", {"page": 2})


def test_a_declared_charset_is_used(api: ApiServer) -> None:
    result = rest.pull(settings(api, "/gbk", records_path=""))
    assert result.records == [{"line": "一号线", "output": Decimal("12.5")}]


# --------------------------------------------------------------------------------------------- watermarks

def test_the_watermark_is_sent_on_the_next_pull(api: ApiServer) -> None:
    config = settings(api, "/page", paging="page", page_size=4, watermark_param="updated_after",
                      watermark_field="updated_at")
    first = rest.pull(config, after=None)
    assert first.watermark == "2026-11-03T08:10:00+08:00"
    assert all("updated_after" not in query for _, query, _ in api.requests)
    api.items.append({**item(11), "updated_at": "2026-11-03T08:11:00+08:00"})
    api.requests.clear()
    second = rest.pull(config, after=first.watermark)
    assert [record["id"] for record in second.records] == [11]
    assert [query["updated_after"] for _, query, _ in api.requests] == ["2026-11-03T08:10:00+08:00"]
    assert second.watermark == "2026-11-03T08:11:00+08:00"
    third = rest.pull(config, after=second.watermark)
    assert third.records == []
    assert third.watermark == second.watermark


def test_latest_compares_instants_numbers_and_text() -> None:
    assert latest(["2026-11-03T09:00:00+08:00", "2026-11-03T02:00:00Z"]) == "2026-11-03T02:00:00Z"
    assert latest([9, Decimal("10.5"), 10]) == "10.5"
    assert latest(["b-2", "a-9"]) == "b-2"
    assert latest(["2026-11-03T09:00:00", "2026-11-03T02:00:00Z"]) == "2026-11-03T09:00:00"  # mixed: as text
    assert latest([None, {"a": 1}]) is None


# ------------------------------------------------------------------------------------------------- errors

def test_a_wrong_token_is_auth_failed_and_never_shown(api: ApiServer) -> None:
    config = settings(api, "/page", headers={"Authorization": "Bearer wrong-token-123456"})
    with pytest.raises(ConnectorError) as raised:
        rest.pull(config)
    assert (raised.value.code, raised.value.params) == ("auth_failed", {"status": 401, "page": 1})
    assert "HTTP 401" in raised.value.message("en")
    assert "HTTP 401" in raised.value.message("zh-hans")
    assert "wrong-token-123456" not in raised.value.message("en") + repr(config)
    assert api.requests[0][2] == "Bearer wrong-token-123456"  # the header was sent as configured


def test_a_server_error_has_a_code_and_no_token(api: ApiServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        rest.pull(settings(api, "/error"))
    assert raised.value.code == "http_status"
    assert raised.value.params == {"status": 500, "page": 1, "reason": "Internal Server Error"}
    assert raised.value.message("zh-hans") == "服务返回 HTTP 500 Internal Server Error（第 1 页）。"
    assert_token_hidden(raised.value)


def test_a_body_that_is_not_json(api: ApiServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        rest.pull(settings(api, "/html"))
    assert raised.value.code == "not_json"
    assert raised.value.params["page"] == 1
    assert raised.value.params["detail"] == "Expecting value at line 1 column 1"
    assert_token_hidden(raised.value)


def test_records_path_that_is_not_a_list(api: ApiServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        rest.pull(settings(api, "/object"))
    assert (raised.value.code, raised.value.params) == (
        "records_not_a_list", {"path": "data.items", "got": "object", "page": 1})
    assert raised.value.message("en") == "In the answer to page 1, data.items is an object, not a list of records."
    assert raised.value.message("zh-hans") == "第 1 页的响应中，data.items 是对象，而不是记录列表。"


def test_records_path_that_leads_nowhere(api: ApiServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        rest.pull(settings(api, "/page?page=1&page_size=2", records_path="data.rows"))
    assert (raised.value.code, raised.value.params) == ("records_missing", {"path": "data.rows", "page": 1})


def test_records_that_are_not_objects(api: ApiServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        rest.pull(settings(api, "/numbers"))
    assert (raised.value.code, raised.value.params) == (
        "record_not_an_object", {"page": 1, "index": 0, "got": "number"})


def test_credentials_never_leave_the_configured_host(api: ApiServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        rest.pull(settings(api, "/linked-away", records_path="data", paging="next_link"))
    assert (raised.value.code, raised.value.params) == ("other_host", {"host": "other.invalid"})
    with pytest.raises(ConnectorError) as raised:
        rest.pull(settings(api, "/moved-away"))
    assert (raised.value.code, raised.value.params) == ("other_host", {"host": "localhost"})
    assert [path for path, _, _ in api.requests] == ["/linked-away", "/moved-away"]  # never followed


def test_a_redirect_on_the_same_host_is_followed(api: ApiServer) -> None:
    result = rest.pull(settings(api, "/moved"))
    assert len(result.records) == 10
    assert [(path, token) for path, _, token in api.requests] == [("/moved", AUTHORIZATION), ("/page", AUTHORIZATION)]


def test_a_slow_service_times_out(api: ApiServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        rest.pull(settings(api, "/slow", records_path="", timeout_seconds=1))
    assert (raised.value.code, raised.value.params) == ("timeout", {"seconds": 1, "page": 1})


def test_nothing_listening() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = rest.RestSettings(f"http://127.0.0.1:{port}/x", headers={"Authorization": AUTHORIZATION})
    with pytest.raises(ConnectorError) as raised:
        rest.pull(config)
    assert raised.value.code == "cannot_connect"
    assert raised.value.params["host"] == f"127.0.0.1:{port}"
    assert "refused" in raised.value.params["detail"].lower()
    assert_token_hidden(raised.value)


# ------------------------------------------------------------------------------------ settings and tests

def test_settings_are_checked_before_anything_is_sent(api: ApiServer) -> None:
    bad = rest.RestSettings("file:///etc/passwd", headers={"X-Token": f"{TOKEN}\r\nX-Evil: 1"},
                            records_path="data..items", paging="page", page_size=0, fields={"line": "line[x]"})
    problems = [(problem.code, problem.params) for problem in bad.check()]
    assert problems == [
        ("bad_url", {}), ("bad_setting", {"setting": "page_size", "value": "0"}),
        ("bad_setting", {"setting": "headers", "value": "X-Token"}),
        ("bad_path", {"setting": "records_path", "path": "data..items"}),
        ("bad_path", {"setting": "fields.line", "path": "line[x]"}),
    ]
    result = rest.test_connection(bad)
    assert (result.ok, result.code) == (False, "bad_url")
    assert TOKEN not in repr(result.to_dict())
    assert api.requests == []


def test_connection_reads_the_first_page_only(api: ApiServer) -> None:
    result = rest.test_connection(settings(api, "/page", paging="page", page_size=4, fields=FIELDS))
    assert result.ok
    assert result.params == {"records": 4, "columns": list(FIELDS)}
    assert result.message("en").startswith("Connected. The first page holds 4 records")
    assert result.message("zh-hans").startswith("连接成功。第一页共 4 条记录")
    assert len(api.requests) == 1


def test_connection_failure_is_a_result(api: ApiServer) -> None:
    result = rest.test_connection(settings(api, "/error"))
    assert (result.ok, result.code, result.params["status"]) == (False, "http_status", 500)
    assert TOKEN not in json.dumps(result.to_dict(), ensure_ascii=False)


# ------------------------------------------------------------------------------------------------ jsonpath

@pytest.mark.parametrize(("path", "steps"), [
    ("", ()), ("$", ()), ("data.items", ("data", "items")), ("$.a.b", ("a", "b")),
    ("values[0].v", ("values", 0, "v")), ("$[1][2]", (1, 2)), ("产线.编码", ("产线", "编码")),
])
def test_paths_are_read(path: str, steps: tuple[Any, ...]) -> None:
    assert parse_path(path) == steps


@pytest.mark.parametrize("path", ["a..b", "a.", ".a", "a.[0]", "a[x]", "a[-1]", "a[0", "$..a", "a[*]", "x" * 501])
def test_paths_outside_the_subset_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match="path"):
        parse_path(path)


def test_reading_tells_absent_from_null() -> None:
    document = {"data": {"items": [{"v": None}, {"v": 2}]}, "n": 1}
    assert read(document, "data.items[1].v") == 2
    assert read(document, "data.items[0].v") is None
    for absent in ("data.items[2].v", "data.nope", "n.x", "n[0]", "data[0]"):
        assert read(document, absent) is MISSING, absent
    assert not MISSING
    assert repr(MISSING) == "MISSING"


# ------------------------------------------------------------------------------------------------ messages

def placeholders(template: str) -> set[str]:
    # a param with a Chinese variant ("what" and "what_zh") counts as one
    return {name.removesuffix("_zh") for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_connector_message_has_the_same_placeholders_in_both_languages(code: str) -> None:
    english, chinese = MESSAGES[code]
    assert placeholders(english) == placeholders(chinese)
    assert english != chinese
    params = {name: f"<{name}>" for name in placeholders(english)} | {"what_zh": "<what>"}
    worded = ConnectorError(code.partition(".")[0], params)
    assert "{" not in worded.message("en") + worded.message("zh-hans")
