"""Definitions the indicator and template tests share, as the services take them: a line's yield rate (computed
from data, scored linearly) and a two-section template that applies to the test world's operators (position
OP), whose section weights a test can set wrong."""

from __future__ import annotations

from typing import Any

YIELD_FORMULA = "sum(good_units) / sum(produced_units) * 100"

YIELD: dict[str, Any] = {
    "name_zh": "一线良品率", "name_en": "Line 1 yield", "category": "quality", "unit": "%", "direction": "higher",
    "definition_zh": "良品数 ÷ 生产总数 × 100%。", "definition_en": "Good ÷ produced × 100.",
    "aggregation": "ratio_of_sums", "formula": YIELD_FORMULA,
    "scoring": {"kind": "linear", "params": {"threshold": "90", "target": "95", "stretch": "98",
                                             "direction": "higher"}},
    "data_source_hint": "MES",
}


def two_sections(first: str = "30", second: str = "70") -> dict[str, Any]:
    return {
        "name_zh": "一线操作工方案", "name_en": "Line 1 operators", "period": "month", "missing_rule": "reweight",
        "applies_to": {"job_families": [], "positions": ["OP"], "levels": []},
        "sections": [
            {"key": "kpi", "name_zh": "业绩", "name_en": "KPIs", "weight": first,
             "items": [{"kind": "indicator", "indicator": "yield_rate", "weight": "60"},
                       {"kind": "indicator", "indicator": "output", "weight": "40"}]},
            {"key": "values", "name_zh": "价值观", "name_en": "Values", "weight": second,
             "items": [{"kind": "rated", "indicator": "teamwork", "weight": "100",
                        "rater_groups": [{"group": "manager", "weight": "60"}, {"group": "peer", "weight": "20"},
                                         {"group": "self", "weight": "20"}]}]},
        ],
    }
