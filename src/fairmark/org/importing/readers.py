"""Reading an uploaded .xlsx or .csv into rows that keep the row number Excel shows. Pure (openpyxl
is a plain library)."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class ReadError(ValueError):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Row:
    number: int  # as Excel shows it: the header is usually row 1, the first data row 2
    cells: tuple[Any, ...]

    def get(self, position: int | None) -> Any:
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]


@dataclass
class Table:
    header: tuple[Any, ...] = ()
    header_row: int = 1
    rows: list[Row] = field(default_factory=list)


def _blank(cells: Iterable[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _table(numbered: Iterable[tuple[int, tuple[Any, ...]]], max_rows: int) -> Table:
    table = Table()
    header_seen = False
    for number, cells in numbered:
        if _blank(cells):
            continue  # Excel keeps formatted but empty rows; they are not data
        if not header_seen:
            table.header, table.header_row, header_seen = cells, number, True
            continue
        if len(table.rows) >= max_rows:
            raise ReadError("too_many_rows", max=max_rows)
        table.rows.append(Row(number, cells))
    if not header_seen:
        raise ReadError("empty_file")
    return table


def read_xlsx(data: bytes, *, max_rows: int = MAX_ROWS) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            # The first sheet holds the data; the template's instructions sheet comes after it.
            rows = enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
            return _table(((number, tuple(cells)) for number, cells in rows), max_rows)
        finally:
            book.close()
    except ReadError:
        raise
    except Exception as error:  # a damaged workbook fails in many ways inside openpyxl; all are the file's fault
        raise ReadError("unreadable") from error


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes for "CSV UTF-8"), UTF-16 (Excel's "Unicode text"),
    else GB18030, which is what Chinese Excel writes for plain "CSV" and a superset of GBK/GB2312."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
    except UnicodeDecodeError as error:
        raise ReadError("unreadable") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise ReadError("unreadable") from error


def read_csv(data: bytes, *, max_rows: int = MAX_ROWS) -> Table:
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Excel numbers records, not physical lines: a quoted cell with a line break stays one row
        return _table(((number, tuple(cells)) for number, cells in enumerate(reader, start=1)), max_rows)
    except csv.Error as error:
        raise ReadError("unreadable") from error


def read_table(data: bytes, filename: str = "", *, max_rows: int = MAX_ROWS) -> Table:
    """By content, not by name: people rename files."""
    if len(data) > MAX_BYTES:
        raise ReadError("too_large", max_mb=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise ReadError("empty_file")
    if data.startswith(_OLE):
        raise ReadError("old_xls")
    if data.startswith(_ZIP):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise ReadError("unreadable")
        return read_xlsx(data, max_rows=max_rows)
    return read_csv(data, max_rows=max_rows)
