"""The shipped indicator and template library (docs/library.md): the data are valid for the three pure modules
(formula, scoring, weighting), cover the roles and categories of the issue, and every template computes a total
end to end from synthetic data."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from importlib import resources
from typing import Any

import numpy as np
import pytest

from fairmark.indicators.formula import parse
from fairmark.indicators.library import (
    CATEGORIES,
    WEIGHTED_KINDS,
    indicators_by_code,
    load_indicators,
    load_templates,
    templates_by_code,
    validate,
)
from fairmark.indicators.scoring import OkrRule, RatingScaleRule, VetoRule, rule_from_dict
from fairmark.indicators.weighting import (
    Adjustment,
    GroupRating,
    ItemResult,
    RatedItem,
    Section,
    Veto,
    compute_total,
)

ROLES = ("production_operator", "line_leader", "quality_engineer", "rd_engineer", "technical_support",
         "business_development", "sales", "administration", "hr")
SCORE_CAP = Decimal(120)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


# ---- the data as shipped ------------------------------------------------------------------------------------


def test_the_library_validates() -> None:
    assert validate() == []


def test_files_are_utf8_pretty_printed_json() -> None:
    for name in ("indicators.json", "templates.json"):
        text = resources.files("fairmark.indicators.library").joinpath(name).read_text(encoding="utf-8")
        data = json.loads(text)
        assert text == json.dumps(data, ensure_ascii=False, indent=2) + "\n", f"{name} is not pretty-printed"
        assert "\\u" not in text, f"{name} escapes Chinese: write it as UTF-8"


def test_counts() -> None:
    indicators, templates = load_indicators(), load_templates()
    assert len(indicators) >= 60
    assert len(templates) >= 9
    assert set(ROLES) <= {template["code"] for template in templates}


def test_every_category_is_represented() -> None:
    assert {indicator["category"] for indicator in load_indicators()} == set(CATEGORIES)


def test_names_and_definitions_are_bilingual() -> None:
    for indicator in load_indicators():
        for field in ("name_zh", "name_en", "definition_zh", "definition_en"):
            assert indicator[field].strip(), (indicator["code"], field)
        assert has_chinese(indicator["name_zh"]), indicator["code"]
        assert has_chinese(indicator["definition_zh"]), indicator["code"]
        assert not has_chinese(indicator["name_en"] + indicator["definition_en"]), indicator["code"]
        for metric in indicator["metrics"]:
            assert has_chinese(metric["name_zh"]), metric["code"]
            assert metric["name_en"].strip(), metric["code"]
    for template in load_templates():
        assert has_chinese(template["name_zh"])
        assert template["name_en"].strip()
        for section in template["sections"]:
            assert has_chinese(section["name_zh"])
            assert section["name_en"].strip()


def test_the_seed_indicators_are_there() -> None:
    """The examples the issue names from the seeds, by role."""
    by_code = indicators_by_code()
    expected = {
        "production_operator": ["output", "yield_rate", "production_efficiency", "rework_rate", "material_utilisation",
                                "safety_incidents", "audit_5s"],
        "line_leader": ["plan_attainment", "team_attendance", "new_hire_certification", "changeover_time",
                        "equipment_utilisation", "on_time_delivery"],
        "quality_engineer": ["customer_complaints", "incoming_pass_rate", "capa_on_time", "audit_findings",
                             "defect_rate"],
        "rd_engineer": ["milestone_completion", "sample_pass_rate", "patents_filed", "design_change_rate",
                        "cost_reduction"],
        "technical_support": ["first_response_time", "resolution_rate", "average_handling_time", "kb_contributions",
                              "customer_satisfaction"],
        "business_development": ["qualified_leads", "intent_conversion_rate", "channel_revenue", "new_partners"],
        "sales": ["revenue_attainment", "collection_rate", "gross_margin", "new_customers"],
        "administration": ["admin_cost_control", "asset_accuracy", "service_response_rate", "admin_satisfaction"],
        "hr": ["time_to_fill", "cost_per_hire", "key_talent_attrition", "training_completion", "offer_acceptance"],
    }
    for role, codes in expected.items():
        for code in codes:
            assert role in by_code[code]["roles"], (role, code)
    for code in ("teamwork", "initiative", "coaching_new_hires", "compliance"):
        assert by_code[code]["formula"] is None
        assert by_code[code]["roles"]
    assert "mtbf" in by_code
    assert "mttr" in by_code
    assert "pm_completion" in by_code


def test_shared_metrics_are_one_fact() -> None:
    """good_units is read by output, yield, efficiency and plan attainment, described the same way each time."""
    readers = [i["code"] for i in load_indicators() if any(m["code"] == "good_units" for m in i["metrics"])]
    assert {"output", "yield_rate", "production_efficiency", "plan_attainment"} <= set(readers)


def test_the_issue_worked_yield_rule() -> None:
    rule = rule_from_dict(indicators_by_code()["yield_rate"]["scoring"])
    assert rule.score(Decimal("96.5")).value == Decimal("110.00")
    assert rule.score(Decimal("95")).value == Decimal("100.00")
    assert rule.score(Decimal("89")).value == Decimal("0.00")


def test_rated_items_have_five_anchored_points() -> None:
    for indicator in load_indicators():
        if indicator["formula"] is not None:
            continue
        assert indicator["metrics"] == []
        assert indicator["category"] == "behaviour"
        rule = rule_from_dict(indicator["scoring"])
        assert isinstance(rule, RatingScaleRule)
        assert [point.rating for point in rule.scale] == [Decimal(n) for n in range(1, 6)]
        assert [point.score for point in rule.scale] == [Decimal(n) for n in (0, 25, 50, 75, 100)]
        for point in rule.scale:
            assert has_chinese(point.anchor_zh), (indicator["code"], point.rating)
            assert point.anchor_en.strip(), (indicator["code"], point.rating)


def test_templates_have_the_typical_shape() -> None:
    templates = templates_by_code()
    for template in templates.values():
        sections = {section["key"]: section for section in template["sections"]}
        kinds = [item["kind"] for section in template["sections"] for item in section["items"]]
        assert "adjustment" in kinds, template["code"]
        competency = sections["competency"]
        assert Decimal(30) <= Decimal(competency["weight"]) <= Decimal(40)
        for item in competency["items"]:
            assert item["kind"] == "rated"
            groups = {group["group"]: group["weight"] for group in item["rater_groups"]}
            assert groups["manager"] in ("50", "60")
            assert "self" in groups
        for section in template["sections"]:
            for item in section["items"]:
                if item["kind"] == "adjustment":
                    assert item["cap"] == "5"
                    assert item["reason_required"] is True
    for code in ("production_operator", "line_leader"):
        vetoes = [item for section in templates[code]["sections"] for item in section["items"] if item["kind"] == "veto"]
        assert [(v["indicator"], v["effect"], v["grade"]) for v in vetoes] == [("serious_safety_incidents", "grade", "D")]
    rd_kinds = [item["kind"] for section in templates["rd_engineer"]["sections"] for item in section["items"]]
    assert "okr" in rd_kinds


# ---- the validator catches mistakes -------------------------------------------------------------------------


def _mutated(change: Any) -> list[str]:
    indicators, templates = copy.deepcopy(load_indicators()), copy.deepcopy(load_templates())
    change({i["code"]: i for i in indicators}, {t["code"]: t for t in templates})
    return validate(indicators, templates)


def _first_kpi_item(template: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = template["sections"][0]["items"][0]
    return item


@pytest.mark.parametrize(("change", "expected"), [
    (lambda i, t: i["yield_rate"].update(formula="sum(good_units) / sum(produced_units) *"), "formula"),
    (lambda i, t: i["yield_rate"].update(formula="sum(good_units) / sum(run_hours) * 100"), "the formula reads"),
    (lambda i, t: i["yield_rate"]["scoring"]["params"].update(threshold="96"), "scoring rule"),
    (lambda i, t: i["defect_rate"].update(direction="higher"), "rule is lower"),
    (lambda i, t: i["defect_rate"].update(category="safety"), "category"),
    (lambda i, t: i["defect_rate"].update(definition_zh="Defects"), "Chinese"),
    (lambda i, t: i["output"].update(code="yield_rate"), "more than once"),
    (lambda i, t: i["scrap_rate"].pop("library_only"), "no template uses it"),
    (lambda i, t: i["output"].update(roles=[]), "roles"),
    (lambda i, t: _first_kpi_item(t["sales"]).update(indicator="no_such_thing"), "not in the library"),
    (lambda i, t: _first_kpi_item(t["sales"]).update(weight="34.99"), "add up to 99.99"),
    (lambda i, t: t["sales"]["sections"][0].update(weight="69.99"), "add up to 99.99"),
    (lambda i, t: t["sales"]["sections"][1]["items"][0]["rater_groups"][0].update(weight="70"), "add up to 110"),
    (lambda i, t: t["sales"]["sections"][0]["items"][0].update(weight=35.0), "not 35.0"),
    (lambda i, t: t["line_leader"]["sections"][-1]["items"][1]["trigger"].update(bound="2"), "veto rule"),
])
def test_the_validator_reports_mistakes(change: Any, expected: str) -> None:
    problems = _mutated(change)
    assert problems, "the mistake went unnoticed"
    assert any(expected in problem for problem in problems), problems


# ---- end to end: data → formula → rule → weighted total ------------------------------------------------------

SUBJECTS = 6
POINTS = 20


def synthetic_series(metric_codes: list[str], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Positive daily figures with a few missing points; subject 5 has no data at all."""
    series: dict[str, np.ndarray] = {}
    for code in metric_codes:
        values = rng.uniform(1.0, 100.0, size=(SUBJECTS, POINTS))
        values[rng.random(size=values.shape) < 0.1] = np.nan
        values[SUBJECTS - 1] = np.nan
        series[code] = values
    return series


def evaluate(indicator: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    formula = parse(indicator["formula"])
    series = synthetic_series([metric["code"] for metric in indicator["metrics"]], rng)
    default = "sum" if indicator["aggregation"] == "ratio_of_sums" else indicator["aggregation"]
    values = formula.evaluate(series, default_aggregate=default)
    assert values.shape == (SUBJECTS,)
    assert np.isnan(values[SUBJECTS - 1]) or indicator["formula"].startswith(("div(", "count(")), indicator["code"]
    return values


def as_decimal(value: float) -> Decimal | None:
    return None if np.isnan(value) else Decimal(repr(float(value)))


def build_total(template: dict[str, Any], subject: int, rng: np.random.Generator,
                values: dict[str, np.ndarray], ratings: dict[str, np.ndarray]) -> Any:
    by_code = indicators_by_code()
    sections: list[Section] = []
    adjustments: list[Adjustment] = []
    vetoes: list[Veto] = []
    for section in template["sections"]:
        items: list[ItemResult | RatedItem] = []
        for item in section["items"]:
            kind = item["kind"]
            if kind == "indicator":
                indicator = by_code[item["indicator"]]
                rule = rule_from_dict(indicator["scoring"])
                score = rule.score(as_decimal(values[indicator["code"]][subject]))
                items.append(ItemResult(indicator["code"], indicator["name_zh"], Decimal(item["weight"]), score.value,
                                        explanation=score.explanation))
            elif kind == "rated":
                indicator = by_code[item["indicator"]]
                rating_rule = rule_from_dict(indicator["scoring"])
                groups = []
                for group in item["rater_groups"]:
                    raters = ratings[group["group"]][subject]
                    scores = [rating_rule.score(Decimal(int(r))).value for r in raters]
                    groups.append(GroupRating(group["group"], Decimal(group["weight"]),
                                              [s for s in scores if s is not None]))
                items.append(RatedItem(indicator["code"], indicator["name_zh"], Decimal(item["weight"]), groups))
            elif kind == "okr":
                okr = OkrRule().score(Decimal(str(round(rng.uniform(0, 1), 2))))
                items.append(ItemResult("okr", item["name_zh"], Decimal(item["weight"]), okr.value, kind="okr"))
            elif kind == "adjustment":
                cap = Decimal(item["cap"])
                adjustments.append(Adjustment(cap if subject % 2 else -cap, "牵头完成 MES 切换", cap))
            elif kind == "veto":
                veto_rule = rule_from_dict(by_code[item["indicator"]]["scoring"])
                assert isinstance(veto_rule, VetoRule)
                result = veto_rule.score(as_decimal(values[item["indicator"]][subject]))
                vetoes.append(Veto(result.veto, item["effect"], item.get("grade"), item["name_zh"]))
        if items:
            sections.append(Section(section["key"], section["name_zh"], Decimal(section["weight"]), items))
    return compute_total(sections, adjustments=adjustments, vetoes=vetoes, missing=template["missing_rule"],
                         score_cap=SCORE_CAP)


@pytest.mark.parametrize("template_code", [t["code"] for t in load_templates()])
def test_each_template_computes_end_to_end(template_code: str) -> None:
    rng = np.random.default_rng(sum(map(ord, template_code)))
    template = templates_by_code()[template_code]
    by_code = indicators_by_code()
    codes = {item["indicator"] for section in template["sections"] for item in section["items"]
             if item["kind"] in ("indicator", "veto")}
    values = {code: evaluate(by_code[code], rng) for code in sorted(codes)}
    # vetoes: the counts of serious incidents are usually 0, and subject 3 has one
    for code in codes:
        if by_code[code]["scoring"]["kind"] == "veto":
            values[code] = np.where(np.arange(SUBJECTS) == 3, 1.0, 0.0)
    # bulk scoring agrees with the exact path (what dashboards and the benchmark use)
    for code in codes:
        rule = rule_from_dict(by_code[code]["scoring"])
        bulk = rule.score_many(values[code])
        for subject in range(SUBJECTS):
            exact = rule.score(as_decimal(values[code][subject])).value
            assert (exact is None) == bool(np.isnan(bulk[subject]))
            if exact is not None:
                assert abs(float(exact) - bulk[subject]) <= 0.005 + 1e-6
    ratings = {group: rng.integers(1, 6, size=(SUBJECTS, 3)) for group in
               ("self", "manager", "peer", "subordinate", "n_plus_2")}
    has_veto = any(item["kind"] == "veto" for section in template["sections"] for item in section["items"])
    for subject in range(SUBJECTS):
        total = build_total(template, subject, rng, values, ratings)
        assert total.value is not None, template_code
        assert Decimal(0) <= total.value <= SCORE_CAP
        assert total.derivation[-1].value == total.value
        assert total.lines("zh-hans")
        assert total.lines("en")
        assert len(total.sections) == sum(
            1 for s in template["sections"] if any(i["kind"] in WEIGHTED_KINDS for i in s["items"]))
        if has_veto:
            assert total.forced_grade == ("D" if subject == 3 else None)
        else:
            assert total.forced_grade is None


def test_the_missing_subject_gets_a_total_from_ratings_alone() -> None:
    """Subject 5 has no data at all: under "reweight" the KPI section drops out and the ratings carry the total."""
    rng = np.random.default_rng(7)
    template = templates_by_code()["technical_support"]
    by_code = indicators_by_code()
    values = {item["indicator"]: evaluate(by_code[item["indicator"]], rng)
              for item in template["sections"][0]["items"]}
    ratings = {group: np.full((SUBJECTS, 3), 4) for group in ("self", "manager", "peer", "subordinate", "n_plus_2")}
    total = build_total(template, SUBJECTS - 1, rng, values, ratings)
    kpi = next(section for section in total.sections if section.key == "kpi")
    assert kpi.score is None
    assert total.subtotal == Decimal("75.00")  # every rated item: rating 4 → 75
