"""Reading files and cells (pure: no database)."""

from __future__ import annotations

import codecs
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairmark.org.importing import cells
from fairmark.org.importing.columns import match_headers
from fairmark.org.importing.readers import ReadError, read_table

from .import_files import EMPLOYEES_EN, EMPLOYEES_ZH, csv_file, employee, xlsx


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_dates_in_the_accepted_text_forms(day: dt.date) -> None:
    for text in (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}/{day.month:02d}/{day.day:02d}",
                 f"{day.year}年{day.month}月{day.day}日", f"{day.isoformat()} 00:00:00"):
        assert cells.date(text) == day


def test_excel_dates_and_bad_dates() -> None:
    assert cells.date(dt.datetime(2024, 3, 1, 8, 30)) == dt.date(2024, 3, 1)
    assert cells.date(dt.date(2024, 3, 1)) == dt.date(2024, 3, 1)
    assert cells.date("") is None
    assert cells.date(None) is None
    for bad in ("2024-02-30", "01/03/2024", "next week", 45352):
        with pytest.raises(cells.CellError) as error:
            cells.date(bad)
        assert error.value.code == "bad_date"


def test_status_in_english_or_chinese() -> None:
    assert [cells.status(v) for v in ("active", "在职", "Probation", "试用期", "on leave", "离职", "")] == [
        "active", "active", "probation", "probation", "leave", "left", None]
    with pytest.raises(cells.CellError):
        cells.status("retired")
    assert cells.status_label("left", "zh-hans") == "离职"
    assert cells.status_label("left", "en") == "left"


def test_numbers_from_excel_are_written_as_typed() -> None:
    assert cells.text(10023.0) == "10023"
    assert cells.text(13800000000) == "13800000000"
    assert cells.text("  张三\u3000") == "张三"


def test_headers_in_english_chinese_and_variants() -> None:
    match = match_headers("employees", EMPLOYEES_ZH)
    assert not match.missing
    assert not match.unknown
    assert match.positions["manager_number"] == 5
    variants = ["员工编号", "Full name", "部门编码*", "hire_date", "入职日期(YYYY-MM-DD)", "E-mail", "手机号", "薪资"]
    match = match_headers("employees", variants)
    assert set(match.positions) == {"number", "name", "department_code", "hire_date", "email", "phone"}
    assert match.duplicates == [(4, "入职日期(YYYY-MM-DD)")]
    assert match.unknown == [(7, "薪资")]
    assert match_headers("employees", ["工号", "姓名"]).missing[0].key == "department_code"


def test_xlsx_rows_keep_their_excel_numbers_and_skip_blank_rows() -> None:
    data = xlsx(EMPLOYEES_EN, [employee("N1", "甲"), ["", None, " "], employee("N2", "乙")])
    table = read_table(data)
    assert table.header_row == 1
    assert [(row.number, row.cells[0]) for row in table.rows] == [(2, "N1"), (4, "N2")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encodings(encoding: str) -> None:
    data = csv_file(EMPLOYEES_ZH, [employee("N1", "张三丰", location="东莞")], encoding)
    if encoding == "utf-16":
        assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    table = read_table(data)
    assert table.header[0] == "工号"
    assert table.rows[0].cells[1] == "张三丰"
    assert table.rows[0].cells[9] == "东莞"


def test_a_quoted_line_break_stays_one_excel_row() -> None:
    table = read_table('工号,姓名\nN1,"张\n三"\nN2,李四\n'.encode())
    assert [row.number for row in table.rows] == [2, 3]


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty_file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old_xls"),
    (b"PK\x03\x04 not really a zip", "unreadable"),
    (b"\xff\xfe\xfa", "unreadable"),  # a UTF-16 mark, then half a character
    ("工号,姓名\n".encode() + b"\xff\xff", "unreadable"),  # neither UTF-8 nor GB18030
])
def test_unreadable_files(data: bytes, code: str) -> None:
    with pytest.raises(ReadError) as error:
        read_table(data)
    assert error.value.code == code


def test_row_limit() -> None:
    with pytest.raises(ReadError) as error:
        read_table(csv_file(["工号"], [[str(i)] for i in range(11)]), max_rows=10)
    assert error.value.code == "too_many_rows"
