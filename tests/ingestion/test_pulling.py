"""Pulling SQL sources into Fairmark end to end, against a real PostgreSQL and a real MariaDB seeded as a small
MES (issue 4: "Connector tests against the real PostgreSQL and MariaDB pass; a second run pulls only new
rows"), plus run history, failures, conflicts from a changed MES row and the scheduled task."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fairmark.core.access import SYSTEM
from fairmark.ingestion.models import Conflict, MetricValue, Run, Source, SourceKind, ValueType
from fairmark.ingestion.services.metrics import metric_create
from fairmark.ingestion.services.pulling import check_source_connection, pull_source
from fairmark.ingestion.services.sources import source_create, source_update
from fairmark.ingestion.tasks import pull_due_sources

from .support import build_mes
from .test_connector_sql import DDL, INSERT, QUERY, SERVERS, _admin_engine, run_suffix, seed_rows

pytestmark = pytest.mark.django_db
MAPPING = {"subject": "line_code", "period": "work_date", "row_key": "id", "constants": {"subject_type": "line"},
           "values": {"output": "output", "good_units": "good_units", "run_hours": "run_hours", "defects": "defects"}}


@pytest.fixture(scope="module", params=("postgresql", "mysql"))
def mes_database(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, Any]]:
    dialect = request.param
    database = f"fm_pull_{run_suffix()}"
    maintenance = _admin_engine(dialect, SERVERS[dialect]["maintenance"])
    force = " WITH (FORCE)" if dialect == "postgresql" else ""
    with maintenance.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database}{force}")
        connection.exec_driver_sql(f"CREATE DATABASE {database}")
    admin = _admin_engine(dialect, database)
    try:
        yield dialect, database, admin
    finally:
        admin.dispose()
        with maintenance.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database}{force}")
        maintenance.dispose()


@pytest.fixture
def mes_source(world, mes_database) -> Source:  # type: ignore[no-untyped-def]
    dialect, database, admin = mes_database
    with admin.connect() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS production_daily")
        connection.exec_driver_sql(DDL.format(timestamp="TIMESTAMP" if dialect == "postgresql" else "DATETIME"))
        connection.execute(INSERT, seed_rows())
    mes = build_mes(world)
    from fairmark.ingestion.models import Subject, SubjectType

    Subject.objects.create(type=SubjectType.LINE, code="L3", name_zh="电芯三线")
    extra = [metric_create(actor=SYSTEM, code=code, name_zh=code, value_type=kind, min_value=Decimal(0),
                           subject_types=["line"]) for code, kind in
             (("good_units", ValueType.INTEGER), ("run_hours", ValueType.DECIMAL), ("defects", ValueType.INTEGER))]
    server = SERVERS[dialect]
    return source_create(
        actor=SYSTEM, code="mes_sql", name="MES database", kind=SourceKind.SQL,
        metrics=[mes.metrics["output"], *extra], mapping=MAPPING, interval_minutes=60,
        settings={"dialect": dialect, "host": "127.0.0.1", "port": server["port"], "database": database,
                  "username": server["username"], "query": QUERY, "watermark_column": "updated_at",
                  "timeout_seconds": 10},
        secrets={"password": ""})


def _insert(admin: Any, rows: list[dict[str, Any]]) -> None:
    with admin.connect() as connection:
        connection.execute(INSERT, rows)


def test_a_second_pull_takes_only_the_new_rows(world, mes_source: Source, mes_database) -> None:  # type: ignore[no-untyped-def]
    first = pull_source(actor=SYSTEM, source=mes_source)
    assert (first.status, first.records, first.error_code) == ("succeeded", 18, "")
    assert first.batch is not None
    assert first.batch.accepted == 18 * 4
    assert first.batch.channel == "pull"
    run_hours = MetricValue.objects.get(metric__code="run_hours", row_key="1:run_hours")
    assert run_hours.value == Decimal("7.05")
    assert run_hours.period == "2026-11-01"
    row, record = run_hours.batch.raw_row(run_hours.row_index)
    assert record["line_code"] == "L1"
    assert record["id"] == 1
    assert row["metric"] == "run_hours"
    mes_source.refresh_from_db()
    assert mes_source.watermark == {"type": "datetime", "value": "2026-11-04T06:00:00"}
    assert mes_source.next_run_at is not None
    later = [{**r, "id": r["id"] + 100, "work_date": date(2026, 11, 4), "updated_at": datetime(2026, 11, 5, 6)}
             for r in seed_rows()[:6]]
    _insert(mes_database[2], later)
    second = pull_source(actor=SYSTEM, source=mes_source)
    assert (second.status, second.records) == ("succeeded", 6)
    assert second.batch is not None
    assert second.batch.accepted == 24
    assert second.batch.unchanged == 0
    assert MetricValue.objects.filter(source=mes_source).count() == 24 * 4
    third = pull_source(actor=SYSTEM, source=mes_source)  # nothing new: a run without a batch
    assert (third.status, third.records, third.batch) == ("succeeded", 0, None)
    assert list(Run.objects.filter(source=mes_source).values_list("records", flat=True)) == [0, 6, 18]


def test_a_row_changed_in_the_mes_comes_back_as_a_conflict(world, mes_source: Source, mes_database) -> None:  # type: ignore[no-untyped-def]
    pull_source(actor=SYSTEM, source=mes_source)
    with mes_database[2].connect() as connection:
        connection.exec_driver_sql("UPDATE production_daily SET output = 999, updated_at = '2026-11-06 08:00:00' "
                                   "WHERE id = 2")
    run = pull_source(actor=SYSTEM, source=mes_source)
    assert run.batch is not None
    assert (run.batch.conflicts, run.batch.unchanged, run.batch.accepted) == (1, 3, 0)
    conflict = Conflict.objects.get()
    assert conflict.row_key == "2:output"
    assert conflict.incoming_value == 999
    assert MetricValue.objects.get(row_key="2:output").value == seed_rows()[1]["output"]  # not applied


def test_a_failing_pull_is_recorded_with_its_reason_and_stores_nothing(world, mes_source: Source) -> None:  # type: ignore[no-untyped-def]
    source_update(actor=SYSTEM, source=mes_source, settings={**mes_source.settings, "database": "fm_no_such_db"})
    run = pull_source(actor=SYSTEM, source=Source.objects.get(pk=mes_source.pk))
    assert run.status == "failed"
    assert run.error_code == "unknown_database"
    assert run.batch is None
    assert MetricValue.objects.count() == 0
    assert not check_source_connection(source=Source.objects.get(pk=mes_source.pk)).ok


def test_the_connection_test_names_the_columns(world, mes_source: Source) -> None:  # type: ignore[no-untyped-def]
    result = check_source_connection(source=mes_source)
    assert result.ok
    assert "line_code" in result.params["columns"]
    assert Run.objects.count() == 0  # a test is not a run


def test_the_scheduled_task_pulls_due_sources_only(world, mes_source: Source) -> None:  # type: ignore[no-untyped-def]
    assert pull_due_sources() == 1  # never pulled: due
    assert pull_due_sources() == 0  # next run in an hour
    Source.objects.filter(pk=mes_source.pk).update(next_run_at=timezone.now() - timedelta(minutes=1))
    assert pull_due_sources() == 1
    assert list(Run.objects.values_list("trigger", flat=True)) == ["schedule", "schedule"]
