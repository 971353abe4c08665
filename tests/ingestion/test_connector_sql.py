"""fairmark.ingestion.connectors.sql against a real PostgreSQL and a real MariaDB, each seeded as a small MES.

Each xdist worker creates its own database (fm_conn_<worker>) on each server for this module and drops it at
the end; every test starts from a freshly seeded production_daily table. No Django database is used."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import NullPool

from fairmark.ingestion.connectors import ConnectorError, ConnectorProblem, Watermark, check_query, sql
from fairmark.ingestion.connectors.sqlcheck import strip_query

DIALECTS = ("postgresql", "mysql")
SERVERS: dict[str, dict[str, Any]] = {
    "postgresql": {"port": 5432, "username": "postgres", "maintenance": "postgres"},
    "mysql": {"port": 3306, "username": "root", "maintenance": None},
}
SECRET = "Zq9-not-the-password-7Kx"
QUERY = ("SELECT id, line_code, shift, work_date, output, good_units, run_hours, downtime_minutes, defects, updated_at "
         "FROM production_daily")
LINES, SHIFTS = ("L1", "L2", "L3"), ("A", "B")
DAYS = (date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3))
# MariaDB's TIMESTAMP converts through the session time zone and stops in 2038: DATETIME is its plain timestamp
DDL = """CREATE TABLE production_daily (
    id INTEGER PRIMARY KEY, line_code VARCHAR(20) NOT NULL, shift CHAR(1) NOT NULL, work_date DATE NOT NULL,
    output INTEGER NOT NULL, good_units INTEGER NOT NULL, run_hours DECIMAL(6,2) NOT NULL,
    downtime_minutes INTEGER NOT NULL, defects INTEGER NOT NULL, updated_at {timestamp} NOT NULL)"""
INSERT = text("INSERT INTO production_daily VALUES (:id, :line_code, :shift, :work_date, :output, :good_units, "
              ":run_hours, :downtime_minutes, :defects, :updated_at)")


def seed_rows() -> list[dict[str, Any]]:
    """3 days × 3 lines × 2 shifts; every row of a day is stamped at 06:00 the next morning (ties of 6)."""
    rows: list[dict[str, Any]] = []
    for day_index, day in enumerate(DAYS):
        stamp = datetime.combine(day + timedelta(days=1), datetime.min.time()).replace(hour=6)
        for line_index, line in enumerate(LINES):
            for shift_index, shift in enumerate(SHIFTS):
                number = len(rows) + 1
                rows.append({"id": number, "line_code": line, "shift": shift, "work_date": day,
                             "output": 1000 + 10 * number, "good_units": 990 + 10 * number,
                             "run_hours": Decimal(f"7.{(day_index + line_index + shift_index) % 10}5"),
                             "downtime_minutes": 5 * shift_index, "defects": number % 4, "updated_at": stamp})
    return rows


@dataclass
class Server:
    dialect: str
    database: str
    admin: Engine  # connected to the test database, autocommit

    def settings(self, **changes: Any) -> sql.SqlSettings:
        server = SERVERS[self.dialect]
        base = sql.SqlSettings(self.dialect, "127.0.0.1", server["port"], self.database,  # type: ignore[arg-type]
                               server["username"], "", query=QUERY, watermark_column="updated_at",
                               timeout_seconds=10)
        return replace(base, **changes)

    def run(self, statement: str) -> list[Any]:
        with self.admin.connect() as connection:
            result = connection.execute(text(statement))
            return list(result) if result.returns_rows else []

    def insert(self, rows: list[dict[str, Any]]) -> None:
        with self.admin.connect() as connection:
            connection.execute(INSERT, rows)


def run_suffix() -> str:
    """Worker and run: two suites at once on one server (a local run beside CI) must not share a database."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:8]
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{run}".lower()


def _admin_engine(dialect: str, database: str | None) -> Engine:
    server = SERVERS[dialect]
    url = URL.create(sql.DRIVERS[dialect], username=server["username"], host="127.0.0.1", port=server["port"],
                     database=database)
    return create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="module", params=DIALECTS)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    dialect = request.param
    database = f"fm_conn_{run_suffix()}"
    maintenance = _admin_engine(dialect, SERVERS[dialect]["maintenance"])
    force = " WITH (FORCE)" if dialect == "postgresql" else ""
    with maintenance.connect() as connection:  # a database left by an interrupted run goes first
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database}{force}")
        connection.exec_driver_sql(f"CREATE DATABASE {database}")
    admin = _admin_engine(dialect, database)
    try:
        yield Server(dialect, database, admin)
    finally:
        admin.dispose()
        with maintenance.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database}{force}")
        maintenance.dispose()


@pytest.fixture
def mes(server: Server) -> Server:
    server.run("DROP TABLE IF EXISTS production_daily")
    server.run(DDL.format(timestamp="TIMESTAMP" if server.dialect == "postgresql" else "DATETIME"))
    server.insert(seed_rows())
    return server


def ids(records: list[dict[str, Any]]) -> list[int]:
    return [record["id"] for record in records]


# ------------------------------------------------------------------------------------------------ pulling

def test_first_pull_returns_every_row_with_exact_values(mes: Server) -> None:
    result = sql.pull(mes.settings(), after=None)
    assert sorted(ids(result.records)) == list(range(1, 19))
    assert result.columns == ["id", "line_code", "shift", "work_date", "output", "good_units", "run_hours",
                              "downtime_minutes", "defects", "updated_at"]
    first = next(record for record in result.records if record["id"] == 1)
    assert first["run_hours"] == Decimal("7.05")
    assert type(first["run_hours"]) is Decimal
    assert str(first["run_hours"]) == "7.05"  # the column's scale, as stored: never a float
    assert first["work_date"] == date(2026, 11, 1)
    assert first["line_code"] == "L1"
    stamps = [record["updated_at"] for record in result.records]
    assert stamps == sorted(stamps)  # watermark order
    assert result.watermark == Watermark("datetime", "2026-11-04T06:00:00")
    assert result.truncated is False


def test_second_pull_with_the_stored_watermark_returns_only_new_rows(mes: Server) -> None:
    first = sql.pull(mes.settings(), after=None)
    assert first.watermark is not None
    stored = json.loads(json.dumps(first.watermark.to_json()))  # as the source row keeps it
    later = datetime(2026, 11, 4, 6, 0, 1)  # one second after the watermark
    mes.insert([{**row, "id": 100 + row["id"], "work_date": date(2026, 11, 4), "updated_at": later}
                for row in seed_rows()[:2]])
    second = sql.pull(mes.settings(), after=Watermark.from_json(stored))
    assert sorted(ids(second.records)) == [101, 102]
    assert second.watermark == Watermark("datetime", "2026-11-04T06:00:01")
    third = sql.pull(mes.settings(), after=second.watermark)
    assert third.records == []
    assert third.watermark == second.watermark


def test_truncation_never_cuts_a_group_of_equal_watermarks(mes: Server) -> None:
    settings = mes.settings(max_rows=8)  # 6 rows per stamp: the 8th row is inside the second group
    pulls, after = [], None
    while True:
        result = sql.pull(settings, after=after)
        pulls.append(result)
        after = result.watermark
        if not result.truncated:
            break
    assert [len(result.records) for result in pulls] == [6, 6, 6]
    assert [result.truncated for result in pulls] == [True, True, False]
    assert sorted(id_ for result in pulls for id_ in ids(result.records)) == list(range(1, 19))
    assert [result.watermark.value for result in pulls if result.watermark] == [
        "2026-11-02T06:00:00", "2026-11-03T06:00:00", "2026-11-04T06:00:00"]


def test_truncation_at_the_end_of_a_group_keeps_every_row(mes: Server) -> None:
    result = sql.pull(mes.settings(max_rows=6))  # the 7th row starts the next group: nothing to drop
    assert len(result.records) == 6
    assert result.truncated
    assert result.watermark == Watermark("datetime", "2026-11-02T06:00:00")


def test_truncation_inside_the_only_group_keeps_the_rows_read(mes: Server) -> None:
    result = sql.pull(mes.settings(max_rows=4))  # all 4 tie with the 5th: dropping them would return nothing
    assert len(result.records) == 4
    assert result.truncated
    assert result.watermark == Watermark("datetime", "2026-11-02T06:00:00")


def test_pull_without_a_watermark_column_reads_everything_each_time(mes: Server) -> None:
    settings = mes.settings(watermark_column=None, max_rows=20)
    first, second = sql.pull(settings), sql.pull(settings)
    assert len(first.records) == len(second.records) == 18
    assert first.watermark is None
    assert not first.truncated


def test_colons_and_percent_signs_in_the_query_are_sent_as_written(mes: Server) -> None:
    query = QUERY + " WHERE line_code LIKE 'L%' AND shift <> ':shift' AND '10:30' <> '' AND id < 4;"
    result = sql.pull(mes.settings(query=query))
    assert sorted(ids(result.records)) == [1, 2, 3]


def test_the_watermark_column_is_quoted(mes: Server) -> None:
    query = "SELECT id, updated_at AS \"Updated At\" FROM production_daily"
    if mes.dialect == "mysql":
        query = query.replace('"', "`")
    result = sql.pull(mes.settings(query=query, watermark_column="Updated At"))
    assert len(result.records) == 18
    assert result.watermark == Watermark("datetime", "2026-11-04T06:00:00")
    again = sql.pull(mes.settings(query=query, watermark_column="Updated At"), after=result.watermark)
    assert again.records == []


def test_a_pull_leaves_no_connection_open(mes: Server) -> None:
    sql.pull(mes.settings())
    sql.test_connection(mes.settings())
    if mes.dialect == "postgresql":
        query = (f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{mes.database}' "
                 "AND pid <> pg_backend_pid()")
    else:
        query = (f"SELECT count(*) FROM information_schema.processlist WHERE db = '{mes.database}' "
                 "AND id <> connection_id()")
    deadline = time.monotonic() + 3  # a closed session leaves the server's list a moment after the client
    while (count := mes.run(query)[0][0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert count == 0


# ----------------------------------------------------------------------------------------- connection tests

def test_connection_ok_lists_the_columns(mes: Server) -> None:
    result = sql.test_connection(mes.settings())
    assert result.ok
    assert result.code == "ok"
    assert "updated_at" in result.params["columns"]
    assert len(result.params["columns"]) == 10
    assert result.message("en").startswith("Connected. The query returns the columns")
    assert result.message("zh-hans").startswith("连接成功。查询返回的列")


def test_connection_without_a_query_only_connects(mes: Server) -> None:
    result = sql.test_connection(mes.settings(query="", watermark_column=None))
    assert result.ok
    assert result.message("en") == "Connected."


def _assert_secret_hidden(result_or_error: Any, settings: sql.SqlSettings) -> None:
    texts = [result_or_error.message("en"), result_or_error.message("zh-hans"), repr(result_or_error.params),
             repr(settings), str(result_or_error)]
    assert all(SECRET not in shown for shown in texts), texts


def test_wrong_credentials_are_auth_failed_and_the_password_is_never_shown(mes: Server) -> None:
    # PostgreSQL here trusts local users (no password is checked), so an unknown role stands for a bad login
    user = "fm_nobody" if mes.dialect == "postgresql" else "root"
    settings = mes.settings(username=user, password=SECRET)
    result = sql.test_connection(settings)
    assert (result.ok, result.code) == (False, "auth_failed")
    assert result.message("en") == "The database refused the user name or password."
    assert result.message("zh-hans") == "数据库拒绝了该用户名或密码。"
    _assert_secret_hidden(result, settings)
    with pytest.raises(ConnectorError) as raised:
        sql.pull(settings)
    assert raised.value.code == "auth_failed"
    _assert_secret_hidden(raised.value, settings)


def test_unknown_database(mes: Server) -> None:
    result = sql.test_connection(mes.settings(database="fm_conn_does_not_exist"))
    assert (result.ok, result.code) == (False, "unknown_database")
    assert result.params == {"database": "fm_conn_does_not_exist"}
    assert result.message("zh-hans") == "服务器上不存在数据库 fm_conn_does_not_exist。"


def test_nothing_listening(mes: Server) -> None:
    result = sql.test_connection(mes.settings(port=1, password=SECRET))
    assert (result.ok, result.code) == (False, "cannot_connect")
    assert result.params["host"] == "127.0.0.1:1"
    assert "refused" in result.params["detail"].lower()
    assert SECRET not in result.message("en")


def test_bad_query_reports_the_servers_reason(mes: Server) -> None:
    result = sql.test_connection(mes.settings(query="SELECT no_such_column FROM production_daily"))
    assert (result.ok, result.code) == (False, "bad_query")
    assert "no_such_column" in result.params["detail"]
    assert result.message("zh-hans").startswith("数据库拒绝执行该查询")


def test_missing_watermark_column(mes: Server) -> None:
    result = sql.test_connection(mes.settings(query="SELECT id, line_code FROM production_daily"))
    assert (result.ok, result.code) == (False, "no_watermark_column")
    assert result.params == {"column": "updated_at", "columns": ["id", "line_code"]}
    assert "“id”, “line_code”" in result.message("en")
    with pytest.raises(ConnectorError) as raised:
        sql.pull(mes.settings(query="SELECT id, line_code FROM production_daily"))
    assert raised.value.code == "no_watermark_column"
    assert raised.value.params == {"column": "updated_at", "columns": ["id", "line_code"]}


def test_statement_timeout(mes: Server) -> None:
    sleep = "pg_sleep(3)" if mes.dialect == "postgresql" else "SLEEP(3)"
    settings = mes.settings(query=f"SELECT {sleep} AS slept, updated_at FROM production_daily WHERE id = 1",
                            timeout_seconds=1)
    started = datetime.now(UTC)
    with pytest.raises(ConnectorError) as raised:
        sql.pull(settings)
    assert raised.value.code == "timeout"
    assert raised.value.params == {"seconds": 1}
    assert datetime.now(UTC) - started < timedelta(seconds=2.5)


# ----------------------------------------------------------------------------------------------- read only

def test_a_query_that_writes_is_refused_before_it_is_sent(mes: Server) -> None:
    query = "WITH gone AS (DELETE FROM production_daily RETURNING *) SELECT * FROM gone"
    result = sql.test_connection(mes.settings(query=query))
    assert (result.ok, result.code, result.params) == (False, "forbidden_keyword", {"keyword": "DELETE"})
    with pytest.raises(ConnectorError):
        sql.pull(mes.settings(query=query))
    assert mes.run("SELECT count(*) FROM production_daily")[0][0] == 18


def test_the_transaction_is_read_only_even_past_the_check(mes: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql, "check_query", lambda query, dialect=None: [])  # as if the check missed it
    mes.run("CREATE SEQUENCE fm_seq")
    nextval = "nextval('fm_seq')" if mes.dialect == "postgresql" else "NEXTVAL(fm_seq)"
    with pytest.raises(ConnectorError) as raised:  # reading a sequence advances it: a write
        sql.pull(mes.settings(query=f"SELECT {nextval} AS n, updated_at FROM production_daily"))
    assert raised.value.code == "read_only"
    assert raised.value.message("en") == "The query tried to change data; connectors only read."
    assert mes.run(f"SELECT {nextval}")[0][0] == 1  # the sequence did not move
    if mes.dialect == "postgresql":  # wrapped as a subquery, a writing CTE is refused by the server as well
        with pytest.raises(ConnectorError) as raised:
            sql.pull(mes.settings(query="WITH gone AS (DELETE FROM production_daily RETURNING *) "
                                        "SELECT * FROM gone"))
        assert raised.value.code == "bad_query"
    assert mes.run("SELECT count(*) FROM production_daily")[0][0] == 18


# -------------------------------------------------------------------------------- check_query (no server)

@pytest.mark.parametrize(("query", "code"), [
    ("", "empty_query"),
    ("DELETE FROM production_daily", "not_a_select"),
    ("UPDATE production_daily SET output = 0", "not_a_select"),
    ("DROP TABLE production_daily", "not_a_select"),
    ("SELECT 1; DROP TABLE production_daily", "several_statements"),
    ("SELECT 1;;", "several_statements"),
    ("WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x", "forbidden_keyword"),
    ("SELECT * INTO copy FROM production_daily", "forbidden_keyword"),
    ("SELECT * FROM production_daily FOR UPDATE", "forbidden_keyword"),
    ("SELECT 'unclosed FROM production_daily", "unterminated"),
    ("SELECT 1 /* never closed", "unterminated"),
    ("EXPLAIN SELECT 1", "not_a_select"),
])
def test_check_query_refuses(query: str, code: str) -> None:
    problems = check_query(query)
    assert code in [problem.code for problem in problems]
    for problem in problems:
        assert problem.message("en") != problem.code
        assert problem.message("zh-hans") != problem.message("en")


def test_a_statement_that_is_not_a_select_is_named_once() -> None:
    assert check_query("DELETE FROM production_daily") == [ConnectorProblem("not_a_select", {"keyword": "DELETE"})]
    assert check_query("DELETE FROM t")[0].message("en") == (
        "The query starts with DELETE: only a read query (SELECT or WITH … SELECT) is allowed.")


@pytest.mark.parametrize("query", [
    QUERY,
    QUERY + ";\n-- the end",
    "with daily as (select line_code, sum(output) as output from production_daily group by line_code) select * from daily",
    "SELECT 'DELETE; DROP' AS note, \"update\" FROM t -- DROP TABLE t",
    "SELECT $tag$; DELETE $tag$ AS note",
    "(SELECT 1)",
    "SELECT E'it\\'s; DELETE' AS note",
    "SELECT x::date, '10:30' FROM t /* ; UPDATE */",
])
def test_check_query_accepts_read_queries(query: str) -> None:
    assert check_query(query) == []


def test_check_query_reads_mysql_quoting() -> None:
    assert check_query("SELECT 'it\\'s; DELETE' AS note, `delete` FROM t", dialect="mysql") == []
    assert check_query("SELECT 1 # ; DELETE\n", dialect="mysql") == []
    assert [p.code for p in check_query("SELECT 1--1; DELETE FROM t", dialect="mysql")] == [
        "several_statements", "forbidden_keyword"]  # without a space after it, -- is not a comment in MySQL
    assert [p.params for p in check_query("SELECT 1 /*!50000 , 2 */", dialect="mysql")] == [{"keyword": "/*!"}]


def test_strip_query_drops_the_final_semicolon_only() -> None:
    assert strip_query("  SELECT ';' AS x ;  -- done\n") == "SELECT ';' AS x"
    assert strip_query("SELECT 1") == "SELECT 1"


# ------------------------------------------------------------------------------------- watermarks (pure)

CST = timezone(timedelta(hours=8))


@pytest.mark.parametrize("value", [
    datetime(2026, 11, 3, 8, 30, 0, 123456, tzinfo=CST), datetime(2026, 11, 3, 8, 30), date(2026, 11, 3),
    10**20, Decimal("1.500"), Decimal("1E+3"), "2026-11-03 08:30 批次",
])
def test_watermarks_survive_json_exactly(value: object) -> None:
    mark = Watermark.of(value)
    back = Watermark.from_json(json.loads(json.dumps(mark.to_json())))
    assert back == mark
    assert back.python() == value
    assert type(back.python()) is type(value)
    if isinstance(value, datetime):
        assert back.python().utcoffset() == value.utcoffset()  # type: ignore[union-attr]
    if isinstance(value, Decimal):
        assert str(back.python()) == str(value)


@pytest.mark.parametrize("data", [{"type": "float", "value": "1.5"}, {"type": "date", "value": "2026-13-01"},
                                  {"type": "int", "value": 5}, {"value": "1"}, "2026-11-03",
                                  {"type": "decimal", "value": "NaN"}])
def test_bad_stored_watermarks_are_refused(data: Any) -> None:
    with pytest.raises(ValueError, match="watermark"):
        Watermark.from_json(data)


@pytest.mark.parametrize("value", [1.5, True, b"x", None])
def test_values_that_cannot_order_rows_are_no_watermark(value: object) -> None:
    with pytest.raises(TypeError):
        Watermark.of(value)
