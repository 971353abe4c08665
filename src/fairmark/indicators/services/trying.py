"""The "try it" panel of the indicator editor (and POST /api/v1/indicators/try): sample values in, the
formula's value with every term, the score and its explanation out. Nothing is stored."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from ..formula import FormulaError, Term, default_aggregate, parse
from ..scoring import RuleError, Score, rule_from_dict
from .checks import language

MAX_POINTS = 400  # a year of daily values per metric is plenty for a sample
SEPARATORS = re.compile(r"[\s,;，；、]+")


@dataclass
class Trial:
    value: Decimal | None = None
    terms: list[Term] = field(default_factory=list)
    score: Score | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def score_text(self) -> str:
        return self.score.text(language()) if self.score is not None else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": None if self.value is None else str(self.value),
            "terms": [{"text": term.text, "value": term.value} for term in self.terms],
            "score": None if self.score is None else self.score.to_dict(),
            "explanation": self.score_text(),
        }


def parse_points(text: object) -> list[float]:
    """'9650' or '120 130, 125' (a value per day or per record of the period) → floats; raises ValueError."""
    if isinstance(text, int | float | Decimal) and not isinstance(text, bool):
        parts = [str(text)]
    elif isinstance(text, list):
        parts = [str(part) for part in text]
    else:
        parts = [part for part in SEPARATORS.split(str(text or "").strip()) if part]
    if len(parts) > MAX_POINTS:
        raise ValueError
    points = [float(Decimal(part)) for part in parts]
    if any(math.isinf(point) or math.isnan(point) for point in points):
        raise ValueError
    return points


def try_indicator(*, formula: str, aggregation: str, scoring: Mapping[str, Any] | None,
                  samples: Mapping[str, Any], rating: object = None) -> Trial:
    """Evaluate `formula` on one subject's sample values and score the value with `scoring`. A rated item
    (no formula) scores `rating` directly."""
    trial = Trial()
    rule = None
    try:
        rule = rule_from_dict(scoring or {})
    except RuleError as exc:
        trial.errors.setdefault(f"scoring.{exc.field}", []).append(exc.message(language()))
    if not formula.strip():
        try:
            trial.value = Decimal(str(rating).strip()) if str(rating or "").strip() else None
        except InvalidOperation:
            trial.errors.setdefault("rating", []).append(_("Enter a number."))
    else:
        try:
            parsed = parse(formula)
        except FormulaError as exc:
            trial.errors.setdefault("formula", []).append(exc.message(language()))
            return trial
        series: dict[str, Any] = {}
        for metric in sorted(parsed.metrics):
            try:
                points = parse_points(samples.get(metric, ""))
            except (ValueError, InvalidOperation):
                trial.errors.setdefault(f"samples.{metric}", []).append(
                    _("Enter numbers separated by spaces or commas (at most %(max)s).") % {"max": MAX_POINTS})
                continue
            series[metric] = np.array([points], dtype=np.float64).reshape(1, len(points))
        if trial.errors:
            return trial
        try:
            trial.terms = parsed.explain(series, 0, default_aggregate=default_aggregate(aggregation))
        except FormulaError as exc:
            trial.errors.setdefault("formula", []).append(exc.message(language()))
            return trial
        last = trial.terms[-1].value if trial.terms else None
        trial.value = None if last is None else Decimal(repr(last))
    if rule is not None and not trial.errors:
        trial.score = rule.score(trial.value)
    return trial
