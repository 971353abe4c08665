"""Rules as data: `rule.to_dict()` and `rule_from_dict()` store a rule in a JSONField and read it back exactly.

The stored shape is {"kind": "linear", "params": {...}} with every decimal as a string ("96.5", never a float),
so that a rule round-trips without binary rounding and a reader can see the numbers HR typed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .core import Rule, RuleError
from .counts import AdditionRule, DeductionRule, OkrRule, PassFailRule, VetoRule
from .numeric import LinearRule, RatioRule, StepRule
from .rating import RatingScaleRule

RULE_TYPES: tuple[type[Rule], ...] = (
    LinearRule,
    RatioRule,
    StepRule,
    DeductionRule,
    AdditionRule,
    PassFailRule,
    VetoRule,
    RatingScaleRule,
    OkrRule,
)
RULE_KINDS: dict[str, type[Rule]] = {rule_type.kind: rule_type for rule_type in RULE_TYPES}


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    """Build and validate a rule from its stored form. Anything wrong — not an object, an unknown kind, a
    missing or unknown parameter, a bad value — raises RuleError naming the field, never another exception."""
    if not isinstance(data, Mapping) or "kind" not in data or set(data) - {"kind", "params"}:
        raise RuleError("rule.not_a_dict", "kind")
    kind = data["kind"]
    rule_type = RULE_KINDS.get(kind) if isinstance(kind, str) else None
    if rule_type is None:
        raise RuleError("rule.unknown_kind", "kind", {"given": str(kind)[:40]})
    params = data.get("params", {})
    if not isinstance(params, Mapping):
        raise RuleError("rule.not_a_dict", "params")
    assert dataclasses.is_dataclass(rule_type)
    known = dataclasses.fields(rule_type)
    names = {f.name for f in known}
    for name in params:
        if name not in names:
            raise RuleError("rule.unknown_param", "params", {"given": str(name)[:40]})
    for f in known:
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and f.name not in params:
            raise RuleError("rule.missing_param", f.name)
    built = rule_type(**dict(params))
    assert isinstance(built, Rule)
    return built
