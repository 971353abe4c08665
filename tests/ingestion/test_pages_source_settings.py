"""Setting sources up from the pages: create a SQL source against a real PostgreSQL MES, test the connection,
pull now, edit without retyping the password, issue a push key that works once shown."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fairmark.ingestion.models import MetricValue, QuarantinedRow, Run, Source, Subject, SubjectType
from fairmark.ingestion.services.sources import source_secrets

from .support import build_mes, push, row
from .test_connector_sql import DDL, INSERT, QUERY, SERVERS, seed_rows
from .test_pulling import MAPPING
from .test_pulling import mes_database as mes_database  # the fixture: a real MES database

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _form(database: str, dialect: str, **extra: str) -> dict[str, str]:
    return {"code": "mes_db", "name": "MES database", "kind": "sql", "fresh_hours": "26", "interval_minutes": "60",
            "enabled": "on", "dialect": dialect, "host": "127.0.0.1", "port": str(SERVERS[dialect]["port"]),
            "database": database, "username": SERVERS[dialect]["username"], "password": "", "query": QUERY,
            "watermark_column": "updated_at", "timeout_seconds": "10", "max_rows": "1000",
            "mapping_json": json.dumps(MAPPING), **extra}


def _seed(mes_database) -> None:  # type: ignore[no-untyped-def]
    dialect, _database, admin = mes_database
    with admin.connect() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS production_daily")
        connection.exec_driver_sql(DDL.format(timestamp="TIMESTAMP" if dialect == "postgresql" else "DATETIME"))
        connection.execute(INSERT, seed_rows())


def test_hr_sets_up_a_sql_source_tests_it_and_pulls(world, client_as, mes_database) -> None:
    _seed(mes_database)
    dialect, database, _admin = mes_database
    mes = build_mes(world)
    Subject.objects.create(type=SubjectType.LINE, code="L3", name_zh="电芯三线")
    hr = client_as("hr")
    # PostgreSQL here trusts local users whatever the password; MariaDB's root has none
    password = "s3cret-pw" if dialect == "postgresql" else ""
    form = _form(database, dialect, metrics=str(mes.metrics["output"].pk), password=password)
    answer = hr.post("/data/new-source/", form, **EN)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    source = Source.objects.get(code="mes_db")
    assert source.settings["query"] == QUERY
    assert source_secrets(source) == ({"password": password} if password else {})
    assert "s3cret-pw" not in hr.get("/data/sources/mes_db/settings/", **EN).content.decode()
    tested = hr.post("/data/sources/mes_db/test/", **EN)
    assert tested.status_code == 200
    assert "line_code" in tested.content.decode()
    pulled = hr.post("/data/sources/mes_db/pull/", **EN)
    assert pulled.status_code == 302
    assert Run.objects.get(source=source).status == "succeeded"
    # output only: the mapping's other metrics are not the source's, so those rows are quarantined
    assert MetricValue.objects.filter(source=source).count() == 18
    assert set(QuarantinedRow.objects.filter(source=source).values_list("code", flat=True)) == {"unknown_metric"}
    # editing without typing the password keeps the stored one
    edited = hr.post("/data/sources/mes_db/settings/", {**form, "name": "MES (main)", "password": ""}, **EN)
    assert edited.status_code == 302
    source.refresh_from_db()
    assert source.name == "MES (main)"
    assert source_secrets(source) == ({"password": password} if password else {})


def test_a_query_that_writes_and_a_broken_mapping_are_refused_next_to_their_fields(world, client_as) -> None:
    build_mes(world)
    form = _form("mes", "postgresql", query="DELETE FROM production_daily", mapping_json="{not json")
    answer = client_as("hr").post("/data/new-source/", form, **EN)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'data-field-error="query"' in page
    assert 'data-field-error="mapping_json"' in page
    assert not Source.objects.filter(code="mes_db").exists()


def test_a_key_issued_on_the_page_pushes_to_its_source(world, client_as) -> None:
    mes = build_mes(world)
    answer = client_as("hr").post(f"/data/sources/{mes.source.code}/keys/", **EN)
    assert answer.status_code == 200
    key = answer.context["text"]
    assert key.startswith("fm_")
    assert key in answer.content.decode()
    pushed = push(Client(), {"idempotency_key": "k1", "rows": [row(1)]}, key=key)
    assert pushed.status_code == 201


@pytest.mark.parametrize(("role", "status"), [("hrbp", 403), ("exec", 403), ("manager", 404), ("employee", 404)])
def test_only_managers_of_the_source_change_it(world, client_as, role: str, status: int) -> None:
    mes = build_mes(world)
    client = client_as(role)
    assert client.get(f"/data/sources/{mes.source.code}/settings/").status_code == status
    assert client.post(f"/data/sources/{mes.source.code}/keys/").status_code == status
    assert client.post(f"/data/sources/{mes.source.code}/pull/").status_code == status
