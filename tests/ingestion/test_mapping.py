"""fairmark.ingestion.mapping: a source's records → push rows, with worked examples and a hypothesis property."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairmark.ingestion.mapping import MESSAGES, FieldMapping, MappingProblem
from fairmark.ingestion.rows import MAX_ROW_KEY, MetricRule, validate_rows

CST = timezone(timedelta(hours=8))
LONG = FieldMapping(subject="emp_no", period="month", metric="kpi", value="amount", unit="unit")
WIDE = FieldMapping(subject="line_code", period="work_date", values={"output": "output", "defects": "defects"},
                    constants={"subject_type": "line"})


def only(rows: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(rows) == 1
    return rows[0]


# ------------------------------------------------------------------------------------------------ layouts

def test_long_layout_makes_one_row_per_record() -> None:
    records = [{"emp_no": "E001", "month": "2026-11", "kpi": "sales", "amount": Decimal("1200.50"), "unit": "CNY"},
               {"emp_no": "E002", "month": "2026-11", "kpi": "sales", "amount": 800, "unit": None}]
    assert LONG.rows(records) == [
        {"row_key": "employee|E001|2026-11|sales", "metric": "sales", "subject": "E001", "subject_type": None,
         "period": "2026-11", "at": None, "value": Decimal("1200.50"), "unit": "CNY", "record": 0},
        {"row_key": "employee|E002|2026-11|sales", "metric": "sales", "subject": "E002", "subject_type": None,
         "period": "2026-11", "at": None, "value": 800, "unit": None, "record": 1},
    ]


def test_long_layout_passes_a_blank_value_on_for_validation_to_reject() -> None:
    rows = LONG.rows([{"emp_no": "E001", "month": "2026-11", "kpi": "sales", "amount": "  "},
                      {"emp_no": "E002", "month": "2026-11", "kpi": "sales"}])
    assert [row["value"] for row in rows] == [None, None]
    result = validate_rows(rows, {"sales": MetricRule("sales", grain="month")},
                           {("employee", "E001"): 1, ("employee", "E002"): 2})
    assert [(rejection.index, rejection.field, rejection.code) for rejection in result.rejected] == [
        (0, "value", "missing_field"), (1, "value", "missing_field")]
    assert result.rejected[0].message("zh-hans") == "缺少数值。"


def test_wide_layout_makes_a_row_per_metric_and_skips_blank_cells() -> None:
    records = [{"line_code": "L1", "work_date": date(2026, 11, 3), "output": 1200, "defects": 3},
               {"line_code": "L2", "work_date": date(2026, 11, 3), "output": 900, "defects": None},
               {"line_code": "L3", "work_date": date(2026, 11, 3), "output": "", "defects": " "}]
    rows = WIDE.rows(records)
    assert [(row["record"], row["metric"], row["value"], row["row_key"]) for row in rows] == [
        (0, "output", 1200, "line|L1|2026-11-03|output"), (0, "defects", 3, "line|L1|2026-11-03|defects"),
        (1, "output", 900, "line|L2|2026-11-03|output"),
    ]
    assert {row["subject_type"] for row in rows} == {"line"}
    assert {row["period"] for row in rows} == {"2026-11-03"}
    rules = {"output": MetricRule("output", "integer", subject_types=frozenset({"line"})),
             "defects": MetricRule("defects", "integer", subject_types=frozenset({"line"}))}
    result = validate_rows(rows, rules, {("line", "L1"): 1, ("line", "L2"): 2})
    assert len(result.accepted) == 3
    assert result.rejected == []


def test_a_row_key_column_is_used_as_sent() -> None:
    mapping = FieldMapping(subject="line_code", period="work_date", row_key="id", values={"output": "output",
                                                                                          "defects": "defects"})
    rows = mapping.rows([{"id": 17, "line_code": "L1", "work_date": "2026-11-03", "output": 5, "defects": 0}])
    assert [row["row_key"] for row in rows] == ["17:output", "17:defects"]
    long = FieldMapping(subject="emp_no", period="month", row_key="id", metric="kpi", value="amount")
    assert only(long.rows([{"id": 17.0, "emp_no": 1, "month": "2026-11", "kpi": "x", "amount": 1}]))["row_key"] == "17"
    assert only(long.rows([{"id": None, "emp_no": 1, "month": "2026-11", "kpi": "x", "amount": 1}]))["row_key"] is None


def test_constants_fill_fields_no_column_holds() -> None:
    mapping = FieldMapping(subject="machine", at="read_at", value="temp",
                           constants={"metric": "temperature", "subject_type": "machine", "unit": "°C"})
    row = only(mapping.rows([{"machine": "M1", "read_at": datetime(2026, 11, 3, 8, 30, tzinfo=CST), "temp": 71.5}]))
    assert row == {"row_key": "machine|M1|2026-11-03T08:30:00+08:00|temperature", "metric": "temperature",
                   "subject": "M1", "subject_type": "machine", "period": None, "at": "2026-11-03T08:30:00+08:00",
                   "value": 71.5, "unit": "°C", "record": 0}


# ---------------------------------------------------------------------------------------------- row keys

def test_derived_keys_are_the_same_every_time_and_for_every_reader() -> None:
    sheet = [{"emp_no": 1001, "month": "2026-11", "kpi": "sales", "amount": 1}]     # Excel: a number cell
    excel_float = [{"emp_no": 1001.0, "month": "2026-11", "kpi": "sales", "amount": 1}]
    csv = [{"emp_no": " 1001 ", "month": "2026-11", "kpi": "sales", "amount": "1"}]  # CSV: text
    database = [{"emp_no": Decimal("1001"), "month": "2026-11", "kpi": "sales", "amount": 1}]  # NUMERIC column
    keys = {only(LONG.rows(records))["row_key"] for records in (sheet, excel_float, csv, database, sheet)}
    assert keys == {"employee|1001|2026-11|sales"}
    assert {only(LONG.rows(records))["subject"] for records in (sheet, excel_float, csv, database)} == {"1001"}


def test_separators_in_values_cannot_make_two_records_share_a_key() -> None:
    mapping = FieldMapping(subject="s", period="p", metric="m", value="v")
    one = only(mapping.rows([{"s": "a|b", "p": "2026", "m": "x", "v": 1}]))["row_key"]
    other = only(mapping.rows([{"s": "a", "p": "b|2026", "m": "x", "v": 1}]))["row_key"]
    assert one != other
    assert one == "employee|a\\|b|2026|x"


def test_a_long_derived_key_is_shortened_to_fit_and_stays_distinct() -> None:
    mapping = FieldMapping(subject="s", period="p", metric="m", value="v")
    keys = [only(mapping.rows([{"s": "S" * 300 + tail, "p": "2026", "m": "x", "v": 1}]))["row_key"]
            for tail in ("1", "2")]
    assert all(len(key) == MAX_ROW_KEY for key in keys)
    assert keys[0] != keys[1]
    assert keys[0].startswith("employee|SSS")


# codes as they are after normalisation (stripped, not blank), with the separator and escape characters in them
key_text = st.text(alphabet=st.sampled_from("ab|\\:-1 线"), min_size=1, max_size=6).filter(
    lambda text: text == text.strip())


@given(st.lists(st.tuples(st.sampled_from(["employee", "line", "machine"]), key_text,
                          st.sampled_from(["2026-11-03", "2026-11", "2026-W45", "2026"]), key_text),
                unique=True, max_size=20))
def test_derived_keys_are_unique_per_subject_period_and_metric(facts: list[tuple[str, str, str, str]]) -> None:
    mapping = FieldMapping(subject="subject", subject_type="kind", period="period", metric="metric", value="value")
    records = [{"kind": kind, "subject": subject, "period": period, "metric": metric, "value": 1}
               for kind, subject, period, metric in facts]
    first, again = mapping.rows(records), mapping.rows(records)
    distinct = {(row["subject_type"], row["subject"], row["period"], row["metric"]) for row in first}
    assert len({row["row_key"] for row in first}) == len(distinct) == len(first)
    assert [row["row_key"] for row in first] == [row["row_key"] for row in again]


# ---------------------------------------------------------------------------------------- normalisation

def test_dates_and_datetimes_are_written_as_iso_text() -> None:
    mapping = FieldMapping(subject="s", period="p", at="t", metric="m", value="v")
    rows = mapping.rows([
        {"s": "E1", "p": datetime(2026, 11, 3), "t": datetime(2026, 11, 3, 8, 30), "m": "x", "v": date(2026, 1, 2)},
        {"s": "E1", "p": datetime(2026, 11, 3, 8, 30), "t": date(2026, 11, 3), "m": "x", "v": 1},
        {"s": "E1", "p": date(2026, 11, 3), "t": datetime(2026, 11, 3, 0, 0, tzinfo=CST), "m": "x", "v": 1},
        {"s": "E1", "p": 2026, "t": " 2026-11-03T08:30:00Z ", "m": "x", "v": 1},
    ])
    assert [(row["period"], row["at"]) for row in rows] == [
        ("2026-11-03", "2026-11-03T08:30:00"), ("2026-11-03T08:30:00", "2026-11-03"),
        ("2026-11-03", "2026-11-03T00:00:00+08:00"), ("2026", "2026-11-03T08:30:00Z")]
    assert rows[0]["value"] == "2026-01-02"


def test_values_pass_unchanged_and_floats_are_never_computed_with() -> None:
    sent: list[Any] = [Decimal("96.50"), 7, 0.1 + 0.2, True, False, None, "  96.5 "]
    rows = LONG.rows([{"emp_no": "E1", "month": "2026-11", "kpi": "k", "amount": value} for value in sent])
    values = [row["value"] for row in rows]
    assert values[:6] == sent[:6]
    assert values[6] == "96.5"
    assert [type(value) for value in values[:5]] == [Decimal, int, float, bool, bool]
    assert str(values[0]) == "96.50"
    assert values[2] is sent[2]


def test_a_subject_that_is_not_a_whole_number_is_left_for_validation() -> None:
    rows = LONG.rows([{"emp_no": value, "month": "2026-11", "kpi": "k", "amount": 1}
                      for value in (1001.5, Decimal("10.5"), True, float("nan"))])
    assert [row["subject"] for row in rows][:3] == [1001.5, Decimal("10.5"), True]
    result = validate_rows(rows, {"k": MetricRule("k", grain="month")}, {})
    assert [rejection.code for rejection in result.rejected] == ["wrong_type"] * 4


# ------------------------------------------------------------------------------------------------- checks

def codes(problems: list[MappingProblem]) -> list[tuple[str, str]]:
    return [(problem.field, problem.code) for problem in problems]


def test_a_complete_mapping_has_no_problems() -> None:
    assert LONG.check() == []
    assert WIDE.check() == []
    assert WIDE.check(["line_code", "work_date", "output", "defects", "extra"]) == []


@pytest.mark.parametrize(("mapping", "expected"), [
    (FieldMapping(subject="", period="p", metric="m", value="v"), [("subject", "subject_required")]),
    (FieldMapping(subject="s", period="p", value="v"), [("metric", "metric_required")]),
    (FieldMapping(subject="s", period="p", metric="m"), [("value", "value_required")]),
    (FieldMapping(subject="s", metric="m", value="v"), [("period", "period_required")]),
    (FieldMapping(subject="s", period="p", value="v", values={"a": "b"}), [("values", "both_layouts")]),
    (FieldMapping(subject="s", period="p", values={"a": "b"}, constants={"metric": "a"}), [("values", "both_layouts")]),
    (FieldMapping(subject="s", period="p", values={"": "b"}), [("values", "empty_metric")]),
    (FieldMapping(subject="s", period="p", metric="m", value="v", constants={"subject": "E1"}),
     [("constants", "unknown_constant")]),
    (FieldMapping(subject="s", period="p", metric="m", value="v", constants={"period": "2026"}),
     [("period", "column_and_constant")]),
    (FieldMapping(subject="s", at="t", value="v", constants={"metric": "m"}), []),
])
def test_check_finds_what_is_missing_or_contradictory(mapping: FieldMapping, expected: list[tuple[str, str]]) -> None:
    problems = mapping.check()
    assert codes(problems) == expected
    for problem in problems:
        english, chinese = problem.message("en"), problem.message("zh-hans")
        assert english != problem.code
        assert chinese != english
        assert "{" not in english + chinese


def test_check_names_columns_the_source_lacks_in_both_languages() -> None:
    problems = WIDE.check(["line_code", "date", "output"])
    assert codes(problems) == [("period", "unknown_column"), ("values", "unknown_column")]
    assert problems[0].message("en") == "There is no column “work_date” (chosen for the period)."
    assert problems[0].message("zh-hans") == "没有列“work_date”（用作期间）。"
    assert problems[1].params == {"column": "defects", "metric": "defects"}
    assert problems[1].message("en") == "There is no column “defects” (chosen for the metric “defects”)."
    assert problems[1].message("zh-hans") == "没有列“defects”（用作数据项“defects”）。"


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_mapping_message_has_the_same_placeholders_in_both_languages(code: str) -> None:
    english, chinese = MESSAGES[code]
    assert english != chinese
    assert ({name for _, name, _, _ in string.Formatter().parse(english) if name}
            == {name for _, name, _, _ in string.Formatter().parse(chinese) if name})


# --------------------------------------------------------------------------------------------------- JSON

def test_to_dict_and_from_dict_round_trip_through_json() -> None:
    for mapping in (LONG, WIDE, FieldMapping(subject="m", at="t", value="v", row_key="id",
                                             constants={"metric": "temp", "subject_type": "machine"})):
        stored = json.loads(json.dumps(mapping.to_dict()))
        assert FieldMapping.from_dict(stored) == mapping


def test_from_dict_reports_what_it_cannot_read() -> None:
    not_a_mapping = FieldMapping.from_dict([1])
    assert isinstance(not_a_mapping, list)
    assert codes(not_a_mapping) == [("mapping", "wrong_type")]
    problems = FieldMapping.from_dict({"subject": 7, "values": {"a": 1}, "colour": "red", "period": "p"})
    assert isinstance(problems, list)
    assert sorted(codes(problems)) == [("mapping", "unknown_key"), ("subject", "wrong_type"), ("values", "wrong_type")]
    assert FieldMapping.from_dict({"period": "p", "value": "v", "metric": "m"}) == [
        MappingProblem("subject", "subject_required")]
    incomplete = FieldMapping.from_dict({"subject": "s", "value": "v"})
    assert isinstance(incomplete, list)
    assert codes(incomplete) == [("metric", "metric_required"), ("period", "period_required")]


def test_a_mapping_does_not_change_with_the_dicts_it_was_built_from() -> None:
    values = {"output": "output"}
    mapping = FieldMapping(subject="s", period="p", values=values)
    values["defects"] = "defects"
    assert mapping.values == {"output": "output"}
    mapping.to_dict()["values"]["x"] = "y"
    assert mapping.values == {"output": "output"}


def test_the_pure_modules_import_no_django() -> None:
    code = ("import sys; import fairmark.ingestion.mapping, fairmark.ingestion.connectors.sql, "
            "fairmark.ingestion.connectors.rest; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework')))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
