from __future__ import annotations

import datetime as dt
import json

import yaml
from django.test import Client
from django.utils import timezone
from openapi_spec_validator import validate

from fairmark.org.models import Assignment, Employee


def test_schema_validates_as_openapi_3() -> None:
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    spec = yaml.safe_load(response.content)
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/employees/" in spec["paths"]
    assert "/api/v1/health" in spec["paths"]


def test_swagger_ui_is_served_from_our_own_origin() -> None:
    page = Client().get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


def test_problem_json_with_field_errors(client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("hr").post("/api/v1/employees/", data=json.dumps({"number": "X1", "department": "LINE1",
                                                                          "hire_date": "not a date"}),
                                    content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400
    assert body["type"].endswith("/invalid")
    fields = {error["field"] for error in body["errors"]}
    assert {"name", "hire_date"} <= fields


def test_service_error_is_problem_json(world, client_as) -> None:  # type: ignore[no-untyped-def]
    # A manager loop: the manager would report to their own report.
    manager = world.people["manager"]
    response = client_as("hr").post(
        f"/api/v1/employees/{manager.pk}/transfer/",
        data=json.dumps({"effective": timezone.localdate().isoformat(), "manager": world.people["employee"].number}),
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] == "manager"
    manager.refresh_from_db()
    assert manager.manager == world.people["prod_head"]


def test_employee_list_is_scoped(world, client_as) -> None:  # type: ignore[no-untyped-def]
    def numbers(role: str) -> set[str]:
        return {row["number"] for row in client_as(role).get("/api/v1/employees/?page_size=500").json()["results"]}

    p = world.people
    assert numbers("employee") == {p["employee"].number}
    assert numbers("manager") == {p[k].number for k in ("manager", "employee", "peer")}
    assert numbers("head") == {p[k].number for k in ("prod_head", "manager", "employee", "peer", "l2_leader", "other")}
    assert numbers("hrbp") == {p[k].number for k in ("hr_person", "qa_head", "qa_engineer")}
    assert numbers("hr") == {e.number for e in Employee.objects.all()}
    assert numbers("exec") == {e.number for e in Employee.objects.all()}


def test_employee_filters_and_search(world, client_as) -> None:  # type: ignore[no-untyped-def]
    hr = client_as("hr")
    within = hr.get("/api/v1/employees/?within=PROD").json()
    assert within["count"] == 6
    line1 = hr.get("/api/v1/employees/?department=LINE1").json()
    assert {r["number"] for r in line1["results"]} == {"E0003", "E0004", "E0005"}
    search = hr.get("/api/v1/employees/?search=陈员工").json()
    assert [r["number"] for r in search["results"]] == ["E0004"]
    by_manager = hr.get(f"/api/v1/employees/?manager={world.people['manager'].number}").json()
    assert by_manager["count"] == 2


def test_transfer_keeps_history(world, client_as) -> None:  # type: ignore[no-untyped-def]
    employee = world.people["employee"]
    effective = timezone.localdate() - dt.timedelta(days=30)
    response = client_as("hr").post(
        f"/api/v1/employees/{employee.pk}/transfer/",
        data=json.dumps({"effective": effective.isoformat(), "department": "LINE2", "manager": world.people["l2_leader"].number,
                         "reason": "line 2 needs an operator"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["department_code"] == "LINE2"
    history = list(Assignment.objects.filter(employee=employee).order_by("valid_from"))
    assert [(a.department.code, a.valid_from, a.valid_to) for a in history] == [
        ("LINE1", dt.date(2024, 3, 1), effective - dt.timedelta(days=1)),
        ("LINE2", effective, None),
    ]
    # The old manager no longer sees the employee; the new one does.
    assert client_as("manager").get(f"/api/v1/employees/{employee.pk}/").status_code == 404


def test_me_reports_roles(world, client_as) -> None:  # type: ignore[no-untyped-def]
    me = client_as("head").get("/api/v1/me").json()
    assert me["employee"]["number"] == world.people["prod_head"].number
    assert {"employee", "manager", "dept_head"} <= set(me["roles"])
    assert set(client_as("hrbp").get("/api/v1/me").json()["roles"]) == {"employee", "hr_bp"}


def test_health_reports_database_migrations_and_worker(db) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from fairmark.core.models import Heartbeat

    body = Client().get("/api/v1/health").json()
    assert body["database"] == "ok"
    assert body["migrations"] == "ok"
    assert body["worker"] == "stale"
    Heartbeat.objects.create(name="worker", at=timezone.now())
    body = Client().get("/api/v1/health").json()
    assert body["worker"] == "ok"
    assert body["status"] == "ok"


def test_schema_declares_bearer_authentication() -> None:
    spec = yaml.safe_load(Client().get("/api/schema/").content)
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "fm_<prefix>_<secret>"}


def test_position_names_follow_the_language(world) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    position = world.people["employee"].position
    with translation.override("en"):
        assert str(position) == "Operator"
    with translation.override("zh-hans"):
        assert str(position) == "操作工"
