"""Pulling records from another database (an MES or ERP on PostgreSQL or MySQL/MariaDB) with SQLAlchemy Core.

    settings = SqlSettings("postgresql", "mes.local", 5432, "mes", "reader", secret,
                           query="SELECT id, line_code, work_date, output, updated_at FROM production_daily",
                           watermark_column="updated_at")
    test_connection(settings).message("zh-hans")      # '连接成功。查询返回的列：…' or why not
    first = pull(settings, after=None)                 # PullResult(records=[{...}, ...], columns, watermark, truncated)
    later = pull(settings, after=first.watermark)      # only rows whose updated_at is above the stored watermark

The administrator's query is wrapped, never edited: SELECT * FROM (<query>) AS q WHERE q.<watermark> > :after
ORDER BY q.<watermark> LIMIT max_rows + 1. It runs in a read-only transaction with a statement timeout, on an
engine without a pool that is disposed afterwards, so a scheduled run leaves no connection open on the source.
Failures raise ConnectorError (or come back in a ConnectionResult) with a code: cannot_connect, auth_failed,
unknown_database, bad_query, no_watermark_column, bad_watermark, read_only, timeout. The password is never in
a message or a param: the URL is built by SQLAlchemy (which masks it), and driver texts pass through `scrub`.

Rows with equal watermark values are never split between two pulls when a pull stops at max_rows: the tied
rows at the end are left for the next pull. Set max_rows above the largest such group: a group bigger than
max_rows cannot be left whole, so it is returned up to max_rows and the rest of it is past the watermark.

Values come back as the driver reads them: NUMERIC/DECIMAL as Decimal (exact), DATE as date, TIMESTAMP as
datetime; the mapping (ingestion.mapping) turns them into pushed rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from .messages import ConnectionResult, ConnectorError
from .sqlcheck import check_query, strip_query
from .sqlerrors import classify
from .watermark import Watermark

Dialect = Literal["postgresql", "mysql", "sqlite"]
# sqlite: a database file on this server (`database` is its path), e.g. the embedded demo's MES
DRIVERS: dict[str, str] = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "sqlite": "sqlite+pysqlite"}
# SQLAlchemy's text() reads ":name" as a bound parameter; a colon in the administrator's SQL is escaped as "\:"
# (which text() turns back into ":"), so '10:30' or :x inside their query is sent as written. "::" casts are
# left alone by text() already.
_BIND_LIKE = re.compile(r"(?<![:\w\\]):(?=\w)")


@dataclass(frozen=True)
class SqlSettings:
    dialect: Dialect
    host: str
    port: int
    database: str
    username: str
    password: str = field(repr=False)
    query: str = ""
    watermark_column: str | None = None
    timeout_seconds: int = 30
    max_rows: int = 100_000

    def __post_init__(self) -> None:
        if self.dialect not in DRIVERS:
            raise ValueError(f"dialect must be one of {tuple(DRIVERS)}, not {self.dialect!r}")
        if self.timeout_seconds < 1 or self.max_rows < 1:
            raise ValueError("timeout_seconds and max_rows must be at least 1")

    def url(self) -> URL:
        if self.dialect == "sqlite":
            return URL.create(DRIVERS["sqlite"], database=self.database)
        return URL.create(DRIVERS[self.dialect], username=self.username, password=self.password,
                          host=self.host, port=self.port, database=self.database)


@dataclass(frozen=True)
class PullResult:
    """Records as column → value dicts, in watermark order when there is a watermark column. `watermark` is the
    last watermark value read (the `after` given when nothing new came back). `truncated`: more rows were
    waiting; pull again from `watermark` for the rest."""

    records: list[dict[str, Any]]
    columns: list[str]
    watermark: Watermark | None
    truncated: bool


def _engine(settings: SqlSettings) -> Engine:
    if settings.dialect == "sqlite":
        return create_engine(settings.url(), poolclass=NullPool, connect_args={"timeout": settings.timeout_seconds})
    connect_args: dict[str, Any] = {"connect_timeout": settings.timeout_seconds}
    if settings.dialect == "mysql":
        # a network that goes silent mid-query: the server's statement time limit cannot end that
        connect_args["read_timeout"] = settings.timeout_seconds + 30
    return create_engine(settings.url(), poolclass=NullPool, connect_args=connect_args)


def _read_only(connection: Connection, settings: SqlSettings) -> None:
    """Open a read-only transaction with a statement time limit (the values are ints: formatted, not bound,
    as SET takes no parameters)."""
    seconds = int(settings.timeout_seconds)
    if settings.dialect == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")
        return
    if settings.dialect == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {seconds * 1000}")
        return
    if getattr(connection.dialect, "is_mariadb", False):
        connection.exec_driver_sql(f"SET SESSION max_statement_time = {seconds}")
    else:  # MySQL names it differently, in milliseconds, and applies it to SELECT only
        connection.exec_driver_sql(f"SET SESSION max_execution_time = {seconds * 1000}")
    connection.exec_driver_sql("START TRANSACTION READ ONLY")


def _wrapped(settings: SqlSettings, engine: Engine, *, after: Watermark | None, limit: int
             ) -> tuple[Any, dict[str, Any]]:
    inner = _BIND_LIKE.sub(r"\\:", strip_query(settings.query, dialect=settings.dialect))
    # on their own lines: a trailing "-- comment" in the query must not swallow the closing parenthesis
    sql = f"SELECT * FROM (\n{inner}\n) AS q"  # noqa: S608 — the administrator's SELECT (check_query); values bound
    params: dict[str, Any] = {"fm_limit": limit}
    if settings.watermark_column and limit:  # LIMIT 0 (a connection test) names only the query's columns
        column = "q." + engine.dialect.identifier_preparer.quote_identifier(settings.watermark_column)
        if after is not None:
            sql += f" WHERE {column} > :fm_after"
            params["fm_after"] = after.python()
        sql += f" ORDER BY {column}"
    return text(sql + " LIMIT :fm_limit"), params


def _refuse_bad_query(settings: SqlSettings) -> None:
    problems = check_query(settings.query, dialect=settings.dialect)
    if problems:
        raise ConnectorError(problems[0].code, problems[0].params)


def _run(settings: SqlSettings, *, after: Watermark | None, limit: int) -> tuple[list[str], Sequence[Any]]:
    engine = _engine(settings)
    connected = False
    try:
        with engine.connect() as connection:
            connected = True
            _read_only(connection, settings)
            connection.exec_driver_sql("SELECT 1")
            if not settings.query:
                return [], []
            statement, params = _wrapped(settings, engine, after=after, limit=limit)
            result = connection.execute(statement, params)
            columns, rows = list(result.keys()), result.fetchall()
            connection.rollback()  # nothing was written; end the transaction before the connection closes
            return columns, rows
    except (SQLAlchemyError, OSError) as error:
        raise classify(error, settings, connected=connected) from error
    finally:
        engine.dispose()


def test_connection(settings: SqlSettings) -> ConnectionResult:
    """Connect and run SELECT 1; with a query, also run it with LIMIT 0 to check that the source accepts it and
    that the watermark column is among its columns. Never raises for a source's answer."""
    try:
        if settings.query:
            _refuse_bad_query(settings)
        columns, _ = _run(settings, after=None, limit=0)
    except ConnectorError as error:
        return ConnectionResult.failed(error)
    if settings.watermark_column and settings.query and settings.watermark_column not in columns:
        return ConnectionResult(False, "no_watermark_column", {"column": settings.watermark_column,
                                                               "columns": columns})
    return ConnectionResult(True, "ok", {"columns": columns})


def _watermark_of(rows: Sequence[Any], position: int, column: str) -> Watermark | None:
    """The watermark of the last row with a value (NULLs sort last on PostgreSQL, first on MySQL)."""
    for row in reversed(rows):
        value = row[position]
        if value is not None:
            try:
                return Watermark.of(value)
            except TypeError as error:
                raise ConnectorError("bad_watermark", {"column": column, "type": str(error)}) from None
    return None


def pull(settings: SqlSettings, *, after: Watermark | None = None) -> PullResult:
    """The rows of the query above `after` (all of them when None), at most max_rows, in watermark order.
    Raises ConnectorError."""
    if not settings.query:
        raise ConnectorError("empty_query")
    _refuse_bad_query(settings)
    column = settings.watermark_column
    try:
        columns, rows = _run(settings, after=after, limit=settings.max_rows + 1)
    except ConnectorError as error:
        if error.code == "bad_query" and column:  # perhaps only the watermark column is wrong: say so if it is
            found, _ = _run(settings, after=None, limit=0)
            if column not in found:
                raise ConnectorError("no_watermark_column", {"column": column, "columns": found}) from error
        raise
    position = columns.index(column) if column else -1  # the ORDER BY found it: it is there
    truncated = len(rows) > settings.max_rows
    if truncated:
        extra, rows = rows[settings.max_rows], rows[:settings.max_rows]
        if column:
            # the first row left out ties with the last kept: the next pull asks for values above the
            # watermark, so the tied rows kept now are dropped too and come whole with the next pull
            last = rows[-1][position]
            if extra[position] == last:
                keep = len(rows)
                while keep and rows[keep - 1][position] == last:
                    keep -= 1
                if keep:  # else every row ties: keep them all, the rest of the tie is past the watermark
                    rows = rows[:keep]
    watermark = _watermark_of(rows, position, column) if column else None
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    return PullResult(records, columns, watermark if watermark is not None else after, truncated)
