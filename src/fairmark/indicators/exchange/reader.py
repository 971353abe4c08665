"""Reading a template workbook back into a definition, with every problem located by sheet, row and column.
Pure. A broken file gives problems, never an exception: whatever openpyxl raises on a damaged workbook is the
file's fault and becomes "unreadable"."""

from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .layout import (
    APPLIES_TO,
    COLUMNS,
    FIELD_HEADER,
    FIELDS,
    HELPER_COLUMNS,
    KINDS,
    MISSING_RULES,
    PERIODS,
    RATER_GROUPS,
    REQUIRED_COLUMNS,
    REQUIRED_FIELDS,
    SHEETS,
    VETO_EFFECTS,
    WEIGHTED_KINDS,
    Label,
    index,
    normalise,
)
from .problems import Problem

MAX_BYTES = 1024 * 1024  # a template workbook is some 10 KB; this leaves room for formatting
MAX_ROWS = 2000
MAX_COLUMNS = 40

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"
_LIST_SEPARATORS = re.compile(r"[,，;；、\n]+")
_GROUP_SEPARATORS = re.compile(r"[;；,，、\n]+")
_GROUP = re.compile(r"^\s*(.+?)\s*[:：=]\s*(\S+?)\s*%?\s*$")
_TRIGGER = re.compile(r"^\s*(>=|<=|==|!=|≥|≤|≠|>|<|=)\s*(\S+)\s*$")
_OPS = {"≥": ">=", "≤": "<=", "≠": "!=", "=": "=="}

_FIELDS = index(FIELDS)
_COLUMNS = index(COLUMNS)
_HELPERS = index(HELPER_COLUMNS)
_KINDS = index(KINDS.values())
_GROUPS = index(RATER_GROUPS.values())
_PERIODS = index(PERIODS.values())
_MISSING = index(MISSING_RULES.values())
_EFFECTS = index(VETO_EFFECTS.values())
_SHEETS = index(SHEETS.values())
_FIELD_HEADERS = {normalise(name) for name in FIELD_HEADER.names()}


class _Unreadable(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Reading:
    """What `read_workbook` found: the definition, the problems, and where each part of the definition sits
    in the file (a definition path such as "sections.1.items.0.weight" → (sheet, row, column)), so that a
    validation error of the definition can point at its cell too."""

    definition: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    places: dict[str, tuple[str, int, str]] = field(default_factory=dict)

    def add(self, sheet: str, row: int, column: str, code: str, /, **params: Any) -> None:
        self.problems.append(Problem(sheet, row, column, code, params))

    def place(self, path: str) -> tuple[str, int, str] | None:
        """The cell (or the nearest row) of a definition path."""
        parts = path.split(".")
        while parts:
            found = self.places.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return None


def _cell_text(value: object) -> str:
    """A cell as text: numbers as people wrote them ("70", "33.33"), not as binary floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    return str(value).strip()


def _number(text: str) -> str | None:
    """A decimal as written ("60", "33.33", "30%") → its canonical text; None when it is not a number."""
    stripped = text.strip().rstrip("%％").strip()
    try:
        number = Decimal(stripped)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return stripped


def _rows(sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > MAX_ROWS + 1:
            raise _Unreadable("too_many_rows", max=MAX_ROWS)
        yield number, tuple(cells)


def _blank(cells: Sequence[Any]) -> bool:
    return all(_cell_text(cell) == "" for cell in cells)


def _find_sheets(book: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for sheet in book.worksheets:
        label = _SHEETS.get(normalise(sheet.title))
        if label is not None and label.key not in found:
            found[label.key] = sheet
    return found


def _read_fields(sheet: Any, reading: Reading) -> None:
    definition = reading.definition
    seen: dict[str, int] = {}
    applies: dict[str, list[str]] = {dimension: [] for dimension in APPLIES_TO}
    for number, cells in _rows(sheet):
        label_text = _cell_text(cells[0] if cells else None)
        if not label_text:
            continue
        if normalise(label_text) in _FIELD_HEADERS and not seen:
            continue  # the header row
        label = _FIELDS.get(normalise(label_text))
        if label is None:
            reading.add("template", number, "", "unknown_field", label=label_text[:60])
            continue
        if label.key in seen:
            reading.add("template", number, label.key, "duplicate_field", label=label_text[:60])
            continue
        seen[label.key] = number
        reading.places[label.key] = ("template", number, label.key)
        value = _cell_text(cells[1] if len(cells) > 1 else None)
        if label.key in APPLIES_TO:
            reading.places[f"applies_to.{label.key}"] = ("template", number, label.key)
            values: list[str] = []
            for part in _LIST_SEPARATORS.split(value):
                if part.strip() and part.strip() not in values:
                    values.append(part.strip())
            applies[label.key] = values
        elif label.key == "period":
            if value:
                definition["period"] = _choice_by_index(_PERIODS, value)
                if definition["period"] is None:
                    reading.add("template", number, "period", "bad_choice", value=value[:60], choices=list(PERIODS))
                    definition["period"] = value
        elif label.key == "missing_rule":
            if value:
                definition["missing_rule"] = _choice_by_index(_MISSING, value)
                if definition["missing_rule"] is None:
                    reading.add("template", number, "missing_rule", "bad_choice", value=value[:60],
                                choices=list(MISSING_RULES))
                    definition["missing_rule"] = value
        else:
            definition[label.key] = value
    for key in REQUIRED_FIELDS:
        if key not in seen:
            reading.add("template", 0, key, "missing_field")
        elif not definition.get(key):
            reading.add("template", seen[key], key, "required")
    definition["applies_to"] = applies


def _choice_by_index(labels: dict[str, Label], text: str) -> str | None:
    label = labels.get(normalise(text))
    return label.key if label else None


def _rater_groups(text: str, reading: Reading, number: int) -> list[dict[str, str]] | None:
    groups: list[dict[str, str]] = []
    for part in _GROUP_SEPARATORS.split(text):
        if not part.strip():
            continue
        match = _GROUP.match(part)
        if match is None:
            reading.add("items", number, "rater_groups", "bad_rater_groups", value=text[:80])
            return None
        name, weight = match.group(1), match.group(2)
        label = _GROUPS.get(normalise(name))
        if label is None:
            reading.add("items", number, "rater_groups", "unknown_rater_group", value=name[:40])
            return None
        canonical = _number(weight)
        if canonical is None:
            reading.add("items", number, "rater_groups", "bad_number", value=weight[:40])
            return None
        groups.append({"group": label.key, "weight": canonical})
    if not groups:
        reading.add("items", number, "rater_groups", "bad_rater_groups", value=text[:80])
        return None
    return groups


@dataclass
class _Section:
    key: str
    row: int
    values: dict[str, str]  # section_name_zh, section_name_en, section_weight as first written
    first_rows: dict[str, int]
    items: list[dict[str, Any]] = field(default_factory=list)


def _read_items(sheet: Any, reading: Reading) -> None:
    header: tuple[Any, ...] | None = None
    positions: dict[str, int] = {}
    sections: list[_Section] = []
    by_key: dict[str, _Section] = {}
    current: _Section | None = None
    any_rows = False
    for number, cells in _rows(sheet):
        if _blank(cells):
            continue
        if header is None:
            header = cells
            positions = _match_header(cells, number, reading)
            reading.places["sections"] = ("items", 0, "section_weight")  # the section weights, all rows
            if any(key not in positions for key in REQUIRED_COLUMNS):
                return
            continue
        any_rows = True

        def cell(key: str, cells: tuple[Any, ...] = cells, positions: dict[str, int] = positions) -> str:
            position = positions.get(key)
            return _cell_text(cells[position]) if position is not None and position < len(cells) else ""

        key = cell("section_key")
        if not key:
            if current is None:
                reading.add("items", number, "section_key", "required")
                continue
            key = current.key
        section = by_key.get(key)
        if section is None:
            section = _Section(key, number, {}, {})
            by_key[key] = section
            sections.append(section)
            reading.places[f"sections.{len(sections) - 1}"] = ("items", number, "section_key")
            reading.places[f"sections.{len(sections) - 1}.items"] = ("items", number, "weight")
        current = section
        section_index = sections.index(section)
        for column in ("section_name_zh", "section_name_en", "section_weight"):
            value = cell(column)
            if not value:
                continue
            if column == "section_weight":
                canonical = _number(value)
                if canonical is None:
                    reading.add("items", number, column, "bad_number", value=value[:40])
                    continue
                value = canonical
            if column not in section.values:
                section.values[column] = value
                section.first_rows[column] = number
                path = {"section_name_zh": "name_zh", "section_name_en": "name_en",
                        "section_weight": "weight"}[column]
                reading.places[f"sections.{section_index}.{path}"] = ("items", number, column)
            elif section.values[column] != value:
                reading.add("items", number, column, "section_mismatch", key=key[:40], first=section.values[column][:60],
                            first_row=section.first_rows[column])
        item = _read_item(cell, number, reading)
        if item is not None:
            item_path = f"sections.{section_index}.items.{len(section.items)}"
            reading.places[item_path] = ("items", number, "kind")
            for column, path in (("indicator", "indicator"), ("weight", "weight"), ("rater_groups", "rater_groups"),
                                 ("cap", "cap"), ("name_zh", "name_zh"), ("name_en", "name_en")):
                reading.places[f"{item_path}.{path}"] = ("items", number, column)
            section.items.append(item)
    if header is None or not any_rows:
        reading.add("items", 0, "", "no_items")
    reading.definition["sections"] = [
        {"key": section.key, "name_zh": section.values.get("section_name_zh", ""),
         "name_en": section.values.get("section_name_en", ""), "weight": section.values.get("section_weight", ""),
         "items": section.items}
        for section in sections
    ]


def _match_header(cells: tuple[Any, ...], number: int, reading: Reading) -> dict[str, int]:
    positions: dict[str, int] = {}
    for position, raw in enumerate(cells):
        text = _cell_text(raw)
        if not text:
            continue
        normal = normalise(text)
        if normal in _HELPERS:
            continue
        label = _COLUMNS.get(normal)
        if label is None:
            reading.add("items", number, "", "unknown_column", header=text[:60])
        elif label.key in positions:
            reading.add("items", number, label.key, "duplicate_column", header=text[:60])
        else:
            positions[label.key] = position
    for key in REQUIRED_COLUMNS:
        if key not in positions:
            reading.add("items", number, key, "missing_column")
    return positions


_APPLIES: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator", "rated", "veto"),
    "weight": WEIGHTED_KINDS,
    "rater_groups": ("rated",),
    "cap": ("adjustment",),
    "veto_trigger": ("veto",),
    "veto_effect": ("veto",),
    "veto_grade": ("veto",),
}


def _read_item(cell: Any, number: int, reading: Reading) -> dict[str, Any] | None:
    kind_text = cell("kind")
    item_columns = [column.key for column in COLUMNS[4:]]
    if not kind_text:
        if any(cell(column) for column in item_columns):
            reading.add("items", number, "kind", "required")
        return None  # a row that only declares its section
    kind = _choice_by_index(_KINDS, kind_text)
    if kind is None:
        reading.add("items", number, "kind", "unknown_kind", value=kind_text[:40])
        return None
    for column, kinds in _APPLIES.items():
        if cell(column) and kind not in kinds:
            reading.add("items", number, column, "not_applicable", kind=kind)
    item: dict[str, Any] = {"kind": kind}
    if kind in ("indicator", "rated", "veto"):
        item["indicator"] = cell("indicator")
        if not item["indicator"]:
            reading.add("items", number, "indicator", "required")
    if kind in WEIGHTED_KINDS:
        weight = cell("weight")
        canonical = _number(weight) if weight else None
        if not weight:
            reading.add("items", number, "weight", "required")
        elif canonical is None:
            reading.add("items", number, "weight", "bad_number", value=weight[:40])
        item["weight"] = canonical if canonical is not None else weight
    if kind == "rated":
        text = cell("rater_groups")
        if not text:
            reading.add("items", number, "rater_groups", "required")
            item["rater_groups"] = []
        else:
            item["rater_groups"] = _rater_groups(text, reading, number) or []
    if kind == "adjustment":
        cap = cell("cap")
        canonical = _number(cap) if cap else None
        if not cap:
            reading.add("items", number, "cap", "required")
        elif canonical is None:
            reading.add("items", number, "cap", "bad_number", value=cap[:40])
        item["cap"] = canonical if canonical is not None else cap
        item["reason_required"] = True
    if kind == "veto":
        trigger = cell("veto_trigger")
        if trigger:
            match = _TRIGGER.match(trigger)
            bound = _number(match.group(2)) if match else None
            if match is None or bound is None:
                reading.add("items", number, "veto_trigger", "bad_trigger", value=trigger[:40])
            else:
                item["trigger"] = {"op": _OPS.get(match.group(1), match.group(1)), "bound": bound}
        effect = cell("veto_effect")
        if effect:
            chosen = _choice_by_index(_EFFECTS, effect)
            if chosen is None:
                reading.add("items", number, "veto_effect", "bad_choice", value=effect[:40],
                            choices=list(VETO_EFFECTS))
            else:
                item["effect"] = chosen
        grade = cell("veto_grade")
        if grade:
            item["grade"] = grade
    name_zh, name_en = cell("name_zh"), cell("name_en")
    if kind in ("okr", "adjustment", "veto"):
        item["name_zh"], item["name_en"] = name_zh, name_en
    else:
        if name_zh:
            item["name_zh"] = name_zh
        if name_en:
            item["name_en"] = name_en
    return item


def _load(data: bytes) -> Any:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _Unreadable("unreadable")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise _Unreadable("too_large", max_kb=MAX_BYTES // 1024)
    if not data.strip():
        raise _Unreadable("empty_file")
    if data.startswith(_OLE):
        raise _Unreadable("old_xls")
    if not data.startswith(_ZIP):
        raise _Unreadable("unreadable")
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged workbook fails in many ways inside openpyxl
        raise _Unreadable("unreadable") from error


def read_workbook(data: bytes) -> Reading:
    """Read a template workbook (headers in Chinese or English). Never raises for the file's sake."""
    reading = Reading()
    try:
        book = _load(data)
    except _Unreadable as error:
        reading.add("", 0, "", error.code, **error.params)
        _complete(reading.definition)
        return reading
    try:
        _read_sheets(book, reading)
    except _Unreadable as error:
        reading.add("", 0, "", error.code, **error.params)
    finally:
        with contextlib.suppress(Exception):  # closing a damaged workbook may fail too; nothing is left to do
            book.close()
    _complete(reading.definition)
    return reading


def _read_sheets(book: Any, reading: Reading) -> None:
    try:
        sheets = _find_sheets(book)
        for key in ("template", "items"):
            if key not in sheets:
                reading.problems.append(Problem("", 0, "", "missing_sheet", {"sheet": key}))
        if "template" in sheets:
            _read_fields(sheets["template"], reading)
        if "items" in sheets:
            _read_items(sheets["items"], reading)
    except _Unreadable:
        raise
    except Exception as error:  # openpyxl reads read-only sheets lazily: damage may show only now
        raise _Unreadable("unreadable") from error


def _complete(definition: dict[str, Any]) -> None:
    """Every key of a definition, in the order of `definition_of`, so a caller need not guess."""
    ordered = {
        "code": definition.get("code", ""),
        "name_zh": definition.get("name_zh", ""),
        "name_en": definition.get("name_en", ""),
        "period": definition.get("period", ""),
        "missing_rule": definition.get("missing_rule", ""),
        "applies_to": definition.get("applies_to") or {dimension: [] for dimension in APPLIES_TO},
        "sections": definition.get("sections", []),
        "note": definition.get("note", ""),
    }
    definition.clear()
    definition.update(ordered)


def read_template(data: bytes) -> tuple[dict[str, Any], list[Problem]]:
    """(definition, problems) of an uploaded template workbook; see `read_workbook`."""
    reading = read_workbook(data)
    return reading.definition, reading.problems
