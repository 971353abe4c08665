"""The sentences of the template workbook's problems and the wording of a definition's field paths, in
English and Simplified Chinese. Pure: this package imports no Django, so like the formula and weighting
modules it keeps its own small table. A problem carries a *code* and *params*; the page words it in the
reader's language when it shows it."""

from __future__ import annotations

from typing import Any

from .layout import FIELDS, KINDS, RATER_GROUPS, SHEETS, column_label, is_chinese, sheet_name

# code → (English, 简体中文). Placeholders are str.format names.
MESSAGES: dict[str, tuple[str, str]] = {
    # the file
    "unreadable": ("The file could not be read. Upload an .xlsx workbook exported from Fairmark or made from the "
                   "example.", "无法读取该文件。请上传从 Fairmark 导出或按示例填写的 .xlsx 工作簿。"),
    "old_xls": ("Old .xls workbooks are not supported. In Excel, save the file as .xlsx and upload it again.",
                "不支持旧版 .xls 工作簿。请在 Excel 中另存为 .xlsx 后重新上传。"),
    "too_large": ("The file is larger than {max_kb} KB.", "文件超过 {max_kb} KB。"),
    "empty_file": ("The file is empty.", "文件为空。"),
    "missing_sheet": ("The workbook has no sheet “{sheet_en}” (or “{sheet_zh}”).",
                      "工作簿中没有“{sheet_zh}”（或“{sheet_en}”）工作表。"),
    "too_many_rows": ("The sheet has more than {max} rows.", "工作表超过 {max} 行。"),
    # headers and fields
    "missing_column": ("This required column is missing.", "缺少这一必填列。"),
    "unknown_column": ("Unknown column “{header}”. Use the column names of the example.",
                       "未知的列“{header}”。请使用示例中的列名。"),
    "duplicate_column": ("The column “{header}” appears twice.", "列“{header}”重复出现。"),
    "unknown_field": ("Unknown field “{label}”. Use the field names of the example.",
                      "未知的字段“{label}”。请使用示例中的字段名。"),
    "duplicate_field": ("The field “{label}” appears twice.", "字段“{label}”重复出现。"),
    "missing_field": ("This field is missing.", "缺少这一字段。"),
    # cells
    "required": ("A value is required.", "必须填写。"),
    "bad_number": ("“{value}” is not a number: write it like 60 or 33.33.", "“{value}”不是数字：请写成 60 或 33.33 这样的形式。"),
    "bad_choice": ("“{value}” is not one of: {choices}.", "“{value}”不在可选值中：{choices}。"),
    "unknown_kind": ("Unknown item kind “{value}”: use indicator, rated, okr, adjustment or veto.",
                     "未知的项目类型“{value}”：应为 indicator（指标）、rated（评分项）、okr、adjustment（加减分）或 "
                     "veto（一票否决）。"),
    "bad_rater_groups": ("“{value}” is not a list of rater groups: write it like manager:60; peer:20; self:20.",
                         "“{value}”不是评价人权重：请写成 manager:60; peer:20; self:20 这样的形式。"),
    "unknown_rater_group": ("Unknown rater group “{value}”: use self, manager, peer, subordinate or n_plus_2.",
                            "未知的评价组“{value}”：应为 self（自评）、manager（上级）、peer（同事）、"
                            "subordinate（下属）或 n_plus_2（隔级上级）。"),
    "bad_trigger": ("“{value}” is not a veto condition: write it like >= 1.", "“{value}”不是否决条件：请写成 >= 1 这样的形式。"),
    "not_applicable": ("This column does not apply to a {kind} item: leave it empty.",
                       "该列不适用于{kind}类型的项目，请留空。"),
    "section_mismatch": ("Section “{key}” has “{first}” here on row {first_row}; write the same on every row of the "
                         "section, or leave it empty.",
                         "分组“{key}”在第 {first_row} 行为“{first}”；同一分组的每一行应填写相同的值，或留空。"),
    "no_items": ("The sheet lists no items.", "该工作表中没有任何考核项。"),
}

# The parts of a definition's field paths ("sections.1.items.2.weight"), as shown to people.
PATH_WORDS: dict[str, tuple[str, str]] = {
    "code": ("code", "方案编码"),
    "name_zh": ("Chinese name", "中文名称"),
    "name_en": ("English name", "英文名称"),
    "period": ("period", "考核周期"),
    "missing_rule": ("missing parts", "缺项规则"),
    "applies_to": ("applies to", "适用范围"),
    "note": ("change note", "变更说明"),
    "owner_department": ("owning unit", "所属部门"),
    "sections": ("sections", "分组"),
    "key": ("section key", "分组编码"),
    "weight": ("weight", "权重"),
    "items": ("items", "考核项"),
    "kind": ("item kind", "项目类型"),
    "indicator": ("indicator", "指标"),
    "rater_groups": ("rater groups", "评价人权重"),
    "cap": ("adjustment cap", "加减分上限"),
}


def _choices_text(language: str, choices: object) -> str:
    if isinstance(choices, list | tuple):
        return ", ".join(str(choice) for choice in choices)
    return str(choices)


def describe(code: str, params: dict[str, Any], language: str) -> str:
    """The sentence for a problem code, in `language` ("zh-hans" or "en")."""
    english, chinese = MESSAGES.get(code, (code, code))
    values: dict[str, Any] = {key: value for key, value in params.items()}
    if "choices" in values:
        values["choices"] = _choices_text(language, values["choices"])
    if code == "missing_sheet":
        key = str(params.get("sheet", ""))
        values["sheet_en"], values["sheet_zh"] = sheet_name(key, "en"), sheet_name(key, "zh-hans")
    if code == "not_applicable":
        label = KINDS.get(str(params.get("kind", "")))
        values["kind"] = label.text(language) if label else params.get("kind", "")
    try:
        return (chinese if is_chinese(language) else english).format(**values)
    except (KeyError, IndexError, ValueError):  # odd params: still say something
        return code


def describe_path(path: str, language: str) -> str:
    """'sections.1.items.2.weight' → 'section 2, item 3, weight' / '第 2 个分组，第 3 项，权重'."""
    chinese = is_chinese(language)
    parts = path.split(".") if path else []
    words: list[str] = []
    position = 0
    while position < len(parts):
        part = parts[position]
        following = parts[position + 1] if position + 1 < len(parts) else None
        if part in ("sections", "items", "rater_groups") and following is not None and following.isdigit():
            number = int(following) + 1
            if part == "sections":
                words.append(f"第 {number} 个分组" if chinese else f"section {number}")
            elif part == "items":
                words.append(f"第 {number} 项" if chinese else f"item {number}")
            else:
                words.append(f"第 {number} 个评价组" if chinese else f"rater group {number}")
            position += 2
            continue
        if part.startswith("applies_to") or part in ("job_families", "positions", "levels"):
            label = next((field for field in FIELDS if field.key == part), None)
            words.append(label.text(language) if label else PATH_WORDS["applies_to"][1 if chinese else 0])
        elif part in PATH_WORDS:
            words.append(PATH_WORDS[part][1 if chinese else 0])
        elif part in RATER_GROUPS:
            words.append(RATER_GROUPS[part].text(language))
        else:
            words.append(part)
        position += 1
    return ("，" if chinese else ", ").join(words)


def problem_location(sheet: str, column: str, language: str) -> tuple[str, str]:
    """The sheet's name and the column's header (or the field's name) to show next to a problem."""
    if not sheet:
        return "", ""
    return sheet_name(sheet, language), column_label(sheet, column, language) if column else ""


__all__ = ["MESSAGES", "PATH_WORDS", "SHEETS", "describe", "describe_path", "problem_location"]
