"""The template editor's form, without client-side state: a template's definition (the dict of
services.templates.definition_of and the shipped library) becomes flat form fields, and the POSTed fields
become the definition again. `definition_from_fields(fields_from_definition(d)) == d` for every shipped
template (tests/indicators/test_template_editor.py).

Field names:

    code, name_zh, name_en, period, missing_rule, note            the header
    applies_job_families, applies_positions, applies_levels       comma-separated codes or names
    s-0-key, s-0-name_zh, s-0-name_en, s-0-weight                 section 0
    s-0-i-1-kind, s-0-i-1-indicator, s-0-i-1-weight, ...          item 1 of section 0 (the fields of its kind)
    s-0-i-1-g-manager                                             a rated item's rater-group weight
    s-0-i-1-extra                                                 what the editor does not show (JSON)

A rated item's rater groups keep the order in which their fields arrive (the page renders the groups in use
first); an empty group weight means the group does not rate. The editor also adds or removes a section or an
item (`apply_action`), computes the running weight sums (`weight_sums`) and lays out the rows the page
renders with their errors (`editor_sections`). Only the indicator choices come from the database, passed in.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..models import IndicatorVersion, ItemKind, RaterGroup

HEADER_FIELDS = ("code", "name_zh", "name_en", "period", "missing_rule", "note")
DIMENSIONS = ("job_families", "positions", "levels")
SECTION_FIELDS = ("key", "name_zh", "name_en", "weight")
# The fields the editor shows for each kind of item, in the order of the page.
ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    ItemKind.INDICATOR: ("indicator", "weight"),
    ItemKind.RATED: ("indicator", "weight"),
    ItemKind.OKR: ("name_zh", "name_en", "weight"),
    ItemKind.ADJUSTMENT: ("name_zh", "name_en", "cap"),
    ItemKind.VETO: ("indicator", "name_zh", "name_en"),
}
WEIGHTED_KINDS = (ItemKind.INDICATOR, ItemKind.RATED, ItemKind.OKR)
# Rater groups not yet in use are offered in this order (the shipped templates list theirs in it too).
GROUP_ORDER = (RaterGroup.MANAGER, RaterGroup.N_PLUS_2, RaterGroup.PEER, RaterGroup.SUBORDINATE, RaterGroup.SELF)
SEPARATORS = re.compile(r"[,，、;；\n]")
SECTION_RE = re.compile(r"^s-(\d+)-")
ITEM_RE = re.compile(r"^s-(\d+)-i-(\d+)-")
ACTION_RE = re.compile(r"^(add-section|refresh|remove-section-(\d+)|add-item-(\d+)|remove-item-(\d+)-(\d+))$")
HUNDRED = Decimal(100)


def applies_field(dimension: str) -> str:
    return f"applies_{dimension}"


def item_fields(kind: str) -> tuple[str, ...]:
    return ITEM_FIELDS.get(kind, ())


def _edited_keys(kind: str) -> set[str]:
    keys = {"kind", *item_fields(kind)}
    if kind == ItemKind.RATED:
        keys.add("rater_groups")
    return keys


def _text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _get(data: Mapping[str, Any], name: str) -> str:
    """One value of a QueryDict (its last) or of a plain dict."""
    value = data.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return _text(value).strip()


# --- definition → fields ------------------------------------------------------------------------------------


def fields_from_definition(definition: Mapping[str, Any]) -> dict[str, str]:
    """The form fields that show `definition`. Header fields it lacks (code, note) are left out."""
    fields: dict[str, str] = {}
    for name in HEADER_FIELDS:
        if name in definition:
            fields[name] = _text(definition[name])
    applies_to = definition.get("applies_to") if isinstance(definition.get("applies_to"), Mapping) else {}
    for dimension in DIMENSIONS:
        values = (applies_to or {}).get(dimension) or []
        values = [values] if isinstance(values, str) else values
        fields[applies_field(dimension)] = ", ".join(_text(value) for value in values)
    for s_index, section in enumerate(_sections(definition)):
        prefix = f"s-{s_index}-"
        for name in SECTION_FIELDS:
            fields[prefix + name] = _text(section.get(name))
        for i_index, item in enumerate(_items(section)):
            fields.update(_item_fields(f"{prefix}i-{i_index}-", item))
    return fields


def _sections(definition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [section for section in definition.get("sections") or [] if isinstance(section, Mapping)]


def _items(section: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [item for item in section.get("items") or [] if isinstance(item, Mapping)]


def _item_fields(prefix: str, item: Mapping[str, Any]) -> dict[str, str]:
    kind = _text(item.get("kind"))
    fields = {prefix + "kind": kind}
    for name in item_fields(kind):
        fields[prefix + name] = _text(item.get(name))
    if kind == ItemKind.RATED:
        for group in item.get("rater_groups") or []:
            if isinstance(group, Mapping) and group.get("group"):
                fields[f"{prefix}g-{group['group']}"] = _text(group.get("weight"))
    extra = {key: value for key, value in item.items() if key not in _edited_keys(kind)}
    if extra:
        fields[prefix + "extra"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
    return fields


# --- fields → definition ------------------------------------------------------------------------------------


def definition_from_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The definition the POSTed editor fields describe, as typed (the services check it). Sections and items
    come in the order of their numbers, which need not be contiguous."""
    definition: dict[str, Any] = {name: _get(data, name) for name in HEADER_FIELDS if name in data}
    definition["applies_to"] = {
        dimension: [value.strip() for value in SEPARATORS.split(_get(data, applies_field(dimension)))
                    if value.strip()]
        for dimension in DIMENSIONS
    }
    names = list(data.keys())
    section_numbers = sorted({int(m.group(1)) for name in names if (m := SECTION_RE.match(name))})
    sections = []
    for s_number in section_numbers:
        prefix = f"s-{s_number}-"
        section: dict[str, Any] = {name: _get(data, prefix + name) for name in SECTION_FIELDS}
        item_numbers = sorted({int(m.group(2)) for name in names
                               if (m := ITEM_RE.match(name)) and int(m.group(1)) == s_number})
        section["items"] = [_item_from_fields(data, names, f"{prefix}i-{i_number}-") for i_number in item_numbers]
        sections.append(section)
    definition["sections"] = sections
    return definition


def _item_from_fields(data: Mapping[str, Any], names: list[str], prefix: str) -> dict[str, Any]:
    kind = _get(data, prefix + "kind")
    item: dict[str, Any] = {}
    try:
        extra = json.loads(_get(data, prefix + "extra") or "{}")
    except ValueError:
        extra = {}
    if isinstance(extra, dict):
        item.update({key: value for key, value in extra.items() if key not in _edited_keys(kind)})
    item["kind"] = kind
    for name in item_fields(kind):
        item[name] = _get(data, prefix + name)
    if kind == ItemKind.RATED:
        group_prefix = prefix + "g-"
        item["rater_groups"] = [
            {"group": name[len(group_prefix):], "weight": _get(data, name)}
            for name in names if name.startswith(group_prefix) and _get(data, name)
        ]
    return item


# --- structure ----------------------------------------------------------------------------------------------


def new_item(kind: str = ItemKind.INDICATOR) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": kind, **{name: "" for name in item_fields(kind)}}
    if kind == ItemKind.RATED:
        item["rater_groups"] = []
    return item


def new_section(existing: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    keys = {_text(section.get("key")) for section in existing}
    number = len(keys) + 1
    while f"s{number}" in keys:
        number += 1
    return {"key": f"s{number}", "name_zh": "", "name_en": "", "weight": "", "items": [new_item()]}


def empty_definition() -> dict[str, Any]:
    """What the editor shows for a new template: one section with one item to fill in."""
    return {"code": "", "name_zh": "", "name_en": "", "period": "month", "missing_rule": "reweight", "note": "",
            "applies_to": {dimension: [] for dimension in DIMENSIONS}, "sections": [new_section()]}


def apply_action(definition: Mapping[str, Any], action: str) -> dict[str, Any]:
    """`add-section`, `remove-section-N`, `add-item-N` (to section N), `remove-item-N-M`, or `refresh`
    (re-render only, e.g. after an item's kind changed). An unknown action or index changes nothing."""
    result = copy.deepcopy(dict(definition))
    sections: list[dict[str, Any]] = result.setdefault("sections", [])
    match = ACTION_RE.match(action.strip())
    if match is None:
        return result
    if match.group(1) == "add-section":
        sections.append(new_section(sections))
    elif match.group(2) is not None and int(match.group(2)) < len(sections):
        del sections[int(match.group(2))]
    elif match.group(3) is not None and int(match.group(3)) < len(sections):
        sections[int(match.group(3))].setdefault("items", []).append(new_item())
    elif match.group(4) is not None and int(match.group(4)) < len(sections):
        items = sections[int(match.group(4))].setdefault("items", [])
        if int(match.group(5)) < len(items):
            del items[int(match.group(5))]
    return result


# --- running sums -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sum:
    """The sum of a list of weights as typed: `total` is None when one of them is not a number."""

    total: Decimal | None
    count: int

    @property
    def ok(self) -> bool:
        return self.total == HUNDRED

    @property
    def shown(self) -> str:
        return "—" if self.total is None else format_decimal(self.total)


def format_decimal(number: Decimal) -> str:
    """100.00 → "100", 99.990 → "99.99": as a person writes it."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def weight_sum(values: Iterable[object]) -> Sum:
    numbers: list[Decimal] = []
    for value in values:
        try:
            number = Decimal(_text(value).strip())
        except InvalidOperation:
            return Sum(None, 0)
        if not number.is_finite():
            return Sum(None, 0)
        numbers.append(number)
    return Sum(sum(numbers, Decimal(0)), len(numbers))


@dataclass(frozen=True)
class Sums:
    sections: Sum
    items: list[Sum | None]  # per section; None when it has no weighted items (adjustments and vetoes only)


def weight_sums(definition: Mapping[str, Any]) -> Sums:
    sections = _sections(definition)
    per_section: list[Sum | None] = []
    for section in sections:
        weighted = [item.get("weight") for item in _items(section) if item.get("kind") in WEIGHTED_KINDS]
        per_section.append(weight_sum(weighted) if weighted else None)
    return Sums(sections=weight_sum(section.get("weight") for section in sections), items=per_section)


# --- the rows the page renders ------------------------------------------------------------------------------


def field_name(path: str) -> str:
    """An error's path in the checks ("sections.0.items.1.weight") → the field it is shown at ("s-0-i-1-weight")."""
    if match := re.fullmatch(r"sections\.(\d+)\.items\.(\d+)\.(.+)", path):
        return f"s-{match.group(1)}-i-{match.group(2)}-{match.group(3)}"
    if match := re.fullmatch(r"sections\.(\d+)\.(.+)", path):
        return f"s-{match.group(1)}-{match.group(2)}"
    if path.startswith("applies_to"):
        return "applies_to"
    return path


def errors_by_field(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for path, messages in errors.items():
        by_field.setdefault(field_name(path), []).extend(str(message) for message in messages)
    return by_field


@dataclass
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass
class GroupRow:
    name: str
    group: str
    label: str
    weight: str


@dataclass
class ItemRow:
    prefix: str
    index: int
    kind: str
    values: dict[str, str]
    extra: str
    kinds: list[Choice]
    indicators: list[Choice]
    groups: list[GroupRow]
    errors: dict[str, list[str]]
    slots: list[str] = field(default_factory=list)

    @property
    def shows(self) -> dict[str, bool]:
        return {name: name in item_fields(self.kind) for name in ("indicator", "weight", "name_zh", "name_en", "cap")}


@dataclass
class SectionRow:
    prefix: str
    index: int
    values: dict[str, str]
    items: list[ItemRow]
    items_sum: Sum | None
    errors: dict[str, list[str]]
    slots: list[str] = field(default_factory=list)


SECTION_SLOTS = ("key", "name_zh", "name_en", "weight", "items")
ITEM_SLOTS = ("kind", "indicator", "weight", "rater_groups", "name_zh", "name_en", "cap")


def _fits(kind: str, version: IndicatorVersion) -> bool:
    """Which indicators an item of `kind` may name (services.checks says the same when it refuses one)."""
    rule_kind = (version.scoring or {}).get("kind")
    if kind == ItemKind.RATED:
        return version.is_rated
    if kind == ItemKind.VETO:
        return rule_kind == "veto"
    return not version.is_rated and rule_kind != "veto"


def indicator_choices(kind: str, current: str, indicators: Mapping[str, IndicatorVersion],
                      missing_label: str) -> list[Choice]:
    choices = [Choice(code, f"{code} — {version.display_name}", code == current)
               for code, version in sorted(indicators.items()) if _fits(kind, version) or code == current]
    if current and current not in indicators:
        choices.insert(0, Choice(current, f"{current} — {missing_label}", True))
    return choices


def editor_sections(definition: Mapping[str, Any], errors: Mapping[str, list[str]],
                    indicators: Mapping[str, IndicatorVersion], *, kind_labels: Mapping[str, str],
                    group_labels: Mapping[str, str], missing_label: str) -> list[SectionRow]:
    """The sections and items as the editor shows them, each field with its name, value and errors."""
    by_field = errors_by_field(errors)
    sums = weight_sums(definition)
    rows = []
    for s_index, section in enumerate(_sections(definition)):
        prefix = f"s-{s_index}-"
        items = []
        for i_index, item in enumerate(_items(section)):
            item_prefix = f"{prefix}i-{i_index}-"
            fields = _item_fields(item_prefix, item)
            kind = _text(item.get("kind"))
            in_use = [_text(group.get("group")) for group in item.get("rater_groups") or []
                      if isinstance(group, Mapping)]
            groups = [GroupRow(f"{item_prefix}g-{group}", group, str(group_labels.get(group, group)),
                               fields.get(f"{item_prefix}g-{group}", ""))
                      for group in [*in_use, *[g for g in GROUP_ORDER if g not in in_use]]]
            kinds = [Choice(value, str(label), value == kind) for value, label in kind_labels.items()]
            if kind not in kind_labels:
                kinds.insert(0, Choice(kind, kind or "—", True))
            items.append(ItemRow(
                prefix=item_prefix, index=i_index, kind=kind,
                values={name: fields.get(item_prefix + name, "") for name in item_fields(kind)},
                extra=fields.get(item_prefix + "extra", ""), kinds=kinds,
                indicators=indicator_choices(kind, _text(item.get("indicator")), indicators, missing_label)
                if "indicator" in item_fields(kind) else [],
                groups=groups if kind == ItemKind.RATED else [],
                errors={name: by_field.get(item_prefix + name, []) for name in ITEM_SLOTS},
                slots=[item_prefix + name for name in ITEM_SLOTS],
            ))
        rows.append(SectionRow(
            prefix=prefix, index=s_index, values={name: _text(section.get(name)) for name in SECTION_FIELDS},
            items=items, items_sum=sums.items[s_index],
            errors={name: by_field.get(prefix + name, []) for name in SECTION_SLOTS},
            slots=[prefix + name for name in SECTION_SLOTS],
        ))
    return rows
