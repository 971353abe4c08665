"""Files we hand out: the import template (header row, one example row, an instructions sheet) and
the export, which has the template's columns so that an export can be edited and imported again."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from .cells import STATUS_VALUES, status_label
from .columns import Column, Kind, columns_for

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

DESCRIPTIONS: dict[str, Any] = {
    "code": gettext_lazy("Department code, unique. An existing code updates that department."),
    "name": gettext_lazy("Name."),
    "name_en": gettext_lazy("English name (optional)."),
    "parent_code": gettext_lazy("Code of the parent department, in Fairmark or anywhere in this file. "
                                "Empty for a top-level department."),
    "head_number": gettext_lazy("Employee number of the department head (an employee already in Fairmark)."),
    "cost_centre": gettext_lazy("Cost centre (optional)."),
    "number": gettext_lazy("Employee number, unique. An existing number updates that employee."),
    "department_code": gettext_lazy("Department code (see the list below)."),
    "position_code": gettext_lazy("Position code (see the list below), optional."),
    "level_code": gettext_lazy("Level code (see the list below), optional."),
    "manager_number": gettext_lazy("Employee number of the direct manager, in Fairmark or in this file."),
    "hire_date": gettext_lazy("Hire date, as a date cell or text YYYY-MM-DD or YYYY/MM/DD."),
    "probation_end": gettext_lazy("End of probation (optional); not before the hire date."),
    "status": gettext_lazy("Status: %(choices)s. Empty keeps the current status (new employees: active)."),
    "location": gettext_lazy("Work location (optional)."),
    "email": gettext_lazy("Email address (optional)."),
    "phone": gettext_lazy("Phone (optional)."),
}

_EXAMPLES: dict[Kind, dict[str, Any]] = {
    "departments": {"code": "QA-LAB", "name": "品质实验室", "name_en": "Quality lab", "parent_code": "QA",
                    "head_number": "", "cost_centre": "CC-300"},
    "employees": {"number": "E10001", "name": "张三", "department_code": "", "position_code": "", "level_code": "",
                  "manager_number": "", "hire_date": dt.date(2025, 3, 1), "probation_end": dt.date(2025, 8, 31),
                  "status": "probation", "location": "宁德", "cost_centre": "", "email": "zhangsan@example.com",
                  "phone": "13800000000"},
}

_BOLD = Font(bold=True)
_REQUIRED = PatternFill("solid", fgColor="FDE2E1")
_OPTIONAL = PatternFill("solid", fgColor="E7F1FF")


def _description(column: Column) -> str:
    text = str(DESCRIPTIONS.get(column.key, ""))
    if column.key == "status":
        text = text % {"choices": ", ".join(f"{en} / {zh}" for en, zh in STATUS_VALUES.values())}
    return text


def _header_cells(sheet: Worksheet, columns: Sequence[Column], language: str) -> list[WriteOnlyCell]:
    cells = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header(language))
        cell.font = _BOLD
        cell.fill = _REQUIRED if column.required else _OPTIONAL
        cells.append(cell)
    return cells


def _to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_workbook(kind: Kind, *, language: str, codes: Mapping[str, Sequence[tuple[str, str]]]) -> bytes:
    """`codes` lists what the user may write in the reference columns: {"departments": [(code, name)],
    "positions": [...], "levels": [...]}, so they need not look them up elsewhere."""
    columns = columns_for(kind)
    example = dict(_EXAMPLES[kind])
    for key, source in (("department_code", "departments"), ("position_code", "positions"),
                        ("level_code", "levels")):
        if key in example:
            first = next(iter(codes.get(source, ())), None)
            example[key] = first[0] if first else ""
    if "status" in example:
        example["status"] = status_label(example["status"], language)

    book = Workbook(write_only=True)
    data = book.create_sheet(_("Departments") if kind == "departments" else _("Employees"))
    data.freeze_panes = "A2"
    for index, _column in enumerate(columns):
        data.column_dimensions[chr(ord("A") + index)].width = 16
    data.append(_header_cells(data, columns, language))
    data.append([example.get(c.key, "") for c in columns])

    notes = book.create_sheet(_("Instructions"))
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 12
    notes.column_dimensions["C"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")

    def line(*values: Any, bold: bool = False) -> None:
        cells = []
        for value in values:
            cell = WriteOnlyCell(notes, value=value)
            cell.alignment = wrap
            if bold:
                cell.font = _BOLD
            cells.append(cell)
        notes.append(cells)

    line(_("How to fill in this file"), bold=True)
    for rule in (
        _("Fill in the first sheet, one row per %(thing)s, from row 2. Delete the example row first.")
        % {"thing": _("department") if kind == "departments" else _("employee")},
        _("Keep the header row. Columns may be in any order; headers in Chinese or English are both recognised."),
        _("Existing records are updated, new ones created. A column left out of the file keeps the stored values."),
        _("The whole file is checked first. If any row has an error, nothing is imported and you get a report "
          "listing every row, column and problem."),
        _("Save as .xlsx, or as .csv (UTF-8 or the GB18030 encoding Chinese Excel uses)."),
    ):
        line("•", "", rule)
    line()
    line(_("Column"), _("Required"), _("What to write"), bold=True)
    for column in columns:
        line(column.header(language), _("yes") if column.required else "", _description(column))
    for source, title in (("departments", _("Department codes")), ("positions", _("Position codes")),
                          ("levels", _("Level codes"))):
        entries = list(codes.get(source, ()))
        if entries:
            line()
            line(title, bold=True)
            for code, name in entries:
                line(code, "", name)
    return _to_bytes(book)


def export_xlsx(kind: Kind, rows: Iterable[Sequence[Any]], *, language: str) -> bytes:
    columns = columns_for(kind)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Departments") if kind == "departments" else _("Employees"))
    sheet.freeze_panes = "A2"
    sheet.append(_header_cells(sheet, columns, language))
    for row in _export_values(kind, rows, language):
        sheet.append(row)
    return _to_bytes(book)


def export_csv(kind: Kind, rows: Iterable[Sequence[Any]], *, language: str) -> bytes:
    """UTF-8 with a BOM: Excel then opens Chinese text correctly, and the importer reads it back."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header(language) for c in columns_for(kind)])
    for row in _export_values(kind, rows, language):
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def _export_values(kind: Kind, rows: Iterable[Sequence[Any]], language: str) -> Iterable[list[Any]]:
    status_at = [c.key for c in columns_for(kind)].index("status") if kind == "employees" else -1
    for row in rows:
        values = ["" if v is None else v for v in row]
        if status_at >= 0:
            values[status_at] = status_label(values[status_at], language)
        yield values


# What the export reads, in the order of the columns (columns.py).
EXPORT_FIELDS: dict[Kind, tuple[str, ...]] = {
    "departments": ("code", "name", "name_en", "parent__code", "head__number", "cost_centre"),
    "employees": ("number", "name", "department__code", "position__code", "level__code", "manager__number",
                  "hire_date", "probation_end", "status", "location", "cost_centre", "email", "phone"),
}
