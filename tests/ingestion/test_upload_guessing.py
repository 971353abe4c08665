"""fairmark.ingestion.uploads.guessing: which column of an upload feeds which field, on sheets as exported."""

from __future__ import annotations

from collections import Counter

import pytest

from fairmark.ingestion.uploads import SYNONYMS, Guess, MetricHint, Table, guess_mapping, match_key, read_table

OPERATOR_METRICS = [
    MetricHint("output", ("产量", "Output")),
    MetricHint("good_units", ("良品数", "Good units")),
    MetricHint("defects", ("不良数", "Defects")),
    MetricHint("downtime_minutes", ("停机时长", "Downtime")),
]


def test_the_typical_operator_sheet() -> None:
    headers = ["工号", "姓名", "日期", "产量(件)", "良品数", "不良数", "停机时长(分钟)"]
    assert guess_mapping(headers, OPERATOR_METRICS) == Guess(
        fields={"subject": "工号", "period": "日期"},
        subject_type="employee",
        values={"output": "产量(件)", "good_units": "良品数", "defects": "不良数", "downtime_minutes": "停机时长(分钟)"},
        unmatched=["姓名"],
    )
    assert guess_mapping(headers, OPERATOR_METRICS).layout == "wide"


def test_an_english_sheet() -> None:
    headers = ["Employee No.", "Name", "Date", "Output (pcs)", "GOOD_UNITS", "Defects", "Downtime [min]", "Unit"]
    guess = guess_mapping(headers, OPERATOR_METRICS)
    assert guess.fields == {"subject": "Employee No.", "period": "Date", "unit": "Unit"}
    assert guess.subject_type == "employee"
    # "GOOD_UNITS" is the metric's code; the others are its names.
    assert guess.values == {"output": "Output (pcs)", "good_units": "GOOD_UNITS", "defects": "Defects",
                            "downtime_minutes": "Downtime [min]"}
    assert guess.unmatched == ["Name"]


def test_a_long_layout_sheet() -> None:
    guess = guess_mapping(["工号", "日期", "指标", "数值", "单位", "备注"], OPERATOR_METRICS)
    assert guess.fields == {"subject": "工号", "period": "日期", "unit": "单位", "metric": "指标", "value": "数值"}
    assert guess.values == {}
    assert guess.unmatched == ["备注"]
    assert guess.layout == "long"


def test_a_value_column_alone_is_not_a_long_layout() -> None:
    guess = guess_mapping(["工号", "日期", "数值"], OPERATOR_METRICS)
    assert "value" not in guess.fields
    assert guess.unmatched == ["数值"]
    assert guess.layout == "wide"


def test_a_line_level_sheet() -> None:
    headers = ["产线", "班次", "日期", "产量", "良品数", "不良数", "停机时长"]
    guess = guess_mapping(headers, OPERATOR_METRICS)
    assert guess.fields == {"subject": "产线", "period": "日期"}
    assert guess.subject_type == "line"
    assert set(guess.values) == {"output", "good_units", "defects", "downtime_minutes"}
    assert guess.unmatched == ["班次"]


@pytest.mark.parametrize(("headers", "subject", "kind"), [
    (["部门", "产线", "工号", "产量"], "工号", "employee"),  # an operator's row also names their line and department
    (["产线", "机台号", "产量"], "机台号", "machine"),
    (["部门", "项目编号", "产量"], "项目编号", "project"),
    (["Department", "产量"], "Department", "department"),
    (["姓名", "产量"], None, None),  # names are not unique: never the subject
])
def test_the_finest_subject_present_is_the_subject(headers: list[str], subject: str | None, kind: str | None) -> None:
    guess = guess_mapping(headers, OPERATOR_METRICS)
    assert guess.fields.get("subject") == subject
    assert guess.subject_type == kind
    assert guess.values == {"output": "产量"}


def test_timestamps_row_keys_and_units() -> None:
    guess = guess_mapping(["单号", "时间", "设备编号", "产量", "计量单位"], OPERATOR_METRICS)
    assert guess.fields == {"subject": "设备编号", "at": "时间", "row_key": "单号", "unit": "计量单位"}
    assert guess.subject_type == "machine"
    assert guess_mapping(["编号", "工号"], []).fields == {"subject": "工号", "row_key": "编号"}


def test_full_width_forms_spaces_and_bracketed_units_are_ignored() -> None:
    headers = ["员工 编号", "ＤＡＴＥ", "产量（件）", "良品数【件】", "不良数 (pcs)", "停机　时长（分钟）"]
    guess = guess_mapping(headers, OPERATOR_METRICS)
    assert guess.fields == {"subject": "员工 编号", "period": "ＤＡＴＥ"}
    assert list(guess.values.values()) == headers[2:]
    assert guess.unmatched == []


def test_matching_is_never_by_substring() -> None:
    # 不良品数 contains 良品数, 员工姓名 contains nothing useful, 产量目标 is not 产量.
    guess = guess_mapping(["工号", "不良品数", "员工姓名", "产量目标"], OPERATOR_METRICS)
    assert guess.values == {}
    assert guess.unmatched == ["不良品数", "员工姓名", "产量目标"]


def test_the_earlier_synonym_wins_then_the_leftmost_header() -> None:
    assert guess_mapping(["月份", "日期"], []).fields == {"period": "日期"}
    guess = guess_mapping(["工号", "产量(件)", "产量(吨)"], OPERATOR_METRICS)
    assert guess.values == {"output": "产量(件)"}
    assert guess.unmatched == ["产量(吨)"]


def test_a_header_is_used_at_most_once() -> None:
    # Two metrics go by the same name, and a metric is named like a field: the header goes to one place.
    metrics = [MetricHint("output", ("产量",)), MetricHint("output_pcs", ("产量",)), MetricHint("day_count", ("日期",))]
    guess = guess_mapping(["日期", "产量"], metrics)
    assert guess.fields == {"period": "日期"}
    assert guess.values == {"output": "产量"}
    assert guess.unmatched == []


@pytest.mark.parametrize("headers", [
    ["工号", "姓名", "日期", "产量(件)", "良品数", "不良数", "停机时长(分钟)"],
    ["产线", "班次", "日期", "指标", "数值", "单位", "单号", "时间"],
    ["a", "b", "", "产量", "产量 ", "Output"],
])
def test_every_header_lands_in_exactly_one_place(headers: list[str]) -> None:
    guess = guess_mapping(headers, OPERATOR_METRICS)
    placed = [*guess.fields.values(), *guess.values.values(), *guess.unmatched]
    assert Counter(placed) == Counter(headers)
    assert guess == guess_mapping(headers, OPERATOR_METRICS)  # deterministic


def test_no_synonym_is_listed_twice() -> None:
    # Listed under two fields, the order of SYNONYMS would decide silently; listed twice under one, it is noise.
    keys = Counter(match_key(name) for names in SYNONYMS.values() for name in names)
    assert [key for key, count in keys.items() if count > 1] == []


@pytest.mark.parametrize(("text", "key"), [
    ("产量(件)", "产量"), ("产量（件）", "产量"), (" 产 量 ", "产量"), ("停机时长【分钟】", "停机时长"),
    ("Good_Units", "goodunits"), ("Employee No.", "employeeno"), ("Line #", "line"), ("ＥＭＰ－ＩＤ", "empid"), ("*工号：", "工号"),
    ("日期/月份", "日期/月份"), ("(件)", ""),
])
def test_match_key(text: str, key: str) -> None:
    assert match_key(text) == key


def test_a_guess_for_a_read_file() -> None:
    data = "工号,姓名,日期,产量(件),良品数\nE1001,张三,2026-11-02,120,118\n".encode("gb18030")
    table = read_table(data, "产量.csv")
    assert isinstance(table, Table)
    guess = guess_mapping(table.headers, OPERATOR_METRICS)
    assert guess.fields == {"subject": "工号", "period": "日期"}
    assert guess.values == {"output": "产量(件)", "good_units": "良品数"}
