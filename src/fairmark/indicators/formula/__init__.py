"""The formula language of indicators (DESIGN.md C2; specified in docs/formulas.md). Pure: standard library and
numpy only, no Django, so it is fast, testable with hypothesis, and usable from any layer.

    f = parse("sum(good_units) / sum(produced_units) * 100")
    f.metrics                     # frozenset({'good_units', 'produced_units'})
    f.evaluate({"good_units": np.array([[9650.0]]), "produced_units": np.array([[10000.0]])})  # array([96.5])
    f.explain(same_series, 0)     # [Term('sum(good_units)', 9650.0), ..., Term('... * 100', 96.5)]

Modules: tokens (text → tokens), parser (tokens → postfix program, with the size and depth bounds), render
(canonical and explanation texts), evaluate (the numpy stack machine), expression (Formula, Term, parse) and
errors (FormulaError with its English and Chinese messages)."""

from __future__ import annotations

from .errors import FUNCTION_NAMES, MESSAGES, FormulaError
from .evaluate import ZERO_DIVISION
from .expression import Formula, Term, parse
from .parser import AGGREGATES, MAX_DEPTH, MAX_NODES
from .tokens import MAX_LENGTH


def default_aggregate(aggregation: str) -> str:
    """How a bare metric name in a formula is aggregated over a period: by the indicator's aggregation, and a
    ratio of sums sums each side (the formula divides)."""
    return aggregation if aggregation in AGGREGATES else "sum"


__all__ = [
    "AGGREGATES",
    "FUNCTION_NAMES",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "MESSAGES",
    "ZERO_DIVISION",
    "Formula",
    "FormulaError",
    "Term",
    "default_aggregate",
    "parse",
]
