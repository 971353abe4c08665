"""The field values the audit log keeps before and after a change."""

from __future__ import annotations

from typing import Any

from ..models import Department, Employee

EMPLOYEE_FIELDS = (
    "number", "name", "company_id", "department_id", "position_id", "level_id", "manager_id", "hire_date",
    "probation_end", "status", "left_on", "location", "cost_centre", "email", "phone", "user_id",
)
DEPARTMENT_FIELDS = ("code", "name", "name_en", "company_id", "parent_id", "head_id", "cost_centre", "active", "path")


def employee_snapshot(employee: Employee) -> dict[str, Any]:
    return {f: _plain(getattr(employee, f)) for f in EMPLOYEE_FIELDS}


def department_snapshot(department: Department) -> dict[str, Any]:
    return {f: _plain(getattr(department, f)) for f in DEPARTMENT_FIELDS}


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
