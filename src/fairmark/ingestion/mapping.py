"""Turning a source's records into push rows (DESIGN.md C3): which column holds what. Pure: no Django.

    mapping = FieldMapping(subject="line_code", period="work_date", constants={"subject_type": "line"},
                           values={"output": "output", "defects": "defects"})        # wide: a column per metric
    mapping.check(columns=["line_code", "work_date", "output", "defects"])           # [] or [MappingProblem, ...]
    mapping.rows([{"line_code": "L1", "work_date": date(2026, 11, 3), "output": 1200, "defects": None}])
    # [{'row_key': 'line|L1|2026-11-03|output', 'metric': 'output', 'subject': 'L1', 'subject_type': 'line',
    #   'period': '2026-11-03', 'at': None, 'value': 1200, 'unit': None, 'record': 0}]     (no defects: blank)
    FieldMapping.from_dict(mapping.to_dict()) == mapping                              # stored as JSON

Records come from a SQL query, a REST service or an uploaded sheet (column or field name → value). The rows have
the keys validate_rows reads (ingestion.rows), plus `record`, the index of the record they came from. The long
layout takes the metric and the value from a column each (one row per record); the wide layout takes one row
per metric listed in `values`, and skips a metric whose cell is blank (not reported), whereas a blank value in
the long layout is passed on as None for validation to reject with its reason.

Row keys: a `row_key` column's value (with ":<metric>" in the wide layout), else derived from subject type,
subject, period (or at) and metric, e.g. "line|L1|2026-11-03|output", so sending the same data again yields the
same keys: unchanged duplicates, not new values. Rows that differ only in something else (two shifts of a line
on one day) need a row_key column. A derived key longer than the stored limit ends in a SHA-256 of itself.

Cells are normalised, never computed with: dates become "YYYY-MM-DD", a datetime in the period column its date
when at midnight (Excel gives dates so) else ISO text, a datetime in `at` ISO text; text is stripped, a blank
cell is None; a subject or row key read as a number (工号 1001 from Excel, or 1001.0) becomes "1001"; Decimal,
int, float and bool values pass unchanged (validate_rows reads a float through its shortest repr)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from .quality.messages import normalise_language, render
from .rows.messages import EN, ZH
from .rows.validate import DEFAULT_SUBJECT_TYPE, MAX_ROW_KEY

CONSTANT_FIELDS: tuple[str, ...] = ("subject_type", "metric", "period", "at", "unit")
COLUMN_FIELDS: tuple[str, ...] = ("subject", "subject_type", "period", "at", "row_key", "metric", "value", "unit")
_MIDNIGHT = time(0)

# code → (English, 简体中文); {field_name} is filled in from FIELD_NAMES in the reader's language
MESSAGES: dict[str, tuple[str, str]] = {
    "subject_required": ("Choose the column that holds the subject (such as the employee number or line code).",
                         "请选择存放考核对象的列（如工号或产线编码）。"),
    "metric_required": ("Choose the column that holds the metric code, or set the metric as a constant.",
                        "请选择存放数据项编码的列，或将数据项设为固定值。"),
    "value_required": ("Choose the column that holds the value, or a column for each metric (wide layout).",
                       "请选择存放数值的列，或为每个数据项各选一列（宽表格式）。"),
    "period_required": ("Choose the column of the period or of the time, or set one as a constant.",
                        "请选择期间列或时间列，或将其设为固定值。"),
    "both_layouts": ("Use either a value column with a metric (long layout) or a column per metric (wide layout), "
                     "not both.",
                     "请在“数值列 + 数据项”（长表）与“每个数据项一列”（宽表）之间二选一。"),
    "empty_metric": ("A metric code of the wide layout is empty.", "宽表格式中有数据项编码为空。"),
    "unknown_column": ("There is no column “{column}” (chosen for {field_name}).",
                       "没有列“{column}”（用作{field_name}）。"),
    "unknown_constant": ("{field} cannot be a constant: constants can be given for the subject type, metric, "
                         "period, time and unit.",
                         "{field} 不能设为固定值：只有对象类型、数据项、期间、时间和单位可以设为固定值。"),
    "column_and_constant": ("{field_name} is given both as the column “{column}” and as a constant: keep one.",
                            "{field_name}同时指定了列“{column}”和固定值：请只保留一个。"),
    "unknown_key": ("The stored mapping has an unknown entry “{key}”.", "映射中有未知的项“{key}”。"),
    "wrong_type": ("The stored mapping's entry “{key}” has the wrong type.", "映射中的项“{key}”类型不正确。"),
}

FIELD_NAMES: dict[str, tuple[str, str]] = {
    "subject": ("the subject", "考核对象"), "subject_type": ("the subject type", "对象类型"),
    "period": ("the period", "期间"), "at": ("the time", "时间"), "row_key": ("the row key", "行键"),
    "metric": ("the metric", "数据项"), "value": ("the value", "数值"), "values": ("a metric", "数据项列"),
    "unit": ("the unit", "单位"), "constants": ("a constant", "固定值"), "mapping": ("the mapping", "映射"),
}


@dataclass(frozen=True)
class MappingProblem:
    """What is wrong with a mapping: the field it concerns, a code and params (JSON-safe)."""

    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)  # `field` is taken by the attribute

    def message(self, language: str = EN) -> str:
        names = FIELD_NAMES.get(self.field, (self.field, self.field))
        if self.field == "values" and "metric" in self.params:
            names = (f"the metric “{self.params['metric']}”", f"数据项“{self.params['metric']}”")
        return render(MESSAGES, self.code, {"field_name": names[normalise_language(language) == ZH], **self.params},
                      language)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, date):  # datetime too: as a value or a code, ISO text
        return value.isoformat()
    return value


def _code(value: Any) -> Any:
    """A subject or row key: a whole number read from a sheet or a NUMERIC column is the code it was typed as."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()):
        return str(int(value))
    return _cell(value)


def _period(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == _MIDNIGHT else value.isoformat()
    return _code(value)  # a year typed as 2026 is the period "2026"


def _key_part(value: Any) -> str:
    # "|" separates the parts and "\" escapes, so different parts never make the same key
    return "" if value is None else str(value).replace("\\", "\\\\").replace("|", "\\|")


def _fit(key: str) -> str:
    if len(key) <= MAX_ROW_KEY:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[:MAX_ROW_KEY - len(digest) - 1]}#{digest}"


@dataclass(frozen=True)
class FieldMapping:
    """Which column of a record holds each field of a row (see the module docstring)."""

    subject: str
    subject_type: str | None = None
    period: str | None = None
    at: str | None = None
    row_key: str | None = None
    metric: str | None = None
    value: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    unit: str | None = None
    constants: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:  # copies: a caller's dict changed later must not change a frozen mapping
        object.__setattr__(self, "values", dict(self.values))
        object.__setattr__(self, "constants", dict(self.constants))

    # --------------------------------------------------------------------------------------------- rows

    def _field(self, record: Mapping[str, Any], name: str) -> Any:
        column = getattr(self, name)
        return record.get(column) if column else self.constants.get(name)

    def rows(self, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The push rows of `records`, in record order (for the wide layout, `values` order within a record)."""
        out: list[dict[str, Any]] = []
        wide = list(self.values.items())
        for index, record in enumerate(records):
            subject = _code(record.get(self.subject))
            kind = _cell(self._field(record, "subject_type"))
            period = _period(self._field(record, "period"))
            at = _cell(self._field(record, "at"))
            unit = _cell(self._field(record, "unit"))
            sent_key = _code(record.get(self.row_key)) if self.row_key else None
            cells: list[tuple[Any, Any]]
            if wide:
                cells = [(metric, record.get(column)) for metric, column in wide]
                cells = [(metric, cell) for metric, cell in cells if not _blank(cell)]
            else:
                cells = [(_cell(self._field(record, "metric")), record.get(self.value) if self.value else None)]
            for metric, cell in cells:
                if self.row_key:
                    key = _fit(f"{sent_key}:{metric}") if wide and sent_key is not None else sent_key
                else:
                    parts = (kind or DEFAULT_SUBJECT_TYPE, subject, period if period is not None else at, metric)
                    key = _fit("|".join(_key_part(part) for part in parts))
                out.append({"row_key": key, "metric": metric, "subject": subject, "subject_type": kind,
                            "period": period, "at": at, "value": _cell(cell), "unit": unit, "record": index})
        return out

    # ------------------------------------------------------------------------------------------- checks

    def check(self, columns: Collection[str] | None = None) -> list[MappingProblem]:
        """What is wrong with the mapping; with `columns` (the source's), also which named columns it lacks."""
        problems: list[MappingProblem] = []
        constants = self.constants
        if not self.subject:
            problems.append(MappingProblem("subject", "subject_required"))
        long = bool(self.value or self.metric or constants.get("metric"))
        if self.values and long:
            problems.append(MappingProblem("values", "both_layouts"))
        elif not self.values:
            if not self.metric and not constants.get("metric"):
                problems.append(MappingProblem("metric", "metric_required"))
            if not self.value:
                problems.append(MappingProblem("value", "value_required"))
        if "" in self.values:
            problems.append(MappingProblem("values", "empty_metric"))
        if not (self.period or self.at or constants.get("period") or constants.get("at")):
            problems.append(MappingProblem("period", "period_required"))
        for name in constants:
            if name not in CONSTANT_FIELDS:
                problems.append(MappingProblem("constants", "unknown_constant", {"field": name}))
            elif getattr(self, name):
                problems.append(MappingProblem(name, "column_and_constant", {"column": getattr(self, name)}))
        if columns is not None:
            known = set(columns)
            problems += [MappingProblem(name, "unknown_column", {"column": getattr(self, name)})
                         for name in COLUMN_FIELDS if getattr(self, name) and getattr(self, name) not in known]
            problems += [MappingProblem("values", "unknown_column", {"column": column, "metric": metric})
                         for metric, column in self.values.items() if column not in known]
        return problems

    # ---------------------------------------------------------------------------------------------- JSON

    def to_dict(self) -> dict[str, Any]:
        return {item.name: (dict(value) if isinstance(value := getattr(self, item.name), dict) else value)
                for item in fields(self)}

    @classmethod
    def from_dict(cls, data: object) -> FieldMapping | list[MappingProblem]:
        """The mapping to_dict wrote, or the problems of `data`: its shape first, then check() (without columns)."""
        if not isinstance(data, Mapping):
            return [MappingProblem("mapping", "wrong_type", {"key": "$"})]
        names = {item.name for item in fields(cls)}
        problems = [MappingProblem("mapping", "unknown_key", {"key": str(key)}) for key in data if key not in names]
        for name in names & set(data):
            value = data[name]
            if name in ("values", "constants"):
                good = isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str)
                                                          for k, v in value.items())
            else:
                good = isinstance(value, str) or (value is None and name != "subject")
            if not good:
                problems.append(MappingProblem(name, "wrong_type", {"key": name}))
        if "subject" not in data:
            problems.append(MappingProblem("subject", "subject_required"))
        if problems:
            return problems
        mapping = cls(**{name: data[name] for name in names & set(data)})
        return mapping.check() or mapping
