"""fairmark.ingestion.uploads.reading: real .xlsx and .csv files, built here, read into Tables or refused."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook

from fairmark.ingestion.uploads import (
    ERROR_MESSAGES,
    MAX_ROWS,
    WARNING_MESSAGES,
    Record,
    Table,
    UploadError,
    UploadWarning,
    read_table,
)

OPERATOR_HEADER = ["工号", "姓名", "日期", "产量(件)", "良品数", "不良数", "停机时长(分钟)"]
OPERATOR_ROWS = [
    ["E1001", "张三", date(2026, 11, 2), 120, 118, 2, 15.5],
    ["E1002", "李四", date(2026, 11, 2), 98, 95, 3, 0],
]


def xlsx(*sheets: tuple[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def patched(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    """The workbook with one XML part edited, as another program would have written it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                assert old in content, content
                content = content.replace(old, new)
            target.writestr(info.filename, content)
    return out.getvalue()


def read(data: bytes, filename: str, **options: Any) -> Table:
    table = read_table(data, filename, **options)
    assert isinstance(table, Table), table
    return table


def refused(data: bytes, filename: str, **options: Any) -> UploadError:
    error = read_table(data, filename, **options)
    assert isinstance(error, UploadError), error
    return error


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


# Workbooks ----------------------------------------------------------------------------------------------------


def test_an_operator_sheet_reads_with_its_row_numbers_dates_and_numbers() -> None:
    rows: list[list[Any]] = [[], OPERATOR_HEADER, OPERATOR_ROWS[0], [], [None, "  "], OPERATOR_ROWS[1], [], []]
    table = read(xlsx(("11月产量", rows)), "产量日报.xlsx")

    assert table.sheet == "11月产量"
    assert table.sheets == ["11月产量"]
    assert table.header_row == 2  # the leading blank row is not the header
    assert table.headers == OPERATOR_HEADER
    assert table.columns == ["A", "B", "C", "D", "E", "F", "G"]
    assert [record.row_number for record in table.records] == [3, 6]
    assert table.skipped_blank == 2  # rows 4 and 5 (a cell of spaces is blank); the trailing ones are not counted
    assert table.records[0] == Record(3, {"工号": "E1001", "姓名": "张三", "日期": datetime(2026, 11, 2),
                                          "产量(件)": 120, "良品数": 118, "不良数": 2, "停机时长(分钟)": 15.5})
    assert table.records[1].values["停机时长(分钟)"] == 0
    assert table.warnings == []
    assert table.encoding is None
    assert table.delimiter is None


def test_header_names_are_cleaned_and_empty_ones_named_by_letter() -> None:
    rows: list[list[Any]] = [
        ["  工号 ", "姓　名", "产量\n(件)", None, None, 2026, None],
        ["E1001", "张三", 120, "备注", None, 1, None],
        ["E1002", "李四", 98, None, None, None, "尾"],
    ]
    table = read(xlsx(("Sheet1", rows)), "a.xlsx")

    # D has data but no header; E is an empty spacer column and is left out; G has data beyond the header.
    assert table.headers == ["工号", "姓名", "产量 (件)", "D", "2026", "G"]
    assert table.columns == ["A", "B", "C", "D", "F", "G"]
    assert table.records[0].values == {"工号": "E1001", "姓名": "张三", "产量 (件)": 120, "D": "备注", "2026": 1,
                                       "G": None}
    assert table.records[1].values["G"] == "尾"


def test_text_cells_are_stripped_and_empty_text_is_none() -> None:
    table = read(xlsx(("S", [["工号", "产线"], ["  E1001 ", "   "]])), "a.xlsx")
    assert table.records[0].values == {"工号": "E1001", "产线": None}


def test_whole_numbers_stored_as_floats_stay_floats() -> None:
    data = patched(xlsx(("S", [["科目", "金额"], [1001, 2.5]])), "xl/worksheets/sheet1.xml",
                   b"<v>1001</v>", b"<v>1001.0</v>")
    assert read(data, "a.xlsx").records[0].values == {"科目": 1001.0, "金额": 2.5}
    assert isinstance(read(data, "a.xlsx").records[0].values["科目"], float)


def test_a_wrong_dimension_does_not_cut_the_sheet() -> None:
    # Some exporters write <dimension ref="A1"/> whatever the size; read-only openpyxl would trust it.
    data = patched(xlsx(("S", [OPERATOR_HEADER, *OPERATOR_ROWS])), "xl/worksheets/sheet1.xml",
                   b'<dimension ref="A1:G3" />', b'<dimension ref="A1" />')
    table = read(data, "a.xlsx")
    assert len(table.headers) == 7
    assert [record.values["工号"] for record in table.records] == ["E1001", "E1002"]


def test_the_first_visible_sheet_is_read_unless_one_is_named() -> None:
    data = xlsx(("设置", [["参数"], ["x"]]), ("产量", [["工号", "产量"], ["E1", 1]]), ("质量", [["工号", "不良数"], ["E2", 2]]),
                hidden=("设置",))

    default = read(data, "a.xlsx")
    assert default.sheet == "产量"  # the hidden settings sheet comes first but is not what the user sees
    assert default.sheets == ["设置", "产量", "质量"]

    chosen = read(data, "a.xlsx", sheet="质量")
    assert chosen.sheet == "质量"
    assert chosen.records[0].values == {"工号": "E2", "不良数": 2}


def test_an_unknown_sheet_is_refused_with_the_sheet_names() -> None:
    error = refused(xlsx(("产量", [["a"], [1]]), ("质量", [["b"], [2]])), "a.xlsx", sheet="Sheet1")
    assert error == UploadError("no_such_sheet", {"sheet": "Sheet1", "sheets": ["产量", "质量"]})
    assert error.message("en") == "The workbook has no sheet named “Sheet1”; its sheets are “产量”, “质量”."
    assert error.message("zh-hans") == "工作簿中没有名为“Sheet1”的工作表；现有工作表：“产量”、“质量”。"


def test_duplicate_headers_are_refused_naming_both_columns() -> None:
    error = refused(xlsx(("S", [["工号", "产量", "日期", "产量"], ["E1", 1, None, 2]])), "a.xlsx")
    assert error == UploadError("duplicate_header", {"header": "产量", "first": "B", "second": "D", "header_row": 1})
    assert "Columns B and D" in error.message("en")
    assert error.message("zh-hans").startswith("B 列和 D 列的表头都是“产量”")


def test_headers_equal_after_cleaning_are_duplicates() -> None:
    assert read(xlsx(("S", [["产 量", "产　量 "], [1, 2]])), "a.xlsx").headers == ["产 量", "产量"]
    error = refused(xlsx(("S", [["产量", "产　量 "], [1, 2]])), "a.xlsx")  # the ideographic space is removed
    assert error.params == {"header": "产量", "first": "A", "second": "B", "header_row": 1}


def test_a_formula_without_a_cached_value_is_flagged() -> None:
    rows: list[list[Any]] = [["工号", "产量", "良品数", "良率"], ["E1", 100, 98, "=C2/B2"], ["E2", 50, 49, "=C3/B3"]]
    table = read(xlsx(("S", rows)), "a.xlsx")

    assert [record.values["良率"] for record in table.records] == [None, None]
    assert table.warnings == [UploadWarning("formula_without_value", {"count": 2, "cells": ["D2", "D3"]})]
    assert "(D2, D3)" in table.warnings[0].message("en")
    assert "recalculates" in table.warnings[0].message("en")
    assert "（D2、D3）" in table.warnings[0].message("zh-hans")


def test_formulas_saved_with_their_values_are_not_flagged() -> None:
    rows: list[list[Any]] = [["工号", "良率", "备注"], ["E1", "=0.5*2", '=""']]
    data = xlsx(("S", rows))
    data = patched(data, "xl/worksheets/sheet1.xml", b"<f>0.5*2</f><v />", b"<f>0.5*2</f><v>1</v>")
    # Excel saves a formula that yields "" as a text cell with an empty value: calculated, not missing.
    data = patched(data, "xl/worksheets/sheet1.xml", b'<c r="C2"><f>""</f><v />', b'<c r="C2" t="str"><f>""</f><v />')

    table = read(data, "a.xlsx")
    assert table.records[0].values == {"工号": "E1", "良率": 1, "备注": None}
    assert table.warnings == []


def test_formulas_are_looked_for_in_the_sheet_read() -> None:
    data = xlsx(("数据", [["工号", "产量"], ["E1", 1]]), ("汇总", [["部门", "合计"], ["装配", "=SUM(数据!B:B)"]]))
    assert read(data, "a.xlsx").warnings == []
    assert read(data, "a.xlsx", sheet="汇总").warnings == [
        UploadWarning("formula_without_value", {"count": 1, "cells": ["B2"]})]


def test_a_sheet_of_uncalculated_formulas_only_is_refused_for_that_reason() -> None:
    # Its data rows read as blank; "no data" would send the user looking in the wrong place.
    error = refused(xlsx(("汇总", [["合计", "平均"], ["=1+1", "=2/2"]])), "a.xlsx")
    assert error == UploadError("formula_without_value", {"sheet": "汇总", "count": 2, "cells": ["A2", "B2"]})
    assert "never calculated (A2, B2)" in error.message("en")
    assert "从未计算过的公式（A2、B2）" in error.message("zh-hans")


def test_many_uncalculated_formulas_are_counted_and_some_listed() -> None:
    rows: list[list[Any]] = [["产量", "翻倍"], *([number, f"=A{number + 1}*2"] for number in range(1, 16))]
    (warning,) = read(xlsx(("S", rows)), "a.xlsx").warnings
    assert warning.params["count"] == 15
    assert warning.params["cells"] == [f"B{row}" for row in range(2, 12)]
    assert warning.message("en").startswith("15 formula cells have no calculated value (B2, B3,")
    assert "B11…)" in warning.message("en")


def test_one_row_more_than_the_limit_is_refused() -> None:
    rows: list[list[Any]] = [["工号", "产量"], ["E1", 1], [], ["E2", 2], ["E3", 3]]
    assert len(read(xlsx(("S", rows)), "a.xlsx", max_rows=3).records) == 3  # blank rows do not count
    assert refused(xlsx(("S", [*rows, ["E4", 4]])), "a.xlsx", max_rows=3) == UploadError("too_many_rows",
                                                                                        {"max_rows": 3})


def test_a_sheet_of_50001_rows_is_refused() -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("产量")
    sheet.append(["工号", "日期", "产量"])
    day = date(2026, 11, 2)
    for number in range(MAX_ROWS + 1):
        sheet.append([f"E{number:05d}", day, number])
    out = io.BytesIO()
    book.save(out)

    error = refused(out.getvalue(), "big.xlsx")
    assert error == UploadError("too_many_rows", {"max_rows": 50_000})
    assert error.message("en") == ("There are more than 50,000 data rows: split them into files of at most 50,000 "
                                   "rows.")
    assert error.message("zh-hans") == "数据超过 50,000 行：请拆分为每个不超过 50,000 行的文件后分别上传。"


def test_an_empty_sheet_and_a_header_without_data_are_refused() -> None:
    assert refused(xlsx(("空表", [])), "a.xlsx") == UploadError("empty_sheet", {"sheet": "空表"})
    error = refused(xlsx(("产量", [[], ["工号", "产量"], []])), "a.xlsx")
    assert error == UploadError("no_data", {"sheet": "产量", "header_row": 2})
    assert error.message("zh-hans") == "工作表“产量”只有表头（第 2 行），下面没有数据。"


def test_a_workbook_named_xls_or_csv_is_read_as_the_workbook_it_is() -> None:
    data = xlsx(("S", [["工号", "产量"], ["E1", 1]]))
    for name in ("erp-export.xls", "export.csv", "EXPORT.XLSM"):
        assert read(data, name).records[0].values == {"工号": "E1", "产量": 1}


# Refused files --------------------------------------------------------------------------------------------------

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def test_an_old_excel_file_is_refused_with_advice() -> None:
    error = refused(OLE_HEADER + b"Workbook".ljust(64, b"\0"), "考勤.xls")
    assert error.code == "old_excel"
    assert "save it as “Excel Workbook (*.xlsx)”" in error.message("en")
    assert "另存为“Excel 工作簿（*.xlsx）”" in error.message("zh-hans")
    # ERP systems also save HTML tables as ".xls"; the same advice applies.
    assert refused(b"<html><table><tr><td>1</td></tr></table></html>", "导出.xls").code == "old_excel"


def test_an_xls_renamed_to_xlsx_is_an_old_excel_file() -> None:
    assert refused(OLE_HEADER + b"Workbook".ljust(64, b"\0"), "renamed.xlsx").code == "old_excel"


def test_a_password_protected_workbook_is_refused() -> None:
    # Office encrypts an .xlsx into an OLE container holding the streams EncryptionInfo and EncryptedPackage.
    directory = "".join(name.ljust(32, "\0") for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    error = refused(OLE_HEADER + directory.encode("utf-16-le"), "绩效.xlsx")
    assert error.code == "password_protected"
    assert "remove the password" in error.message("en")
    assert "清除密码" in error.message("zh-hans")


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 40,  # random-looking bytes
    b"PK\x03\x04" + bytes(range(256)) * 4,  # a zip signature and nothing behind it
])
def test_bytes_that_are_not_a_workbook_are_corrupt(data: bytes) -> None:
    error = refused(data, "产量.xlsx")
    assert error.code == "corrupt"
    assert "damaged" in error.message("en")
    assert "损坏" in error.message("zh-hans")


def test_a_zip_that_is_not_a_workbook_and_a_truncated_workbook_are_corrupt() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert refused(out.getvalue(), "a.xlsx").code == "corrupt"
    whole = xlsx(("S", [OPERATOR_HEADER, *OPERATOR_ROWS]))
    assert refused(whole[: len(whole) // 2], "a.xlsx").code == "corrupt"


@pytest.mark.parametrize("name", ["a.xlsx", "a.csv", "a.txt"])
def test_an_empty_file_is_refused(name: str) -> None:
    assert refused(b"", name) == UploadError("empty_file")
    assert refused(b"", name).message("zh-hans") == "文件为空。"


def test_a_file_over_the_size_limit_is_refused_before_reading() -> None:
    error = refused(b"x" * 2048, "a.csv", max_bytes=1024)
    assert error == UploadError("too_large", {"max_bytes": 1024})
    assert refused(b"x" * (11 * 1024 * 1024), "a.csv").message("en").startswith("The file is larger than 10 MB")
    assert refused(b"x" * (11 * 1024 * 1024), "a.csv").message("zh-hans").startswith("文件超过 10 MB")


def test_a_workbook_that_unpacks_to_far_more_than_the_limit_is_refused() -> None:
    data = xlsx(("S", [["备注"], *(["同一段很长的说明文字" * 20] for _ in range(3000))]))
    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert unpacked > 20 * len(data)  # the premise: repeated text compresses that well
    error = refused(data, "a.xlsx", max_bytes=len(data))
    assert error.code == "too_large_unpacked"
    assert error.params == {"max_bytes": 20 * len(data)}


@pytest.mark.parametrize(("name", "extension"), [("报表.pdf", ".pdf"), ("data.numbers", ".numbers"), ("导出", "")])
def test_other_kinds_of_file_are_refused(name: str, extension: str) -> None:
    error = refused(b"a,b\n1,2\n", name)
    assert error == UploadError("unsupported_type", {"extension": extension})
    if extension:
        assert f"“{extension}”" in error.message("en")
    else:
        assert "no extension" in error.message("en")
        assert "没有扩展名" in error.message("zh-hans")


# CSV ------------------------------------------------------------------------------------------------------------

OPERATOR_CSV = "工号,姓名,日期,产量(件)\r\nE1001,张三,2026-11-02,120\r\nE1002, 李四 ,2026-11-02,\r\n"


@pytest.mark.parametrize(("encoding", "read_as"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                   ("gb18030", "gb18030"), ("gbk", "gb18030")])
def test_csv_in_the_encodings_excel_writes(encoding: str, read_as: str) -> None:
    table = read(csv_bytes(OPERATOR_CSV, encoding), "产量.csv")
    assert table.encoding == read_as
    assert table.delimiter == ","
    assert table.headers == ["工号", "姓名", "日期", "产量(件)"]  # no BOM stuck to 工号
    assert table.records == [
        Record(2, {"工号": "E1001", "姓名": "张三", "日期": "2026-11-02", "产量(件)": "120"}),
        Record(3, {"工号": "E1002", "姓名": "李四", "日期": "2026-11-02", "产量(件)": None}),
    ]
    assert (table.sheet, table.sheets) == ("", [])


@pytest.mark.parametrize(("delimiter", "name"), [(";", "a.csv"), ("\t", "a.txt"), (",", "a.csv")])
def test_the_delimiter_is_detected(delimiter: str, name: str) -> None:
    text = "\n".join(delimiter.join(cells) for cells in [["工号", "产量", "备注"], ["E1", "1,5", "a"], ["E2", "2", "b"]])
    if delimiter == ",":
        text = text.replace("1,5", '"1,5"')
    table = read(csv_bytes(text), name)
    assert table.delimiter == delimiter
    assert table.records[0].values == {"工号": "E1", "产量": "1,5", "备注": "a"}


def test_excel_unicode_text_is_read() -> None:
    data = "工号\t产量\r\nE1\t7\r\n".encode("utf-16")  # Excel's "Unicode text": UTF-16 with a BOM, tabs
    table = read(data, "产量.txt")
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.records == [Record(2, {"工号": "E1", "产量": "7"})]


def test_a_single_column_csv_reads() -> None:
    table = read(csv_bytes("工号\nE1\nE2\n"), "a.csv")
    assert table.headers == ["工号"]
    assert [record.values["工号"] for record in table.records] == ["E1", "E2"]


def test_csv_rows_are_numbered_as_excel_shows_them() -> None:
    text = '\n工号,备注\nE1,"第一行\n第二行"\n\nE2,x\nE3,y\n\n'
    table = read(csv_bytes(text), "a.csv")
    assert table.header_row == 2
    # The quoted line break keeps E1 in one row (3); the blank row 4 is skipped, the trailing one is no data.
    assert [(record.row_number, record.values["备注"]) for record in table.records] == [
        (3, "第一行\n第二行"), (5, "x"), (6, "y")]
    assert table.skipped_blank == 1


def test_a_csv_with_a_header_only_is_refused() -> None:
    error = refused(csv_bytes("工号,产量\n\n"), "a.csv")
    assert error == UploadError("no_data", {"sheet": "", "header_row": 1})
    assert error.message("en") == "The file has a header row (row 1) but no data below it."


def test_a_blank_csv_is_empty() -> None:
    assert refused(b"\r\n \n", "a.csv") == UploadError("empty_file")
    assert refused(b",,\n ,\t,\n", "a.csv") == UploadError("empty_file")


@pytest.mark.parametrize("data", [b"a,b\n\x80\x80\n", "工号,产量".encode("utf-16-le"), b"a,b\x00\n1,2\n"])
def test_bytes_that_are_no_known_text_are_refused(data: bytes) -> None:
    error = refused(data, "a.csv")
    assert error.code == "bad_encoding"
    assert "CSV UTF-8" in error.message("en")


def test_an_unclosed_quote_is_refused_at_its_row() -> None:
    data = csv_bytes('工号,备注\nE1,ok\nE2,"' + "x" * 200_000 + "\nE3,ok\n")
    error = refused(data, "a.csv")
    assert error == UploadError("corrupt_csv", {"row": 3})
    assert error.message("zh-hans") == "CSV 文件第 3 行无法读取：请检查是否有未闭合的引号或过长的单元格。"


def test_duplicate_csv_headers_are_refused() -> None:
    assert refused(csv_bytes("工号,产量,产量\nE1,1,2\n"), "a.csv").params == {
        "header": "产量", "first": "B", "second": "C", "header_row": 1}


# Messages -------------------------------------------------------------------------------------------------------

EXAMPLE_PARAMS: dict[str, dict[str, Any]] = {
    "empty_file": {}, "too_large": {"max_bytes": 10 * 1024 * 1024}, "too_large_unpacked": {"max_bytes": 209715200},
    "unsupported_type": {"extension": ".pdf"}, "unsupported_type.none": {"extension": ""}, "old_excel": {},
    "password_protected": {}, "corrupt": {}, "bad_encoding": {}, "corrupt_csv": {"row": 3}, "no_worksheet": {},
    "no_such_sheet": {"sheet": "x", "sheets": ["a", "b"]}, "empty_sheet": {"sheet": "x"},
    "no_data": {"sheet": "x", "header_row": 1}, "no_data.csv": {"sheet": "", "header_row": 1},
    "duplicate_header": {"header": "产量", "first": "B", "second": "D", "header_row": 1},
    "too_many_rows": {"max_rows": 50_000}, "formula_without_value": {"sheet": "x", "count": 1, "cells": ["A2"]},
}


@pytest.mark.parametrize("key", sorted(ERROR_MESSAGES))
def test_every_error_is_worded_in_both_languages(key: str) -> None:
    error = UploadError(key.split(".")[0], EXAMPLE_PARAMS[key])
    english, chinese = error.message("en"), error.message("zh-hans")
    template_en, template_zh = ERROR_MESSAGES[key]
    # The right variant, fully formatted: the text up to the first placeholder matches, none is left.
    assert english.startswith(template_en.split("{")[0])
    assert chinese.startswith(template_zh.split("{")[0])
    assert "{" not in english + chinese
    assert not any("\u4e00" <= char <= "\u9fff" for char in template_en)
    assert any("\u4e00" <= char <= "\u9fff" for char in template_zh)
    assert error.to_dict() == {"code": error.code, "params": error.params, "message_en": english,
                               "message_zh_hans": chinese}


def test_sizes_and_counts_are_written_for_people() -> None:
    assert "200 MB" in UploadError("too_large_unpacked", {"max_bytes": 200 * 1024 * 1024}).message("en")
    assert "0.5 MB" in UploadError("too_large", {"max_bytes": 512 * 1024}).message("en")
    assert "第 1,234 行" in UploadError("corrupt_csv", {"row": 1234}).message("zh-hans")


def test_every_warning_is_worded_in_both_languages() -> None:
    assert set(WARNING_MESSAGES) == {"formula_without_value"}
    warning = UploadWarning("formula_without_value", {"count": 1, "cells": ["C5"]})
    assert warning.message("en").startswith("1 formula cells have no calculated value (C5)")
    assert warning.message("zh_CN").startswith("有 1 个公式单元格没有计算结果（C5）")
    assert warning.to_dict()["message_zh_hans"] == warning.message("zh-hans")


def test_an_unknown_code_still_says_something() -> None:
    assert UploadError("mystery", {"a": 1}).message("en") == "mystery"


def test_the_upload_modules_import_no_django() -> None:
    # pytest-django has already imported Django in this process, so look from a fresh interpreter.
    code = ("import sys, fairmark.ingestion.uploads; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
