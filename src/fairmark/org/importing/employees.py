"""Validating an employees file against the organisation as it stands, and planning the upsert.
Pure: the service hands in what exists as plain values (codes and numbers, not ids)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from fairmark.org.services.hierarchy import nodes_in_loops

from . import cells
from .columns import EMPLOYEE_COLUMNS, HeaderMatch, match_headers
from .readers import Row, Table
from .report import Report, header_issues

_REFERENCES = ("position_code", "level_code", "manager_number")  # blank means "none"
_DATES = ("hire_date", "probation_end")


@dataclass(frozen=True)
class EmployeeRecord:
    number: str
    name: str = ""
    department_code: str = ""
    position_code: str | None = None
    level_code: str | None = None
    manager_number: str | None = None
    hire_date: dt.date | None = None
    probation_end: dt.date | None = None
    status: str = "active"
    location: str = ""
    cost_centre: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class KnownEmployee:
    record: EmployeeRecord
    editable: bool  # within the importer's scope


@dataclass(frozen=True)
class KnownDepartment:
    code: str
    editable: bool
    cost_centre: str = ""


@dataclass
class EmployeeContext:
    departments: Mapping[str, KnownDepartment]
    positions: Collection[str]
    levels: Collection[str]
    employees: Mapping[str, KnownEmployee]


@dataclass(frozen=True)
class PlannedEmployee:
    row: int
    record: EmployeeRecord
    before: EmployeeRecord | None  # None: a new employee

    @property
    def action(self) -> str:
        if self.before is None:
            return "create"
        return "unchanged" if self.before == self.record else "update"


def _parse(row: Row, match: HeaderMatch, report: Report) -> dict[str, Any]:
    """The cells of the columns the file has; a cell that does not parse is reported and left out."""
    values: dict[str, Any] = {}
    for column in EMPLOYEE_COLUMNS:
        position = match.positions.get(column.key)
        if position is None:
            continue
        raw = row.get(position)
        try:
            if column.key in _DATES:
                value: Any = cells.date(raw)
            elif column.key == "status":
                value = cells.status(raw)
            elif column.key == "email":
                value = cells.email(raw)
            else:
                value = cells.text(raw)
        except cells.CellError as error:
            report.add(row.number, column.key, error.code, **error.params)
            continue
        if column.required and value in (None, ""):
            report.add(row.number, column.key, "required")
            continue
        if column.max_length and isinstance(value, str) and len(value) > column.max_length:
            report.add(row.number, column.key, "too_long", max=column.max_length)
            continue
        values[column.key] = value
    return values


def _record(values: dict[str, Any], before: EmployeeRecord | None, context: EmployeeContext) -> EmployeeRecord:
    """A column the file lacks keeps the stored value; a column it has is taken as written, blank too."""
    changes: dict[str, Any] = {k: (v or None) if k in _REFERENCES else v for k, v in values.items()}
    if changes.get("status") is None:
        changes.pop("status", None)  # a blank status keeps the current one (or the default)
    if before is None and not changes.get("cost_centre"):
        department = context.departments.get(values.get("department_code", ""))
        changes["cost_centre"] = department.cost_centre if department else ""
    return dataclasses.replace(before or EmployeeRecord(number=values["number"]), **changes)


def _check_references(row: int, record: EmployeeRecord, values: dict[str, Any], context: EmployeeContext,
                      before: KnownEmployee | None, report: Report) -> None:
    if before is not None and not before.editable:
        report.add(row, "number", "employee_out_of_scope", value=record.number)
    if "department_code" in values:
        department = context.departments.get(record.department_code)
        if department is None:
            report.add(row, "department_code", "unknown_department", value=record.department_code)
        elif not department.editable:
            report.add(row, "department_code", "department_out_of_scope", value=record.department_code)
    if record.position_code and "position_code" in values and record.position_code not in context.positions:
        report.add(row, "position_code", "unknown_position", value=record.position_code)
    if record.level_code and "level_code" in values and record.level_code not in context.levels:
        report.add(row, "level_code", "unknown_level", value=record.level_code)
    if record.hire_date and record.probation_end and record.probation_end < record.hire_date:
        report.add(row, "probation_end", "probation_before_hire", hire_date=record.hire_date.isoformat())


def _loop_chain(parent_of: Mapping[str, str | None], start: str) -> str:
    chain, node = [start], parent_of.get(start)
    while node is not None and node not in chain:
        chain.append(node)
        node = parent_of.get(node)
    return " → ".join([*chain, node or ""]) if node else " → ".join(chain)


def plan_employees(table: Table, context: EmployeeContext) -> tuple[Report, list[PlannedEmployee]]:
    report = Report(kind="employees", rows=len(table.rows))
    match = match_headers("employees", table.header)
    if header_issues(report, match, table.header_row):
        return report, []
    if not table.rows:
        report.add(table.header_row, "", "no_rows")
        return report, []

    planned: list[PlannedEmployee] = []
    first_row: dict[str, int] = {}
    for row in table.rows:
        values = _parse(row, match, report)
        number = values.get("number")
        if not number:
            continue
        if number in first_row:
            report.add(row.number, "number", "duplicate_number", value=number, first_row=first_row[number])
            continue
        first_row[number] = row.number
        known = context.employees.get(number)
        record = _record(values, known.record if known else None, context)
        _check_references(row.number, record, values, context, known, report)
        planned.append(PlannedEmployee(row.number, record, known.record if known else None))

    # Reporting lines: the file's rows over what is stored, checked as one tree.
    parent_of: dict[str, str | None] = {n: k.record.manager_number for n, k in context.employees.items()}
    parent_of.update({p.record.number: p.record.manager_number for p in planned})
    for plan in planned:
        manager = plan.record.manager_number
        if manager and manager not in parent_of and manager not in first_row:
            report.add(plan.row, "manager_number", "unknown_manager", value=manager)
    looping = nodes_in_loops(parent_of)
    for plan in planned:
        if plan.record.number in looping:
            report.add(plan.row, "manager_number", "manager_loop", chain=_loop_chain(parent_of, plan.record.number))

    for plan in planned:
        action = plan.action
        report.created += action == "create"
        report.updated += action == "update"
        report.unchanged += action == "unchanged"
    report.sort(EMPLOYEE_COLUMNS)
    return report, planned


def creation_levels(records: list[EmployeeRecord]) -> list[list[EmployeeRecord]]:
    """New employees grouped by how many new managers are above them (the plan has refused loops)."""
    manager_of = {r.number: r.manager_number for r in records}
    depth: dict[str, int] = {}
    for number in manager_of:
        chain: list[str] = []
        node: str | None = number
        while node is not None and node in manager_of and node not in depth and len(chain) <= len(manager_of):
            chain.append(node)
            node = manager_of[node]
        base = depth.get(node, -1) if node is not None else -1
        for item in reversed(chain):
            base += 1
            depth[item] = base
    levels: list[list[EmployeeRecord]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for record in records:
        levels[depth[record.number]].append(record)
    return levels
