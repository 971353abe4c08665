"""Excel export and import of a review template (考核方案). Pure: openpyxl and the standard library, no
Django, so the round trip and broken files are tested fast and without a database.

    write_template(definition, "zh-hans") → bytes of an .xlsx with a "方案" sheet (code, names, period,
        missing rule, applies-to lists, note) and a "考核项" sheet (one row per item), headers in that language
    read_template(data) → (definition, problems): zh or en headers; each problem names the sheet, row and
        column and carries a code and params, worded by `Problem.message(language)`

`read_template(write_template(d, language))` gives back `d` (without the pinned `indicator_version`s)."""

from .layout import COLUMNS, FIELDS, SHEETS, column_label, sheet_name
from .messages import describe, describe_path
from .problems import Problem
from .reader import MAX_BYTES, Reading, read_template, read_workbook
from .writer import write_template

__all__ = [
    "COLUMNS",
    "FIELDS",
    "MAX_BYTES",
    "SHEETS",
    "Problem",
    "Reading",
    "column_label",
    "describe",
    "describe_path",
    "read_template",
    "read_workbook",
    "sheet_name",
    "write_template",
]
