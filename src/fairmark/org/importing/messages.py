"""The sentences of the report. Issues carry codes; `describe` turns one into text with gettext at
the moment it is shown, so the same stored report reads in Chinese for one user and English for
another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .columns import Kind, columns_for
from .report import Issue, Report

MESSAGES: dict[str, Any] = {
    # the file
    "unreadable": _("The file could not be read. Upload an .xlsx workbook or a .csv file."),
    "old_xls": _("Old .xls workbooks are not supported. In Excel, save the file as .xlsx and upload it again."),
    "too_large": _("The file is larger than %(max_mb)s MB."),
    "too_many_rows": _("The file has more than %(max)s rows; split it into several files."),
    "empty_file": _("The file is empty."),
    "no_rows": _("The file has a header row but no data rows."),
    # the header row
    "missing_column": _("This required column is missing."),
    "unknown_column": _("Unknown column. Use the column names of the template."),
    "duplicate_column": _("This column appears twice."),
    # cells
    "required": _("A value is required."),
    "too_long": _("Too long: at most %(max)s characters."),
    "bad_date": _("“%(value)s” is not a date. Write it as YYYY-MM-DD, for example 2024-03-01."),
    "bad_status": _("Unknown status “%(value)s”. Use one of: %(choices)s."),
    "bad_email": _("“%(value)s” is not an email address."),
    # employees
    "duplicate_number": _("Employee number %(value)s already appears on row %(first_row)s."),
    "unknown_department": _("There is no department with code “%(value)s”."),
    "unknown_position": _("There is no position with code “%(value)s”."),
    "unknown_level": _("There is no level “%(value)s”."),
    "unknown_manager": _("There is no employee with number “%(value)s”, in this file or in Fairmark."),
    "manager_loop": _("These reporting lines go round in a loop: %(chain)s."),
    "probation_before_hire": _("Probation cannot end before the hire date (%(hire_date)s)."),
    "employee_out_of_scope": _("Employee %(value)s belongs to a department outside your org units."),
    "department_out_of_scope": _("Department “%(value)s” is outside your org units."),
    # departments
    "duplicate_code": _("Department code %(value)s already appears on row %(first_row)s."),
    "unknown_parent": _("There is no department with code “%(value)s”, in this file or in Fairmark."),
    "department_loop": _("This department would end up under itself."),
    "unknown_head": _("There is no employee with number “%(value)s”."),
    "root_not_allowed": _("Only an HR admin can add a top-level department; give a parent code."),
    "no_company": _("No company is set up yet to hold a top-level department."),
    # commit
    "changed_meanwhile": _("The organisation changed since the file was checked; check it again."),
}


@dataclass(frozen=True)
class ReportLine:
    row: int
    column: str  # the header as the user's file wrote it (or the template's, for a missing column)
    field: str
    code: str
    message: str


def describe(issue: Issue) -> str:
    template = MESSAGES.get(issue.code)
    if template is None:
        return issue.code
    return str(template) % issue.params if issue.params else str(template)


def column_header(kind: Kind, key: str, headers: dict[str, str]) -> str:
    if key in headers:
        return headers[key]
    for column in columns_for(kind):
        if column.key == key:
            return column.header(get_language())
    return ""


def report_lines(report: Report) -> list[ReportLine]:
    """The report as the user reads it, in the active language."""
    return [
        ReportLine(
            row=issue.row,
            column=issue.header or column_header(report.kind, issue.column, report.headers),
            field=issue.column,
            code=issue.code,
            message=describe(issue),
        )
        for issue in report.issues
    ]
