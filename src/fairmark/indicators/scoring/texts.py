"""The bilingual template tables for scoring explanations and parameter errors.

This module cannot use Django's gettext (the scoring package is pure), so the two languages the product ships
(DESIGN.md §5 rule 7: zh-Hans and English) live here as data. Pages may still render an Explanation through
their own catalogue keyed by the same codes; these tables are the reference wording and the fallback.
Placeholders are `str.format_map` names; every value passed in is already a formatted string.
"""

from __future__ import annotations

# code → {"en": template, "zh-hans": template}
EXPLANATIONS: dict[str, dict[str, str]] = {
    "missing": {"en": "no data", "zh-hans": "无数据"},
    # Linear, higher is better (params: value, score, every parameter of the rule, and rise_to_target and
    # rise_to_stretch, the score gained from threshold to target and from target to stretch).
    "linear.below_threshold": {
        "en": "{value} is below the threshold {threshold}: the floor, {score}",
        "zh-hans": "{value} 低于门槛值 {threshold}：按保底分 {score}",
    },
    "linear.threshold_to_target": {
        "en": "{value} is between the threshold {threshold} and the target {target}: "
        "{threshold_score} + ({value} − {threshold}) / ({target} − {threshold}) × {rise_to_target} = {score}",
        "zh-hans": "{value} 介于门槛值 {threshold} 与目标值 {target} 之间："
        "{threshold_score} + ({value} − {threshold}) ÷ ({target} − {threshold}) × {rise_to_target} = {score}",
    },
    "linear.at_threshold": {
        "en": "{value} meets the threshold {threshold} exactly: {score}",
        "zh-hans": "{value} 恰好达到门槛值 {threshold}：{score}",
    },
    "linear.at_stretch": {
        "en": "{value} meets the stretch {stretch} exactly: {score}",
        "zh-hans": "{value} 恰好达到挑战值 {stretch}：{score}",
    },
    "linear.at_target": {
        "en": "{value} meets the target {target} exactly: {score}",
        "zh-hans": "{value} 恰好达到目标值 {target}：{score}",
    },
    "linear.above_target": {
        "en": "{value} is between the target {target} and the stretch {stretch}: "
        "{target_score} + ({value} − {target}) / ({stretch} − {target}) × {rise_to_stretch} = {score}",
        "zh-hans": "{value} 介于目标值 {target} 与挑战值 {stretch} 之间："
        "{target_score} + ({value} − {target}) ÷ ({stretch} − {target}) × {rise_to_stretch} = {score}",
    },
    "linear.above_stretch_capped": {
        "en": "{value} is above the stretch {stretch}: capped at {score}",
        "zh-hans": "{value} 高于挑战值 {stretch}：封顶 {score}",
    },
    "linear.above_stretch": {
        "en": "{value} is above the stretch {stretch}: "
        "{target_score} + ({value} − {target}) / ({stretch} − {target}) × {rise_to_stretch} = {score} (cap {cap})",
        "zh-hans": "{value} 高于挑战值 {stretch}："
        "{target_score} + ({value} − {target}) ÷ ({stretch} − {target}) × {rise_to_stretch} = {score}（封顶 {cap}）",
    },
    # Linear, lower is better: the mirror, differences taken the other way round.
    "linear.lower.above_threshold": {
        "en": "{value} is above the threshold {threshold} (lower is better): the floor, {score}",
        "zh-hans": "{value} 高于门槛值 {threshold}（越低越好）：按保底分 {score}",
    },
    "linear.lower.threshold_to_target": {
        "en": "{value} is between the threshold {threshold} and the target {target}: "
        "{threshold_score} + ({threshold} − {value}) / ({threshold} − {target}) × {rise_to_target} = {score}",
        "zh-hans": "{value} 介于门槛值 {threshold} 与目标值 {target} 之间："
        "{threshold_score} + ({threshold} − {value}) ÷ ({threshold} − {target}) × {rise_to_target} = {score}",
    },
    "linear.lower.below_target": {
        "en": "{value} is between the target {target} and the stretch {stretch}: "
        "{target_score} + ({target} − {value}) / ({target} − {stretch}) × {rise_to_stretch} = {score}",
        "zh-hans": "{value} 介于目标值 {target} 与挑战值 {stretch} 之间："
        "{target_score} + ({target} − {value}) ÷ ({target} − {stretch}) × {rise_to_stretch} = {score}",
    },
    "linear.lower.below_stretch_capped": {
        "en": "{value} is below the stretch {stretch} (lower is better): capped at {score}",
        "zh-hans": "{value} 低于挑战值 {stretch}（越低越好）：封顶 {score}",
    },
    "linear.lower.below_stretch": {
        "en": "{value} is below the stretch {stretch} (lower is better): "
        "{target_score} + ({target} − {value}) / ({target} − {stretch}) × {rise_to_stretch} = {score} (cap {cap})",
        "zh-hans": "{value} 低于挑战值 {stretch}（越低越好）："
        "{target_score} + ({target} − {value}) ÷ ({target} − {stretch}) × {rise_to_stretch} = {score}（封顶 {cap}）",
    },
    # Ratio to target (params: value, target, raw, floor, cap, score).
    "ratio.higher": {
        "en": "{value} / {target} × 100 = {score}",
        "zh-hans": "{value} ÷ {target} × 100 = {score}",
    },
    "ratio.higher_capped": {
        "en": "{value} / {target} × 100 = {raw}: capped at {score}",
        "zh-hans": "{value} ÷ {target} × 100 = {raw}：封顶 {score}",
    },
    "ratio.higher_floored": {
        "en": "{value} / {target} × 100 = {raw}: raised to the floor, {score}",
        "zh-hans": "{value} ÷ {target} × 100 = {raw}：按保底分 {score}",
    },
    "ratio.lower": {
        "en": "{target} / {value} × 100 = {score} (lower is better)",
        "zh-hans": "{target} ÷ {value} × 100 = {score}（越低越好）",
    },
    "ratio.lower_capped": {
        "en": "{target} / {value} × 100 = {raw} (lower is better): capped at {score}",
        "zh-hans": "{target} ÷ {value} × 100 = {raw}（越低越好）：封顶 {score}",
    },
    "ratio.lower_floored": {
        "en": "{target} / {value} × 100 = {raw} (lower is better): raised to the floor, {score}",
        "zh-hans": "{target} ÷ {value} × 100 = {raw}（越低越好）：按保底分 {score}",
    },
    "ratio.lower_zero": {
        "en": "{value} is zero or less (lower is better): the cap, {score}",
        "zh-hans": "{value} 不大于 0（越低越好）：按封顶分 {score}",
    },
    # Step table (params: value, bound, score).
    "step.band": {
        "en": "{value} is at or above {bound}: {score}",
        "zh-hans": "{value} 不低于 {bound}：{score}",
    },
    "step.below_all": {
        "en": "{value} is below the lowest band, {bound}: the floor, {score}",
        "zh-hans": "{value} 低于最低区间 {bound}：按保底分 {score}",
    },
    "step.lower.band": {
        "en": "{value} is at or below {bound} (lower is better): {score}",
        "zh-hans": "{value} 不高于 {bound}（越低越好）：{score}",
    },
    "step.lower.above_all": {
        "en": "{value} is above the highest band, {bound} (lower is better): the floor, {score}",
        "zh-hans": "{value} 高于最高区间 {bound}（越低越好）：按保底分 {score}",
    },
    # Deduction and addition (params: value, base, points, floor or cap, raw, score).
    "deduction.applied": {
        "en": "{value} incidents: {base} − {value} × {points} = {score}",
        "zh-hans": "{value} 次：{base} − {value} × {points} = {score}",
    },
    "deduction.floored": {
        "en": "{value} incidents: {base} − {value} × {points} = {raw}: raised to the floor, {score}",
        "zh-hans": "{value} 次：{base} − {value} × {points} = {raw}：按保底分 {score}",
    },
    "deduction.negative": {
        "en": "{value} is below zero and counts as no incidents: {score}",
        "zh-hans": "{value} 小于 0，按 0 次计：{score}",
    },
    "addition.applied": {
        "en": "{value} units: {base} + {value} × {points} = {score}",
        "zh-hans": "{value} 项：{base} + {value} × {points} = {score}",
    },
    "addition.capped": {
        "en": "{value} units: {base} + {value} × {points} = {raw}: capped at {score}",
        "zh-hans": "{value} 项：{base} + {value} × {points} = {raw}：封顶 {score}",
    },
    "addition.negative": {
        "en": "{value} is below zero and counts as none: {score}",
        "zh-hans": "{value} 小于 0，按 0 计：{score}",
    },
    # Pass/fail and veto (params: value, op, bound, score; grade for a grade veto).
    "passfail.pass": {
        "en": "{value} {op} {bound}: pass, {score}",
        "zh-hans": "{value} {op} {bound}：合格，{score}",
    },
    "passfail.fail": {
        "en": "{value} is not {op} {bound}: fail, {score}",
        "zh-hans": "{value} 不满足 {op} {bound}：不合格，{score}",
    },
    "veto.total_zero": {
        "en": "{value} {op} {bound}: veto, the total becomes 0",
        "zh-hans": "{value} {op} {bound}：一票否决，总分记为 0",
    },
    "veto.grade": {
        "en": "{value} {op} {bound}: veto, the grade becomes {grade}",
        "zh-hans": "{value} {op} {bound}：一票否决，等级定为 {grade}",
    },
    "veto.clear": {
        "en": "{value} is not {op} {bound}: no veto",
        "zh-hans": "{value} 不满足 {op} {bound}：不触发否决",
    },
    # Rating scale (params: value, score; anchors, or the two neighbouring points).
    "rating.point": {
        "en": "rating {value}: {score}",
        "zh-hans": "评分 {value}：{score}",
    },
    "rating.point_anchored": {
        "en": "rating {value} (“{anchor_en}”): {score}",
        "zh-hans": "评分 {value}（“{anchor_zh}”）：{score}",
    },
    "rating.between": {
        "en": "rating {value} is between {low} ({low_score}) and {high} ({high_score}): "
        "{low_score} + ({value} − {low}) / ({high} − {low}) × {rise} = {score}",
        "zh-hans": "评分 {value} 介于 {low}（{low_score}）与 {high}（{high_score}）之间："
        "{low_score} + ({value} − {low}) ÷ ({high} − {low}) × {rise} = {score}",
    },
    "rating.below_scale": {
        "en": "rating {value} is below the lowest point of the scale, {low}: {score}",
        "zh-hans": "评分 {value} 低于量表最低档 {low}：按 {score}",
    },
    "rating.above_scale": {
        "en": "rating {value} is above the highest point of the scale, {high}: {score}",
        "zh-hans": "评分 {value} 高于量表最高档 {high}：按 {score}",
    },
    # OKR (params: value, score).
    "okr.score": {
        "en": "OKR score {value} × 100 = {score}",
        "zh-hans": "OKR 得分 {value} × 100 = {score}",
    },
    "okr.below_zero": {
        "en": "OKR score {value} is below 0 and counts as 0: {score}",
        "zh-hans": "OKR 得分 {value} 小于 0，按 0 计：{score}",
    },
    "okr.above_one": {
        "en": "OKR score {value} is above 1 and counts as 1: {score}",
        "zh-hans": "OKR 得分 {value} 大于 1，按 1 计：{score}",
    },
    # Descriptions of the rules themselves (Rule.describe()).
    "linear.rule": {
        "en": "Linear, higher is better: threshold {threshold} → {threshold_score}, target {target} → "
        "{target_score}, stretch {stretch} → {stretch_score}; below the threshold {floor}; at most {cap}",
        "zh-hans": "线性计分（越高越好）：门槛值 {threshold} → {threshold_score} 分，目标值 {target} → "
        "{target_score} 分，挑战值 {stretch} → {stretch_score} 分；低于门槛值得 {floor} 分；最高 {cap} 分",
    },
    "linear.lower.rule": {
        "en": "Linear, lower is better: threshold {threshold} → {threshold_score}, target {target} → "
        "{target_score}, stretch {stretch} → {stretch_score}; above the threshold {floor}; at most {cap}",
        "zh-hans": "线性计分（越低越好）：门槛值 {threshold} → {threshold_score} 分，目标值 {target} → "
        "{target_score} 分，挑战值 {stretch} → {stretch_score} 分；高于门槛值得 {floor} 分；最高 {cap} 分",
    },
    "ratio.rule": {
        "en": "Ratio to the target {target}: value / {target} × 100, at least {floor}, at most {cap}",
        "zh-hans": "目标达成率（目标值 {target}）：实际值 ÷ {target} × 100，最低 {floor} 分，最高 {cap} 分",
    },
    "ratio.lower.rule": {
        "en": "Inverse ratio to the target {target} (lower is better): {target} / value × 100, at least {floor}, "
        "at most {cap}; zero or less scores {cap}",
        "zh-hans": "反向达成率（目标值 {target}，越低越好）：{target} ÷ 实际值 × 100，最低 {floor} 分，"
        "最高 {cap} 分；不大于 0 得 {cap} 分",
    },
    "step.rule": {
        "en": "Step table, higher is better: {bands}; below {lowest}: {floor}",
        "zh-hans": "区间计分（越高越好）：{bands_zh}；低于 {lowest}：{floor} 分",
    },
    "step.lower.rule": {
        "en": "Step table, lower is better: {bands}; above {highest}: {floor}",
        "zh-hans": "区间计分（越低越好）：{bands_zh}；高于 {highest}：{floor} 分",
    },
    "deduction.rule": {
        "en": "Deduction: {base} minus {points} per incident, at least {floor}",
        "zh-hans": "扣分：基础分 {base}，每次扣 {points} 分，最低 {floor} 分",
    },
    "addition.rule": {
        "en": "Addition: {base} plus {points} per unit, at most {cap}",
        "zh-hans": "加分：基础分 {base}，每项加 {points} 分，最高 {cap} 分",
    },
    "passfail.rule": {
        "en": "Pass if the value is {op} {bound}: {pass_score}; otherwise {fail_score}",
        "zh-hans": "数值 {op} {bound} 为合格，得 {pass_score} 分；否则 {fail_score} 分",
    },
    "veto.rule_total_zero": {
        "en": "Veto if the value is {op} {bound}: the total becomes 0",
        "zh-hans": "数值 {op} {bound} 时一票否决：总分记为 0",
    },
    "veto.rule_grade": {
        "en": "Veto if the value is {op} {bound}: the grade becomes {grade}",
        "zh-hans": "数值 {op} {bound} 时一票否决：等级定为 {grade}",
    },
    "rating.rule": {
        "en": "Rating scale: {points_en}; ratings in between are interpolated",
        "zh-hans": "评分量表：{points_zh}；介于两档之间按比例计",
    },
    "okr.rule": {
        "en": "OKR score from 0.0 to 1.0, times 100 (below 0 counts as 0, above 1 as 1)",
        "zh-hans": "OKR 得分 0.0–1.0 乘以 100（小于 0 按 0 计，大于 1 按 1 计）",
    },
}

# Form field → label, for RuleError messages that name the field.
FIELDS: dict[str, dict[str, str]] = {
    "threshold": {"en": "threshold", "zh-hans": "门槛值"},
    "target": {"en": "target", "zh-hans": "目标值"},
    "stretch": {"en": "stretch", "zh-hans": "挑战值"},
    "threshold_score": {"en": "threshold score", "zh-hans": "门槛得分"},
    "target_score": {"en": "target score", "zh-hans": "目标得分"},
    "stretch_score": {"en": "stretch score", "zh-hans": "挑战得分"},
    "floor": {"en": "floor", "zh-hans": "保底分"},
    "cap": {"en": "cap", "zh-hans": "封顶分"},
    "direction": {"en": "direction", "zh-hans": "指标方向"},
    "bands": {"en": "bands", "zh-hans": "区间"},
    "base": {"en": "base", "zh-hans": "基础分"},
    "points_per_incident": {"en": "points per incident", "zh-hans": "每次扣分"},
    "points_per_unit": {"en": "points per unit", "zh-hans": "每项加分"},
    "pass_if": {"en": "pass condition", "zh-hans": "合格条件"},
    "pass_score": {"en": "pass score", "zh-hans": "合格得分"},
    "fail_score": {"en": "fail score", "zh-hans": "不合格得分"},
    "trigger": {"en": "veto condition", "zh-hans": "否决条件"},
    "effect": {"en": "veto effect", "zh-hans": "否决效果"},
    "grade": {"en": "grade", "zh-hans": "等级"},
    "op": {"en": "comparison", "zh-hans": "比较符"},
    "bound": {"en": "bound", "zh-hans": "界限值"},
    "points": {"en": "scale points", "zh-hans": "评分档"},
    "anchor_en": {"en": "English anchor", "zh-hans": "英文行为描述"},
    "anchor_zh": {"en": "Chinese anchor", "zh-hans": "中文行为描述"},
    "value": {"en": "value", "zh-hans": "数值"},
    "kind": {"en": "rule type", "zh-hans": "计分规则类型"},
    "params": {"en": "parameters", "zh-hans": "参数"},
}

# code → {"en": template, "zh-hans": template}; {field} is the field's label in the same language.
ERRORS: dict[str, dict[str, str]] = {
    "value.not_a_number": {
        "en": "The {field} must be a number, not “{given}”",
        "zh-hans": "{field}必须是数字，而不是“{given}”",
    },
    "value.not_finite": {
        "en": "The {field} must be a finite number, not “{given}”",
        "zh-hans": "{field}必须是有限的数字，而不是“{given}”",
    },
    "value.too_large": {
        "en": "The {field} ({given}) is too large: it must lie between −{limit} and {limit}",
        "zh-hans": "{field}（{given}）过大：必须在 −{limit} 与 {limit} 之间",
    },
    "value.too_precise": {
        "en": "The {field} ({given}) has more than {places} decimal places",
        "zh-hans": "{field}（{given}）的小数位超过 {places} 位",
    },
    "text.not_text": {
        "en": "The {field} must be text, not {given}",
        "zh-hans": "{field}必须是文字，而不是 {given}",
    },
    "text.too_long": {
        "en": "The {field} is longer than {limit} characters",
        "zh-hans": "{field}超过 {limit} 个字符",
    },
    "direction.invalid": {
        "en": "The {field} must be “higher” (higher is better) or “lower” (lower is better), not “{given}”",
        "zh-hans": "{field}必须是“higher”（越高越好）或“lower”（越低越好），而不是“{given}”",
    },
    "linear.threshold_order": {
        "en": "When higher is better the threshold ({threshold}) must be below the target ({target})",
        "zh-hans": "指标越高越好时，门槛值（{threshold}）必须小于目标值（{target}）",
    },
    "linear.lower.threshold_order": {
        "en": "When lower is better the threshold ({threshold}) must be above the target ({target})",
        "zh-hans": "指标越低越好时，门槛值（{threshold}）必须大于目标值（{target}）",
    },
    "linear.stretch_order": {
        "en": "When higher is better the stretch ({stretch}) must be above the target ({target})",
        "zh-hans": "指标越高越好时，挑战值（{stretch}）必须大于目标值（{target}）",
    },
    "linear.lower.stretch_order": {
        "en": "When lower is better the stretch ({stretch}) must be below the target ({target})",
        "zh-hans": "指标越低越好时，挑战值（{stretch}）必须小于目标值（{target}）",
    },
    "linear.target_score_order": {
        "en": "The target score ({target_score}) must be above the threshold score ({threshold_score})",
        "zh-hans": "目标得分（{target_score}）必须大于门槛得分（{threshold_score}）",
    },
    "linear.stretch_score_order": {
        "en": "The stretch score ({stretch_score}) must be above the target score ({target_score})",
        "zh-hans": "挑战得分（{stretch_score}）必须大于目标得分（{target_score}）",
    },
    "linear.floor_order": {
        "en": "The floor ({floor}) must not be above the threshold score ({threshold_score})",
        "zh-hans": "保底分（{floor}）不能高于门槛得分（{threshold_score}）",
    },
    "linear.cap_order": {
        "en": "The cap ({cap}) must not be below the stretch score ({stretch_score})",
        "zh-hans": "封顶分（{cap}）不能低于挑战得分（{stretch_score}）",
    },
    "ratio.target_not_positive": {
        "en": "The target ({target}) must be above 0 for a ratio",
        "zh-hans": "计算达成率时，目标值（{target}）必须大于 0",
    },
    "range.floor_order": {
        "en": "The floor ({floor}) must be below the cap ({cap})",
        "zh-hans": "保底分（{floor}）必须小于封顶分（{cap}）",
    },
    "step.empty": {
        "en": "The step table needs at least one band",
        "zh-hans": "区间计分至少需要一个区间",
    },
    "step.too_many": {
        "en": "The step table has more than {limit} bands",
        "zh-hans": "区间数量超过 {limit} 个",
    },
    "step.bad_band": {
        "en": "Band {index} must be a pair of a bound and a score",
        "zh-hans": "第 {index} 个区间必须由界限值和得分两项组成",
    },
    "step.bound_order": {
        "en": "The band bounds must rise: {bound} (band {index}) does not come after {previous}",
        "zh-hans": "区间界限值必须递增：第 {index} 个区间的 {bound} 没有大于 {previous}",
    },
    "step.score_order": {
        "en": "When higher is better band scores must not fall as the bounds rise: {score} (band {index}) "
        "is below {previous}",
        "zh-hans": "指标越高越好时，区间得分不能随界限值升高而降低：第 {index} 个区间的 {score} 低于 {previous}",
    },
    "step.lower.score_order": {
        "en": "When lower is better band scores must not rise as the bounds rise: {score} (band {index}) "
        "is above {previous}",
        "zh-hans": "指标越低越好时，区间得分不能随界限值升高而升高：第 {index} 个区间的 {score} 高于 {previous}",
    },
    "step.floor_order": {
        "en": "The floor ({floor}) must not be above the worst band's score ({score})",
        "zh-hans": "保底分（{floor}）不能高于最差区间的得分（{score}）",
    },
    "points.not_positive": {
        "en": "The {field} ({given}) must be above 0",
        "zh-hans": "{field}（{given}）必须大于 0",
    },
    "deduction.floor_order": {
        "en": "The floor ({floor}) must be below the base ({base})",
        "zh-hans": "保底分（{floor}）必须小于基础分（{base}）",
    },
    "addition.cap_order": {
        "en": "The cap ({cap}) must be above the base ({base})",
        "zh-hans": "封顶分（{cap}）必须大于基础分（{base}）",
    },
    "passfail.score_order": {
        "en": "The pass score ({pass_score}) must be above the fail score ({fail_score})",
        "zh-hans": "合格得分（{pass_score}）必须大于不合格得分（{fail_score}）",
    },
    "comparison.op": {
        "en": "Unknown comparison “{given}”: use one of > ≥ < ≤ = ≠",
        "zh-hans": "无法识别的比较符“{given}”：请使用 > ≥ < ≤ = ≠ 之一",
    },
    "comparison.bad": {
        "en": "The {field} must be a comparison such as “≥ 1”",
        "zh-hans": "{field}必须是比较条件，例如“≥ 1”",
    },
    "veto.effect": {
        "en": "The veto effect must be “total_zero” (the total becomes 0) or “grade” (the grade is set), "
        "not “{given}”",
        "zh-hans": "否决效果必须是“total_zero”（总分记为 0）或“grade”（指定等级），而不是“{given}”",
    },
    "veto.grade_required": {
        "en": "A veto that sets the grade needs the grade",
        "zh-hans": "指定等级的一票否决必须填写等级",
    },
    "veto.grade_unexpected": {
        "en": "A veto that makes the total 0 takes no grade",
        "zh-hans": "总分记为 0 的一票否决不需要填写等级",
    },
    "rating.too_few": {
        "en": "A rating scale needs at least two points",
        "zh-hans": "评分量表至少需要两档",
    },
    "rating.too_many": {
        "en": "A rating scale has at most {limit} points",
        "zh-hans": "评分量表最多 {limit} 档",
    },
    "rating.bad_point": {
        "en": "Point {index} must be a rating, a score and optionally its English and Chinese anchors",
        "zh-hans": "第 {index} 档必须包含评分、得分，以及可选的英文和中文行为描述",
    },
    "rating.order": {
        "en": "The ratings must rise: {rating} (point {index}) does not come after {previous}",
        "zh-hans": "评分必须递增：第 {index} 档的 {rating} 没有大于 {previous}",
    },
    "rating.score_order": {
        "en": "Scores must not fall as ratings rise: {score} (point {index}) is below {previous}",
        "zh-hans": "得分不能随评分升高而降低：第 {index} 档的 {score} 低于 {previous}",
    },
    "rating.anchor_incomplete": {
        "en": "Rating {rating} has its anchor in one language only: give it in English and in Chinese",
        "zh-hans": "评分 {rating} 的行为描述只有一种语言：请同时填写英文和中文",
    },
    "rule.not_a_dict": {
        "en": "A scoring rule must be an object with “kind” and “params”",
        "zh-hans": "计分规则必须是包含“kind”和“params”的对象",
    },
    "rule.unknown_kind": {
        "en": "Unknown scoring rule type “{given}”",
        "zh-hans": "未知的计分规则类型“{given}”",
    },
    "rule.missing_param": {
        "en": "The {field} is required",
        "zh-hans": "{field}为必填项",
    },
    "rule.unknown_param": {
        "en": "“{given}” is not a parameter of this scoring rule",
        "zh-hans": "“{given}”不是该计分规则的参数",
    },
}
