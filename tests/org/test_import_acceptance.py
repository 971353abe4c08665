"""The acceptance case of the import: a real 1,000-row workbook with exactly five bad rows commits
nothing and reports exactly those rows; fixed, all 1,000 rows are committed, with managers,
Assignments and audit events right and the audit chain intact."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import override

from fairmark.audit.models import AuditEvent
from fairmark.audit.verification import verify_chain
from fairmark.org.importing.messages import report_lines
from fairmark.org.importing.readers import read_table
from fairmark.org.models import Assignment, Department, Employee
from fairmark.org.services.imports import employees_import

from .import_files import EMPLOYEES_EN, employee, xlsx

SIZE = 1000
LEADERS = range(990, 1000)  # the team leaders are the *last* rows, after the people who report to them
BAD_DEPARTMENT, DUPLICATE, LOOP, BAD_DATE, NO_NAME = 100, 200, 300, 400, 500
DUPLICATED = 150


def _rows(*, broken: bool) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for i in range(SIZE):
        number = f"N{i:04d}"
        if i in LEADERS:
            rows.append(employee(number, f"线长{i}", "LINE2", position="LL", manager="E0002",
                                 hire=dt.date(2023, 5, 4)))  # a real Excel date cell
        else:
            manager = f"N{LEADERS[i % len(LEADERS)]:04d}"
            rows.append(employee(number, f"员工{i}", "LINE1" if i % 2 else "LINE2", manager=manager,
                                 hire="2025/02/17", probation="2025-08-16", status="试用", phone=f"1380000{i:04d}"))
    # An existing employee in the file: 李制造 (E0002), head of manufacturing, gets a new location.
    rows[LOOP] = employee("E0002", "李制造", "PROD", position="", manager="E0001", hire="2024-03-01",
                          location="宁德基地", email="prod_head@example.com")
    if broken:
        rows[BAD_DEPARTMENT][2] = "NOPE"
        rows[DUPLICATE][0] = rows[DUPLICATED][0]
        rows[LOOP][5] = "E0003"  # E0003 reports to E0002 in the database: a loop across file and database
        rows[BAD_DATE][6] = "2025-13-45"
        rows[NO_NAME][1] = ""
    return rows


def _excel_row(index: int) -> int:
    return index + 2  # the header is row 1


def _state() -> tuple[int, int, int, int]:
    return Employee.objects.count(), Assignment.objects.count(), AuditEvent.objects.count(), Department.objects.count()


def test_a_workbook_with_five_bad_rows_commits_nothing_and_reports_exactly_them(world) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    before = _state()
    result = employees_import(actor=hr, rows=read_table(xlsx(EMPLOYEES_EN, _rows(broken=True))), dry_run=False)

    assert not result.committed
    assert _state() == before
    assert Employee.objects.get(number="E0002").manager == world.people["gm"]
    with override("en"):
        lines = [(line.row, line.column, line.code, line.message) for line in report_lines(result.report)]
    assert [line[:3] for line in lines] == [
        (_excel_row(BAD_DEPARTMENT), "Department code", "unknown_department"),
        (_excel_row(DUPLICATE), "Employee number", "duplicate_number"),
        (_excel_row(LOOP), "Manager number", "manager_loop"),
        (_excel_row(BAD_DATE), "Hire date", "bad_date"),
        (_excel_row(NO_NAME), "Name", "required"),
    ]
    messages = [line[3] for line in lines]
    assert messages[0] == "There is no department with code “NOPE”."
    assert messages[1] == f"Employee number N0150 already appears on row {_excel_row(DUPLICATED)}."
    assert messages[2] == "These reporting lines go round in a loop: E0002 → E0003 → E0002."
    assert messages[3].startswith("“2025-13-45” is not a date.")
    assert messages[4] == "A value is required."


def test_the_fixed_workbook_commits_all_rows(world) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    employees_before, assignments_before, _events, _departments = _state()
    result = employees_import(actor=hr, rows=read_table(xlsx(EMPLOYEES_EN, _rows(broken=False))), dry_run=False)

    assert result.committed, result.report.issues[:5]
    assert (result.report.created, result.report.updated, result.report.unchanged) == (SIZE - 1, 1, 0)
    assert Employee.objects.count() == employees_before + SIZE - 1
    # Managers, set in a second pass: the leaders come after their reports in the file.
    leader = Employee.objects.get(number="N0990")
    assert leader.manager == world.people["prod_head"]
    assert leader.hire_date == dt.date(2023, 5, 4)
    worker = Employee.objects.select_related("manager", "department", "position", "level").get(number="N0001")
    assert (worker.manager.number, worker.department.code, worker.position.code, worker.level.code) == (
        "N0991", "LINE1", "OP", "P3")
    assert (worker.status, worker.hire_date, worker.probation_end) == ("probation", dt.date(2025, 2, 17),
                                                                         dt.date(2025, 8, 16))
    assert worker.company == world.company
    assert Employee.objects.filter(number__startswith="N", manager__isnull=True).count() == 0
    # One open Assignment per new employee, from the hire date, with the same line as the employee.
    assert Assignment.objects.count() == assignments_before + SIZE - 1
    line = Assignment.objects.get(employee=worker)
    assert (line.department_id, line.position_id, line.manager_id, line.valid_from, line.valid_to) == (
        worker.department_id, worker.position_id, worker.manager_id, worker.hire_date, None)
    # The existing head of manufacturing changed location only: no transfer, the history untouched.
    prod_head = Employee.objects.get(number="E0002")
    assert prod_head.location == "宁德基地"
    assert Assignment.objects.filter(employee=prod_head).count() == 1
    # One audit event per created or changed row, and one for the import; the chain holds.
    assert AuditEvent.objects.filter(action="employee.create", actor_id=hr.pk).count() == SIZE - 1
    update = AuditEvent.objects.get(action="employee.update", object_id=str(prod_head.pk))
    assert update.before == {"location": ""}
    assert update.after == {"location": "宁德基地"}
    assert update.scope == world.depts["PROD"].path
    assert AuditEvent.objects.filter(action="employees.import").count() == 1
    assert verify_chain() is None
