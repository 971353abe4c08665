"""Validation of an indicator's or a template's definition before it is saved: every problem keyed by the
field it is about ("formula", "scoring.target", "sections.1.items.0.weight"), worded in the reader's
language. The pure modules (formula, scoring, weighting) carry their own bilingual messages; the rest is
gettext. Services, forms, the API and the Excel import all check through here, so they agree."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..applies import normalise
from ..formula import FormulaError, parse
from ..models import Aggregation, Category, Direction, IndicatorVersion, ItemKind, MissingRule, Period, RaterGroup
from ..scoring import RuleError, rule_from_dict
from ..weighting import WeightError, check_weights

Errors = dict[str, list[str]]
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Path segments of the app's own pages (/indicators/new/, /indicators/templates/check/ ...): a code equal to
# one of them would have no page of its own.
RESERVED_CODES = frozenset({"new", "check", "try", "editor", "templates", "import", "export", "validate"})
WEIGHTED_KINDS = (ItemKind.INDICATOR, ItemKind.RATED, ItemKind.OKR)
INDICATOR_TEXT = ("name_zh", "name_en", "unit", "definition_zh", "definition_en", "data_source_hint", "note")
TEMPLATE_TEXT = ("name_zh", "name_en", "note")


def language() -> str:
    return get_language() or "zh-hans"


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    return value.strip() if isinstance(value, str) else ""


def check_code(code: object, errors: Errors) -> str:
    text = code.strip() if isinstance(code, str) else ""
    if not CODE_RE.match(text):
        _add(errors, "code", _("Use lower-case English letters, digits and _, starting with a letter (at most 64)."))
    elif text in RESERVED_CODES:
        _add(errors, "code", _("This word is reserved for a page; choose another code."))
    return text


def _choice(data: Mapping[str, Any], field: str, choices: Any, errors: Errors) -> str:
    value = data.get(field)
    if value not in choices.values:
        _add(errors, field, _("Choose one of the offered values."))
        return ""
    return str(value)


def check_indicator(data: Mapping[str, Any], *, known_metrics: Mapping[str, Mapping[str, str]] | None = None
                    ) -> tuple[dict[str, Any], Errors]:
    """The cleaned definition of an indicator version and the problems with it. `known_metrics` gives the
    names and units of metric codes already described elsewhere, so a new formula's metrics are named."""
    errors: Errors = {}
    clean: dict[str, Any] = {field: _text(data, field) for field in INDICATOR_TEXT}
    for field in ("name_zh", "unit", "definition_zh"):
        if not clean[field]:
            _add(errors, field, _("This field is required."))
    clean["category"] = _choice(data, "category", Category, errors)
    clean["direction"] = _choice(data, "direction", Direction, errors)
    clean["aggregation"] = _choice(data, "aggregation", Aggregation, errors)
    clean["formula"] = _text(data, "formula")

    given = {metric.get("code"): metric for metric in data.get("metrics") or [] if isinstance(metric, Mapping)}
    metrics: list[dict[str, str]] = []
    if clean["formula"]:
        try:
            formula = parse(clean["formula"])
        except FormulaError as exc:
            _add(errors, "formula", exc.message(language()))
        else:
            for code in sorted(formula.metrics):
                described = given.get(code) or (known_metrics or {}).get(code) or {}
                metrics.append({"code": code, "name_zh": str(described.get("name_zh", "")),
                                "name_en": str(described.get("name_en", "")), "unit": str(described.get("unit", ""))})
    clean["metrics"] = metrics

    scoring = data.get("scoring")
    clean["scoring"] = scoring
    try:
        rule = rule_from_dict(scoring)  # type: ignore[arg-type]
    except RuleError as exc:
        _add(errors, f"scoring.{exc.field}", exc.message(language()))
    else:
        clean["scoring"] = rule.to_dict()
        rule_direction = getattr(rule, "direction", None)
        if rule_direction is not None and clean["direction"] and rule_direction != clean["direction"]:
            _add(errors, "scoring.direction", _("The scoring rule's direction differs from the indicator's."))
        if clean["formula"] and rule.kind in ("rating", "okr"):
            _add(errors, "scoring.kind", _("A rating or OKR rule scores ratings; an indicator with a formula "
                                           "needs a rule for its value."))
        if not clean["formula"] and rule.kind != "rating":
            _add(errors, "formula", _("Write a formula, or choose the rating-scale rule for an item scored by "
                                      "ratings."))
    return clean, errors


def _decimal_text(value: object) -> str:
    """A weight or cap as typed ("60", "33.33"); floats are refused by the weighting module's check."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _weights(errors: Errors, field: str, values: list[str], label: str) -> None:
    try:
        numbers = [Decimal(value) for value in values]
    except InvalidOperation:
        _add(errors, field, _("A weight must be a decimal number such as 60 or 33.33."))
        return
    try:
        check_weights(numbers, label=label)
    except WeightError as exc:
        _add(errors, field, exc.message(language()))


def _check_item(item: Mapping[str, Any], where: str, indicators: Mapping[str, IndicatorVersion],
                errors: Errors) -> dict[str, Any]:
    kind = item.get("kind")
    if kind not in ItemKind.values:
        _add(errors, f"{where}.kind", _("Choose one of the offered values."))
        return {"kind": kind}
    clean: dict[str, Any] = {"kind": kind}
    version = None
    if kind in (ItemKind.INDICATOR, ItemKind.RATED, ItemKind.VETO):
        code = _text(item, "indicator")
        clean["indicator"] = code
        version = indicators.get(code)
        rule_kind = (version.scoring or {}).get("kind") if version else None
        if version is None:
            _add(errors, f"{where}.indicator", _("No published indicator has this code."))
        elif kind == ItemKind.RATED and not version.is_rated:
            _add(errors, f"{where}.indicator", _("This indicator is computed from data: use an indicator item."))
        elif kind == ItemKind.INDICATOR and version.is_rated:
            _add(errors, f"{where}.indicator", _("This indicator is scored by ratings: use a rated item."))
        elif kind == ItemKind.INDICATOR and rule_kind == "veto":
            _add(errors, f"{where}.indicator", _("This indicator is scored by a veto rule: use a veto item."))
        elif kind == ItemKind.VETO and rule_kind != "veto":
            _add(errors, f"{where}.indicator", _("A veto item needs an indicator scored by a veto rule."))
        if kind == ItemKind.VETO and version is not None and rule_kind == "veto":
            clean.update(version.scoring.get("params", {}))  # the trigger, effect and grade of the rule
    if kind in WEIGHTED_KINDS:
        clean["weight"] = _decimal_text(item.get("weight"))
        if not clean["weight"]:
            _add(errors, f"{where}.weight", _("Give the item a weight."))
    if kind == ItemKind.RATED:
        groups = [group for group in item.get("rater_groups") or [] if isinstance(group, Mapping)]
        clean["rater_groups"] = [{"group": group.get("group"), "weight": _decimal_text(group.get("weight"))}
                                 for group in groups]
        names = [group["group"] for group in clean["rater_groups"]]
        if not groups:
            _add(errors, f"{where}.rater_groups", _("A rated item needs at least one rater group."))
        elif any(name not in RaterGroup.values for name in names) or len(set(names)) != len(names):
            _add(errors, f"{where}.rater_groups", _("Each rater group (self, manager, peers, subordinates, N+2) "
                                                    "at most once."))
        else:
            _weights(errors, f"{where}.rater_groups", [group["weight"] for group in clean["rater_groups"]],
                     "rater_groups")
    if kind in (ItemKind.OKR, ItemKind.ADJUSTMENT, ItemKind.VETO):
        clean["name_zh"] = _text(item, "name_zh") or (version.name_zh if version else "")
        clean["name_en"] = _text(item, "name_en") or (version.name_en if version else "")
        if not clean["name_zh"]:
            _add(errors, f"{where}.name_zh", _("This field is required."))
    if kind == ItemKind.ADJUSTMENT:
        clean["cap"] = _decimal_text(item.get("cap"))
        clean["reason_required"] = True  # an adjustment always needs a reason (DESIGN.md C2)
        try:
            cap = Decimal(clean["cap"])
            if not 0 < cap <= 100 or cap != cap.quantize(Decimal("0.01")):
                raise InvalidOperation
        except InvalidOperation:
            _add(errors, f"{where}.cap", _("The cap is a number of points above 0 and at most 100, with at most "
                                           "2 decimals."))
    return clean


def check_template(data: Mapping[str, Any], *, indicators: Mapping[str, IndicatorVersion]
                   ) -> tuple[dict[str, Any], Errors]:
    """The cleaned definition of a template version and the problems with it. `indicators` maps the codes
    a template may use to their published versions."""
    errors: Errors = {}
    clean: dict[str, Any] = {field: _text(data, field) for field in TEMPLATE_TEXT}
    if not clean["name_zh"]:
        _add(errors, "name_zh", _("This field is required."))
    clean["period"] = _choice(data, "period", Period, errors)
    clean["missing_rule"] = _choice(data, "missing_rule", MissingRule, errors)
    clean["applies_to"] = normalise(data.get("applies_to") if isinstance(data.get("applies_to"), Mapping) else {})
    sections = [section for section in data.get("sections") or [] if isinstance(section, Mapping)]
    clean["sections"] = []
    if not sections:
        _add(errors, "sections", _("Add at least one section."))
        return clean, errors
    keys: list[str] = []
    for index, section in enumerate(sections):
        where = f"sections.{index}"
        key = _text(section, "key") or f"s{index + 1}"
        if key in keys:
            _add(errors, f"{where}.key", _("Two sections have the same key."))
        keys.append(key)
        name_zh = _text(section, "name_zh")
        if not name_zh:
            _add(errors, f"{where}.name_zh", _("This field is required."))
        items = [item for item in section.get("items") or [] if isinstance(item, Mapping)]
        clean_items = [_check_item(item, f"{where}.items.{position}", indicators, errors)
                       for position, item in enumerate(items)]
        weighted = [item for item in clean_items if item.get("kind") in WEIGHTED_KINDS]
        weight = _decimal_text(section.get("weight"))
        if not items:
            _add(errors, f"{where}.items", _("Add at least one item to the section."))
        elif weighted:
            if all(item.get("weight") for item in weighted):
                _weights(errors, f"{where}.items", [item["weight"] for item in weighted], key)
        elif weight not in ("0", "0.00", "0.0"):
            _add(errors, f"{where}.weight", _("A section with only adjustments and vetoes carries weight 0."))
        codes = [item.get("indicator") for item in clean_items if item.get("indicator")]
        if len(set(codes)) != len(codes):
            _add(errors, f"{where}.items", _("An indicator appears twice in the section."))
        clean["sections"].append({"key": key, "name_zh": name_zh, "name_en": _text(section, "name_en"),
                                  "weight": weight, "items": clean_items})
    if not any(field.startswith("sections.") and field.endswith(".weight") for field in errors):
        _weights(errors, "sections", [section["weight"] for section in clean["sections"]], "sections")
    return clean, errors
