"""Pulling records from a REST service that answers JSON, page by page. Standard library only (urllib).

    settings = RestSettings("https://mes.example.com/api/output", headers={"Authorization": f"Bearer {token}"},
                            records_path="data.items", paging="page",
                            fields={"line": "line.code", "day": "date", "output": "metrics.output"},
                            watermark_param="updated_after", watermark_field="updated_at")
    first = pull(settings, after=None)          # PullResult(records=[{'line': 'L1', ...}], columns, watermark, pages)
    later = pull(settings, after=first.watermark)   # asks ...?updated_after=<watermark>&page=1&page_size=500

Paging: "none" (one request); "page" (page_param = 1, 2, ... and size_param = page_size); "offset" (page_param
holds the offset 0, page_size, ...: name it "offset" and size_param "limit"); "next_link" (follow the link at
next_path, relative or absolute, on the same host). Pages are read until one is empty, holds fewer than
page_size records, has no next link, or max_pages is reached (then `truncated`). JSON numbers with a fraction
are decoded as Decimal from their text, so 96.50 stays Decimal('96.50'); no float is ever made.

Credentials are only sent to the configured origin: a redirect or a next link to another host is refused, and
only http(s) addresses are opened. Failures raise ConnectorError with a code (http_status, auth_failed,
cannot_connect, timeout, not_json, records_missing, records_not_a_list, record_not_an_object, ...). No header
value (a token) is ever put in a param; texts from the network pass through `scrub` as well."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from . import web
from .jsonpath import MISSING, is_valid, parse_path, read
from .messages import ConnectionResult, ConnectorError, ConnectorProblem, json_type, scrub
from .watermark import latest

Paging = Literal["none", "page", "offset", "next_link"]
PAGINGS: tuple[str, ...] = ("none", "page", "offset", "next_link")


@dataclass(frozen=True)
class RestSettings:
    url: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)  # holds tokens: never printed
    records_path: str = ""  # "" or "$": the answer itself is the list
    paging: Paging = "none"
    page_param: str = "page"
    size_param: str = "page_size"  # "" when the service has a fixed page size (set page_size to it)
    page_size: int = 500
    next_path: str = "links.next"
    fields: dict[str, str] = field(default_factory=dict)  # output column → path in a record; {} = top-level keys
    max_pages: int = 1000
    timeout_seconds: int = 30
    watermark_param: str | None = None
    watermark_field: str | None = None
    first_page: int = 1  # for "page": some services count from 0

    def check(self) -> list[ConnectorProblem]:
        """What is wrong with the settings themselves, before anything is sent."""
        problems: list[ConnectorProblem] = []
        if not web.is_web_address(self.url):
            problems.append(ConnectorProblem("bad_url"))
        if self.paging not in PAGINGS:
            problems.append(ConnectorProblem("bad_setting", {"setting": "paging", "value": str(self.paging)}))
        if self.paging in ("page", "offset") and not self.page_param:
            problems.append(ConnectorProblem("bad_setting", {"setting": "page_param", "value": ""}))
        for name in ("page_size", "max_pages", "timeout_seconds"):
            if getattr(self, name) < 1:
                problems.append(ConnectorProblem("bad_setting", {"setting": name, "value": str(getattr(self, name))}))
        for name, value in self.headers.items():
            if not web.is_header(name, value):  # CR/LF would smuggle headers in; the value is never echoed
                problems.append(ConnectorProblem("bad_setting", {"setting": "headers", "value": name[:100]}))
        paths = {"records_path": self.records_path, "watermark_field": self.watermark_field or "",
                 **({"next_path": self.next_path} if self.paging == "next_link" else {}),
                 **{f"fields.{column}": path for column, path in self.fields.items()}}
        problems += [ConnectorProblem("bad_path", {"setting": setting, "path": path})
                     for setting, path in paths.items() if not is_valid(path)]
        return problems

    def secrets(self) -> list[str]:
        return list(self.headers.values())


@dataclass(frozen=True)
class PullResult:
    """Records (output column → value), their columns, the latest watermark_field value seen (as text; the
    `after` given when none), how many pages were read, and whether max_pages stopped the reading early."""

    records: list[dict[str, Any]]
    columns: list[str]
    watermark: str | None
    pages: int
    truncated: bool = False


def _paged_url(settings: RestSettings, page: int, after: str | None) -> str:
    params: dict[str, str] = {}
    if after is not None and settings.watermark_param:
        params[settings.watermark_param] = after
    if settings.paging == "page":
        params[settings.page_param] = str(settings.first_page + page - 1)
    elif settings.paging == "offset":
        params[settings.page_param] = str((page - 1) * settings.page_size)
    if settings.paging != "none" and settings.size_param:
        params[settings.size_param] = str(settings.page_size)
    return web.with_params(settings.url, params)


def _decode(body: bytes, charset: str | None, page: int, settings: RestSettings) -> Any:
    try:
        text: str | bytes = body.decode(charset) if charset else body.removeprefix(b"\xef\xbb\xbf")
        return json.loads(text, parse_float=Decimal, parse_constant=Decimal)
    except json.JSONDecodeError as error:
        detail = f"{error.msg} at line {error.lineno} column {error.colno}"
    except (UnicodeError, LookupError) as error:
        detail = f"cannot decode the text ({type(error).__name__})"
    except RecursionError:
        detail = "nested too deeply"
    raise ConnectorError("not_json", {"page": page, "detail": scrub(detail, settings.secrets())})


def _records(document: Any, settings: RestSettings, page: int) -> list[Any]:
    found = read(document, settings.records_path)
    shown = settings.records_path or "$"
    if found is MISSING:
        raise ConnectorError("records_missing", {"path": shown, "page": page})
    if found is None:  # "items": null on an empty last page
        return []
    if not isinstance(found, list):
        raise ConnectorError("records_not_a_list", {"path": shown, "got": json_type(found), "page": page})
    return found


def _next_url(document: Any, current: str, settings: RestSettings, page: int) -> str | None:
    link = read(document, settings.next_path)
    if link is MISSING or link is None or link == "":
        return None
    if not isinstance(link, str):
        raise ConnectorError("bad_next_link", {"path": settings.next_path, "got": json_type(link), "page": page})
    target = urljoin(current, link.strip())
    if web.origin(target) != web.origin(settings.url):
        raise ConnectorError("other_host", {"host": urlsplit(target).hostname or ""})
    return target


def _pull(settings: RestSettings, after: str | None, max_pages: int) -> PullResult:
    problems = settings.check()
    if problems:
        raise ConnectorError(problems[0].code, problems[0].params)
    fields = {column: parse_path(path) for column, path in settings.fields.items()}
    mark_path = parse_path(settings.watermark_field) if settings.watermark_field else None
    records: list[dict[str, Any]] = []
    columns: dict[str, None] = dict.fromkeys(fields)
    marks: list[Any] = []
    url, previous, seen = _paged_url(settings, 1, after), b"", set()
    page, truncated = 0, False
    while True:
        page += 1
        seen.add(url)
        body, charset = web.get(url, settings.headers, timeout=settings.timeout_seconds, page=page)
        if page > 1 and body == previous:
            raise ConnectorError("page_repeated", {"page": page})
        document = _decode(body, charset, page, settings)
        items = _records(document, settings, page)
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise ConnectorError("record_not_an_object", {"page": page, "index": index, "got": json_type(item)})
            if fields:
                records.append({column: None if (value := read(item, path)) is MISSING else value
                                for column, path in fields.items()})
            else:
                records.append(dict(item))
                columns.update(dict.fromkeys(item))
            if mark_path is not None and (mark := read(item, mark_path)) is not MISSING and mark is not None:
                marks.append(mark)
        if settings.paging == "next_link":
            following = _next_url(document, url, settings, page)
            if following in seen:
                raise ConnectorError("page_repeated", {"page": page + 1})
        elif settings.paging in ("page", "offset") and len(items) >= settings.page_size:
            following = _paged_url(settings, page + 1, after)
        else:
            following = None
        if following is None or not items:
            break
        if page >= max_pages:
            truncated = True
            break
        url, previous = following, body
    watermark = latest(marks)
    return PullResult(records, list(columns), watermark if watermark is not None else after, page, truncated)


def pull(settings: RestSettings, *, after: str | None = None) -> PullResult:
    """All pages' records (up to max_pages), asking for those after `after` when watermark_param is set.
    Raises ConnectorError."""
    return _pull(settings, after, settings.max_pages)


def test_connection(settings: RestSettings) -> ConnectionResult:
    """Fetch the first page only; ok with how many records it held and their columns. Never raises for what
    the service answers."""
    try:
        result = _pull(settings, None, 1)
    except ConnectorError as error:
        return ConnectionResult.failed(error)
    return ConnectionResult(True, "ok", {"records": len(result.records), "columns": result.columns})
