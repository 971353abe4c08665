"""Writing a template definition to an .xlsx workbook. Pure (openpyxl is a plain library)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from .layout import (
    APPLIES_TO,
    COLUMNS,
    FIELD_HEADER,
    FIELDS,
    HELP_HEADER,
    HELPER_COLUMNS,
    KINDS,
    MISSING_RULES,
    PERIODS,
    RATER_GROUPS,
    SHEETS,
    VALUE_HEADER,
    VETO_EFFECTS,
    is_chinese,
)

TEXT_COLUMNS = ("section_key", "section_weight", "indicator", "weight", "rater_groups", "cap", "veto_trigger",
                "veto_grade")

_HELP: dict[str, tuple[str, str]] = {
    "code": ("Lower-case letters, digits and _. A new code creates a template; an existing one saves a new draft "
             "version of it.", "小写英文字母、数字和下划线。新编码会创建方案；已有编码会保存为该方案的新草稿版本。"),
    "period": ("month, quarter, half_year or year", "month（月度）、quarter（季度）、half_year（半年度）或 year（年度）"),
    "missing_rule": ("reweight (share the weight of a missing part among the others) or zero (count it as 0)",
                     "reweight（缺项的权重分给其余项）或 zero（缺项计为零分）"),
    "job_families": ("Codes, separated by commas; empty: any", "编码，用逗号分隔；留空表示不限"),
    "positions": ("Position codes or names, separated by commas; empty: any", "岗位编码或名称，用逗号分隔；留空表示不限"),
    "levels": ("Codes, separated by commas; empty: any", "编码，用逗号分隔；留空表示不限"),
}

_INSTRUCTIONS: tuple[tuple[str, str], ...] = (
    ("One row per item. The section columns repeat on every row of a section; the rows of a section stay "
     "together.", "每个考核项一行。分组各列在该分组的每一行重复填写；同一分组的行应连续排列。"),
    ("Item kinds: indicator (computed from data), rated (rated on an anchored scale), okr (OKR slot), "
     "adjustment (± points, no weight), veto (no weight).",
     "项目类型：indicator（指标，按数据计算）、rated（评分项，按锚定量表评分）、okr（OKR）、"
     "adjustment（加减分，无权重）、veto（一票否决，无权重）。"),
    ("Weights are percentages such as 60 or 33.33. The section weights add up to 100, and so do the weights of "
     "the indicator, rated and okr items of each section.",
     "权重为百分数，如 60 或 33.33。各分组权重合计为 100，每个分组内 indicator、rated、okr 项的权重合计也为 100。"),
    ("Rater groups (rated items): manager:60; peer:20; self:20 — groups are self, manager, peer, subordinate, "
     "n_plus_2, and their weights add up to 100.",
     "评价人权重（评分项）：manager:60; peer:20; self:20——评价组为 self（自评）、manager（上级）、peer（同事）、"
     "subordinate（下属）、n_plus_2（隔级上级），权重合计为 100。"),
    ("Adjustments carry a cap in points (e.g. 5 for ±5). A veto names the indicator that triggers it; its "
     "condition, effect and grade are those of the indicator's rule.",
     "加减分填写上限分值（如 5 表示 ±5 分）。一票否决填写触发它的指标；否决条件、方式和等级以该指标的规则为准。"),
    ("The column “{helper}” is for reference only and is not imported.", "“{helper}”列仅供参考，导入时忽略。"),
)


_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # what openpyxl refuses to write


def _text(value: object) -> str:
    if value is None:
        return ""
    return _ILLEGAL.sub("", str(value))


def _labels(language: str) -> tuple[list[str], list[str]]:
    return [column.text(language) for column in COLUMNS], [column.text(language) for column in HELPER_COLUMNS]


def item_cells(item: Mapping[str, Any]) -> dict[str, str]:
    """The Items-sheet cells of one item (without its section's)."""
    kind = _text(item.get("kind"))
    cells = {
        "kind": kind,
        "indicator": _text(item.get("indicator")) if kind not in ("okr", "adjustment") else "",
        "name_zh": _text(item.get("name_zh")),
        "name_en": _text(item.get("name_en")),
        "weight": _text(item.get("weight")) if kind in ("indicator", "rated", "okr") else "",
        "rater_groups": "",
        "cap": _text(item.get("cap")) if kind == "adjustment" else "",
        "veto_trigger": "",
        "veto_effect": "",
        "veto_grade": "",
    }
    if kind == "rated":
        groups = [group for group in item.get("rater_groups") or [] if isinstance(group, Mapping)]
        cells["rater_groups"] = "; ".join(f"{_text(group.get('group'))}:{_text(group.get('weight'))}"
                                          for group in groups)
    if kind == "veto":
        trigger = item.get("trigger")
        if isinstance(trigger, Mapping):
            cells["veto_trigger"] = f"{_text(trigger.get('op'))} {_text(trigger.get('bound'))}".strip()
        cells["veto_effect"] = _text(item.get("effect"))
        cells["veto_grade"] = _text(item.get("grade"))
    return cells


def write_template(definition: Mapping[str, Any], language: str, *,
                   indicator_names: Mapping[str, str] | None = None) -> bytes:
    """An .xlsx of `definition` (the shape of `definition_of`: code, names, period, missing_rule, applies_to,
    note, sections), headers in `language`. `indicator_names` fills the reference column (code → name)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    chinese = is_chinese(language)
    bold = Font(bold=True)
    grey = Font(color="808080")
    fill = PatternFill("solid", fgColor="F2F2F2")
    book = Workbook()

    # the Template sheet
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEETS["template"].text(language)
    sheet.append([FIELD_HEADER.text(language), VALUE_HEADER.text(language), HELP_HEADER.text(language)])
    applies = definition.get("applies_to") if isinstance(definition.get("applies_to"), Mapping) else {}
    assert isinstance(applies, Mapping)
    for field in FIELDS:
        if field.key in APPLIES_TO:
            values = applies.get(field.key) or []
            value = ", ".join(_text(v) for v in values) if isinstance(values, list | tuple) else _text(values)
        else:
            value = _text(definition.get(field.key))
        help_text = _HELP.get(field.key, ("", ""))[1 if chinese else 0]
        sheet.append([field.text(language), value, help_text])
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:
            cell.number_format = "@"
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            cell.font = grey
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 48
    sheet.column_dimensions["C"].width = 60
    sheet.freeze_panes = "A2"
    period = DataValidation(type="list", formula1='"' + ",".join(PERIODS) + '"', allow_blank=False)
    missing = DataValidation(type="list", formula1='"' + ",".join(MISSING_RULES) + '"', allow_blank=False)
    sheet.add_data_validation(period)
    sheet.add_data_validation(missing)
    keys = [field.key for field in FIELDS]
    period.add(f"B{keys.index('period') + 2}")
    missing.add(f"B{keys.index('missing_rule') + 2}")

    # the Items sheet
    items = book.create_sheet(SHEETS["items"].text(language))
    headers, helpers = _labels(language)
    items.append([*headers, *helpers])
    names = indicator_names or {}
    sections = definition.get("sections") if isinstance(definition.get("sections"), list) else []
    assert isinstance(sections, list)
    for section in sections:
        if not isinstance(section, Mapping):
            continue
        section_cells = [_text(section.get("key")), _text(section.get("name_zh")), _text(section.get("name_en")),
                         _text(section.get("weight"))]
        section_items = [item for item in section.get("items") or [] if isinstance(item, Mapping)]
        if not section_items:
            items.append([*section_cells, *([""] * (len(COLUMNS) - 4)), ""])
        for item in section_items:
            cells = item_cells(item)
            row = [*section_cells, *(cells[column.key] for column in COLUMNS[4:])]
            items.append([*row, names.get(cells["indicator"], "") if cells["indicator"] else ""])
    text_positions = [index for index, column in enumerate(COLUMNS) if column.key in TEXT_COLUMNS]
    for row in items.iter_rows(min_row=2, max_row=max(items.max_row, 200)):
        for position in text_positions:
            row[position].number_format = "@"  # "33.33" stays as typed, "70" does not become 70.0
    for cell in items[1]:
        cell.font = bold
        cell.fill = fill
    for row in items.iter_rows(min_row=1, min_col=len(COLUMNS) + 1, max_col=len(COLUMNS) + len(HELPER_COLUMNS)):
        for cell in row:
            cell.font = grey if cell.row > 1 else bold
    kinds = DataValidation(type="list", formula1='"' + ",".join(KINDS) + '"', allow_blank=True)
    effects = DataValidation(type="list", formula1='"' + ",".join(VETO_EFFECTS) + '"', allow_blank=True)
    items.add_data_validation(kinds)
    items.add_data_validation(effects)
    letters = {column.key: items.cell(row=1, column=position + 1).column_letter
               for position, column in enumerate(COLUMNS)}
    kinds.add(f"{letters['kind']}2:{letters['kind']}500")
    effects.add(f"{letters['veto_effect']}2:{letters['veto_effect']}500")
    for position, header in enumerate([*headers, *helpers], start=1):
        letter = items.cell(row=1, column=position).column_letter
        items.column_dimensions[letter].width = max(12, min(40, len(header) * (2 if chinese else 1) + 4))
    items.freeze_panes = "A2"

    # the instructions
    notes = book.create_sheet(SHEETS["instructions"].text(language))
    for english, zh in _INSTRUCTIONS:
        notes.append([(zh if chinese else english).format(helper=helpers[0])])
    groups = ", ".join(f"{code} = {label.text('zh-hans')}" for code, label in RATER_GROUPS.items())
    notes.append([groups if chinese else ", ".join(RATER_GROUPS)])
    notes.column_dimensions["A"].width = 120
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
