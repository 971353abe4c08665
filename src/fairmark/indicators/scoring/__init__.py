"""Scoring rules (计分规则): turn an indicator's value into a score with its explanation. Pure: no Django.

    rule = LinearRule(threshold=Decimal("90"), target=Decimal("95"), stretch=Decimal("98"))
    rule.score(Decimal("96.5"))  # Score(value=Decimal("110.00"), explanation=Explanation("linear.above_target", …))
    rule.score(Decimal("96.5")).text("zh-hans")
    rule.score_many(np.array([96.5, 95.0, np.nan]))   # array([110., 100., nan])
    rule_from_dict(rule.to_dict()) == rule

See docs/scoring.md for every rule, its parameters, validation, the rounding rule and the veto contract.
"""

from .core import (
    CENT,
    DIRECTIONS,
    MISSING,
    Comparison,
    Direction,
    Explanation,
    Rule,
    RuleError,
    Score,
    VetoEffect,
    normalise_language,
    quantise,
)
from .counts import AdditionRule, DeductionRule, OkrRule, PassFailRule, VetoRule
from .numeric import Band, LinearRule, RatioRule, StepRule
from .rating import RatingPoint, RatingScaleRule
from .registry import RULE_KINDS, RULE_TYPES, rule_from_dict
from .texts import ERRORS, EXPLANATIONS, FIELDS

__all__ = [
    "CENT",
    "DIRECTIONS",
    "ERRORS",
    "EXPLANATIONS",
    "FIELDS",
    "MISSING",
    "RULE_KINDS",
    "RULE_TYPES",
    "AdditionRule",
    "Band",
    "Comparison",
    "DeductionRule",
    "Direction",
    "Explanation",
    "LinearRule",
    "OkrRule",
    "PassFailRule",
    "RatingPoint",
    "RatingScaleRule",
    "RatioRule",
    "Rule",
    "RuleError",
    "Score",
    "StepRule",
    "VetoEffect",
    "VetoRule",
    "normalise_language",
    "quantise",
    "rule_from_dict",
]
