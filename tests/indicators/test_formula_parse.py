"""Parsing: what the language accepts, its canonical form, and the exact error (code, column, both languages)
for the mistakes HR users make. Worked formulas come from the indicators of the seeds (docs/formulas.md)."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from fairmark.indicators.formula import MAX_DEPTH, MAX_LENGTH, MAX_NODES, MESSAGES, Formula, FormulaError, parse

# (indicator, formula, the metrics it reads, canonical form)
SEED_FORMULAS = [
    ("良品率 yield", "sum(good_units) / sum(produced_units) * 100", {"good_units", "produced_units"},
     "sum(good_units) / sum(produced_units) * 100"),
    ("不良率 defect rate", "sum(defect_units)/sum(produced_units)*100", {"defect_units", "produced_units"},
     "sum(defect_units) / sum(produced_units) * 100"),
    ("稼动率 equipment utilisation", "SUM(run_hours) / Sum(planned_hours) * 100", {"run_hours", "planned_hours"},
     "sum(run_hours) / sum(planned_hours) * 100"),
    ("生产效率 efficiency", "sum(good_units) / sum(run_hours)", {"good_units", "run_hours"},
     "sum(good_units) / sum(run_hours)"),
    ("准时交付率 on-time delivery", "div(sum(orders_on_time), sum(orders_due), 1) * 100",
     {"orders_on_time", "orders_due"}, "div(sum(orders_on_time), sum(orders_due), 1) * 100"),
    ("首次响应时长 first response time", "avg(first_response_minutes)", {"first_response_minutes"},
     "avg(first_response_minutes)"),
    ("问题解决率 resolution rate", "sum(tickets_resolved) / sum(tickets_opened) * 100",
     {"tickets_resolved", "tickets_opened"}, "sum(tickets_resolved) / sum(tickets_opened) * 100"),
    ("招聘周期 time-to-fill", "sum(days_to_fill) / count(days_to_fill)", {"days_to_fill"},
     "sum(days_to_fill) / count(days_to_fill)"),
    ("人均招聘成本 cost per hire", "sum(recruiting_cost) / sum(hires)", {"recruiting_cost", "hires"},
     "sum(recruiting_cost) / sum(hires)"),
    ("培训完成率 training completion", "min(sum(trainings_done) / sum(trainings_planned) * 100, 100)",
     {"trainings_done", "trainings_planned"}, "min(sum(trainings_done) / sum(trainings_planned) * 100, 100)"),
    ("安全一票否决 safety veto", "if(sum(safety_incidents) > 0, 0, sum(good_units) / sum(produced_units) * 100)",
     {"safety_incidents", "good_units", "produced_units"},
     "if(sum(safety_incidents) > 0, 0, sum(good_units) / sum(produced_units) * 100)"),
    ("行政费用控制率 admin cost control", "(1 - (sum(admin_spend) - sum(admin_budget)) / sum(admin_budget)) * 100",
     {"admin_spend", "admin_budget"}, "(1 - (sum(admin_spend) - sum(admin_budget)) / sum(admin_budget)) * 100"),
    ("设备最高温度 peak temperature", "max(temperature_c)", {"temperature_c"}, "max(temperature_c)"),
    ("bare metrics", "good_units / produced_units", {"good_units", "produced_units"},
     "good_units / produced_units"),
]


@pytest.mark.parametrize(("name", "text", "metrics", "canonical"), SEED_FORMULAS, ids=[s[0] for s in SEED_FORMULAS])
def test_seed_formulas_parse(name: str, text: str, metrics: set[str], canonical: str) -> None:
    formula = parse(text)
    assert formula.text == text
    assert formula.metrics == frozenset(metrics)
    assert formula.canonical == canonical
    assert parse(formula.canonical) == formula


@pytest.mark.parametrize(("text", "canonical"), [
    ("95", "95"), ("0.50", "0.5"), (".5", "0.5"), ("1e3", "1000"), ("2.5E-3", "0.0025"), ("1e-7", "1e-07"),
    ("-x", "-x"), ("--x", "-(-x)"), ("- - - 3", "-(-(-3))"), ("-(a + b)", "-(a + b)"), ("a - -b", "a - -b"),
    ("a - (b - c)", "a - (b - c)"), ("(a - b) - c", "a - b - c"), ("a / (b * c)", "a / (b * c)"),
    ("(a * b) / c", "a * b / c"), ("a + (b + c)", "a + (b + c)"), ("-a * b", "-a * b"), ("-(a * b)", "-(a * b)"),
    ("(a < b) == (c > d)", "(a < b) == (c > d)"), ("a + b < c * d", "a + b < c * d"),
    ("(a<b)*10", "(a < b) * 10"), ("round(x)", "round(x, 0)"), ("ROUND( x , 2 )", "round(x, 2)"),
    ("min(a, b, c)", "min(a, b, c)"), ("min( a )", "min(a)"), ("min((a))", "min(a)"),
    ("abs(a - b)", "abs(a - b)"), ("IF(a >= 1, b, c)", "if(a >= 1, b, c)"), ("a != b", "a != b"),
    ("last(headcount)", "last(headcount)"), ("count(x) <= 3", "count(x) <= 3"),
    ("good_units\u3000/\u00a0produced_units", "good_units / produced_units"),  # pasted ideographic spaces
    ("\n  sum(a)\t* 2\r\n", "sum(a) * 2"), ("Good_Units2", "Good_Units2"), ("_x", "_x"),
])
def test_canonical_form(text: str, canonical: str) -> None:
    formula = parse(text)
    assert formula.canonical == canonical
    assert parse(canonical) == formula
    assert parse(canonical).canonical == canonical


def test_equality_ignores_spacing_and_brackets_but_not_meaning() -> None:
    assert parse("sum(a)/sum(b)*100") == parse(" ( sum(a) / sum(b) ) * 100 ")
    assert hash(parse("a+b")) == hash(parse("(a)+(b)"))
    assert parse("a - (b - c)") != parse("a - b - c")
    assert parse("a") != parse("sum(a)")  # a bare metric depends on the default aggregate; sum(a) does not
    assert parse("min(a)") != parse("min(a, a)")
    assert parse("1") == parse("1.0") == parse("1e0")
    assert parse("a") != "a"


def test_one_argument_min_max_of_a_metric_is_the_aggregate() -> None:
    assert parse("min(temperature_c)").canonical == "min(temperature_c)"
    assert parse("max(temperature_c)").metrics == {"temperature_c"}
    with pytest.raises(FormulaError) as caught:
        parse("min(sum(a))")
    assert caught.value.code == "min_max_single"


def test_formula_pickles_as_its_text() -> None:
    formula = parse("if(sum(a) > 0, sum(b) / sum(a), 0)")
    again = pickle.loads(pickle.dumps(formula))  # noqa: S301 - our own bytes
    assert again == formula
    assert again.text == formula.text
    error = pickle.loads(pickle.dumps(FormulaError("unexpected_token", 4, {"token": ")"})))  # noqa: S301
    assert (error.code, error.position, error.params) == ("unexpected_token", 4, {"token": ")"})


def test_check_metrics_points_at_the_first_unknown_metric() -> None:
    formula = parse("sum(good_units) / sum(produced_unit) * 100")
    formula.check_metrics({"good_units", "produced_unit"})
    with pytest.raises(FormulaError) as caught:
        formula.check_metrics({"good_units", "produced_units"})
    assert caught.value.code == "unknown_metric"
    assert caught.value.column == 23
    assert caught.value.message("zh-hans") == "第 23 列的数据项“produced_unit”不存在。"


# (formula, code, column, English, Chinese)
BAD_FORMULAS = [
    ("sum(good_units) / sum(produced_units)) * 100", "unexpected_token", 38,
     "Unexpected ')' at column 38.", "第 38 列出现意外的“)”。"),
    ("sum(good_units) / ", "unexpected_end", 18,
     "The formula ends too early: a value is missing at column 18.", "公式不完整：第 18 列缺少一个值。"),
    ("(sum(run_hours) / sum(planned_hours) * 100", "unclosed_paren", 1,
     "The '(' at column 1 is never closed.", "第 1 列的“(”缺少对应的“)”。"),
    ("sum(good_units) sum(run_hours)", "missing_operator", 17,
     "An operator (+ - * /) is missing before 'sum' at column 17.", "第 17 列的“sum”前缺少运算符（+ - * /）。"),
    ("summ(good_units) / sum(run_hours)", "unknown_function", 1,
     "Unknown function 'summ' at column 1. Available: if, min, max, abs, round, div, sum, avg, count, last.",
     "第 1 列的函数“summ”不存在。可用函数：if, min, max, abs, round, div, sum, avg, count, last。"),
    ("sum(good_units + defect_units)", "aggregate_needs_metric", 5,
     "sum() at column 5 takes one metric name, e.g. sum(good_units).",
     "第 5 列的 sum() 只能包含一个数据项名称，例如 sum(good_units)。"),
    ("if(sum(safety_incidents) > 0, 0)", "wrong_arg_count", 1,
     "if() at column 1 takes 3 values, not 2.", "第 1 列的 if() 需要 3 个参数，实际为 2 个。"),
    ("round(avg(first_response_minutes), 1, 2)", "wrong_arg_count", 1,
     "round() at column 1 takes 1 or 2 values, not 3.", "第 1 列的 round() 需要 1 到 2 个参数，实际为 3 个。"),
    ("0 < avg(satisfaction) < 5", "chained_comparison", 23,
     "Comparisons cannot be chained at column 23: use if() to combine conditions.",
     "第 23 列：比较不能连写，请用 if() 组合条件。"),
    ("sum（good_units）", "fullwidth_char", 4,
     "Full-width '（' at column 4: type '(' instead (English input mode).",
     "第 4 列是全角字符“（”，请改用半角“(”（切换到英文输入法）。"),
    ("sum(良品数)", "non_ascii_name", 5,
     "Metric names use only English letters, digits and _: '良' at column 5.",
     "数据项名称只能用英文字母、数字和下划线：第 5 列的“良”不可用。"),
    ("sum(good_units) / sum(produced_units) > 95%", "percent_sign", 43,
     "'%' at column 43 is not an operator: write 0.95 instead of 95%, or multiply by 100.",
     "第 43 列的“%”不是运算符：请写 0.95 而不是 95%，或乘以 100。"),
    ("=SUM(good_units)", "leading_equals", 1,
     "Do not start the formula with '=' (column 1); write only the expression.",
     "公式不要以“=”开头（第 1 列），直接写表达式即可。"),
    ("if(sum(defects) = 0, 100, 60)", "single_equals", 17,
     "'=' at column 17: write '==' to test equality.", "第 17 列的“=”：判断相等请写“==”。"),
    ("round(avg(first_response_minutes), 1.5)", "round_digits", 36,
     "round() at column 36: the number of decimals must be a whole number from 0 to 10.",
     "第 36 列的 round()：小数位数必须是 0 到 10 之间的整数。"),
    ("round(x, -1)", "round_digits", 10,
     "round() at column 10: the number of decimals must be a whole number from 0 to 10.",
     "第 10 列的 round()：小数位数必须是 0 到 10 之间的整数。"),
    ("avg(-first_response_minutes)", "aggregate_needs_metric", 5,
     "avg() at column 5 takes one metric name, e.g. avg(good_units).",
     "第 5 列的 avg() 只能包含一个数据项名称，例如 avg(good_units)。"),
    ("sum(good_units) ** 2", "unexpected_token", 18,
     "Unexpected '*' at column 18.", "第 18 列出现意外的“*”。"),
    ("min(avg(score))", "min_max_single", 1,
     "min() at column 1 needs two or more values, or one metric name.",
     "第 1 列的 min() 需要至少两个值，或一个数据项名称。"),
    ("sum + 1", "function_needs_paren", 1,
     "'sum' at column 1 is a function: write sum(...).", "第 1 列的“sum”是函数，请写成 sum(...)。"),
    ("good_units.real", "bad_character", 11,
     "Character '.' is not allowed at column 11.", "第 11 列的字符“.”不能使用。"),
    ("__import__('os').system('ls')", "bad_character", 12,
     "Character \"'\" is not allowed at column 12.", "第 12 列的字符“'”不能使用。"),
    ("1e999 * x", "number_too_large", 1, "The number '1e999' at column 1 is too large.", "第 1 列的数字“1e999”过大。"),
    ("", "empty", 1, "The formula is empty.", "公式为空。"),
    ("min(a,, b)", "unexpected_token", 7, "Unexpected ',' at column 7.", "第 7 列出现意外的“,”。"),
]


@pytest.mark.parametrize(("text", "code", "column", "english", "chinese"), BAD_FORMULAS,
                         ids=[f"{b[1]}:{b[0][:24]}" for b in BAD_FORMULAS])
def test_bad_formula_errors_in_both_languages(text: str, code: str, column: int, english: str, chinese: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text)
    error = caught.value
    assert error.code == code
    assert error.column == column
    assert error.position == column - 1
    assert error.message("en") == english
    assert error.message("zh-hans") == chinese
    assert error.message("zh-Hans") == chinese
    assert error.message("zh_CN") == chinese
    assert str(error) == english
    assert error.to_dict()["message_zh_hans"] == chinese


def test_a_chinese_character_counts_as_one_column() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("sum(良品) )")
    assert caught.value.column == 5  # 良 is column 5, whatever its byte length


def test_errors_without_a_place_have_no_column() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("x" * (MAX_LENGTH + 1))
    error = caught.value
    assert (error.code, error.column) == ("too_long", None)
    assert error.message("en") == f"The formula is too long: {MAX_LENGTH + 1} characters, at most {MAX_LENGTH}."
    assert error.message("zh-hans") == f"公式过长：共 {MAX_LENGTH + 1} 个字符，最多 {MAX_LENGTH} 个。"


def test_bounds_are_formula_errors_with_their_place() -> None:
    parse("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH)
    with pytest.raises(FormulaError) as caught:
        parse("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    assert (caught.value.code, caught.value.column) == ("too_deep", MAX_DEPTH + 1)
    assert caught.value.message("en") == "Too many nested brackets or functions at column 33 (at most 32 levels)."
    assert caught.value.message("zh-hans") == "第 33 列嵌套过深（括号和函数最多 32 层）。"
    parse(" + ".join(["a"] * 250))  # 499 nodes
    with pytest.raises(FormulaError) as caught:
        parse(" + ".join(["a"] * 251))
    assert caught.value.code == "too_many_nodes"
    assert caught.value.params == {"max": MAX_NODES}


def test_formula_is_built_only_from_text() -> None:
    with pytest.raises(FormulaError):
        Formula("")
    with pytest.raises(FormulaError):
        parse(None)  # type: ignore[arg-type]


DOCS = Path(__file__).resolve().parents[2] / "docs" / "formulas.md"


def test_every_example_formula_in_the_docs_parses_and_every_error_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    examples = re.findall(r"^\| [^|`]+ \| `([^`]+)` \| (?:higher|lower)", text, flags=re.MULTILINE)
    assert len(examples) >= 20
    for example in examples:
        assert parse(example).canonical == example  # the docs show formulas in canonical form
    for code in MESSAGES:
        assert f"| `{code}` |" in text, code
