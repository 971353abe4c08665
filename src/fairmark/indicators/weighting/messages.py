"""The sentences of weighted totals, in English and Simplified Chinese. Pure.

This package cannot use Django's gettext (it imports no Django, so that reviews can compute thousands of
totals without a request and hypothesis can test it fast), so it keeps its own table. Errors and
derivation steps carry a *code* and *params*, never text; `render` builds the sentence when it is shown,
so a stored derivation reads in Chinese for one user and in English for another. English writes "30 %",
Chinese "30%", as each language's typesetting expects."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .numbers import fmt_score, fmt_signed, fmt_weight

EN = "en"
ZH = "zh-hans"

# code → (English, 简体中文)
ERRORS: dict[str, tuple[str, str]] = {
    # weights
    "weights_empty": ("There are no weights: add at least one item.", "没有任何权重：请至少添加一项。"),
    "weight_not_number": ("A weight must be a decimal number: {value}.", "权重必须是一个小数：{value}。"),
    "weight_negative": ("A weight cannot be negative: {weight}.", "权重不能为负数：{weight}。"),
    "weight_precision": ("A weight has at most 2 decimal places: {weight}.", "权重最多保留 2 位小数：{weight}。"),
    "weight_too_large": ("A weight cannot be more than 100 %: {weight}.", "权重不能超过 100%：{weight}。"),
    "weights_sum": ("The weights add up to {weights_total} %, not 100 %: {terms}",
                    "权重合计为 {weights_total}%，应为 100%：{terms}"),
    # adjustments (加减分)
    "adjustment_not_number": ("Adjustment points must be a decimal number: {value}.", "加减分必须是一个小数：{value}。"),
    "adjustment_precision": ("Adjustment points have at most 2 decimal places: {points}.",
                             "加减分最多保留 2 位小数：{points}。"),
    "adjustment_cap_invalid": ("The cap of an adjustment must be 0 or more points with at most 2 decimal places: {value}.",
                               "加减分上限必须是不小于 0、最多 2 位小数的分值：{value}。"),
    "adjustment_reason_required": ("An adjustment of {points} points needs a reason.", "加减分 {points} 分必须填写理由。"),
    "adjustment_over_cap": ("An adjustment of {points} points is beyond the cap of ±{cap} points.",
                            "加减分 {points} 分超出上限 ±{cap} 分。"),
    # vetoes (一票否决)
    "veto_effect_unknown": ("Unknown veto effect “{effect}”: use total_zero or grade.",
                            "未知的一票否决方式“{effect}”：应为 total_zero 或 grade。"),
    "veto_grade_required": ("A veto that sets the grade needs the grade it sets.", "指定等级的一票否决必须给出等级。"),
    "veto_grade_unexpected": ("A veto that sets the total to zero takes no grade (it was given {grade}).",
                              "总分归零的一票否决不能指定等级（收到了 {grade}）。"),
    "veto_reason_required": ("A veto needs a reason.", "一票否决必须填写理由。"),
    # the shape of the input
    "duplicate_key": ("The key “{key}” is used twice in {label}.", "“{key}”在{label}中重复出现。"),
    "kind_unknown": ("Unknown item kind “{kind}” for {label}: use indicator, rated or okr.",
                     "{label}的项目类型“{kind}”未知：应为 indicator、rated 或 okr。"),
    "group_unknown": ("Unknown rater group “{group}” in {label}.", "{label}中的评价组“{group}”未知。"),
    "group_duplicate": ("The rater group {group} appears twice in {label}.", "评价组“{group}”在{label}中重复出现。"),
    "score_not_number": ("The score of {label} must be a finite decimal number: {value}.",
                         "{label}的得分必须是有限小数：{value}。"),
    "rating_not_number": ("A rating in {label} must be a finite decimal number: {value}.",
                          "{label}中的评分必须是有限小数：{value}。"),
    "missing_rule_unknown": ("Unknown rule for missing parts “{rule}”: use reweight or zero.",
                             "未知的缺项规则“{rule}”：应为 reweight 或 zero。"),
    "bounds_invalid": ("The score floor ({floor}) must not be above the cap ({cap}); both have at most 2 decimal places.",
                       "得分下限（{floor}）不能高于上限（{cap}），且两者最多保留 2 位小数。"),
    "too_many_digits": ("A number has too many digits to be computed exactly.", "数字位数过多，无法精确计算。"),
}

STEPS: dict[str, tuple[str, str]] = {
    # items
    "item": ("{label}: {score} × {weight} % = {contribution}", "{label}：{score} × {weight}% = {contribution}"),
    "item_missing": ("{label}: no score", "{label}：无得分"),
    "item_missing_zero": ("{label}: no score, counted as 0: 0.00 × {weight} % = 0.00",
                          "{label}：无得分，按 0 分计：0.00 × {weight}% = 0.00"),
    "item_missing_reweight": ("{label} ({weight} %): no score, left out; the weights of the items with a score are scaled up",
                              "{label}（{weight}%）：无得分，不计入；有得分项目的权重按比例放大"),
    # rated items: rater groups (评价组)
    "group": ("{group} (n = {count}): average {average} × {weight} % = {contribution}",
              "{group}（{count} 份）：平均 {average} × {weight}% = {contribution}"),
    "group_missing": ("{group} ({weight} %): no ratings, left out; the weights of the groups that rated are scaled up",
                      "{group}（{weight}%）：无评分，不计入；已评分评价组的权重按比例放大"),
    "rated": ("{label}: the rater groups add up to {sum}; item score {score}",
              "{label}：各评价组合计 {sum}，本项得分 {score}"),
    "rated_reweighted": ("{label}: the rater groups add up to {sum} ÷ {weight_present} % (the weights of the groups "
                         "that rated) = item score {score}",
                         "{label}：各评价组合计 {sum} ÷ {weight_present}%（已评分评价组的权重合计）= 本项得分 {score}"),
    "rated_missing": ("{label}: no rater group has rated, so the item has no score",
                      "{label}：各评价组均无评分，本项无得分"),
    # sections
    "section": ("{label}: the weighted item scores add up to {sum}; section score {score}",
                "{label}：各项加权得分合计 {sum}，本部分得分 {score}"),
    "section_reweighted": ("{label}: the weighted item scores add up to {sum} ÷ {weight_present} % (the weights of the "
                           "items with a score) = section score {score}",
                           "{label}：各项加权得分合计 {sum} ÷ {weight_present}%（有得分项目的权重合计）= 本部分得分 {score}"),
    "section_missing": ("{label} ({weight} %): no item has a score; the section is left out and the weights of the "
                        "other sections are scaled up",
                        "{label}（{weight}%）：没有任何得分，不计入；其余部分的权重按比例放大"),
    "section_weighted": ("{label}: {score} × {weight} % = {contribution}", "{label}：{score} × {weight}% = {contribution}"),
    # the total
    "subtotal": ("Weighted total: the sections add up to {sum}; total {total}",
                 "加权总分：各部分合计 {sum}，总分 {total}"),
    "subtotal_reweighted": ("Weighted total: the sections add up to {sum} ÷ {weight_present} % (the weights of the "
                            "sections with a score) = {total}",
                            "加权总分：各部分合计 {sum} ÷ {weight_present}%（有得分部分的权重合计）= {total}"),
    "nothing_scored": ("No item has a score, so there is no total.", "没有任何项目有得分，因此没有总分。"),
    "adjustment": ("Adjustment {points} points ({reason}): {before} → {after}",
                   "加减分 {points} 分（{reason}）：{before} → {after}"),
    "adjustment_skipped": ("Adjustment {points} points ({reason}) not applied: there is no total",
                           "加减分 {points} 分（{reason}）未计入：没有总分"),
    "clamp_floor": ("Below the floor of {floor}, raised to it: {before} → {after}",
                    "低于下限 {floor} 分，按下限计：{before} → {after}"),
    "clamp_cap": ("Above the cap of {cap}, capped: {before} → {after}", "高于上限 {cap} 分，按上限计：{before} → {after}"),
    "veto_clear": ("Veto not triggered: {reason}", "一票否决未触发：{reason}"),
    "veto_zero": ("Veto ({reason}): the total is set to 0: {before} → 0.00", "一票否决（{reason}）：总分归零：{before} → 0.00"),
    "veto_grade": ("Veto ({reason}): the grade is set to {grade}", "一票否决（{reason}）：绩效等级定为 {grade}"),
    "veto_grade_superseded": ("Veto ({reason}) would set the grade to {grade}; an earlier veto has already set it to "
                              "{forced}",
                              "一票否决（{reason}）应定为 {grade}；前一项一票否决已定为 {forced}"),
    "final": ("Total: {value}", "总分：{value}"),
    "final_grade": ("Total: {value}; grade set by veto: {grade}", "总分：{value}；一票否决定级：{grade}"),
    "final_none": ("Total: none, as nothing has a score", "总分：无（没有任何得分）"),
    "final_none_grade": ("Total: none, as nothing has a score; grade set by veto: {grade}",
                         "总分：无（没有任何得分）；一票否决定级：{grade}"),
}

GROUP_NAMES: dict[str, tuple[str, str]] = {
    "self": ("Self", "自评"),
    "manager": ("Manager", "上级评"),
    "peer": ("Peers", "同级评"),
    "subordinate": ("Subordinates", "下级评"),
    "n_plus_2": ("N+2", "隔级上级评"),
    "others": ("Others", "其他评价人"),
}

# Params with these keys are decimals: weights are written as typed (30, 69.99), points with their sign,
# every other decimal as a score (72.00, or all its places when it has more: 32.375).
WEIGHT_KEYS = frozenset({"weight", "weight_present", "weights_total"})
SIGNED_KEYS = frozenset({"points"})
DECIMAL_KEYS = WEIGHT_KEYS | SIGNED_KEYS | frozenset(
    {"score", "contribution", "sum", "average", "total", "before", "after", "floor", "cap", "value"})
DECIMAL_LIST_KEYS = frozenset({"terms"})


def normalise_language(language: str) -> str:
    """"zh-hans", "zh-Hans", "zh-cn", "zh" → Chinese; anything else → English (the fallback of the project)."""
    return ZH if language.lower().replace("_", "-").startswith("zh") else EN


def _format(key: str, value: Any, chinese: bool) -> str:
    if value is None:
        return "—"
    if key == "group" and value in GROUP_NAMES:
        return GROUP_NAMES[value][chinese]
    if key in DECIMAL_LIST_KEYS:
        return " + ".join(fmt_weight(v) if isinstance(v, Decimal) and v.is_finite() else str(v) for v in value)
    if isinstance(value, Decimal) and value.is_finite():
        if key in WEIGHT_KEYS:
            return fmt_weight(value)
        if key in SIGNED_KEYS:
            return fmt_signed(value)
        return fmt_score(value)
    return str(value)


def render(table: Mapping[str, tuple[str, str]], code: str, params: Mapping[str, Any], language: str) -> str:
    chinese = normalise_language(language) == ZH
    template = table[code][chinese]
    return template.format_map({key: _format(key, value, chinese) for key, value in params.items()})


def group_name(group: str, language: str) -> str:
    names = GROUP_NAMES.get(group)
    return names[normalise_language(language) == ZH] if names else group
