"""Building import files in tests: real .xlsx workbooks (openpyxl) and .csv in a chosen encoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from fairmark.org.importing.columns import DEPARTMENT_COLUMNS, EMPLOYEE_COLUMNS

EMPLOYEES_EN = [c.en for c in EMPLOYEE_COLUMNS]
EMPLOYEES_ZH = [c.zh for c in EMPLOYEE_COLUMNS]
DEPARTMENTS_EN = [c.en for c in DEPARTMENT_COLUMNS]
DEPARTMENTS_ZH = [c.zh for c in DEPARTMENT_COLUMNS]


def employee(number: str, name: str, department: str = "LINE1", *, position: str = "OP", level: str = "P3",
             manager: str = "", hire: Any = "2025-01-06", probation: Any = "", status: str = "active",
             location: str = "宁德", cost_centre: str = "", email: str = "", phone: str = "") -> list[Any]:
    """A row in the column order of the template."""
    return [number, name, department, position, level, manager, hire, probation, status, location, cost_centre,
            email, phone]


def department(code: str, name: str, parent: str = "", *, name_en: str = "", head: str = "",
               cost_centre: str = "") -> list[Any]:
    return [code, name, name_en, parent, head, cost_centre]


def xlsx(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(header: Sequence[Any], rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)
