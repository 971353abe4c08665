"""The one error type of the formula language, and its sentences in English and Simplified Chinese.

The module is pure (no Django), so it cannot use gettext: it carries its own small bilingual table. An error
keeps a *code* and its parameters, never text, so a page or the API words it in the reader's language when it
shows it, and a stored error can be shown again in the other language."""

from __future__ import annotations

from typing import Any

# Reserved function names in the order the "unknown function" message lists them.
FUNCTION_NAMES = ("if", "min", "max", "abs", "round", "div", "sum", "avg", "count", "last")

# code → (English, Simplified Chinese). Placeholders are str.format names; {column} is 1-based.
MESSAGES: dict[str, tuple[str, str]] = {
    # the text as a whole
    "empty": ("The formula is empty.", "公式为空。"),
    "too_long": ("The formula is too long: {length} characters, at most {max}.",
                 "公式过长：共 {length} 个字符，最多 {max} 个。"),
    "too_deep": ("Too many nested brackets or functions at column {column} (at most {max} levels).",
                 "第 {column} 列嵌套过深（括号和函数最多 {max} 层）。"),
    "too_many_nodes": ("The formula is too complex at column {column} (at most {max} parts).",
                       "第 {column} 列处公式过于复杂（最多 {max} 个组成部分）。"),
    # characters
    "bad_character": ("Character {q_char} is not allowed at column {column}.",
                      "第 {column} 列的字符{q_char}不能使用。"),
    "fullwidth_char": ("Full-width {q_char} at column {column}: type {q_ascii} instead (English input mode).",
                       "第 {column} 列是全角字符{q_char}，请改用半角{q_ascii}（切换到英文输入法）。"),
    "non_ascii_name": ("Metric names use only English letters, digits and _: {q_char} at column {column}.",
                       "数据项名称只能用英文字母、数字和下划线：第 {column} 列的{q_char}不可用。"),
    "percent_sign": ("'%' at column {column} is not an operator: write 0.95 instead of 95%, or multiply by 100.",
                     "第 {column} 列的“%”不是运算符：请写 0.95 而不是 95%，或乘以 100。"),
    "single_equals": ("'=' at column {column}: write '==' to test equality.",
                      "第 {column} 列的“=”：判断相等请写“==”。"),
    "leading_equals": ("Do not start the formula with '=' (column {column}); write only the expression.",
                       "公式不要以“=”开头（第 {column} 列），直接写表达式即可。"),
    "number_too_large": ("The number {q_number} at column {column} is too large.",
                         "第 {column} 列的数字{q_number}过大。"),
    # structure
    "unexpected_token": ("Unexpected {q_token} at column {column}.", "第 {column} 列出现意外的{q_token}。"),
    "missing_operator": ("An operator (+ - * /) is missing before {q_token} at column {column}.",
                         "第 {column} 列的{q_token}前缺少运算符（+ - * /）。"),
    "unexpected_end": ("The formula ends too early: a value is missing at column {column}.",
                       "公式不完整：第 {column} 列缺少一个值。"),
    "unclosed_paren": ("The '(' at column {column} is never closed.", "第 {column} 列的“(”缺少对应的“)”。"),
    "chained_comparison": ("Comparisons cannot be chained at column {column}: use if() to combine conditions.",
                           "第 {column} 列：比较不能连写，请用 if() 组合条件。"),
    # functions
    "unknown_function": ("Unknown function {q_name} at column {column}. Available: {available}.",
                         "第 {column} 列的函数{q_name}不存在。可用函数：{available}。"),
    "function_needs_paren": ("{q_name} at column {column} is a function: write {name}(...).",
                             "第 {column} 列的{q_name}是函数，请写成 {name}(...)。"),
    "wrong_arg_count": ("{name}() at column {column} takes {expected}, not {got}.",
                        "第 {column} 列的 {name}() 需要 {expected}，实际为 {got} 个。"),
    "aggregate_needs_metric": ("{name}() at column {column} takes one metric name, e.g. {name}(good_units).",
                               "第 {column} 列的 {name}() 只能包含一个数据项名称，例如 {name}(good_units)。"),
    "min_max_single": ("{name}() at column {column} needs two or more values, or one metric name.",
                       "第 {column} 列的 {name}() 需要至少两个值，或一个数据项名称。"),
    "round_digits": ("round() at column {column}: the number of decimals must be a whole number from 0 to {max}.",
                     "第 {column} 列的 round()：小数位数必须是 0 到 {max} 之间的整数。"),
    # evaluation
    "unknown_metric": ("Unknown metric {q_metric} at column {column}.", "第 {column} 列的数据项{q_metric}不存在。"),
    "bad_series": ("The data for {q_metric} is not a table of numbers.", "数据项{q_metric}的数据不是数值表。"),
    "series_shape": ("The data for {q_metric} has {got} subjects, expected {expected}.",
                     "数据项{q_metric}有 {got} 个考核对象，应为 {expected} 个。"),
    "bad_option": ("Invalid option {option}={value}; use one of: {choices}.",
                   "选项 {option}={value} 无效，可选：{choices}。"),
    "bad_subject": ("There is no subject number {subject} (there are {count}).",
                    "不存在编号为 {subject} 的考核对象（共 {count} 个）。"),
}


def _is_chinese(language: str) -> bool:
    return language.lower().replace("_", "-").startswith("zh")


def _quote(value: str, chinese: bool) -> str:
    if chinese:
        return f"“{value}”"
    return f'"{value}"' if "'" in value else f"'{value}'"  # the apostrophe itself is shown as "'"


def _expected(params: dict[str, Any], chinese: bool) -> str:
    """How many arguments a function takes, worded for the message ("3 values", "1 or 2 values", ...)."""
    low, high = int(params.get("min", 0)), params.get("max")
    if high is None:
        return f"至少 {low} 个参数" if chinese else f"at least {low} values"
    if low == high:
        return f"{low} 个参数" if chinese else (f"{low} value" if low == 1 else f"{low} values")
    return f"{low} 到 {high} 个参数" if chinese else f"{low} or {high} values"


class FormulaError(ValueError):
    """Anything wrong with a formula or its evaluation. `position` is the 0-based character offset in the
    formula text (what an editor needs to highlight), or -1 when the error is not about a place in the text."""

    def __init__(self, code: str, position: int = -1, params: dict[str, Any] | None = None) -> None:
        self.code = code
        self.position = position
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(self.message("en"))

    @property
    def column(self) -> int | None:
        """1-based column, as people count (each Chinese character is one column)."""
        return self.position + 1 if self.position >= 0 else None

    def message(self, language: str = "en") -> str:
        chinese = _is_chinese(language)
        english, zh = MESSAGES.get(self.code, (self.code, self.code))
        values: dict[str, Any] = {**self.params, "column": self.column}
        for key, value in self.params.items():
            values[f"q_{key}"] = _quote(str(value), chinese)
        if self.code == "wrong_arg_count":
            values["expected"] = _expected(self.params, chinese)
        if self.code == "unknown_function":
            values["available"] = ", ".join(FUNCTION_NAMES)
        try:
            return (zh if chinese else english).format(**values)
        except (KeyError, IndexError, ValueError):  # a caller built the error with odd params: still say something
            return f"{self.code} ({self.column})"

    def to_dict(self) -> dict[str, Any]:
        """For problem+json field errors: the code, where, and both sentences."""
        return {"code": self.code, "position": self.position, "column": self.column, "params": self.params,
                "message_en": self.message("en"), "message_zh_hans": self.message("zh-hans")}

    def __repr__(self) -> str:
        return f"FormulaError({self.code!r}, {self.position!r}, {self.params!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # so the error survives pickling (Celery results, multiprocessing) with its code and params
        return (FormulaError, (self.code, self.position, self.params))
