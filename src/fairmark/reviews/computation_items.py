"""The inputs of the review computation and how one template's items become weighting inputs. Pure: no Django.

`fairmark.reviews.computation` is the entry point and its docstring states the rules; this module holds the
input dataclasses and the per-kind translation (indicator, rated, okr, adjustment, veto), so that each stays
small enough to read against the rule it implements. Every explanation built here is plain JSON (strings,
numbers, lists, dicts) and carries no rater id."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from fairmark.indicators.scoring import Comparison, OkrRule, RatingScaleRule, Rule, rule_from_dict
from fairmark.indicators.weighting import (
    Adjustment,
    GroupRating,
    ItemResult,
    RatedItem,
    Section,
    Veto,
    normalise_language,
)
from fairmark.reviews.anonymity import ANONYMOUS_GROUPS, KNOWN_GROUPS, POOL, GroupView, ItemView, Rating, aggregate

WEIGHTED_KINDS = ("indicator", "rated", "okr")
ITEM_KINDS = (*WEIGHTED_KINDS, "adjustment", "veto")
_OKR_RULE = OkrRule()


class ComputationError(ValueError):
    """A template or inputs that cannot be computed. `code` is one of: item_kind_unknown, item_key_duplicate,
    indicator_unknown, rule_not_rating, weight_invalid, section_without_items, rating_item_unknown,
    rating_group_not_weighted, part_key_duplicate, part_outside_cycle. `params` name items, groups and parts, never a rater (an error may reach the ratee)."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(f"{code}: {self.params!r}")


def item_key(section: Mapping[str, Any], index: int, item: Mapping[str, Any]) -> str:
    """The stable key of an item in a template: its own key, else its indicator, else section.position."""
    return str(item.get("key") or item.get("indicator") or f"{section['key']}.{index}")


@dataclass(frozen=True)
class RatingIn:
    """One submitted rating of a rated item, raw on the item's scale (1–5). `rater` only checks the input
    (one rating per rater and item, one group per rater); it never reaches a result."""

    rater: int | str
    group: str
    item: str
    rating: Decimal
    comment: str | None = None


@dataclass(frozen=True)
class PartInputs:
    """Everything one template needs for one person over one window. A missing key means no data."""

    values: Mapping[str, Decimal | None]
    sources: Mapping[str, Sequence[int]] = field(default_factory=dict)
    lines: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    okr: Mapping[str, Decimal | None] = field(default_factory=dict)
    ratings: Sequence[RatingIn] = ()
    adjustments: Mapping[str, tuple[Decimal, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class TemplateSpec:
    """A pinned template version: its `sections` JSON as stored, its missing rule, and the pinned indicator
    versions by code ({"scoring": {...}, "name_zh", "name_en", ...})."""

    sections: Sequence[Mapping[str, Any]]
    missing_rule: str
    indicators: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Built:
    """What compute_total needs for one part."""

    sections: list[Section]
    adjustments: list[Adjustment]
    vetoes: list[Veto]


# Rules are immutable, and building one validates every parameter; a review run scores the same few rules for
# thousands of people, so each distinct scoring dict is built once.
@lru_cache(maxsize=2048)
def _cached_rule(frozen: str) -> Rule:
    return rule_from_dict(json.loads(frozen))


def rule_of(scoring: Mapping[str, Any]) -> Rule:
    return _cached_rule(json.dumps(scoring, sort_keys=True, default=str))


def _decimal(raw: object, where: Mapping[str, Any]) -> Decimal:
    # Template numbers are decimal strings; a float is refused rather than carried in as 69.98999...
    if isinstance(raw, Decimal) or (isinstance(raw, int) and not isinstance(raw, bool)):
        return Decimal(raw)
    if isinstance(raw, str):
        try:
            number = Decimal(raw.strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if number.is_finite():
            return number
    raise ComputationError("weight_invalid", {**where, "value": str(raw)})


def _value(raw: object) -> Decimal | None:
    if raw is None or (isinstance(raw, Decimal) and raw.is_nan()):
        return None
    return raw if isinstance(raw, Decimal) else Decimal(str(raw))


def _name(entry: Mapping[str, Any], language: str, fallback: str) -> str:
    first, second = ("name_zh", "name_en") if language == "zh-hans" else ("name_en", "name_zh")
    return str(entry.get(first) or entry.get(second) or fallback)


def _indicator(spec: TemplateSpec, code: object, key: str) -> Mapping[str, Any]:
    indicator = spec.indicators.get(str(code)) if code else None
    if indicator is None:
        raise ComputationError("indicator_unknown", {"item": key, "indicator": code})
    return indicator


def build(spec: TemplateSpec, inputs: PartInputs, *, language: str, minimum: int) -> Built:
    """The template's sections, adjustments and vetoes for compute_total, in template order."""
    language = normalise_language(language)
    rated_rules = _rated_rules(spec)
    views, scores = _anonymised(inputs.ratings, rated_rules, minimum)
    built = Built([], [], [])
    keys: set[str] = set()
    for section in spec.sections:
        items: list[ItemResult | RatedItem] = []
        for index, item in enumerate(section["items"]):
            key = item_key(section, index, item)
            if key in keys:
                raise ComputationError("item_key_duplicate", {"item": key})
            keys.add(key)
            kind = item.get("kind")
            if kind == "indicator":
                items.append(_indicator_item(spec, inputs, key, item, language))
            elif kind == "rated":
                items.append(_rated_item(spec, key, item, language, views.get(key), scores.get(key, {}), minimum))
            elif kind == "okr":
                items.append(_okr_item(inputs, key, item, language))
            elif kind == "adjustment":
                if key in inputs.adjustments:
                    points, reason = inputs.adjustments[key]
                    built.adjustments.append(Adjustment(points, reason, _decimal(item.get("cap"), {"item": key})))
            elif kind == "veto":
                built.vetoes.append(_veto(spec, inputs, key, item, language))
            else:
                raise ComputationError("item_kind_unknown", {"item": key, "kind": kind})
        weight = _decimal(section.get("weight"), {"section": section.get("key")})
        if items:
            built.sections.append(Section(str(section["key"]), _name(section, language, str(section["key"])),
                                          weight, items))
        elif weight:
            # Left out, a weighted section would make the others add up to less than 100 with a puzzling message.
            raise ComputationError("section_without_items", {"section": section.get("key"), "weight": str(weight)})
    return built


def _indicator_item(spec: TemplateSpec, inputs: PartInputs, key: str, item: Mapping[str, Any],
                    language: str) -> ItemResult:
    code = str(item.get("indicator"))
    indicator = _indicator(spec, code, key)
    line = inputs.lines.get(code)
    rule = rule_of(line if line is not None else indicator["scoring"])
    value = _value(inputs.values.get(code))
    score = rule.score(value)
    explanation = {"indicator": code, "value": None if value is None else str(value), "rule": rule.to_dict(),
                   "goal_line": line is not None, "explanation": score.explanation.to_dict(),
                   "sources": [int(source) for source in inputs.sources.get(code, ())]}
    return ItemResult(key, _name(indicator, language, code), _decimal(item.get("weight"), {"item": key}),
                      score.value, "indicator", explanation)


def _okr_item(inputs: PartInputs, key: str, item: Mapping[str, Any], language: str) -> ItemResult:
    value = _value(inputs.okr.get(key))
    score = _OKR_RULE.score(value)
    explanation = {"okr": key, "value": None if value is None else str(value), "rule": _OKR_RULE.to_dict(),
                   "explanation": score.explanation.to_dict()}
    return ItemResult(key, _name(item, language, key), _decimal(item.get("weight"), {"item": key}), score.value,
                      "okr", explanation)


_VETO_TEXT = {  # (English, 简体中文): the evidence a veto line shows next to the veto's name
    "triggered": ("{name}: {indicator} {value} {op} {bound}", "{name}：{indicator} {value} {op} {bound}"),
    "clear": ("{name}: {indicator} {value}, not {op} {bound}", "{name}：{indicator} {value}，未达 {op} {bound}"),
    "no_data": ("{name}: no data for {indicator}, not triggered", "{name}：{indicator}无数据，不触发"),
}


def _veto(spec: TemplateSpec, inputs: PartInputs, key: str, item: Mapping[str, Any], language: str) -> Veto:
    code = str(item.get("indicator"))
    trigger_raw = item.get("trigger") or {}
    trigger = Comparison(str(trigger_raw.get("op")), trigger_raw.get("bound"))  # type: ignore[arg-type]  # it checks
    value = _value(inputs.values.get(code))
    triggered = value is not None and trigger.holds(value)
    # A veto needs evidence (docs/scoring.md): no data never vetoes, and the line says so rather than "clear".
    state = "no_data" if value is None else "triggered" if triggered else "clear"
    indicator = spec.indicators.get(code) or {}
    text = _VETO_TEXT[state][language == "zh-hans"].format(
        name=_name(item, language, key), indicator=_name(indicator, language, code), value=value,
        op=trigger.shown, bound=trigger.bound)
    return Veto(triggered, item.get("effect", "total_zero"), item.get("grade"), text)


# ---- rated items: anonymity before weighting -------------------------------------------------------------------


def _rated_rules(spec: TemplateSpec) -> dict[str, tuple[RatingScaleRule, set[str]]]:
    """Each rated item's rating rule and the rater groups its template weights, by item key."""
    rules: dict[str, tuple[RatingScaleRule, set[str]]] = {}
    for section in spec.sections:
        for index, item in enumerate(section["items"]):
            if item.get("kind") != "rated":
                continue
            key = item_key(section, index, item)
            rule = rule_of(_indicator(spec, item.get("indicator"), key)["scoring"])
            if not isinstance(rule, RatingScaleRule):
                raise ComputationError("rule_not_rating", {"item": key, "kind": rule.kind})
            rules[key] = (rule, {group for group, _weight in _template_groups(item, key)})
    return rules


def _anonymised(ratings: Sequence[RatingIn], rules: Mapping[str, tuple[RatingScaleRule, set[str]]], minimum: int
                ) -> tuple[dict[str, ItemView], dict[str, dict[str, list[Decimal]]]]:
    """The ratings mapped to 0–100 and aggregated exactly as the ratee is shown them (anonymity.aggregate),
    and each item's mapped scores by rater group."""
    rows: list[Rating] = []
    scores: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for rating in ratings:
        if rating.item not in rules:
            continue  # a review's ratings serve all its parts; this one is for an item of another part's template
        rule, groups = rules[rating.item]
        # Raters nominated as "others" rate every item with an anonymous group and only ever count in the pool;
        # any other group the item does not weight would dilute the groups that count, so it is refused.
        if rating.group not in groups and not (rating.group == POOL and groups & set(ANONYMOUS_GROUPS)):
            raise ComputationError("rating_group_not_weighted", {"item": rating.item, "group": rating.group})
        score = rule.score(rating.rating).value
        assert score is not None  # a RatingIn always carries a rating
        rows.append(Rating(rating.rater, rating.group, rating.item, score, rating.comment))  # type: ignore[arg-type]
        scores[rating.item][rating.group].append(score)
    views = {view.item: view for view in aggregate(rows, audience="ratee", minimum=minimum).items}
    return views, scores


def _rated_item(spec: TemplateSpec, key: str, item: Mapping[str, Any], language: str, view: ItemView | None,
                by_group: Mapping[str, list[Decimal]], minimum: int) -> RatedItem:
    """The rated item as the ratee sees it: known groups as they are, anonymous groups shown as themselves,
    smaller ones pooled into "others" (with their template weights), a pool under the minimum withheld."""
    code = str(item.get("indicator"))
    indicator = _indicator(spec, code, key)
    shown: dict[str, GroupView] = {group.group: group for group in view.groups} if view else {}
    pooled = POOL in shown
    groups: list[GroupRating] = []
    explained: list[dict[str, Any]] = []
    pool_weight: Decimal | None = None
    pool_at = -1
    for group, weight in _template_groups(item, key):
        anonymous_small = group in ANONYMOUS_GROUPS and group not in shown and by_group.get(group)
        if group == POOL or anonymous_small:
            pool_weight = weight + (pool_weight or 0)
            pool_at = len(groups) if group == POOL else pool_at
            continue
        counted = by_group.get(group, []) if group in KNOWN_GROUPS or group in shown else []
        groups.append(GroupRating(group, weight, counted))  # type: ignore[arg-type]
        explained.append(_explained(group, weight, shown.get(group)))
    if pool_weight is None and by_group.get(POOL):
        pool_weight = Decimal(0)  # "others" raters on an item whose template gives "others" no weight of its own
    if pool_weight is not None:
        members = [s for g in ANONYMOUS_GROUPS if g == POOL or g not in shown for s in by_group.get(g, ())]
        at = pool_at if pool_at >= 0 else len(groups)
        groups.insert(at, GroupRating(POOL, pool_weight, members if pooled else []))
        explained.insert(at, _explained(POOL, pool_weight, shown.get(POOL)))
    explanation = {"indicator": code, "groups": explained, "withheld": view.withheld_ratings if view else 0,
                   "minimum": minimum}
    return RatedItem(key, _name(indicator, language, code), _decimal(item.get("weight"), {"item": key}), groups,
                     explanation)


def _template_groups(item: Mapping[str, Any], key: str) -> list[tuple[str, Decimal]]:
    return [(str(group.get("group")), _decimal(group.get("weight"), {"item": key, "group": group.get("group")}))
            for group in item.get("rater_groups") or ()]


def _explained(group: str, weight: Decimal, view: GroupView | None) -> dict[str, Any]:
    # Count and mean come from what anonymity shows, so the page and the score cannot disagree.
    return {"group": group, "weight": str(weight), "count": view.count if view else 0,
            "mean": str(view.mean) if view else None, "sources": view.sources if view else 0}
