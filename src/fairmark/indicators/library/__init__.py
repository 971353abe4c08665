"""The shipped indicator and template library (指标库 / 考核方案库): the indicators and role templates a fresh
install starts with, kept as two human-editable JSON files next to this module (described in docs/library.md).

    from fairmark.indicators.library import load_indicators, load_templates, validate
    load_indicators()   # [{"code": "yield_rate", "name_zh": "良品率", ..., "formula": "sum(good_units) / ...", ...}]
    load_templates()    # [{"code": "production_operator", ..., "sections": [...]}]
    validate()          # [] when the data fit the formula, scoring and weighting modules; else the problems

Pure: standard library and the pure modules formula, scoring and weighting; no Django. The Django side (the
indicator and template models, the demo) reads the library through these functions and never edits the files.
Every call returns fresh dicts, so a caller may change what it gets without touching the next caller's copy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from fairmark.indicators.formula import FormulaError, parse
from fairmark.indicators.scoring import RuleError, rule_from_dict
from fairmark.indicators.weighting import WeightError, check_weights

__all__ = [
    "AGGREGATIONS",
    "CATEGORIES",
    "DIRECTIONS",
    "ITEM_KINDS",
    "MISSING_RULES",
    "RATER_GROUPS",
    "WEIGHTED_KINDS",
    "indicators_by_code",
    "library_version",
    "load_indicators",
    "load_templates",
    "templates_by_code",
    "validate",
    "weight",
]

CATEGORIES = ("quantity", "quality", "cost", "timeliness", "service", "behaviour", "innovation")
DIRECTIONS = ("higher", "lower")
AGGREGATIONS = ("sum", "avg", "last", "min", "max", "count", "ratio_of_sums")
ITEM_KINDS = ("indicator", "rated", "okr", "adjustment", "veto")
WEIGHTED_KINDS = ("indicator", "rated", "okr")  # the items whose weights add up to 100 % within a section
MISSING_RULES = ("reweight", "zero")
RATER_GROUPS = ("self", "manager", "peer", "subordinate", "n_plus_2")
VETO_EFFECTS = ("total_zero", "grade")

INDICATOR_KEYS = frozenset({
    "code", "name_zh", "name_en", "category", "unit", "direction", "definition_zh", "definition_en", "metrics",
    "aggregation", "formula", "scoring", "data_source_hint", "roles",
})
OPTIONAL_INDICATOR_KEYS = frozenset({"library_only"})
METRIC_KEYS = frozenset({"code", "name_zh", "name_en", "unit"})
TEMPLATE_KEYS = frozenset({"code", "name_zh", "name_en", "period", "applies_to", "missing_rule", "sections"})
SECTION_KEYS = frozenset({"key", "name_zh", "name_en", "weight", "items"})
PERIODS = ("month", "quarter", "half_year", "year")
TEXT_FIELDS = ("name_zh", "name_en", "definition_zh", "definition_en")


def _read(name: str, key: str) -> list[dict[str, Any]]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    data = json.loads(text)
    items = data[key] if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError(f"{name}: expected an object with a list under {key!r}")
    return items


def library_version() -> int:
    """The release number of the shipped files (their top-level "version")."""
    data = json.loads(resources.files(__name__).joinpath("indicators.json").read_text(encoding="utf-8"))
    return int(data["version"])


def load_indicators() -> list[dict[str, Any]]:
    """The shipped indicators, in file order, as plain dicts (a fresh copy each call)."""
    return _read("indicators.json", "indicators")


def load_templates() -> list[dict[str, Any]]:
    """The shipped role templates (考核方案), in file order, as plain dicts (a fresh copy each call)."""
    return _read("templates.json", "templates")


def indicators_by_code() -> dict[str, dict[str, Any]]:
    return {indicator["code"]: indicator for indicator in load_indicators()}


def templates_by_code() -> dict[str, dict[str, Any]]:
    return {template["code"]: template for template in load_templates()}


def weight(value: object) -> Decimal:
    """A weight as stored ("60", "33.33") → Decimal; ints are accepted, floats are not (they are not exact)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"a weight is written as a string such as \"60\", not {value!r}")
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _has_chinese(text: object) -> bool:
    return isinstance(text, str) and any("\u4e00" <= char <= "\u9fff" for char in text)


def _is_snake_code(code: object) -> bool:
    return (isinstance(code, str) and bool(code) and code.isascii() and code[0].isalpha()
            and code == code.lower() and all(char.isalnum() or char == "_" for char in code))


def _check_weights(problems: list[str], where: str, values: Iterable[object]) -> None:
    try:
        numbers = [weight(value) for value in values]
        check_weights(numbers, label=where)
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
    except WeightError as exc:
        problems.append(f"{where}: {exc.message('en')}")


def _check_indicator(problems: list[str], indicator: Mapping[str, Any], metric_facts: dict[str, tuple[Any, ...]]) -> None:
    code = indicator.get("code")
    where = f"indicator {code}"
    keys = set(indicator)
    if missing := INDICATOR_KEYS - keys:
        problems.append(f"{where}: missing {', '.join(sorted(missing))}")
    if unknown := keys - INDICATOR_KEYS - OPTIONAL_INDICATOR_KEYS:
        problems.append(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    if not _is_snake_code(code):
        problems.append(f"{where}: the code must be ASCII snake_case")
    for field in TEXT_FIELDS:
        text = indicator.get(field)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: {field} is empty")
        elif field.endswith("_zh") and not _has_chinese(text):
            problems.append(f"{where}: {field} has no Chinese text")
    if indicator.get("category") not in CATEGORIES:
        problems.append(f"{where}: category {indicator.get('category')!r} is not one of {', '.join(CATEGORIES)}")
    direction = indicator.get("direction")
    if direction not in DIRECTIONS:
        problems.append(f"{where}: direction {direction!r} is not higher or lower")
    if indicator.get("aggregation") not in AGGREGATIONS:
        problems.append(f"{where}: aggregation {indicator.get('aggregation')!r} is not one of {', '.join(AGGREGATIONS)}")
    for field in ("unit", "data_source_hint"):
        if not isinstance(indicator.get(field), str) or not indicator[field].strip():
            problems.append(f"{where}: {field} is empty")
    if "library_only" in indicator and indicator["library_only"] is not True:
        problems.append(f"{where}: library_only is either true or left out")

    metrics = indicator.get("metrics")
    declared: list[str] = []
    if not isinstance(metrics, list):
        problems.append(f"{where}: metrics must be a list")
        metrics = []
    for metric in metrics:
        if not isinstance(metric, dict) or set(metric) != METRIC_KEYS:
            problems.append(f"{where}: a metric has exactly {', '.join(sorted(METRIC_KEYS))}")
            continue
        metric_code = metric["code"]
        if not _is_snake_code(metric_code):
            problems.append(f"{where}: metric code {metric_code!r} must be ASCII snake_case")
        if not _has_chinese(metric["name_zh"]) or not str(metric["name_en"]).strip() or not str(metric["unit"]).strip():
            problems.append(f"{where}: metric {metric_code} needs name_zh (Chinese), name_en and unit")
        facts = (metric["name_zh"], metric["name_en"], metric["unit"])
        if metric_facts.setdefault(metric_code, facts) != facts:
            problems.append(f"{where}: metric {metric_code} is described differently elsewhere "
                            f"({' / '.join(metric_facts[metric_code])}): one metric, one description")
        declared.append(metric_code)
    if len(set(declared)) != len(declared):
        problems.append(f"{where}: a metric is listed twice")

    rule = None
    try:
        rule = rule_from_dict(indicator.get("scoring"))  # type: ignore[arg-type]
    except RuleError as exc:
        problems.append(f"{where}: scoring rule: {exc.message('en')}")
    rule_direction = getattr(rule, "direction", None)
    if rule_direction is not None and rule_direction != direction:
        problems.append(f"{where}: the indicator is {direction} is better but its {rule.kind} rule is {rule_direction}")  # type: ignore[union-attr]

    formula_text = indicator.get("formula")
    if formula_text is None:
        # a rated item: scored on a scale with behavioural anchors, from ratings, not from data
        if declared:
            problems.append(f"{where}: an indicator without a formula reads no metrics")
        if rule is not None and rule.kind != "rating":
            problems.append(f"{where}: an indicator without a formula is a rated item and needs a rating rule")
        if rule is not None and rule.kind == "rating":
            points = rule.to_dict()["params"]["points"]
            if any(not (point[2] and point[3]) for point in points):
                problems.append(f"{where}: every point of a rated item's scale needs an anchor in both languages")
        return
    if rule is not None and rule.kind in ("rating", "okr"):
        problems.append(f"{where}: a {rule.kind} rule scores ratings, not a formula's value")
    if not isinstance(formula_text, str):
        problems.append(f"{where}: the formula is text or null")
        return
    try:
        formula = parse(formula_text)
    except FormulaError as exc:
        problems.append(f"{where}: formula: {exc.message('en')}")
        return
    if formula.metrics != frozenset(declared):
        problems.append(f"{where}: the formula reads {sorted(formula.metrics)} but the metrics listed are {sorted(declared)}")


def _check_item(problems: list[str], where: str, item: Mapping[str, Any],
                indicators: Mapping[str, Mapping[str, Any]]) -> None:
    kind = item.get("kind")
    if kind not in ITEM_KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {', '.join(ITEM_KINDS)}")
        return
    code = item.get("indicator")
    indicator = indicators.get(code) if isinstance(code, str) else None
    if kind in ("indicator", "rated", "veto"):
        if indicator is None:
            problems.append(f"{where}: indicator {code!r} is not in the library")
        elif kind == "rated" and indicator.get("formula") is not None:
            problems.append(f"{where}: {code} has a formula, so it is an indicator item, not a rated one")
        elif kind == "indicator" and indicator.get("formula") is None:
            problems.append(f"{where}: {code} has no formula, so it is a rated item")
        elif kind == "indicator" and (indicator.get("scoring") or {}).get("kind") == "veto":
            problems.append(f"{where}: {code} is scored by a veto rule: use a veto item (it carries no weight)")
    elif code is not None:
        problems.append(f"{where}: a {kind} item refers to no indicator")
    if kind in WEIGHTED_KINDS:
        if "weight" not in item:
            problems.append(f"{where}: the item has no weight")
    elif "weight" in item:
        problems.append(f"{where}: a {kind} item acts on the total and carries no weight")
    if kind == "rated":
        groups = item.get("rater_groups")
        if not isinstance(groups, list) or not groups:
            problems.append(f"{where}: a rated item needs rater_groups")
        else:
            names = [group.get("group") for group in groups if isinstance(group, dict)]
            if len(names) != len(groups) or any(name not in RATER_GROUPS for name in names):
                problems.append(f"{where}: rater groups are among {', '.join(RATER_GROUPS)}")
            if len(set(names)) != len(names):
                problems.append(f"{where}: a rater group is listed twice")
            _check_weights(problems, f"{where} rater groups",
                           [group.get("weight") for group in groups if isinstance(group, dict)])
    elif "rater_groups" in item:
        problems.append(f"{where}: only rated items have rater groups")
    if kind == "adjustment":
        try:
            cap = weight(item.get("cap"))
            if cap <= 0 or cap > 100:
                problems.append(f"{where}: the adjustment cap is above 0 and at most 100 points")
        except ValueError as exc:
            problems.append(f"{where}: adjustment cap: {exc}")
        if item.get("reason_required") is not True:
            problems.append(f"{where}: an adjustment always needs a reason (reason_required: true)")
    if kind == "veto":
        params: dict[str, Any] = {"trigger": item.get("trigger"), "effect": item.get("effect", "total_zero")}
        if "grade" in item:
            params["grade"] = item["grade"]
        try:
            rule_from_dict({"kind": "veto", "params": params})
        except RuleError as exc:
            problems.append(f"{where}: veto: {exc.message('en')}")
        if indicator is not None and indicator.get("scoring") != {"kind": "veto", "params": params}:
            problems.append(f"{where}: the veto item's trigger, effect and grade differ from {code}'s veto rule")
    for field in ("name_zh", "name_en"):
        if kind in ("okr", "adjustment", "veto") and not str(item.get(field, "")).strip():
            problems.append(f"{where}: a {kind} item needs {field}")


def _check_template(problems: list[str], template: Mapping[str, Any],
                    indicators: Mapping[str, Mapping[str, Any]]) -> set[str]:
    code = template.get("code")
    where = f"template {code}"
    used: set[str] = set()
    if missing := TEMPLATE_KEYS - set(template):
        problems.append(f"{where}: missing {', '.join(sorted(missing))}")
    if unknown := set(template) - TEMPLATE_KEYS:
        problems.append(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    if not _is_snake_code(code):
        problems.append(f"{where}: the code must be ASCII snake_case")
    if not _has_chinese(template.get("name_zh")) or not str(template.get("name_en", "")).strip():
        problems.append(f"{where}: needs name_zh (Chinese) and name_en")
    if template.get("missing_rule") not in MISSING_RULES:
        problems.append(f"{where}: missing_rule is reweight or zero")
    if template.get("period") not in PERIODS:
        problems.append(f"{where}: period is one of {', '.join(PERIODS)}")
    applies_to = template.get("applies_to")
    if not isinstance(applies_to, dict) or not any(applies_to.get(key) for key in ("job_families", "positions", "levels")):
        problems.append(f"{where}: applies_to names job_families, positions or levels")
    sections = template.get("sections")
    if not isinstance(sections, list) or not sections:
        problems.append(f"{where}: has no sections")
        return used
    _check_weights(problems, f"{where} sections", [section.get("weight") for section in sections])
    keys = [section.get("key") for section in sections]
    if len(set(keys)) != len(keys):
        problems.append(f"{where}: section keys repeat")
    for section in sections:
        section_where = f"{where} section {section.get('key')}"
        if set(section) != SECTION_KEYS:
            problems.append(f"{section_where}: a section has exactly {', '.join(sorted(SECTION_KEYS))}")
        if not _has_chinese(section.get("name_zh")) or not str(section.get("name_en", "")).strip():
            problems.append(f"{section_where}: needs name_zh (Chinese) and name_en")
        items = section.get("items")
        if not isinstance(items, list) or not items:
            problems.append(f"{section_where}: has no items")
            continue
        weighted = [item for item in items if item.get("kind") in WEIGHTED_KINDS]
        if weighted:
            _check_weights(problems, f"{section_where} items", [item.get("weight") for item in weighted])
        elif str(section.get("weight")) != "0":
            problems.append(f"{section_where}: a section with only adjustments and vetoes has weight \"0\"")
        seen: set[str] = set()
        for index, item in enumerate(items, start=1):
            item_where = f"{section_where} item {index}"
            if not isinstance(item, dict):
                problems.append(f"{item_where}: not an object")
                continue
            _check_item(problems, item_where, item, indicators)
            indicator_code = item.get("indicator")
            if isinstance(indicator_code, str):
                used.add(indicator_code)
                if indicator_code in seen:
                    problems.append(f"{item_where}: {indicator_code} appears twice in the section")
                seen.add(indicator_code)
    return used


def validate(indicators: list[dict[str, Any]] | None = None,
             templates: list[dict[str, Any]] | None = None) -> list[str]:
    """Every problem with the library, in English, one line each; [] when it is fine. Checks: unique codes;
    every formula parses and reads exactly the metrics listed; every scoring rule builds and agrees with the
    indicator's direction; every template's references exist; section, item and rater-group weights add up to
    exactly 100; every indicator is used by a template (and its `roles` say which) or is marked library_only.
    Pass lists to check edited data instead of the shipped files."""
    indicators = load_indicators() if indicators is None else indicators
    templates = load_templates() if templates is None else templates
    problems: list[str] = []

    codes = [indicator.get("code") for indicator in indicators]
    for code in sorted({c for c in codes if codes.count(c) > 1}, key=str):
        problems.append(f"indicator {code}: the code is used more than once")
    template_codes = [template.get("code") for template in templates]
    for code in sorted({c for c in template_codes if template_codes.count(c) > 1}, key=str):
        problems.append(f"template {code}: the code is used more than once")

    metric_facts: dict[str, tuple[Any, ...]] = {}
    for indicator in indicators:
        _check_indicator(problems, indicator, metric_facts)
    by_code = {indicator["code"]: indicator for indicator in indicators if isinstance(indicator.get("code"), str)}

    used_by: dict[str, list[str]] = {}
    for template in templates:
        for code in _check_template(problems, template, by_code):
            used_by.setdefault(code, []).append(str(template.get("code")))

    for indicator in indicators:
        code = indicator.get("code")
        users = used_by.get(str(code), [])
        roles = indicator.get("roles")
        if not users and not indicator.get("library_only"):
            problems.append(f"indicator {code}: no template uses it; add it to one or mark it \"library_only\": true")
        if users and indicator.get("library_only"):
            problems.append(f"indicator {code}: marked library_only but used by {', '.join(users)}")
        if not isinstance(roles, list) or sorted(map(str, roles)) != sorted(users):
            problems.append(f"indicator {code}: roles {roles} should list the templates that use it: {sorted(users)}")
    return problems
