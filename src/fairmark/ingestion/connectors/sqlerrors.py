"""Why a SQL source failed, as a connector code: the driver's error numbers and states, read for the user.

    classify(error, settings)    # ConnectorError('auth_failed', {'username': 'reader'}) and so on

PostgreSQL query errors carry a SQLSTATE; its connection errors (psycopg raises them before any session exists)
carry only the server's text, so those are recognised by the server's own wording. MySQL and MariaDB give an
error number (PyMySQL's args[0]) for both. Anything unrecognised while connecting is cannot_connect, while
querying bad_query, with the driver's first line as `detail`, scrubbed of the password."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError

from .messages import ConnectorError, scrub

if TYPE_CHECKING:
    from .sql import SqlSettings

MAX_DETAIL = 300

# PostgreSQL: SQLSTATE (or its class, the first two characters) → code
_PG_STATES: dict[str, str] = {"28": "auth_failed", "3D000": "unknown_database", "57014": "timeout",
                              "25006": "read_only", "08": "cannot_connect"}
# PostgreSQL connection failures, by the server's wording (English server messages)
_PG_TEXTS: tuple[tuple[str, str], ...] = (
    ("password authentication failed", "auth_failed"), ("no pg_hba.conf entry", "auth_failed"),
    ("role \"", "auth_failed"), ("database \"", "unknown_database"), ("timeout expired", "timeout"),
)
# MySQL / MariaDB error numbers → code
_MYSQL_ERRORS: dict[int, str] = {
    1044: "auth_failed", 1045: "auth_failed", 1130: "auth_failed", 1698: "auth_failed", 1251: "auth_failed",
    1049: "unknown_database",
    1969: "timeout", 3024: "timeout",  # MariaDB max_statement_time, MySQL max_execution_time
    1792: "read_only", 1290: "read_only",
    2003: "cannot_connect", 2005: "cannot_connect", 2006: "cannot_connect", 2013: "cannot_connect",
}


def _detail(text: str, settings: SqlSettings) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = first.removeprefix("connection failed: ").strip()
    return scrub(first, [settings.password])[:MAX_DETAIL]


def _code(error: BaseException, settings: SqlSettings) -> tuple[str | None, str]:
    """(code or None when unrecognised, the driver's text)."""
    original: Any = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(original, TimeoutError):
        return "timeout", str(original)
    if settings.dialect == "postgresql":
        message = str(original)
        state = getattr(original, "sqlstate", None)
        if state:
            return _PG_STATES.get(state) or _PG_STATES.get(state[:2]) or "bad_query", message
        lowered = message.splitlines()[0].lower() if message else ""
        for needle, code in _PG_TEXTS:
            if needle in lowered and (needle not in ('role "', 'database "') or "does not exist" in lowered):
                return code, message
        return None, message
    args: tuple[Any, ...] = getattr(original, "args", ())
    number = args[0] if args and isinstance(args[0], int) else None
    message = str(args[1]) if len(args) > 1 else str(original)
    if number in (2003, 2013) and "timed out" in message.lower():
        return "timeout", message
    if number is not None:
        return _MYSQL_ERRORS.get(number, "bad_query" if number < 2000 else None), message
    return None, message


def classify(error: BaseException, settings: SqlSettings, *, connected: bool = False) -> ConnectorError:
    """The ConnectorError for a failure of SQLAlchemy or the driver. `connected`: the session existed, so an
    unrecognised error is the query's (bad_query), not the connection's."""
    code, text = _code(error, settings)
    detail = _detail(text, settings)
    if code is None:
        code = "bad_query" if connected else "cannot_connect"
    params: dict[str, Any]
    if code == "cannot_connect":
        params = {"host": f"{settings.host}:{settings.port}", "detail": detail}
    elif code == "auth_failed":
        params = {"username": settings.username}
    elif code == "unknown_database":
        params = {"database": settings.database}
    elif code == "timeout":
        params = {"seconds": settings.timeout_seconds}
    else:
        params = {"detail": detail}
    return ConnectorError(code, params)
