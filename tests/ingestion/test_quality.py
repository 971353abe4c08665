"""Data-quality rules of ingestion: worked examples of duplicates and conflicts, outliers and completeness,
with the numbers computed by hand in the comments."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from fairmark.ingestion.quality import (
    Classification,
    Completeness,
    Fact,
    Finding,
    QualityError,
    classify,
    gaps,
    outliers,
)

D = Decimal
DAYS = [f"2026-11-{day:02d}" for day in range(1, 31)]


def batch(*values: str, source: str = "mes", metric: str = "output") -> list[Fact]:
    """One fact per value: row keys r0, r1, … for subjects 0, 1, … on 2026-11-03."""
    return [Fact(source, f"r{i}", metric, i, "2026-11-03", D(value)) for i, value in enumerate(values)]


def statuses(result: Classification) -> list[str]:
    return [verdict.status for verdict in result.verdicts]


# --- duplicates and conflicts ---------------------------------------------------------------------------


def test_a_first_batch_is_all_new_and_is_what_gets_applied() -> None:
    facts = batch("96.5", "88", "101.25")
    result = classify(facts, {})
    assert statuses(result) == ["new", "new", "new"]
    assert result.accepted == {("mes", "r0"): D("96.5"), ("mes", "r1"): D("88"), ("mes", "r2"): D("101.25")}
    assert result.counts() == {"new": 3, "unchanged": 0, "conflict": 0, "cross_key_duplicate": 0}
    assert result.findings() == []  # nothing for a person to look at
    assert result.verdicts[0].message("en") == "Row “r0” from “mes” is new: 96.5."


def test_a_batch_resent_is_all_unchanged() -> None:
    facts = batch("96.5", "88", "101.25")
    stored = classify(facts, {}).apply({})
    again = classify(facts, stored)
    assert statuses(again) == ["unchanged"] * 3
    assert again.accepted == {}
    assert again.apply(stored) == stored
    assert again.verdicts[1].message("en") == (
        "Row “r1” from “mes” was already received with the same value 88; nothing changes.")


def test_one_value_changed_is_exactly_one_conflict_kept_for_review_and_not_applied() -> None:
    stored = classify(batch("96.5", "88", "101.25"), {}).apply({})
    result = classify(batch("96.5", "89", "101.25"), stored)
    assert statuses(result) == ["unchanged", "conflict", "unchanged"]
    [conflict] = result.conflicts
    assert (conflict.index, conflict.fact.value, conflict.previous, conflict.previous_in) == (1, D(89), D(88), "stored")
    assert result.apply(stored) == stored  # the stored 88 stays until a person accepts the 89
    assert conflict.code == "conflict"
    assert conflict.severity == "review"
    assert conflict.message("en") == ("Row “r1” from “mes” was already received with the value 88; the new value 89 "
                                      "is kept for review and not applied.")
    assert conflict.message("zh-hans") == ("来源“mes”的行“r1”已收到过值 88；新值 89 与之不同，已留待审核，暂不生效。")
    assert result.findings() == [conflict.finding]


def test_equal_decimals_written_differently_are_the_same_value() -> None:
    stored = {("mes", "r0"): D("96.5"), ("mes", "r1"): D("120"), ("mes", "r2"): D("0")}
    result = classify(batch("96.50", "1.2E+2", "-0.00"), stored)
    assert statuses(result) == ["unchanged", "unchanged", "unchanged"]


def test_a_key_repeated_within_the_batch_first_wins() -> None:
    facts = [
        Fact("mes", "a", "output", 1, "2026-11-03", D("10")),
        Fact("mes", "a", "output", 1, "2026-11-03", D("10.0")),  # the same again: counted once
        Fact("mes", "a", "output", 1, "2026-11-03", D("11")),  # different: a conflict with the first
        Fact("erp", "a", "output", 1, "2026-11-03", D("11")),  # another source: another key
    ]
    result = classify(facts, {})
    assert statuses(result) == ["new", "unchanged", "conflict", "new"]
    repeat, conflict = result.verdicts[1], result.verdicts[2]
    assert (conflict.previous, conflict.previous_in, conflict.first_index) == (D(10), "batch", 0)
    assert repeat.code == "unchanged_in_batch"
    assert conflict.code == "conflict_in_batch"
    assert result.accepted == {("mes", "a"): D(10), ("erp", "a"): D(11)}
    assert conflict.message("en") == ("Row “a” from “mes” appears again in this batch with the value 11, unlike the "
                                      "first 10; the later value is kept for review and not applied.")


def test_a_repeat_of_a_conflicting_key_is_compared_with_the_stored_value() -> None:
    """Stored 100; the batch sends 120 twice. Both are conflicts with the stored 100 (neither is applied),
    so the reviewer sees both rows."""
    facts = [Fact("mes", "a", "output", 1, "2026-11-03", D(120))] * 2
    result = classify(facts, {("mes", "a"): D(100)})
    assert statuses(result) == ["conflict", "conflict"]
    assert {v.previous_in for v in result.verdicts} == {"stored"}


def test_two_row_keys_for_the_same_cell_are_a_cross_key_warning() -> None:
    facts = [
        Fact("mes", "r-1", "output", 7, "2026-11-03", D(480)),
        Fact("mes", "r-2", "output", 7, "2026-11-04", D(470)),
        Fact("mes", "r-9", "output", 7, "2026-11-03", D(480)),  # renumbered: the same cell as r-1
        Fact("erp", "r-9", "output", 7, "2026-11-03", D(480)),  # another source: not a duplicate of mes
    ]
    result = classify(facts, {})
    assert statuses(result) == ["new"] * 4  # a warning, not a rejection
    [duplicate] = result.cross_key_duplicates
    assert (duplicate.source, duplicate.metric, duplicate.subject_id, duplicate.period) == ("mes", "output", 7,
                                                                                         "2026-11-03")
    assert duplicate.row_keys == ("r-1", "r-9")
    assert duplicate.indices == (0, 2)
    assert duplicate.severity == "warning"
    assert duplicate.message("en") == ("Rows “r-1”, “r-9” from “mes” all carry “output” of subject 7 for 2026-11-03: "
                                       "check that the value is not counted twice.")
    assert duplicate.message("zh") == ("来源“mes”的行 “r-1”、“r-9” 都是考核对象 7 在 2026-11-03 的“output”："
                                       "请确认该值没有被重复计算。")
    assert result.counts()["cross_key_duplicate"] == 1


def test_a_key_sent_twice_is_not_a_cross_key_duplicate() -> None:
    facts = [Fact("mes", "r-1", "output", 7, "2026-11-03", D(480))] * 2
    assert classify(facts, {}).cross_key_duplicates == ()


def test_stored_cells_catch_rows_renumbered_since_the_last_batch() -> None:
    cell = ("mes", "output", 7, "2026-11-03")
    stored = {("mes", "r-1"): D(480)}
    renumbered = [Fact("mes", "r-9", "output", 7, "2026-11-03", D(480))]
    result = classify(renumbered, stored, stored_cells=[(cell, "r-1"), (("mes", "output", 8, "2026-11-03"), "r-2")])
    assert statuses(result) == ["new"]
    [duplicate] = result.cross_key_duplicates
    assert (duplicate.row_keys, duplicate.stored_row_keys) == (("r-9",), ("r-1",))
    assert duplicate.params["row_keys"] == ["r-1", "r-9"]
    # the same row resent is not a second key
    resent = [Fact("mes", "r-1", "output", 7, "2026-11-03", D(480))]
    assert classify(resent, stored, stored_cells=[(cell, "r-1")]).cross_key_duplicates == ()


def test_timestamps_identify_cells_too() -> None:
    at = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    facts = [Fact("scada", "t1", "temperature", 3, at, D("71.5")), Fact("scada", "t2", "temperature", 3, at, D("71.5"))]
    result = classify(facts, {})
    [duplicate] = result.cross_key_duplicates
    assert "2026-11-03T08:00:00+00:00" in duplicate.message("en")
    assert duplicate.finding.to_dict()["params"]["period"] == "2026-11-03T08:00:00+00:00"


def test_long_lists_of_row_keys_are_shortened_in_the_message() -> None:
    facts = [Fact("mes", f"k{i}", "output", 1, "2026-11-03", D(1)) for i in range(8)]
    [duplicate] = classify(facts, {}).cross_key_duplicates
    assert duplicate.message("en").startswith("Rows “k0”, “k1”, “k2”, “k3”, “k4”, and 3 more from “mes”")
    assert "等 3 个" in duplicate.message("zh-hans")


def test_a_fact_takes_a_finite_decimal_or_an_int() -> None:
    assert Fact("mes", "r", "output", 1, "2026-11-03", 5).value == D(5)  # type: ignore[arg-type]
    with pytest.raises(QualityError) as info:
        Fact("mes", "r", "output", 1, "2026-11-03", 96.5)  # type: ignore[arg-type]
    assert info.value.code == "value_not_decimal"
    assert info.value.message("en") == "The value of row “r” must be a decimal number, not 96.5."
    with pytest.raises(QualityError, match="finite"):
        Fact("mes", "r", "output", 1, "2026-11-03", D("NaN"))
    with pytest.raises(QualityError):
        Fact("mes", "r", "output", 1, "2026-11-03", True)  # type: ignore[arg-type]


def test_a_quality_error_pickles_with_its_code_and_params() -> None:
    error = QualityError("duplicate_period", {"period": "2026-11-03"})
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (copy.code, copy.params, copy.message("zh")) == ("duplicate_period", {"period": "2026-11-03"},
                                                           "周期 2026-11-03 重复出现。")


# --- outliers -------------------------------------------------------------------------------------------

# 30 days of line L1's output around 120: 120 + 13 × (-4, -3, -2, -1, 0, 1, 2, 3, 4, 0) repeated, and 480 on day 15.
OFFSETS = [-4, -3, -2, -1, 0, 1, 2, 3, 4, 0]
SERIES = [D(120 + 13 * OFFSETS[i % 10]) for i in range(29)]
SERIES.insert(14, D(480))


def test_a_daily_series_with_one_far_value_flags_that_one_with_its_score() -> None:
    # Sorted, the 15th and 16th values are both 120: median 120. The deviations |x − 120| are 0 (×5),
    # 13 (×6), 26 (×6), 39 (×6), 52 (×6) and 360; the 15th and 16th are 26: MAD 26.
    # 480: 0.6745 × (480 − 120) / 26 = 242.82 / 26 = 9.3392… → 9.34. The next largest, 172 or 68:
    # 0.6745 × 52 / 26 = 1.349, far below 3.5.
    found = outliers({"line L1 · output": list(zip(DAYS, SERIES, strict=True))})
    assert len(found) == 1
    [outlier] = found
    assert (outlier.id, outlier.group, outlier.value) == ("2026-11-15", "line L1 · output", D(480))
    assert (outlier.median, outlier.mad, outlier.score, outlier.method) == (D(120), D(26), D("9.34"), "mad")
    assert outlier.severity == "warning"
    assert outlier.message("en") == ("The value 480 is far from the median 120 of line L1 · output "
                                     "(robust z = 9.34).")
    assert outlier.message("zh-hans") == "line L1 · output的值 480 远离中位数 120（稳健 z 值 = 9.34）。"


def test_a_label_names_the_group_and_a_low_value_has_a_negative_score() -> None:
    series = [*SERIES[:14], D(-240), *SERIES[15:]]  # 360 below the median instead of above
    found = outliers({("L1", "output"): list(enumerate(series))}, label=lambda group: f"{group[0]} 产量")
    [outlier] = found
    assert (outlier.id, outlier.score) == (14, D("-9.34"))
    assert outlier.group == ("L1", "output")
    assert outlier.message("zh") == "L1 产量的值 -240 远离中位数 120（稳健 z 值 = -9.34）。"


def test_the_threshold_is_strict_and_exact() -> None:
    # median 0, MAD 1.349; 7 scores 0.6745 × 7 / 1.349 = 3.5 exactly: not beyond 3.5. 7.001 is.
    base = ["-2", "-1.349", "-1.349", "0", "0", "1.349", "1.349", "2"]
    at_threshold = list(enumerate(D(v) for v in [*base, "7"]))
    assert outliers({"g": at_threshold}) == []
    beyond = list(enumerate(D(v) for v in [*base, "7.001"]))
    [outlier] = outliers({"g": beyond})
    assert (outlier.id, outlier.median, outlier.mad, outlier.score) == (8, D(0), D("1.349"), D("3.50"))
    assert [o.id for o in outliers({"g": at_threshold}, threshold=D("3.4"))] == [8]
    assert [o.id for o in outliers({"g": at_threshold}, threshold=3.4)] == [8]  # a float is read as written
    assert [o.id for o in outliers({"g": at_threshold}, threshold="3.4")] == [8]


def test_when_most_values_equal_the_median_the_mean_absolute_deviation_stands_in() -> None:
    # 100 ×7, 99, 101, 200: median 100 and MAD 0. MeanAD = (1 + 1 + 100) / 10 = 10.2;
    # 200: 100 / (1.253314 × 10.2) = 7.822… → 7.82; 101: 1 / 12.78 = 0.08.
    values = [D(100)] * 7 + [D(99), D(101), D(200)]
    [outlier] = outliers({"g": list(enumerate(values))})
    assert (outlier.id, outlier.method, outlier.mad, outlier.mean_ad, outlier.score) == (9, "mean_ad", D(0),
                                                                                         D("10.2"), D("7.82"))
    assert outlier.code == "outlier_mean_ad"
    assert "mean absolute deviation" in outlier.message("en")
    assert "平均绝对偏差" in outlier.message("zh-hans")


def test_equal_values_and_small_groups_are_not_flagged() -> None:
    assert outliers({"flat": [(i, D("5.0")) for i in range(20)]}) == []
    few = [(i, D(v)) for i, v in enumerate([1, 1, 1, 1, 1, 1, 1000])]  # 7 values < min_count 8
    assert outliers({"few": few}) == []
    assert [o.id for o in outliers({"few": few}, min_count=7)] == [6]
    assert outliers({}) == []
    assert outliers({"empty": []}, min_count=1) == []


def test_groups_are_judged_separately() -> None:
    # 480 is ordinary on line L2, whose values are all around 480
    l2 = [(f"L2-{i}", value + 360) for i, value in enumerate(SERIES)]
    found = outliers({"L1": list(zip(DAYS, SERIES, strict=True)), "L2": l2})
    assert [(o.group, o.id) for o in found] == [("L1", "2026-11-15"), ("L2", "L2-14")]  # 840 on L2


def test_large_groups_and_long_numbers_give_the_same_verdicts() -> None:
    """100 values take the numpy path (int64); 10^20 added to each, or 10^20 times each plus 1, the
    Python-integer path, as int64 would overflow; 1E+30 times them, int64 again (the decimal exponent is
    shared, the digits are the same)."""
    values = [D(120 + 13 * OFFSETS[i % 10]) for i in range(99)] + [D(480)]
    small = outliers({"g": list(enumerate(values))})
    long = outliers({"g": [(i, v + 10**20) for i, v in enumerate(values)]})
    wide = outliers({"g": [(i, v * 10**20 + 1) for i, v in enumerate(values)]})  # deviations beyond int64 too
    huge = outliers({"g": [(i, v.scaleb(30)) for i, v in enumerate(values)]})
    tiny = outliers({"g": [(i, v.scaleb(-30)) for i, v in enumerate(values)]})
    scores = [(o.id, o.score) for o in small]
    assert scores == [(99, D("9.34"))]
    for other in (long, wide, huge, tiny):
        assert [(o.id, o.score) for o in other] == scores
    assert (long[0].median, long[0].mad) == (D(10**20 + 120), D(26))
    assert huge[0].median == D(120).scaleb(30)
    # the same on the Python path for a small group
    short = [(i, v + 10**20) for i, v in enumerate(values[90:])]
    assert [o.id for o in outliers({"g": short})] == [9]


def test_bad_arguments_are_refused() -> None:
    group = {"g": [(0, D(1))]}
    for threshold in (0, -1, "abc", D("NaN"), float("inf"), True):
        with pytest.raises(QualityError) as info:
            outliers(group, threshold=threshold)  # type: ignore[arg-type]
        assert info.value.code == "threshold_invalid"
    for min_count in (0, -3, 2.5, True):
        with pytest.raises(QualityError) as info:
            outliers(group, min_count=min_count)  # type: ignore[arg-type]
        assert info.value.code == "min_count_invalid"
    with pytest.raises(QualityError) as info:
        outliers({"g": [(0, 1.5)] * 10})  # type: ignore[list-item]
    assert info.value.code == "group_value_invalid"
    with pytest.raises(QualityError) as info:
        outliers({"g": [(0, D("1E+200")), (1, D("1E-200"))]}, min_count=1)
    assert info.value.code == "too_many_digits"


# --- completeness ---------------------------------------------------------------------------------------


def test_three_missing_days_in_a_row_are_one_gap() -> None:
    periods = DAYS[:7]  # 2026-11-01 … 2026-11-07
    reported = [(line, day) for line in ("L1", "L2", "L3") for day in periods
                if not (line == "L3" and "2026-11-03" <= day <= "2026-11-05")]
    result = gaps(["L1", "L2", "L3"], periods, reported, label=lambda line: f"line {line}")
    [gap] = result.gaps
    assert (gap.subject, gap.start, gap.end, gap.length, gap.first) == ("L3", "2026-11-03", "2026-11-05", 3, 2)
    assert gap.message("en") == "line L3 did not report for 3 periods: 2026-11-03 … 2026-11-05."
    assert gap.message("zh-hans") == "line L3有 3 个周期未报送数据：2026-11-03 … 2026-11-05。"
    # 3 lines × 7 days = 21 cells, 18 reported: 18 / 21 = 0.857142… → 0.8571
    assert (result.expected_cells, result.reported_cells, result.missing_cells) == (21, 18, 3)
    assert result.ratio == D("0.8571")
    assert result.message("en") == ("18 of 21 expected values were reported (85.71 %); 3 are missing in 1 gaps.")
    assert result.message("zh") == "应报 21 个值，已报 18 个（85.71%）；缺 3 个，共 1 处缺口。"
    assert [f.code for f in result.findings()] == ["completeness", "gap"]


def test_gaps_at_the_edges_single_days_and_silent_subjects() -> None:
    periods = DAYS[:5]
    reported = [("A", DAYS[1]), ("A", DAYS[2]), ("A", DAYS[2]),  # reported twice: counted once
                ("B", DAYS[0]), ("B", DAYS[2]), ("B", DAYS[4]),
                ("Z", DAYS[0]), ("A", "2026-12-01")]  # outside the grid: unexpected
    result = gaps(["A", "B", "C", "A"], periods, reported)  # A listed twice: expected once
    assert [(g.subject, g.start, g.end, g.length) for g in result.gaps] == [
        ("A", DAYS[0], DAYS[0], 1), ("A", DAYS[3], DAYS[4], 2),
        ("B", DAYS[1], DAYS[1], 1), ("B", DAYS[3], DAYS[3], 1),
        ("C", DAYS[0], DAYS[4], 5),
    ]
    assert (result.expected_cells, result.reported_cells, result.unexpected_cells) == (15, 5, 2)
    assert result.ratio == D("0.3333")
    assert result.gaps[0].message("en") == "A did not report for 2026-11-01."
    assert result.gaps[0].message("zh") == "A在 2026-11-01 未报送数据。"


def test_complete_and_empty_grids() -> None:
    complete = gaps([1, 2], DAYS[:2], [(1, DAYS[0]), (1, DAYS[1]), (2, DAYS[0]), (2, DAYS[1])])
    assert (complete.gaps, complete.ratio, complete.severity) == ((), D("1.0000"), "info")
    # 9,999 of 10,000: rounded down, so 1.0000 is never shown while a value is missing
    nearly = gaps(range(100), [str(p) for p in range(100)], [(s, str(p)) for s in range(100) for p in range(100)
                                                            if (s, p) != (42, 0)])
    assert nearly.ratio == D("0.9999")
    empty: Completeness[str] = gaps([], DAYS, [])
    assert (empty.ratio, empty.gaps, empty.message("en")) == (None, (), "No values were expected.")
    assert gaps(["A"], [], [("A", DAYS[0])]).unexpected_cells == 1


def test_a_period_listed_twice_is_refused() -> None:
    with pytest.raises(QualityError) as info:
        gaps(["A"], [DAYS[0], DAYS[1], DAYS[0]], [])
    assert info.value.message("en") == "The period 2026-11-01 is listed twice."


# --- findings -------------------------------------------------------------------------------------------


def test_findings_store_as_json_and_read_back_in_either_language() -> None:
    stored = classify(batch("88"), {}).apply({})
    [conflict] = classify(batch("89.50"), stored).findings()
    data = conflict.to_dict()
    assert data["code"] == "conflict"
    assert data["severity"] == "review"
    assert data["params"]["value"] == "89.50"  # decimals as exact strings
    assert data["message_zh_hans"].startswith("来源“mes”的行“r0”已收到过值 88")
    again = Finding.from_dict(data)
    assert again.message("en") == conflict.message("en")
    assert again.message("zh-Hans") == conflict.message("zh-hans")


def test_an_unknown_code_or_missing_params_still_say_something() -> None:
    assert Finding("not_a_code", {}).message("en") == "not_a_code"
    assert Finding("outlier", {"value": 1}).message("zh") == "outlier"
    assert Finding.from_dict({"code": "gap_single", "params": {"subject": "L3", "start": "2026-11-03"},
                              "severity": "odd"}).severity == "warning"


# --- scale ----------------------------------------------------------------------------------------------


def test_fifty_thousand_rows_at_once() -> None:
    """500 lines × 100 days: each check runs over 50,000 values and still finds the one outlier and the one
    silent line (speed is measured by bench/, not here)."""
    days = [f"d{day:03d}" for day in range(100)]
    facts = [Fact("mes", f"{line}-{day}", "output", line, day, D(120 + (line * 7 + i * 13) % 41 - 20))
             for line in range(500) for i, day in enumerate(days)]
    facts[12_345] = Fact("mes", facts[12_345].row_key, "output", facts[12_345].subject_id, facts[12_345].period,
                         D(900))
    first = classify(facts, {})
    again = classify(facts, first.apply({}))
    by_line: dict[int, list[tuple[int, Decimal]]] = {}
    for index, fact in enumerate(facts):
        by_line.setdefault(fact.subject_id, []).append((index, fact.value))
    flagged = outliers(by_line)
    whole = outliers({"all": [(index, fact.value) for index, fact in enumerate(facts)]})
    completeness = gaps(range(500), days, [(f.subject_id, str(f.period)) for f in facts if f.subject_id != 3])
    assert first.counts()["new"] == 50_000
    assert again.counts()["unchanged"] == 50_000
    assert [o.id for o in flagged] == [12_345]
    assert [o.id for o in whole] == [12_345]
    assert [(g.subject, g.length) for g in completeness.gaps] == [(3, 100)]
