"""The sentences of upload errors and warnings, in English and Simplified Chinese. Pure.

Like rows.messages: an UploadError or UploadWarning carries a *code* and JSON-safe *params* (str, int, lists of
str), never text, so the preview can be shown in the reader's language and a stored refusal read again in the
other one. No Django (so no gettext): the table lives here.

    render_error("too_many_rows", {"max_rows": 50000}, "zh-hans")
    # '数据超过 50,000 行：请拆分为每个不超过 50,000 行的文件后分别上传。'"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..periods import is_chinese
from ..rows.messages import EN, ZH

__all__ = ["EN", "ERROR_MESSAGES", "WARNING_MESSAGES", "ZH", "render_error", "render_warning"]

# Why a file was refused as a whole. code → (English, 简体中文); "code.variant" is chosen by `_variant`.
ERROR_MESSAGES: dict[str, tuple[str, str]] = {
    "empty_file": ("The file is empty.", "文件为空。"),
    "too_large": ("The file is larger than {max_mb} MB: split it, or delete the sheets that are not needed.",
                  "文件超过 {max_mb} MB：请拆分，或删除不需要的工作表后再上传。"),
    "too_large_unpacked": ("The workbook unpacks to more than {max_mb} MB: split it, or delete the sheets that are "
                           "not needed.",
                           "工作簿解压后超过 {max_mb} MB：请拆分，或删除不需要的工作表后再上传。"),
    "unsupported_type": ("Files of type “{extension}” cannot be read: upload an Excel workbook (.xlsx) or a CSV file.",
                         "无法读取“{extension}”类型的文件：请上传 Excel 工作簿（.xlsx）或 CSV 文件。"),
    "unsupported_type.none": ("The file name has no extension: upload an Excel workbook (.xlsx) or a CSV file (.csv).",
                              "文件名没有扩展名：请上传 Excel 工作簿（.xlsx）或 CSV 文件（.csv）。"),
    "old_excel": ("This is an old Excel file (.xls), which cannot be read: open it in Excel, save it as "
                  "“Excel Workbook (*.xlsx)” and upload that file.",
                  "这是旧版 Excel 文件（.xls），无法读取：请在 Excel 中打开，另存为“Excel 工作簿（*.xlsx）”后上传。"),
    "password_protected": ("The workbook is protected with a password: open it in Excel, remove the password "
                           "(File › Info › Protect Workbook › Encrypt with Password), save it and upload it again.",
                           "工作簿设置了打开密码：请在 Excel 中打开，清除密码（文件 › 信息 › 保护工作簿 › 用密码进行加密），"
                           "保存后重新上传。"),
    "corrupt": ("The file cannot be read as an Excel workbook: it may be damaged, or not really an .xlsx file. "
                "Open it in Excel, save it as “Excel Workbook (*.xlsx)” and upload it again.",
                "无法按 Excel 工作簿读取该文件：文件可能已损坏，或并非真正的 .xlsx 文件。请在 Excel 中打开，"
                "另存为“Excel 工作簿（*.xlsx）”后重新上传。"),
    "bad_encoding": ("The file is not text in UTF-8 or GB18030 (GBK): save it from Excel as “CSV UTF-8”.",
                     "文件不是 UTF-8 或 GB18030（GBK）编码的文本：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”。"),
    "corrupt_csv": ("The CSV file cannot be read at row {row}: check for an unclosed quotation mark or a very long cell.",
                    "CSV 文件第 {row} 行无法读取：请检查是否有未闭合的引号或过长的单元格。"),
    "no_worksheet": ("The workbook has no worksheet (only charts).", "工作簿中没有工作表（只有图表）。"),
    "no_such_sheet": ("The workbook has no sheet named “{sheet}”; its sheets are {sheet_names}.",
                      "工作簿中没有名为“{sheet}”的工作表；现有工作表：{sheet_names}。"),
    "empty_sheet": ("The sheet “{sheet}” is empty.", "工作表“{sheet}”为空。"),
    "no_data": ("The sheet “{sheet}” has a header row (row {header_row}) but no data below it.",
                "工作表“{sheet}”只有表头（第 {header_row} 行），下面没有数据。"),
    "no_data.csv": ("The file has a header row (row {header_row}) but no data below it.",
                    "文件只有表头（第 {header_row} 行），下面没有数据。"),
    "duplicate_header": ("Columns {first} and {second} have the same heading “{header}” (row {header_row}): "
                         "rename one of them so that each column can be mapped.",
                         "{first} 列和 {second} 列的表头都是“{header}”（第 {header_row} 行）：请修改其中一个，"
                         "以便逐列对应。"),
    "formula_without_value": ("The sheet “{sheet}” holds only formulas that were never calculated ({cells}): the "
                              "file was saved by a program that does not calculate them. Open it in Excel, save it "
                              "(Excel recalculates) and upload it again.",
                              "工作表“{sheet}”中只有从未计算过的公式（{cells}）：文件由不计算公式的程序保存。请在 Excel "
                              "中打开并保存（Excel 会重新计算）后重新上传。"),
    "too_many_rows": ("There are more than {max_rows} data rows: split them into files of at most {max_rows} rows.",
                      "数据超过 {max_rows} 行：请拆分为每个不超过 {max_rows} 行的文件后分别上传。"),
}

# What a readable file should still be looked at for. code → (English, 简体中文)
WARNING_MESSAGES: dict[str, tuple[str, str]] = {
    "formula_without_value": ("{count} formula cells have no calculated value ({cells}): the file was saved by a "
                              "program that does not calculate formulas, so they read as empty. Open it in Excel, "
                              "save it (Excel recalculates) and upload it again.",
                              "有 {count} 个公式单元格没有计算结果（{cells}）：文件由不计算公式的程序保存，这些单元格"
                              "将按空值读取。请在 Excel 中打开并保存（Excel 会重新计算）后重新上传。"),
}


def _variant(code: str, params: Mapping[str, Any]) -> str:
    if code == "unsupported_type" and not params.get("extension"):
        return "unsupported_type.none"
    if code == "no_data" and not params.get("sheet"):
        return "no_data.csv"
    return code


def _megabytes(size: Any) -> str:
    if not isinstance(size, int):
        return str(size)
    megabytes = size / (1024 * 1024)
    return f"{megabytes:g}" if megabytes >= 1 else f"{megabytes:.2g}"


def _values(params: Mapping[str, Any], chinese: bool) -> dict[str, Any]:
    # Counts read better with separators ("50,000"); bool is an int, but never a count.
    values: dict[str, Any] = {key: f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value
                              for key, value in params.items()}
    if "max_bytes" in params:
        values["max_mb"] = _megabytes(params["max_bytes"])
    if "sheets" in params:
        values["sheet_names"] = ("、" if chinese else ", ").join(f"“{name}”" for name in params["sheets"])
    if "cells" in params:
        cells = [str(cell) for cell in params["cells"]]
        more = isinstance(params.get("count"), int) and params["count"] > len(cells)
        values["cells"] = ("、" if chinese else ", ").join(cells) + ("…" if more else "")
    return values


def _render(table: Mapping[str, tuple[str, str]], code: str, params: Mapping[str, Any], language: str) -> str:
    chinese = is_chinese(language)
    english, zh = table.get(_variant(code, params), (code, code))
    try:
        return (zh if chinese else english).format(**_values(params, chinese))
    except (KeyError, IndexError, ValueError):
        return f"{code}: {dict(params)}"


def render_error(code: str, params: Mapping[str, Any], language: str = EN) -> str:
    return _render(ERROR_MESSAGES, code, params, language)


def render_warning(code: str, params: Mapping[str, Any], language: str = EN) -> str:
    return _render(WARNING_MESSAGES, code, params, language)
