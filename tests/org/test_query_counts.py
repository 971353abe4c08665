"""List pages and APIs must run a number of queries that does not grow with the rows shown."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairmark.org.models import Employee


def _add_people(world, n: int) -> None:  # type: ignore[no-untyped-def]
    line = world.depts["LINE1"]
    start = Employee.objects.count()
    Employee.objects.bulk_create(
        Employee(number=f"Q{start + i:05d}", name=f"员工{i}", company=world.company, department=line,
                 position=world.people["employee"].position, level=world.people["employee"].level,
                 manager=world.people["manager"], hire_date=dt.date(2025, 1, 1))
        for i in range(n)
    )


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_people_page_query_count_is_flat(world, client_as) -> None:  # type: ignore[no-untyped-def]
    # The manager's team grows too (the new people report to them), so both scopes are exercised.
    for role in ("hr", "manager"):
        client = client_as(role)
        few = _count(client, "/org/people/")
        _add_people(world, 40)
        many = _count(client, "/org/people/")
        assert many == few, f"{role}: {few} queries for a few rows, {many} for many"


def test_employees_api_query_count_is_flat(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    few = _count(client, "/api/v1/employees/?page_size=200")
    _add_people(world, 150)
    many = _count(client, "/api/v1/employees/?page_size=200")
    assert many == few


def test_department_tree_and_chart_query_counts_are_flat(world, client_as) -> None:  # type: ignore[no-untyped-def]
    from fairmark.org.services.departments import department_create

    client = client_as("employee")
    few_tree = _count(client, "/org/departments/")
    few_chart = _count(client, "/org/chart/data/")
    for i in range(20):
        department_create(actor=world.users["hr"], company=world.company, code=f"T{i}", name=f"部门{i}",
                          parent=world.depts["QA"], head=world.people["qa_head"])
    assert _count(client, "/org/departments/") == few_tree
    assert _count(client, "/org/chart/data/") == few_chart


def test_department_tree_with_edit_links_query_count_is_flat(world, client_as) -> None:  # type: ignore[no-untyped-def]
    """The per-row Edit/Move links come from one query of the editable ids, for HR admins and HR BPs alike."""
    from fairmark.org.services.departments import department_create

    clients = {role: client_as(role) for role in ("hr", "hrbp")}
    few = {role: _count(client, "/org/departments/") for role, client in clients.items()}
    for i in range(20):
        department_create(actor=world.users["hr"], company=world.company, code=f"T{i}", name=f"部门{i}",
                          parent=world.depts["QA"], head=world.people["qa_head"])
    for role, client in clients.items():
        page = client.get("/org/departments/").content.decode()
        assert page.count('data-testid="department-edit-') >= 21, role
        assert _count(client, "/org/departments/") == few[role], role
