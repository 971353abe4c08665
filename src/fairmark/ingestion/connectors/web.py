"""GET a JSON page with urllib, for the REST connector: timeouts, size limit, same-origin redirects, errors as codes.

    body, charset = get("https://mes.example.com/api/output?page=1", {"Authorization": "Bearer …"},
                        timeout=30, page=1)           # or ConnectorError('http_status', {'status': 500, ...})
    with_params("https://h/api?x=1", {"page": "2"})   # 'https://h/api?x=1&page=2'

urllib rather than a client library because a GET with headers is all that is needed, and no dependency is
added for it. Two of its defaults are changed: redirects to another origin are refused (urllib would forward the
Authorization header to whatever host a redirect names), and only http and https are opened (its default
handlers also open file:// and ftp://)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .messages import ConnectorError, scrub

MAX_PAGE_BYTES = 64 * 1024 * 1024
USER_AGENT = "Fairmark-connector/1"
_MAX_DETAIL = 300


def is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def is_header(name: str, value: str) -> bool:
    return bool(name) and not any(c in name for c in "\r\n:") and "\r" not in value and "\n" not in value


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def with_params(url: str, params: Mapping[str, str]) -> str:
    """`url` with `params` set in its query (replacing any of the same name, keeping the others)."""
    if not params:
        return url
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    def __init__(self, start: str) -> None:
        self.origin = origin(start)

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: http.client.HTTPMessage, newurl: str) -> urllib.request.Request | None:
        target = urljoin(req.full_url, newurl)
        if origin(target) != self.origin:
            fp.close()
            raise ConnectorError("other_host", {"host": urlsplit(target).hostname or ""})
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(url: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor(), _SameOrigin(url),
                    urllib.request.UnknownHandler()):  # any other scheme: URLError, never a file or FTP read
        opener.add_handler(handler)
    return opener


def get(url: str, headers: Mapping[str, str], *, timeout: int, page: int) -> tuple[bytes, str | None]:
    """The body and declared charset of a 2xx answer to GET `url`; ConnectorError for anything else.
    `timeout` bounds each wait on the network, not the whole transfer."""
    secrets = list(headers.values())
    host = urlsplit(url).netloc.rpartition("@")[2]  # never the user:password@ part of an address
    # S310: the opener has http and https handlers only, and RestSettings.check refuses other schemes
    request = urllib.request.Request(url, headers={  # noqa: S310
        "Accept": "application/json", "User-Agent": USER_AGENT, **headers})
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            body: bytes = response.read(MAX_PAGE_BYTES + 1)
            charset = response.headers.get_content_charset()
    except urllib.error.HTTPError as error:
        error.close()
        if error.code in (401, 403):
            raise ConnectorError("auth_failed", {"status": error.code, "page": page}) from None
        raise ConnectorError("http_status", {"status": error.code, "page": page,
                                             "reason": scrub(str(error.reason), secrets)[:_MAX_DETAIL]}) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise ConnectorError("timeout", {"seconds": timeout, "page": page}) from None
        raise ConnectorError("cannot_connect", {"host": host, "detail": _detail(error.reason, secrets)}) from None
    except TimeoutError:
        raise ConnectorError("timeout", {"seconds": timeout, "page": page}) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise ConnectorError("cannot_connect", {"host": host, "detail": _detail(error, secrets)}) from None
    if len(body) > MAX_PAGE_BYTES:
        raise ConnectorError("too_large", {"page": page, "max_bytes": MAX_PAGE_BYTES})
    return body, charset


def _detail(reason: Any, secrets: list[str]) -> str:
    return scrub(str(reason) or type(reason).__name__, secrets)[:_MAX_DETAIL]
