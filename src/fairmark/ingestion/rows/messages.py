"""The sentences of batch and row errors, in English and Simplified Chinese. Pure.

Errors carry a *code* and JSON-safe *params* (str, int, lists of str), never text, so the API can answer in the
caller's language and a quarantined row can be shown again in the other language. The module cannot use
Django's gettext (it imports no Django), so it keeps its own table, like indicators.formula and
indicators.weighting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..periods import EXAMPLES, GRAIN_NAMES, PeriodError, is_chinese

EN = "en"
ZH = "zh-hans"

# Errors of the request as a whole (DecodeError). code → (English, 简体中文)
DECODE_MESSAGES: dict[str, tuple[str, str]] = {
    "empty_body": ("The request body is empty: send a JSON object with idempotency_key and rows.",
                   "请求体为空：请发送包含 idempotency_key 和 rows 的 JSON 对象。"),
    "too_large": ("The request body is larger than {max_bytes} bytes (after decompression).",
                  "请求体（解压后）超过 {max_bytes} 字节。"),
    "bad_gzip": ("The body is not valid gzip data.", "请求体不是有效的 gzip 数据。"),
    "bad_encoding": ("The body is not UTF-8 text.", "请求体不是 UTF-8 文本。"),
    "malformed_json": ("The body is not valid JSON: {detail}.", "请求体不是有效的 JSON：{detail}。"),
    "too_deep": ("The JSON is nested too deeply.", "JSON 嵌套层级过深。"),
    "wrong_shape": ("The body does not have the expected shape at {path}: {detail}.",
                    "请求体结构不符合要求（{path}）：{detail}。"),
    "bad_idempotency_key": ("idempotency_key must be 1 to {max} characters.",
                            "idempotency_key 必须为 1 到 {max} 个字符。"),
    "bad_source": ("source must be text of at most {max} characters.", "source 必须是不超过 {max} 个字符的文本。"),
    "too_many_rows": ("The batch has {count} rows; at most {max} are accepted per request: split it.",
                      "本批共 {count} 行，每次请求最多 {max} 行：请拆分后发送。"),
}

# Errors of one row (Rejection). Some codes have variants, chosen by `_variant` from the params.
ROW_MESSAGES: dict[str, tuple[str, str]] = {
    "not_an_object": ("The row must be a JSON object, not {got_name}.", "每一行必须是 JSON 对象，而不是{got_name}。"),
    "unreadable_row": ("The row cannot be read at {path}: {detail}.", "无法读取该行（{path}）：{detail}。"),
    "missing_field": ("{field} is missing.", "缺少字段 {field}。"),
    "missing_field.value": ("The value is missing.", "缺少数值。"),
    "wrong_type": ("{field} must be {expected_name}, not {got_name}.", "{field} 必须是{expected_name}，而不是{got_name}。"),
    "wrong_type.boolean": ("The value must be true or false (or 1, 0), not {value}.",
                           "数值必须是 true 或 false（或 1、0），而不是 {value}。"),
    "value_too_long": ("{field} is too long: {length} characters, at most {max}.",
                       "{field} 过长：共 {length} 个字符，最多 {max} 个。"),
    "duplicate_row_key_in_batch": ("The row key “{row_key}” is used twice in this batch (first at rows[{first_index}]).",
                                   "行键“{row_key}”在本批中重复（首次出现在 rows[{first_index}]）。"),
    "unknown_metric": ("Unknown metric “{metric}”.", "数据项“{metric}”不存在。"),
    "metric_not_allowed": ("The source “{source}” may not send the metric “{metric}”.",
                           "数据源“{source}”无权发送数据项“{metric}”。"),
    "unknown_subject": ("Unknown {subject_type_name} “{subject}”.", "{subject_type_name}“{subject}”不存在。"),
    "subject_type_not_allowed": ("The metric “{metric}” is not recorded for {subject_type_name} subjects: "
                                 "allowed are {allowed_names}.",
                                 "数据项“{metric}”不适用于{subject_type_name}：只适用于{allowed_names}。"),
    "not_a_number": ("“{value}” is not a number.", "“{value}”不是数字。"),
    "not_an_integer": ("{value} is not a whole number.", "{value} 不是整数。"),
    "number_too_large": ("{value} has more than {max} digits before the decimal point.",
                         "{value} 的整数部分超过 {max} 位。"),
    "too_many_decimals": ("{value} has more than {max} decimal places.", "{value} 的小数超过 {max} 位。"),
    "out_of_range": ("{value} is out of range: it must be from {min} to {max}.", "{value} 超出范围：应在 {min} 到 {max} 之间。"),
    "out_of_range.min": ("{value} is below the minimum of {min}.", "{value} 低于最小值 {min}。"),
    "out_of_range.max": ("{value} is above the maximum of {max}.", "{value} 高于最大值 {max}。"),
    "wrong_unit": ("The unit “{unit}” is not the metric's unit “{expected}”.", "单位“{unit}”与数据项的单位“{expected}”不符。"),
    "wrong_unit.none": ("The metric has no unit, but “{unit}” was sent.", "该数据项没有单位，但发送了“{unit}”。"),
    "wrong_grain": ("The metric “{metric}” is recorded per {grain_name}: “{period}” is a {got_name} "
                    "(write it like {example}).",
                    "数据项“{metric}”按{grain_name}记录：“{period}”是{got_name}（应写成 {example} 的形式）。"),
    "wrong_grain.instant": ("The metric “{metric}” is recorded at a point in time: send the timestamp in at, not a period.",
                            "数据项“{metric}”按时点记录：请在 at 中填写时间，而不是期间。"),
    "bad_timestamp": ("“{value}” is not an ISO 8601 timestamp such as 2026-11-22T08:30:00+08:00.",
                      "“{value}”不是 ISO 8601 时间，应如 2026-11-22T08:30:00+08:00。"),
    "bad_timestamp.no_timezone": ("The timestamp “{value}” has no time zone: add one, such as +08:00 or Z.",
                                  "时间“{value}”缺少时区：请加上时区，如 +08:00 或 Z。"),
    "bad_timestamp.out_of_range": ("The timestamp “{value}” is out of range.", "时间“{value}”超出范围。"),
}

# The JSON type of a value, as messages name it.
TYPE_NAMES: dict[str, tuple[str, str]] = {
    "null": ("null", "null"), "boolean": ("true or false", "布尔值（true 或 false）"),
    "integer": ("a whole number", "整数"), "number": ("a number", "数字"), "text": ("text", "文本"),
    "array": ("an array", "数组"), "object": ("an object", "对象"), "decimal": ("a number", "数字"),
}

SUBJECT_TYPE_NAMES: dict[str, tuple[str, str]] = {
    "employee": ("employee", "员工"), "team": ("team", "班组"), "department": ("department", "部门"),
    "line": ("production line", "产线"), "machine": ("machine", "设备"), "project": ("project", "项目"),
}


def normalise_language(language: str) -> str:
    return ZH if is_chinese(language) else EN


def _name(table: Mapping[str, tuple[str, str]], key: Any, chinese: bool) -> str:
    names = table.get(key) if isinstance(key, str) else None
    return names[chinese] if names else str(key)


def render_decode_error(code: str, params: Mapping[str, Any], language: str) -> str:
    chinese = is_chinese(language)
    english, zh = DECODE_MESSAGES.get(code, (code, code))
    try:
        return (zh if chinese else english).format(**params)
    except (KeyError, IndexError, ValueError):
        return f"{code}: {dict(params)}"


def _variant(code: str, field: str, params: Mapping[str, Any]) -> str:
    if code == "out_of_range":
        if params.get("min") is None:
            return "out_of_range.max"
        if params.get("max") is None:
            return "out_of_range.min"
    elif code == "wrong_type" and params.get("expected") == "boolean" and "value" in params:
        return "wrong_type.boolean"
    elif code == "missing_field" and field == "value":
        return "missing_field.value"
    elif code == "wrong_unit" and not params.get("expected"):
        return "wrong_unit.none"
    elif code == "wrong_grain" and params.get("grain") == "instant":
        return "wrong_grain.instant"
    elif code == "bad_timestamp" and params.get("reason") in ("no_timezone", "out_of_range"):
        return f"bad_timestamp.{params['reason']}"
    return code


def render_rejection(code: str, field: str, params: Mapping[str, Any], language: str) -> str:
    """The sentence of a row error. `bad_period` is worded by the periods module, from the reason it gave."""
    chinese = is_chinese(language)
    if code == "bad_period":
        reason_params = {key: value for key, value in params.items() if key != "reason"}
        return PeriodError(str(params.get("reason", "bad_format")), reason_params).message(language)
    english, zh = ROW_MESSAGES.get(_variant(code, field, params), (code, code))
    values: dict[str, Any] = {"field": field, **params}
    values["expected_name"] = _name(TYPE_NAMES, params.get("expected"), chinese)
    values["subject_type_name"] = _name(SUBJECT_TYPE_NAMES, params.get("subject_type"), chinese)
    values["allowed_names"] = ("、" if chinese else ", ").join(
        _name(SUBJECT_TYPE_NAMES, kind, chinese) for kind in params.get("allowed", ()))
    values["grain_name"] = _name(GRAIN_NAMES, params.get("grain"), chinese)
    if code == "wrong_grain":
        values["got_name"] = _name(GRAIN_NAMES, params.get("got"), chinese)
        values["example"] = EXAMPLES.get(str(params.get("grain")), "")
    else:
        values["got_name"] = _name(TYPE_NAMES, params.get("got"), chinese)
    try:
        return (zh if chinese else english).format(**values)
    except (KeyError, IndexError, ValueError):
        return f"{code}: {dict(params)}"
