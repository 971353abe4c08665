"""Weighted totals (DESIGN.md C2 templates, C5 computation): item results → section scores → total, with
rater-group weighting, ± adjustments, vetoes and an explicit rule for missing parts; every total comes with
its derivation. Pure: standard library and decimal only, no Django (an import-linter contract holds this),
so reviews can compute many totals fast and hypothesis can test the properties. See docs/computation.md.

    from fairmark.indicators.weighting import ItemResult, Section, compute_total
    total = compute_total([Section("kpi", "业绩 KPI", Decimal(100), [ItemResult("a", "良品率", Decimal(30),
                          Decimal(100)), ItemResult("b", "准时交付率", Decimal(70), Decimal(60))])], missing="reweight")
    total.value  # Decimal("72.00")
"""

from .compute import SECTIONS_LABEL, compute_total, rate
from .errors import AdjustmentError, InputError, VetoError, WeightError, WeightingError
from .messages import normalise_language
from .model import (
    Adjustment,
    GroupOutcome,
    GroupRating,
    Item,
    ItemKind,
    ItemOutcome,
    ItemResult,
    MissingRule,
    RatedItem,
    RatedScore,
    RaterGroup,
    Section,
    SectionResult,
    Step,
    Total,
    Veto,
    VetoEffect,
    check_weights,
)
from .numbers import q2, round_ratio

__all__ = [
    "SECTIONS_LABEL",
    "Adjustment",
    "AdjustmentError",
    "GroupOutcome",
    "GroupRating",
    "InputError",
    "Item",
    "ItemKind",
    "ItemOutcome",
    "ItemResult",
    "MissingRule",
    "RatedItem",
    "RatedScore",
    "RaterGroup",
    "Section",
    "SectionResult",
    "Step",
    "Total",
    "Veto",
    "VetoEffect",
    "VetoError",
    "WeightError",
    "WeightingError",
    "check_weights",
    "compute_total",
    "normalise_language",
    "q2",
    "rate",
    "round_ratio",
]
