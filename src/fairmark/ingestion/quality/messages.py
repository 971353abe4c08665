"""The sentences of data-quality findings, in English and Simplified Chinese. Pure.

This package imports no Django (so a batch of 50,000 rows is checked without a request, and hypothesis can
test it fast), so it cannot use gettext and keeps its own table. Findings and errors carry a *code* and
*params*, never text; `render` words them when they are shown, so a finding stored with a batch reads in
Chinese for one user and in English for another. Params may be Decimals, datetimes, lists or plain strings
(a finding read back from JSON has strings only): each is written the same way either way."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

EN = "en"
ZH = "zh-hans"

# code → (English, 简体中文)
MESSAGES: dict[str, tuple[str, str]] = {
    # duplicates and conflicts (identity: source + row key)
    "new": ("Row “{row_key}” from “{source}” is new: {value}.", "来源“{source}”的行“{row_key}”是新数据：{value}。"),
    "unchanged": ("Row “{row_key}” from “{source}” was already received with the same value {value}; nothing changes.",
                  "来源“{source}”的行“{row_key}”已收到过相同的值 {value}，不做改动。"),
    "unchanged_in_batch": ("Row “{row_key}” from “{source}” appears again in this batch with the same value {value}; "
                           "it is counted once.",
                           "来源“{source}”的行“{row_key}”在本批次中重复出现，值相同（{value}），只计一次。"),
    "conflict": ("Row “{row_key}” from “{source}” was already received with the value {previous}; the new value "
                 "{value} is kept for review and not applied.",
                 "来源“{source}”的行“{row_key}”已收到过值 {previous}；新值 {value} 与之不同，已留待审核，暂不生效。"),
    "conflict_in_batch": ("Row “{row_key}” from “{source}” appears again in this batch with the value {value}, unlike "
                          "the first {previous}; the later value is kept for review and not applied.",
                          "来源“{source}”的行“{row_key}”在本批次中再次出现，值 {value} 与首次的 {previous} 不同；"
                          "后出现的值已留待审核，暂不生效。"),
    "cross_key_duplicate": ("Rows {row_keys} from “{source}” all carry “{metric}” of subject {subject} for {period}: "
                            "check that the value is not counted twice.",
                            "来源“{source}”的行 {row_keys} 都是考核对象 {subject} 在 {period} 的“{metric}”："
                            "请确认该值没有被重复计算。"),
    # outliers (robust z-score)
    "outlier": ("The value {value} is far from the median {median} of {group} (robust z = {score}).",
                "{group}的值 {value} 远离中位数 {median}（稳健 z 值 = {score}）。"),
    "outlier_mean_ad": ("The value {value} is far from the median {median} of {group} (robust z = {score}, from the "
                        "mean absolute deviation, as most values equal the median).",
                        "{group}的值 {value} 远离中位数 {median}（稳健 z 值 = {score}；因多数值等于中位数，"
                        "按平均绝对偏差计算）。"),
    # completeness
    "gap": ("{subject} did not report for {length} periods: {start} … {end}.",
            "{subject}有 {length} 个周期未报送数据：{start} … {end}。"),
    "gap_single": ("{subject} did not report for {start}.", "{subject}在 {start} 未报送数据。"),
    "completeness": ("{reported_cells} of {expected_cells} expected values were reported ({percent} %); "
                     "{missing_cells} are missing in {gap_count} gaps.",
                     "应报 {expected_cells} 个值，已报 {reported_cells} 个（{percent}%）；"
                     "缺 {missing_cells} 个，共 {gap_count} 处缺口。"),
    "completeness_empty": ("No values were expected.", "没有应报送的数据。"),
}

# code → (English, 简体中文): bad input to the checks themselves (a programming or configuration error).
ERRORS: dict[str, tuple[str, str]] = {
    "value_not_decimal": ("The value of row “{row_key}” must be a decimal number, not {value}.",
                          "行“{row_key}”的值必须是小数，而不是 {value}。"),
    "value_not_finite": ("The value of row “{row_key}” must be a finite number: {value}.",
                         "行“{row_key}”的值必须是有限数：{value}。"),
    "group_value_invalid": ("A value of {group} is not a finite decimal number: {value}.",
                            "{group}中有一个值不是有限小数：{value}。"),
    "too_many_digits": ("The values of {group} have too many digits to be compared exactly.",
                        "{group}的数值位数过多，无法精确比较。"),
    "threshold_invalid": ("The outlier threshold must be a positive decimal number: {value}.",
                          "离群值阈值必须是正的小数：{value}。"),
    "min_count_invalid": ("The smallest group to judge must be a whole number of 1 or more: {value}.",
                          "参与判断的最少值个数必须是不小于 1 的整数：{value}。"),
    "duplicate_period": ("The period {period} is listed twice.", "周期 {period} 重复出现。"),
}

MAX_LISTED = 5  # a list param (row keys) shows this many items, then "and N more"


def normalise_language(language: str) -> str:
    """"zh-hans", "zh-Hans", "zh-cn", "zh" → Chinese; anything else → English (the fallback of the project)."""
    return ZH if language.lower().replace("_", "-").startswith("zh") else EN


def written(value: Decimal) -> str:
    """A decimal as it was sent, in positional notation (96.50 stays 96.50, 1.2E+2 is 120), the same whether
    the param is the Decimal or the string it was stored as; scientific notation only for absurd magnitudes,
    so a message never prints a million digits. Computed params (a median, a score) come tidy already."""
    if not value.is_finite() or (value and not -60 <= value.adjusted() <= 60):
        return str(value)
    return format(value, "f")


def _format(value: Any, chinese: bool) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return written(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        shown = [f"“{item}”" for item in value[:MAX_LISTED]]
        if len(value) > MAX_LISTED:
            more = len(value) - MAX_LISTED
            shown.append(f"等 {more} 个" if chinese else f"and {more} more")
        return ("、" if chinese else ", ").join(shown)
    return str(value)


def render(table: Mapping[str, tuple[str, str]], code: str, params: Mapping[str, Any], language: str) -> str:
    chinese = normalise_language(language) == ZH
    english, zh = table.get(code, (code, code))
    try:
        return (zh if chinese else english).format_map({key: _format(v, chinese) for key, v in params.items()})
    except (KeyError, IndexError, ValueError):  # built with odd params (or read back from an old version)
        return code
