"""The columns of the two import files, with the headers recognised in English and Chinese. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["departments", "employees"]
KINDS: tuple[Kind, ...] = ("departments", "employees")


@dataclass(frozen=True)
class Column:
    key: str
    en: str  # the header the template and export write in English
    zh: str  # ... and in Chinese
    required: bool = False
    max_length: int | None = None
    aliases: tuple[str, ...] = ()  # other headers people write, either language

    def header(self, language: str | None) -> str:
        return self.zh if (language or "").lower().startswith("zh") else self.en


DEPARTMENT_COLUMNS: tuple[Column, ...] = (
    Column("code", "Code", "部门编码", True, 32, ("department code", "dept code", "部门代码", "编码")),
    Column("name", "Name", "部门名称", True, 200, ("department name", "名称")),
    Column("name_en", "English name", "英文名称", False, 200, ("name en", "部门英文名称", "英文名")),
    Column("parent_code", "Parent code", "上级部门编码", False, 32,
           ("parent", "parent department", "parent department code", "上级部门", "上级部门代码")),
    Column("head_number", "Head number", "负责人工号", False, 32,
           ("head", "head employee number", "部门负责人工号", "负责人", "部门负责人")),
    Column("cost_centre", "Cost centre", "成本中心", False, 32, ("cost center",)),
)

EMPLOYEE_COLUMNS: tuple[Column, ...] = (
    Column("number", "Employee number", "工号", True, 32,
           ("number", "employee no", "emp no", "employee id", "员工编号", "员工工号", "编号")),
    Column("name", "Name", "姓名", True, 100, ("full name", "员工姓名")),
    Column("department_code", "Department code", "部门编码", True, 32,
           ("department", "dept code", "部门代码", "部门编号")),
    Column("position_code", "Position code", "岗位编码", False, 32, ("position", "岗位代码", "职位编码")),
    Column("level_code", "Level", "职级", False, 16, ("level code", "job level", "职级编码", "职级代码")),
    Column("manager_number", "Manager number", "上级工号", False, 32,
           ("manager", "manager no", "manager employee number", "直属上级工号", "上级编号", "直属上级")),
    Column("hire_date", "Hire date", "入职日期", True, None, ("hired", "start date", "date hired", "入职时间")),
    Column("probation_end", "Probation end", "试用期结束", False, None,
           ("probation end date", "试用期结束日期", "转正日期")),
    Column("status", "Status", "状态", False, None, ("员工状态", "在职状态")),
    Column("location", "Location", "工作地点", False, 100, ("work location", "地点", "工作地")),
    Column("cost_centre", "Cost centre", "成本中心", False, 32, ("cost center",)),
    Column("email", "Email", "邮箱", False, 254, ("e-mail", "email address", "电子邮箱", "邮件")),
    Column("phone", "Phone", "电话", False, 32, ("mobile", "phone number", "手机", "手机号", "联系电话")),
)


def columns_for(kind: Kind) -> tuple[Column, ...]:
    return DEPARTMENT_COLUMNS if kind == "departments" else EMPLOYEE_COLUMNS


_HINT = re.compile(r"[(（].*?[)）]")  # "入职日期(YYYY-MM-DD)" → "入职日期"
_NOISE = re.compile(r"[\s_*＊:：\-]+")


def normalise_header(text: str) -> str:
    return _NOISE.sub("", _HINT.sub("", text)).lower()


def _index(columns: Sequence[Column]) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in columns:
        for name in (column.key, column.en, column.zh, *column.aliases):
            index.setdefault(normalise_header(name), column)
    return index


_INDEXES = {kind: _index(columns_for(kind)) for kind in KINDS}


@dataclass(frozen=True)
class HeaderMatch:
    positions: dict[str, int]  # column key → index in the row
    headers: dict[str, str]  # column key → the header as the file wrote it
    unknown: list[tuple[int, str]]  # (index, header) of columns we do not know
    duplicates: list[tuple[int, str]]
    missing: list[Column]  # required columns the file lacks


def match_headers(kind: Kind, header_row: Sequence[object]) -> HeaderMatch:
    index = _INDEXES[kind]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[tuple[int, str]] = []
    duplicates: list[tuple[int, str]] = []
    for position, cell in enumerate(header_row):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        column = index.get(normalise_header(text))
        if column is None:
            unknown.append((position, text))
        elif column.key in positions:
            duplicates.append((position, text))
        else:
            positions[column.key] = position
            headers[column.key] = text
    missing = [c for c in columns_for(kind) if c.required and c.key not in positions]
    return HeaderMatch(positions, headers, unknown, duplicates, missing)
