"""Validating a departments file and planning the upsert. Pure, like employees.py. Parents may come
in any order: a row may name as parent a department further down the file."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from fairmark.org.services.hierarchy import nodes_in_loops

from . import cells
from .columns import DEPARTMENT_COLUMNS, HeaderMatch, match_headers
from .readers import Row, Table
from .report import Report, header_issues

_REFERENCES = ("parent_code", "head_number")


@dataclass(frozen=True)
class DepartmentRecord:
    code: str
    name: str = ""
    name_en: str = ""
    parent_code: str | None = None
    head_number: str | None = None
    cost_centre: str = ""


@dataclass(frozen=True)
class KnownDepartmentRecord:
    record: DepartmentRecord
    editable: bool


@dataclass
class DepartmentContext:
    departments: Mapping[str, KnownDepartmentRecord]
    employees: Collection[str]  # employee numbers a head may be chosen from
    may_add_roots: bool  # only HR admins add top-level departments
    has_company: bool = True


@dataclass(frozen=True)
class PlannedDepartment:
    row: int
    record: DepartmentRecord
    before: DepartmentRecord | None

    @property
    def action(self) -> str:
        if self.before is None:
            return "create"
        return "unchanged" if self.before == self.record else "update"

    @property
    def moves(self) -> bool:
        return self.before is None or self.before.parent_code != self.record.parent_code


def _parse(row: Row, match: HeaderMatch, report: Report) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in DEPARTMENT_COLUMNS:
        position = match.positions.get(column.key)
        if position is None:
            continue
        value = cells.text(row.get(position))
        if column.required and not value:
            report.add(row.number, column.key, "required")
        elif column.max_length and len(value) > column.max_length:
            report.add(row.number, column.key, "too_long", max=column.max_length)
        else:
            values[column.key] = (value or None) if column.key in _REFERENCES else value
    return values


def plan_departments(table: Table, context: DepartmentContext) -> tuple[Report, list[PlannedDepartment]]:
    report = Report(kind="departments", rows=len(table.rows))
    match = match_headers("departments", table.header)
    if header_issues(report, match, table.header_row):
        return report, []
    if not table.rows:
        report.add(table.header_row, "", "no_rows")
        return report, []

    planned: dict[str, PlannedDepartment] = {}
    for row in table.rows:
        values = _parse(row, match, report)
        code = values.get("code")
        if not code:
            continue
        if code in planned:
            report.add(row.number, "code", "duplicate_code", value=code, first_row=planned[code].row)
            continue
        known = context.departments.get(code)
        before = known.record if known else None
        record = dataclasses.replace(before or DepartmentRecord(code=code), **values)
        if known is not None and not known.editable:
            report.add(row.number, "code", "department_out_of_scope", value=code)
        if record.head_number and "head_number" in values and record.head_number not in context.employees:
            report.add(row.number, "head_number", "unknown_head", value=record.head_number)
        planned[code] = PlannedDepartment(row.number, record, before)

    parent_of: dict[str, str | None] = {c: k.record.parent_code for c, k in context.departments.items()}
    parent_of.update({code: plan.record.parent_code for code, plan in planned.items()})
    looping = nodes_in_loops(parent_of)
    for code, plan in planned.items():
        parent = plan.record.parent_code
        if parent and parent not in parent_of:
            report.add(plan.row, "parent_code", "unknown_parent", value=parent)
        elif code in looping:
            report.add(plan.row, "parent_code", "department_loop", value=parent or "")

    _check_scope(planned, context, parent_of, looping, report)
    for plan in planned.values():
        action = plan.action
        report.created += action == "create"
        report.updated += action == "update"
        report.unchanged += action == "unchanged"
    report.sort(DEPARTMENT_COLUMNS)
    return report, list(planned.values())


def _check_scope(planned: Mapping[str, PlannedDepartment], context: DepartmentContext,
                 parent_of: Mapping[str, str | None], looping: set[str], report: Report) -> None:
    """A new or moved department must hang under a department the importer may edit, which may
    itself be a new row of the file (resolved up the chain)."""
    memo: dict[str, bool] = {}

    def editable(code: str) -> bool:
        if code in memo:
            return memo[code]
        memo[code] = False  # guards a loop; loops are reported on their own
        plan = planned.get(code)
        if plan is not None and plan.moves:
            parent = plan.record.parent_code
            result = context.may_add_roots if parent is None else (parent in parent_of and editable(parent))
        else:
            known = context.departments.get(code)
            result = bool(known and known.editable)
        memo[code] = result
        return result

    for code, plan in planned.items():
        if not plan.moves or code in looping:
            continue
        parent = plan.record.parent_code
        if parent is None:
            if not context.may_add_roots:
                report.add(plan.row, "parent_code", "root_not_allowed")
            elif not context.has_company:
                report.add(plan.row, "parent_code", "no_company")
        elif parent in parent_of and not editable(parent):
            report.add(plan.row, "parent_code", "department_out_of_scope", value=parent)


def parents_first(parent_of: Mapping[int, int | None]) -> list[int]:
    """The nodes of a tree ordered so that each comes after its parent (the plan has refused loops)."""
    order: list[int] = []
    placed: set[int] = set()
    for start in parent_of:
        chain: list[int] = []
        node: int | None = start
        while node is not None and node in parent_of and node not in placed and node not in chain:
            chain.append(node)
            node = parent_of[node]
        for item in reversed(chain):
            order.append(item)
            placed.add(item)
    return order
