"""The template workbook (indicators/exchange), pure: round trip of every shipped template in both
languages, headers in either language, and problems (never exceptions) for broken files."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fairmark.indicators import library
from fairmark.indicators.exchange import Problem, describe_path, read_template, read_workbook, write_template
from fairmark.indicators.exchange.layout import COLUMNS, FIELDS, KINDS, RATER_GROUPS, index
from tests.indicators.definitions import two_sections


def shipped() -> list[dict[str, Any]]:
    templates = []
    for template in library.load_templates():
        definition = copy.deepcopy(template)
        definition.setdefault("note", "")
        templates.append(definition)
    return templates


def pinned(definition: dict[str, Any]) -> dict[str, Any]:
    """As `definition_of` gives a published version: every indicator item pins its version."""
    result = copy.deepcopy(definition)
    for section in result["sections"]:
        for item in section["items"]:
            if "indicator" in item:
                item["indicator_version"] = 3
    return result


def codes(problems: list[Problem]) -> set[str]:
    return {problem.code for problem in problems}


def small(first: str = "30", second: str = "70") -> dict[str, Any]:
    return {"code": "line1_operator", **two_sections(first, second), "note": "",
            "applies_to": {"job_families": ["PRD"], "positions": ["OP"], "levels": []}}


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def saved(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def header_positions(sheet: Any) -> dict[str, int]:
    headers = [cell.value for cell in sheet[1]]
    found = {}
    lookup = index(COLUMNS)
    for position, header in enumerate(headers):
        from fairmark.indicators.exchange.layout import normalise

        label = lookup.get(normalise(header))
        if label is not None:
            found[label.key] = position + 1
    return found


# --- round trip ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("template", shipped(), ids=lambda t: t["code"])
def test_every_shipped_template_round_trips(template: dict[str, Any], language: str) -> None:
    definition, problems = read_template(write_template(pinned(template), language))
    assert problems == []
    assert definition == template


def test_the_sheets_and_headers_follow_the_language() -> None:
    zh = workbook(write_template(small(), "zh-hans"))
    en = workbook(write_template(small(), "en"))
    assert zh.sheetnames[:2] == ["方案", "考核项"]
    assert en.sheetnames[:2] == ["Template", "Items"]
    assert [c.value for c in zh["考核项"][1]][:5] == ["分组编码", "分组中文名", "分组英文名", "分组权重(%)", "项目类型"]
    assert [c.value for c in en["Items"][1]][:5] == ["Section key", "Section name (Chinese)", "Section name (English)",
                                                     "Section weight (%)", "Item kind"]
    assert [row[0].value for row in zh["方案"].iter_rows(min_row=2)][:2] == ["方案编码", "中文名称"]


def test_an_item_row_carries_its_section_and_rater_groups_and_a_reference_name() -> None:
    data = write_template(small(), "en", indicator_names={"yield_rate": "Yield", "teamwork": "Teamwork"})
    items = workbook(data)["Items"]
    rows = [[cell.value for cell in row] for row in items.iter_rows(min_row=2, max_row=items.max_row)
            if any(cell.value for cell in row)]
    assert rows[0][:9] == ["kpi", "业绩", "KPIs", "30", "indicator", "yield_rate", None, None, "60"]
    assert rows[0][-1] == "Yield"
    assert rows[2][9] == "manager:60; peer:20; self:20"
    assert rows[2][-1] == "Teamwork"


def test_the_reference_column_is_ignored_on_import() -> None:
    book = workbook(write_template(small(), "en", indicator_names={"yield_rate": "Yield"}))
    book["Items"].cell(row=2, column=len(COLUMNS) + 1, value="anything at all")
    definition, problems = read_template(saved(book))
    assert problems == []
    assert definition == small()


def test_headers_may_be_in_either_language_whatever_the_sheet_names() -> None:
    """A Chinese workbook whose Items sheet has English headers (someone pasted them) still reads."""
    zh = workbook(write_template(small(), "zh-hans"))
    en = workbook(write_template(small(), "en"))
    for position, cell in enumerate(en["Items"][1], start=1):
        zh["考核项"].cell(row=1, column=position, value=cell.value)
    definition, problems = read_template(saved(zh))
    assert problems == []
    assert definition == small()


def test_numbers_typed_in_excel_and_chinese_labels_are_read() -> None:
    book = workbook(write_template(small(), "zh-hans"))
    items = book["考核项"]
    columns = header_positions(items)
    items.cell(row=2, column=columns["section_weight"], value=30)
    items.cell(row=3, column=columns["section_weight"]).value = None  # a later row of a section may be empty
    items.cell(row=2, column=columns["weight"], value=60.0)
    items.cell(row=3, column=columns["weight"], value="40%")
    items.cell(row=4, column=columns["kind"], value="评分项")
    items.cell(row=4, column=columns["rater_groups"], value="上级：60；同事：20；自评：20")
    fields = book["方案"]
    fields.cell(row=5, column=2, value="月度")
    definition, problems = read_template(saved(book))
    assert problems == []
    assert definition == small()


def test_a_section_row_without_items_declares_the_section() -> None:
    definition = small()
    definition["sections"].append({"key": "empty", "name_zh": "空", "name_en": "", "weight": "0", "items": []})
    back, problems = read_template(write_template(definition, "en"))
    assert problems == []
    assert back == definition


def test_a_veto_with_a_total_zero_effect() -> None:
    definition = small()
    definition["sections"].append({"key": "adj", "name_zh": "否决", "name_en": "", "weight": "0", "items": [
        {"kind": "veto", "indicator": "fraud", "trigger": {"op": ">", "bound": "0"}, "effect": "total_zero",
         "name_zh": "造假", "name_en": ""}]})
    back, problems = read_template(write_template(definition, "zh-hans"))
    assert problems == []
    assert back == definition


# --- broken files -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty_file"),
    (b"   \n", "empty_file"),
    (b"code,name\nx,y\n", "unreadable"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old_xls"),
    (b"PK\x03\x04 not really a zip", "unreadable"),
    (b"PK\x03\x04" + b"\x00" * 2_000_000, "too_large"),
])
def test_a_file_that_is_not_a_workbook_is_one_problem(data: bytes, code: str) -> None:
    definition, problems = read_template(data)
    assert [(p.sheet, p.row, p.code) for p in problems] == [("", 0, code)]
    assert definition["sections"] == []
    assert problems[0].message("en")
    assert problems[0].message("zh-hans") != problems[0].message("en")


def test_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert codes(read_template(buffer.getvalue())[1]) == {"unreadable"}


def test_a_missing_sheet() -> None:
    book = workbook(write_template(small(), "en"))
    del book["Items"]
    _definition, problems = read_template(saved(book))
    assert [(p.code, p.params) for p in problems] == [("missing_sheet", {"sheet": "items"})]
    assert "Items" in problems[0].message("en")
    assert "考核项" in problems[0].message("zh-hans")


def test_a_workbook_of_someone_else() -> None:
    book = openpyxl.Workbook()
    book.active.append(["工号", "姓名"])  # type: ignore[union-attr]
    _definition, problems = read_template(saved(book))
    assert [p.code for p in problems] == ["missing_sheet", "missing_sheet"]


def test_cell_problems_name_the_sheet_row_and_column() -> None:
    book = workbook(write_template(small(), "en"))
    items = book["Items"]
    columns = header_positions(items)
    items.cell(row=2, column=columns["weight"], value="abc")
    items.cell(row=3, column=columns["kind"], value="bonus points")
    items.cell(row=4, column=columns["rater_groups"], value="manager 60, peer 40")
    items.cell(row=4, column=columns["cap"], value="5")
    items.cell(row=5, column=columns["section_key"], value="extra")
    items.cell(row=5, column=columns["kind"], value="veto")
    items.cell(row=5, column=columns["veto_trigger"], value="about one")
    items.cell(row=5, column=columns["veto_effect"], value="explode")
    book["Template"].cell(row=5, column=2, value="fortnight")
    _definition, problems = read_template(saved(book))
    found = {(p.sheet, p.row, p.column, p.code) for p in problems}
    assert found == {
        ("items", 2, "weight", "bad_number"),
        ("items", 3, "kind", "unknown_kind"),
        ("items", 4, "rater_groups", "bad_rater_groups"),
        ("items", 4, "cap", "not_applicable"),
        ("items", 5, "indicator", "required"),
        ("items", 5, "veto_trigger", "bad_trigger"),
        ("items", 5, "veto_effect", "bad_choice"),
        ("template", 5, "period", "bad_choice"),
    }
    weight = next(p for p in problems if p.code == "bad_number")
    assert weight.message("en") == "“abc” is not a number: write it like 60 or 33.33."
    assert weight.location("zh-hans") == ("考核项", "权重(%)")
    assert weight.location("en") == ("Items", "Weight (%)")
    assert "bonus points" in next(p for p in problems if p.code == "unknown_kind").message("zh-hans")


def test_header_problems() -> None:
    book = workbook(write_template(small(), "en"))
    items = book["Items"]
    columns = header_positions(items)
    items.cell(row=1, column=columns["kind"], value="Wieght")
    items.cell(row=1, column=columns["name_en"], value="Weight")
    _definition, problems = read_template(saved(book))
    assert {(p.row, p.column, p.code) for p in problems} == {
        (1, "", "unknown_column"), (1, "weight", "duplicate_column"), (1, "kind", "missing_column")}


def test_template_field_problems() -> None:
    book = workbook(write_template(small(), "zh-hans"))
    fields = book["方案"]
    fields["B2"].value = None  # the code
    fields.cell(row=4, column=1, value="中文名称")  # twice
    fields.cell(row=12, column=1, value="负责人")
    _definition, problems = read_template(saved(book))
    assert {(p.sheet, p.row, p.column, p.code) for p in problems} == {
        ("template", 2, "code", "required"), ("template", 4, "name_zh", "duplicate_field"),
        ("template", 12, "", "unknown_field")}


def test_a_section_that_disagrees_with_itself() -> None:
    book = workbook(write_template(small(), "en"))
    items = book["Items"]
    items.cell(row=3, column=header_positions(items)["section_weight"], value="40")
    _definition, problems = read_template(saved(book))
    assert [(p.row, p.column, p.code, p.params["first_row"]) for p in problems] == [
        (3, "section_weight", "section_mismatch", 2)]


def test_no_items() -> None:
    definition = small()
    definition["sections"] = []
    _definition, problems = read_template(write_template(definition, "en"))
    assert codes(problems) == {"no_items"}


def test_places_locate_definition_paths_in_the_file() -> None:
    reading = read_workbook(write_template(small(), "en"))
    assert reading.place("sections.1.items.0.weight") == ("items", 4, "weight")
    assert reading.place("sections.0.weight") == ("items", 2, "section_weight")
    assert reading.place("sections.1.items.0.rater_groups") == ("items", 4, "rater_groups")
    assert reading.place("period") == ("template", 5, "period")
    assert reading.place("sections") == ("items", 0, "section_weight")
    assert reading.place("sections.1.items") == ("items", 4, "weight")
    assert reading.place("name_en") == ("template", 4, "name_en")
    assert reading.place("nowhere") is None


def test_paths_are_worded_for_people() -> None:
    assert describe_path("sections.1.items.2.weight", "en") == "section 2, item 3, weight"
    assert describe_path("sections.1.items.2.weight", "zh-hans") == "第 2 个分组，第 3 项，权重"
    assert describe_path("sections", "en") == "sections"
    assert describe_path("period", "zh-hans") == "考核周期"


def test_labels_do_not_collide() -> None:
    for labels in (FIELDS, COLUMNS, tuple(KINDS.values()), tuple(RATER_GROUPS.values())):
        from fairmark.indicators.exchange.layout import normalise

        owners: dict[str, str] = {}
        for label in labels:
            for name in label.names():
                assert owners.setdefault(normalise(name), label.key) == label.key, name


def test_problems_survive_json() -> None:
    problem = Problem("items", 3, "weight", "bad_number", {"value": "abc"})
    assert Problem.from_json(problem.to_json()) == problem


# --- never an exception -------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    definition, problems = read_template(data)
    assert problems
    assert isinstance(definition, dict)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=500))
def test_arbitrary_bytes_after_a_zip_signature_never_raise(tail: bytes) -> None:
    _definition, problems = read_template(b"PK\x03\x04" + tail)
    assert problems


VALID = write_template(small(), "en")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=len(VALID) - 1), st.integers(0, 255)),
                min_size=1, max_size=8))
def test_a_damaged_workbook_never_raises(changes: list[tuple[int, int]]) -> None:
    data = bytearray(VALID)
    for position, value in changes:
        data[position] = value
    definition, problems = read_template(bytes(data))
    assert isinstance(problems, list)
    assert isinstance(definition["sections"], list)


cell_values = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**6, 10**6),
                        st.floats(allow_nan=True, allow_infinity=True), st.booleans())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["Template", "Items"]), st.integers(1, 8), st.integers(1, 16), cell_values),
                min_size=1, max_size=12))
@example(edits=[("Items", 1, 1, 0), ("Items", 1, 1, "\x1f")])  # a control character once broke the test's own save
def test_any_cell_contents_never_raise(edits: list[tuple[str, int, int, Any]]) -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = workbook(VALID)
    for sheet, row, column, value in edits:
        try:
            book[sheet].cell(row=row, column=column, value=value)
        except (IllegalCharacterError, ValueError):
            # Excel cannot hold it either; openpyxl may leave the cell half-changed, so empty it
            book[sheet].cell(row=row, column=column).value = None
    definition, problems = read_template(saved(book))
    assert isinstance(definition["sections"], list)
    assert all(isinstance(problem.message("zh-hans"), str) for problem in problems)
