"""The import services: encodings and headers, departments in any order, re-import as update with
the history kept, scope of HR BPs, the rules of the report, and its language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override

from fairmark.audit.models import AuditEvent
from fairmark.audit.verification import verify_chain
from fairmark.core.errors import OutOfScope
from fairmark.org.importing.messages import MESSAGES, describe, report_lines
from fairmark.org.importing.readers import read_table
from fairmark.org.importing.report import Report
from fairmark.org.models import Assignment, Department, Employee
from fairmark.org.services.imports import departments_import, employees_import, import_file

from .import_files import (
    DEPARTMENTS_EN,
    DEPARTMENTS_ZH,
    EMPLOYEES_EN,
    EMPLOYEES_ZH,
    csv_file,
    department,
    employee,
    xlsx,
)


def _employees(actor, rows, *, header=EMPLOYEES_EN, dry_run=False):  # type: ignore[no-untyped-def]
    return employees_import(actor=actor, rows=read_table(xlsx(header, rows)), dry_run=dry_run)


def _codes(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(i.row, i.column, i.code) for i in result.report.issues]


def test_gb18030_csv_with_chinese_headers(world) -> None:  # type: ignore[no-untyped-def]
    data = csv_file(EMPLOYEES_ZH, [employee("N1", "欧阳娜娜", "QA", position="", manager="E0008", status="在职",
                                            location="东莞松山湖", email="ouyang@example.com")], "gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = import_file(actor=world.users["hr"], kind="employees", content=data, dry_run=False, source="员工.csv")
    assert result.committed, result.report.issues
    person = Employee.objects.get(number="N1")
    assert (person.name, person.location, person.manager, person.status) == (
        "欧阳娜娜", "东莞松山湖", world.people["qa_head"], "active")
    assert AuditEvent.objects.get(action="employees.import").after["file"] == "员工.csv"


def test_new_employee_takes_the_department_cost_centre(world) -> None:  # type: ignore[no-untyped-def]
    Department.objects.filter(code="QA").update(cost_centre="CC-QA")
    result = _employees(world.users["hr"], [employee("N1", "甲", "QA", manager="E0008")])
    assert result.committed
    assert Employee.objects.get(number="N1").cost_centre == "CC-QA"


def test_departments_with_parents_in_any_order(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        department("CELL-A1", "A1 工段", "CELL-A", head="E0006"),
        department("CELL-A", "A 车间", "CELL"),
        department("CELL", "电芯事业部", "PROD", name_en="Cells", cost_centre="CC-9"),
    ]
    result = departments_import(actor=world.users["hr"], rows=read_table(xlsx(DEPARTMENTS_ZH, rows)), dry_run=False)
    assert result.committed, result.report.issues
    cell, cell_a, cell_a1 = (Department.objects.get(code=c) for c in ("CELL", "CELL-A", "CELL-A1"))
    prod = world.depts["PROD"]
    assert (cell.parent, cell_a.parent, cell_a1.parent) == (prod, cell, cell_a)
    assert cell.path == f"{prod.path}{cell.pk}/"
    assert cell.depth == prod.depth + 1
    assert cell_a1.path == f"{prod.path}{cell.pk}/{cell_a.pk}/{cell_a1.pk}/"
    assert cell_a1.depth == prod.depth + 3
    assert cell_a1.head == world.people["l2_leader"]
    assert (cell.name_en, cell.cost_centre, cell.company) == ("Cells", "CC-9", world.company)
    assert AuditEvent.objects.filter(action="department.create").count() == 3
    assert verify_chain() is None


def test_moving_a_department_moves_its_subtree(world) -> None:  # type: ignore[no-untyped-def]
    departments_import(actor=world.users["hr"], rows=read_table(xlsx(DEPARTMENTS_EN, [
        department("LINE2-A", "二线A组", "LINE2")])), dry_run=False)
    result = departments_import(actor=world.users["hr"], rows=read_table(xlsx(DEPARTMENTS_EN, [
        department("LINE2", "电芯二线", "QA", name_en="Cell line 2")])), dry_run=False)
    assert result.committed
    assert result.report.updated == 1
    line2, group = Department.objects.get(code="LINE2"), Department.objects.get(code="LINE2-A")
    qa = world.depts["QA"]
    assert line2.path == f"{qa.path}{line2.pk}/"
    assert group.path == f"{line2.path}{group.pk}/"
    assert group.depth == qa.depth + 2
    event = AuditEvent.objects.get(action="department.update")
    assert event.before["parent_id"] == world.depts["PROD"].pk
    assert event.after["parent_id"] == qa.pk


def test_department_rules(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        department("X1", "X1", "X2"),
        department("X2", "X2", "X1"),  # a loop inside the file
        department("GM", "总经办", "LINE1"),  # a loop through the database: LINE1 is under GM
        department("X3", "X3", "NOWHERE"),
        department("X4", "", "QA", head="E9999"),
        department("X3", "again", "QA"),
    ]
    result = departments_import(actor=world.users["hr"], rows=read_table(xlsx(DEPARTMENTS_EN, rows)), dry_run=False)
    assert not result.committed
    assert _codes(result) == [
        (2, "parent_code", "department_loop"), (3, "parent_code", "department_loop"),
        (4, "parent_code", "department_loop"), (5, "parent_code", "unknown_parent"),
        (6, "name", "required"), (6, "head_number", "unknown_head"), (7, "code", "duplicate_code"),
    ]
    assert not Department.objects.filter(code__startswith="X").exists()


def test_reimport_updates_and_keeps_the_assignment_history(world) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    first = _employees(hr, [employee("N1", "甲", "LINE1", manager="E0003", hire="2025-01-06")])
    assert first.report.created == 1
    same = _employees(hr, [employee("N1", "甲", "LINE1", manager="E0003", hire="2025-01-06")])
    assert (same.committed, same.report.unchanged, same.report.updated) == (True, 1, 0)
    assert AuditEvent.objects.filter(action="employee.update").count() == 0

    moved = _employees(hr, [employee("N1", "甲", "LINE2", position="LL", manager="E0006", hire="2025-01-06")])
    assert (moved.committed, moved.report.updated) == (True, 1)
    person = Employee.objects.get(number="N1")
    assert (person.department, person.manager) == (world.depts["LINE2"], world.people["l2_leader"])
    today = timezone.localdate()
    history = list(Assignment.objects.filter(employee=person).order_by("valid_from"))
    assert [(a.department_id, a.manager_id, a.valid_from, a.valid_to) for a in history] == [
        (world.depts["LINE1"].pk, world.people["manager"].pk, dt.date(2025, 1, 6), today - dt.timedelta(days=1)),
        (world.depts["LINE2"].pk, world.people["l2_leader"].pk, today, None),
    ]
    assert Employee.objects.filter(number="N1").count() == 1
    event = AuditEvent.objects.get(action="employee.update")
    assert event.after["department_id"] == world.depts["LINE2"].pk


def test_a_change_on_the_first_day_replaces_that_days_line(world) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate().isoformat()
    _employees(world.users["hr"], [employee("N1", "甲", "LINE1", manager="E0003", hire=today)])
    _employees(world.users["hr"], [employee("N1", "甲", "LINE1", manager="E0005", hire=today)])
    lines = Assignment.objects.filter(employee__number="N1")
    assert [(a.manager_id, a.valid_to) for a in lines] == [(world.people["peer"].pk, None)]


def test_columns_left_out_keep_their_values(world) -> None:  # type: ignore[no-untyped-def]
    header = ["工号", "姓名", "部门编码", "入职日期", "工作地点"]
    result = employees_import(actor=world.users["hr"], dry_run=False, rows=read_table(xlsx(header, [
        ["E0004", "陈员工", "LINE1", "2024-03-01", "厦门"]])))
    assert result.committed
    assert result.report.updated == 1
    person = Employee.objects.get(number="E0004")
    assert (person.location, person.manager, person.email, person.level.code) == (
        "厦门", world.people["manager"], "employee@example.com", "P3")


def test_employee_rules(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        employee("N1", "甲", position="NOPOS", level="P99", manager="E9999"),
        employee("N2", "乙", hire="2025-03-01", probation="2025-02-01", status="退休", email="not-an-email"),
        employee("N3", "丙", manager="N3"),
        employee("N4" * 20, "丁"),
    ]
    result = _employees(world.users["hr"], rows)
    assert not result.committed
    assert _codes(result) == [
        (2, "position_code", "unknown_position"), (2, "level_code", "unknown_level"),
        (2, "manager_number", "unknown_manager"),
        (3, "probation_end", "probation_before_hire"), (3, "status", "bad_status"), (3, "email", "bad_email"),
        (4, "manager_number", "manager_loop"),
        (5, "number", "too_long"),
    ]


def test_header_problems(world) -> None:  # type: ignore[no-untyped-def]
    result = _employees(world.users["hr"], [["N1", "甲", "x"]], header=["工号", "姓名", "工资"])
    assert _codes(result) == [(1, "", "unknown_column"), (1, "department_code", "missing_column"),
                              (1, "hire_date", "missing_column")]
    with override("en"):
        lines = report_lines(result.report)
    assert [line.column for line in lines] == ["工资", "Department code", "Hire date"]


def test_dry_run_counts_and_writes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    events = AuditEvent.objects.count()
    result = _employees(world.users["hr"], [employee("N1", "甲"), employee("E0004", "陈员工改")], dry_run=True)
    assert (result.committed, result.report.created, result.report.updated) == (False, 1, 1)
    assert not Employee.objects.filter(number="N1").exists()
    assert Employee.objects.get(number="E0004").name == "陈员工"
    assert AuditEvent.objects.count() == events


def test_hr_bp_imports_only_into_their_units(world) -> None:  # type: ignore[no-untyped-def]
    hrbp = world.users["hrbp"]
    ok = _employees(hrbp, [employee("N1", "甲", "QA", position="", manager="E0008")])
    assert ok.committed
    refused = _employees(hrbp, [
        employee("N2", "乙", "QA", position="", manager="E0008"),
        employee("N3", "丙", "LINE1", manager="E0003"),  # into a department outside QA
        employee("E0004", "陈员工", "QA", manager="E0008"),  # someone from LINE1 pulled into QA
        employee("E0009", "吴质检", "LINE2", manager="E0006"),  # someone of QA sent out of it
    ])
    assert _codes(refused) == [(3, "department_code", "department_out_of_scope"),
                               (4, "number", "employee_out_of_scope"),
                               (5, "department_code", "department_out_of_scope")]
    assert not Employee.objects.filter(number__in=["N2", "N3"]).exists()
    assert Employee.objects.get(number="E0009").department == world.depts["QA"]


def test_hr_bp_departments_stay_under_their_units(world) -> None:  # type: ignore[no-untyped-def]
    hrbp = world.users["hrbp"]
    result = departments_import(actor=hrbp, dry_run=False, rows=read_table(xlsx(DEPARTMENTS_EN, [
        department("QA-LAB2", "实验室二", "QA-LAB"), department("QA-LAB", "实验室", "QA"),
        department("QA", "品质部", "GM", name_en="Quality"),  # unchanged parent: allowed
    ])))
    assert result.committed, result.report.issues
    refused = departments_import(actor=hrbp, dry_run=False, rows=read_table(xlsx(DEPARTMENTS_EN, [
        department("NEWTOP", "新部门"), department("UNDER-HR", "人事分部", "HR"), department("LINE1", "电芯一线", "QA"),
        department("QA-LAB", "实验室", "PROD"),
    ])))
    assert _codes(refused) == [(2, "parent_code", "root_not_allowed"), (3, "parent_code", "department_out_of_scope"),
                               (4, "code", "department_out_of_scope"), (5, "parent_code", "department_out_of_scope")]


def test_only_hr_imports(world) -> None:  # type: ignore[no-untyped-def]
    for role in ("employee", "manager", "head", "exec", "admin"):
        with pytest.raises(OutOfScope):
            _employees(world.users[role], [employee("N1", "甲")])


def test_the_report_is_worded_when_read_in_the_readers_language(world) -> None:  # type: ignore[no-untyped-def]
    """The stored report holds codes and parameters only; the sentence comes from gettext when shown."""
    result = _employees(world.users["hr"], [employee("N1", "甲", "NOPE")])
    stored = result.report.to_json()
    assert "NOPE" in str(stored)
    assert "There is no" not in str(stored)
    issue = Report.from_json(stored).issues[0]
    with override("en"):
        english = describe(issue)
    assert english == "There is no department with code “NOPE”."
    with override("zh-hans"):
        chinese = describe(issue)
        # Whatever the zh-Hans catalogue says (the .po file is filled later), it is what gettext gives now.
        assert chinese == gettext("There is no department with code “%(value)s”.") % {"value": "NOPE"}
        assert str(MESSAGES["unknown_department"]) == gettext("There is no department with code “%(value)s”.")


def test_a_clash_with_a_concurrent_write_is_reported_not_raised(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Another import writing the same number between the check and the write hits the unique key."""
    from django.db import IntegrityError

    from fairmark.org.services import imports

    def clash(**kwargs):  # type: ignore[no-untyped-def]
        Employee.objects.filter(number="E0004").update(location="written, then rolled back")
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(imports, "_commit_employees", clash)
    events = AuditEvent.objects.count()
    result = _employees(world.users["hr"], [employee("N1", "甲")])
    assert not result.committed
    assert _codes(result) == [(0, "", "changed_meanwhile")]
    assert Employee.objects.get(number="E0004").location == ""
    assert AuditEvent.objects.count() == events
