"""Reading an uploaded KPI export (.xlsx or .csv) into a Table of header → value records. Pure: openpyxl,
defusedxml and the standard library, no Django.

    table = read_table(data, "11月产量.xlsx")            # Table, or UploadError for the file as a whole
    if isinstance(table, UploadError): ...              # table.code, table.message("zh-hans")
    table.headers                                       # ['工号', '姓名', '日期', '产量(件)', ...]
    table.records[0]                                    # Record(row_number=2, values={'工号': 'E1001', ...})
    table.warnings                                      # [UploadWarning('formula_without_value', {...})]

The kind of file comes from its name, except that content with a workbook's signature wins: ERP systems save
real .xlsx files as ".xls" or ".csv", and a password-protected .xlsx is not a zip at all but an OLE container.

The header is the first non-empty row. Header names are stripped, full-width spaces (U+3000, used to align
"姓　名") removed and line breaks collapsed to one space; a column whose header cell is empty but which has
data is named by its letter ("C"); a column with neither header nor data (a spacer) is left out. Two columns
with the same name are refused (`duplicate_header`), since a record maps names to values.

Values are kept as read: openpyxl's int, float, datetime, time, bool or str (a whole number Excel stored as
1001.0 stays a float); CSV cells are str. Text is stripped and empty text becomes None in both formats, so
a cell holding a space counts as blank. Fully blank rows are skipped; `skipped_blank` counts those between
the header and the last data row (blank rows above the header or after the data are not "skipped data")."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import IO, Any

from defusedxml.ElementTree import iterparse
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from .messages import EN, ZH, render_error, render_warning

MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024
# A workbook may unpack to this many times max_bytes (real sheets compress about 5-10×): beyond it, a zip bomb.
UNPACKED_RATIO = 20
MAX_LISTED_CELLS = 10  # a warning names this many cells, then counts the rest
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm")
TEXT_EXTENSIONS = (".csv", ".txt")
OLD_EXCEL_EXTENSION = ".xls"
DELIMITERS = ",;\t"

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .xls, or the container Office encrypts an .xlsx into
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # a stream name in that container's directory
_SNIFF_CHARS = 64 * 1024
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")  # <f>, <f t="shared" .../>, <x:f>
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


@dataclass(frozen=True)
class UploadError:
    """Why a file was refused as a whole. A value, returned (not raised), with a code and JSON-safe params;
    `.message(language)` words it in English or Simplified Chinese (messages.ERROR_MESSAGES)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str = EN) -> str:
        return render_error(self.code, self.params, language)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params,
                "message_en": self.message(EN), "message_zh_hans": self.message(ZH)}


@dataclass(frozen=True)
class UploadWarning:
    """Something the preview should say about a file that was read (messages.WARNING_MESSAGES)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str = EN) -> str:
        return render_warning(self.code, self.params, language)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params,
                "message_en": self.message(EN), "message_zh_hans": self.message(ZH)}


@dataclass(frozen=True)
class Record:
    row_number: int  # as the spreadsheet shows it (1-based), so an error can say "row 17"
    values: dict[str, Any]  # header → value, every header present (None for an empty cell)


@dataclass(frozen=True)
class Table:
    """A sheet as read. `columns[i]` is the letter of `headers[i]`. For a CSV file `sheet` is "" and `sheets`
    is empty, and `encoding` ("utf-8", "utf-8-sig", "utf-16" or "gb18030") and `delimiter` say how it was read."""

    sheet: str
    sheets: list[str]
    headers: list[str]
    columns: list[str]
    records: list[Record]
    skipped_blank: int
    warnings: list[UploadWarning] = field(default_factory=list)
    header_row: int = 1
    encoding: str | None = None
    delimiter: str | None = None


class _Refused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.error = UploadError(code, params)


def read_table(data: bytes, filename: str, *, sheet: str | None = None, max_rows: int = MAX_ROWS,
               max_bytes: int = MAX_BYTES) -> Table | UploadError:
    """Read an uploaded workbook or CSV file. `sheet` picks a worksheet by name (default: the first visible
    one; ignored for CSV). At most `max_rows` data rows are read: one more refuses the file."""
    try:
        return _read(data, filename, sheet, max_rows, max_bytes)
    except _Refused as refused:
        return refused.error


def _read(data: bytes, filename: str, sheet: str | None, max_rows: int, max_bytes: int) -> Table:
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if extension not in (*WORKBOOK_EXTENSIONS, *TEXT_EXTENSIONS, OLD_EXCEL_EXTENSION):
        raise _Refused("unsupported_type", extension=extension)
    if len(data) > max_bytes:
        raise _Refused("too_large", max_bytes=max_bytes)
    if not data or data.isspace():
        raise _Refused("empty_file")
    if data.startswith(_OLE):
        raise _Refused("password_protected" if _ENCRYPTED_PACKAGE in data else "old_excel")
    if data.startswith(_ZIP):
        return _read_workbook(data, sheet, max_rows, max_bytes)
    if extension in WORKBOOK_EXTENSIONS:
        raise _Refused("corrupt")
    if extension == OLD_EXCEL_EXTENSION:
        raise _Refused("old_excel")  # not OLE either: ERP exports often save HTML or text as ".xls"
    return _read_csv(data, max_rows)


# The grid: header and data rows, whatever the format -------------------------------------------------------


@dataclass
class _Grid:
    header_row: int
    header: tuple[Any, ...]
    rows: list[tuple[int, tuple[Any, ...]]]
    skipped_blank: int


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _grid(numbered: Iterable[tuple[int, Sequence[Any]]], max_rows: int, sheet: str) -> _Grid:
    header: tuple[Any, ...] | None = None
    header_row = 0
    rows: list[tuple[int, tuple[Any, ...]]] = []
    blank_run = skipped = 0  # blank rows since the last non-blank one: "skipped" only if data follows
    for number, raw in numbered:
        cells = tuple(_clean(value) for value in raw)
        end = len(cells)
        while end and cells[end - 1] is None:  # rows formatted to the sheet's edge end in thousands of Nones
            end -= 1
        cells = cells[:end]
        if not cells:
            blank_run += header is not None
            continue
        if header is None:
            header, header_row = cells, number
            continue
        if len(rows) == max_rows:
            raise _Refused("too_many_rows", max_rows=max_rows)
        skipped, blank_run = skipped + blank_run, 0
        rows.append((number, cells))
    if header is None:
        raise _Refused("empty_sheet", sheet=sheet) if sheet else _Refused("empty_file")
    if not rows:
        raise _Refused("no_data", sheet=sheet, header_row=header_row)
    return _Grid(header_row, header, rows, skipped)


def header_name(value: Any) -> str:
    """The name a header cell gives its column: "" for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = str(value).upper()  # as Excel shows it
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return " ".join(text.replace("\u3000", "").split())


def _named_columns(grid: _Grid) -> list[tuple[int, str, str]]:
    """(position, letter, name) of each column kept, refusing duplicate names."""
    names = [header_name(value) for value in grid.header]
    width = max(len(names), max(len(cells) for _, cells in grid.rows))
    unnamed = {position for position in range(width) if position >= len(names) or not names[position]}
    with_data = {position for _, cells in grid.rows for position in unnamed
                 if position < len(cells) and cells[position] is not None}
    columns: list[tuple[int, str, str]] = []
    seen: dict[str, str] = {}
    for position in range(width):
        if position in unnamed and position not in with_data:
            continue
        letter = get_column_letter(position + 1)
        name = letter if position in unnamed else names[position]
        if name in seen:
            raise _Refused("duplicate_header", header=name, first=seen[name], second=letter,
                           header_row=grid.header_row)
        seen[name] = letter
        columns.append((position, letter, name))
    return columns


def _table(grid: _Grid, *, sheet: str = "", sheets: Sequence[str] = (), warnings: Sequence[UploadWarning] = (),
           encoding: str | None = None, delimiter: str | None = None) -> Table:
    columns = _named_columns(grid)
    records = [Record(number, {name: cells[position] if position < len(cells) else None
                               for position, _, name in columns})
               for number, cells in grid.rows]
    return Table(sheet=sheet, sheets=list(sheets), headers=[name for _, _, name in columns],
                 columns=[letter for _, letter, _ in columns], records=records, skipped_blank=grid.skipped_blank,
                 warnings=list(warnings), header_row=grid.header_row, encoding=encoding, delimiter=delimiter)


# Workbooks --------------------------------------------------------------------------------------------------


def _read_workbook(data: bytes, sheet: str | None, max_rows: int, max_bytes: int) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _Refused("corrupt") from error
    # zipfile never inflates a member beyond its declared size, so the declared sizes bound the work.
    if unpacked > max_bytes * UNPACKED_RATIO:
        raise _Refused("too_large_unpacked", max_bytes=max_bytes * UNPACKED_RATIO)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # a damaged workbook fails in many ways inside openpyxl; all are the file's fault
        raise _Refused("corrupt") from error
    try:
        worksheets = list(book.worksheets)
        if not worksheets:
            raise _Refused("no_worksheet")
        names = [worksheet.title for worksheet in worksheets]
        if sheet is None:
            # A hidden sheet first (lookups, settings) is not what the user sees as "the first sheet".
            chosen = next((ws for ws in worksheets if ws.sheet_state == "visible"), worksheets[0])
        elif sheet in names:
            chosen = worksheets[names.index(sheet)]
        else:
            raise _Refused("no_such_sheet", sheet=sheet, sheets=names)
        # The <dimension> some exporters write is wrong (often "A1"), and read-only mode would trust it.
        chosen.reset_dimensions()
        # openpyxl keeps the sheet's part name privately; without it the check is skipped, not the file refused.
        path = getattr(chosen, "_worksheet_path", None)
        count, cells = _uncalculated_formulas(archive, path) if path in archive.namelist() else (0, [])
        try:
            grid = _grid(enumerate(chosen.iter_rows(values_only=True), start=1), max_rows, chosen.title)
        except _Refused as refused:
            if refused.error.code in ("empty_sheet", "no_data") and count:
                # Rows of uncalculated formulas read as blank: the formulas are the reason, not emptiness.
                raise _Refused("formula_without_value", sheet=chosen.title, count=count, cells=cells) from refused
            raise
        warnings = [UploadWarning("formula_without_value", {"count": count, "cells": cells})] if count else []
        return _table(grid, sheet=chosen.title, sheets=names, warnings=warnings)
    except _Refused:
        raise
    except Exception as error:  # a damaged sheet part only fails once it is parsed
        raise _Refused("corrupt") from error
    finally:
        book.close()


def _has_formula(stream: IO[bytes]) -> bool:
    # Most exports hold no formula at all: a byte scan spares them the XML parse below.
    tail = b""
    while chunk := stream.read(1 << 20):
        if _FORMULA_TAG.search(tail + chunk):
            return True
        tail = chunk[-64:]
    return False


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _uncalculated_formulas(archive: zipfile.ZipFile, path: str) -> tuple[int, list[str]]:
    """Formula cells with no cached value, which data_only reading turns into None. Excel always saves the
    value; openpyxl and many report generators write the formula alone (`<f>A2*B2</f><v/>`). An empty value of
    a text formula (t="str") is a calculated "", not a missing value."""
    with archive.open(path) as stream:
        if not _has_formula(stream):
            return 0, []
    count = 0
    cells: list[str] = []
    row, column = 0, 0
    with archive.open(path) as stream:
        for event, element in iterparse(stream, events=("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    row, column = int(element.get("r") or row + 1), 0
                elif tag == "c":
                    match = _CELL_REF.fullmatch(element.get("r") or "")
                    column = column_index_from_string(match.group(1)) if match else column + 1
                continue
            if tag == "c":
                children = {_local(child.tag): child for child in element}
                formula, value = children.get("f"), children.get("v")
                if formula is not None and (value is None or (not value.text and element.get("t") not in
                                                               ("str", "inlineStr"))):
                    count += 1
                    if len(cells) < MAX_LISTED_CELLS:
                        cells.append(f"{get_column_letter(column)}{row}")
                element.clear()
            elif tag == "row":
                element.clear()  # keeps memory flat on 50,000 rows
    return count, cells


# CSV --------------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-16 with a BOM (Excel's "Unicode text"), UTF-8 with or without the BOM ("CSV UTF-8"), else GB18030,
    which Chinese Excel writes for plain "CSV" and which contains GBK and GB2312."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for candidate in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # NUL: binary, or UTF-16 without its BOM
            break
        return text, "utf-8" if candidate == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8) else candidate
    raise _Refused("bad_encoding")


def _delimiter(text: str) -> str:
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[:sample.rindex("\n")]  # a cut line would skew the counts
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:  # one column, or no consistent delimiter
        return ","


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    # Numbered by record, not by line: Excel shows a quoted cell with a line break as one row.
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells
    except csv.Error as error:
        raise _Refused("corrupt_csv", row=number + 1) from error


def _read_csv(data: bytes, max_rows: int) -> Table:
    text, encoding = _decode(data)
    delimiter = _delimiter(text)
    # Only the delimiter is sniffed: the sniffer's guesses of quoting are unreliable, and Excel's are standard.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid = _grid(_csv_rows(reader), max_rows, sheet="")
    return _table(grid, encoding=encoding, delimiter=delimiter)
