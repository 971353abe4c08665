"""Formula, the parsed form of a formula text, and Term, one line of its explanation."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import FormulaError
from .evaluate import Column, Data, check_options, run
from .parser import Instr, parse_program
from .render import render


@dataclass(frozen=True, slots=True)
class Term:
    """One sub-expression of a formula and its value for one subject; None when the value is missing."""

    text: str
    value: float | None


class Formula:
    """A checked formula. Build one with parse(text); it is immutable, and two formulas are equal when they
    compute the same thing the same way, however they were spaced or bracketed (see `canonical`)."""

    __slots__ = ("_key", "_positions", "_program", "canonical", "metrics", "text")

    def __init__(self, text: str) -> None:
        program = parse_program(text)
        self.text: str = text
        self._program: tuple[Instr, ...] = program
        self._key = tuple(instr.key for instr in program)
        positions: dict[str, int] = {}
        for instr in program:
            if instr.op in ("metric", "agg"):
                name = str(instr.arg if instr.op == "metric" else instr.arg[1])  # type: ignore[index]
                positions.setdefault(name, instr.position)
        self._positions = positions  # first place each metric is read: where "unknown metric" points
        self.metrics: frozenset[str] = frozenset(positions)
        self.canonical: str = render(program)[-1].text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Formula) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        return f"parse({self.canonical!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled (cache, Celery) as its text and parsed again on load: nothing but text crosses the boundary
        return (Formula, (self.text,))

    def check_metrics(self, known: Collection[str]) -> None:
        """Raise FormulaError("unknown_metric") at the first metric not in `known` (for validation at save)."""
        for name, position in sorted(self._positions.items(), key=lambda item: item[1]):
            if name not in known:
                raise FormulaError("unknown_metric", position, {"metric": name})

    def evaluate(self, series: Mapping[str, Any], *, default_aggregate: str = "sum",
                 zero_division: str = "missing") -> Column:
        """One value per subject, float64 of shape (n_subjects,), NaN where the value is missing."""
        check_options(default_aggregate, zero_division)
        data = Data(series, self._program)
        return np.array(run(self._program, data, default_aggregate, zero_division), dtype=np.float64)

    def explain(self, series: Mapping[str, Any], subject: int, *, default_aggregate: str = "sum",
                zero_division: str = "missing") -> list[Term]:
        """Every sub-expression in evaluation order with its value for one subject; the last term is the whole
        formula and its value is exactly evaluate(...)[subject]. Number literals are left out (their value is
        their text) and a sub-expression that appears twice is listed once."""
        check_options(default_aggregate, zero_division)
        data = Data(series, self._program)
        count = data.subjects or 0
        if isinstance(subject, bool) or not isinstance(subject, int | np.integer) or not 0 <= subject < count:
            raise FormulaError("bad_subject", -1, {"subject": str(subject), "count": count})
        # All subjects are computed, then one is read: the numbers are then the very ones evaluate() gives,
        # bit for bit, which re-running on a one-row slice would not guarantee.
        record: list[Column] = []
        run(self._program, data, default_aggregate, zero_division, record)
        texts = render(self._program, default_aggregate)
        terms: list[Term] = []
        seen: set[str] = set()
        last = len(texts) - 1
        for index, (rendered, column) in enumerate(zip(texts, record, strict=True)):
            if (rendered.constant and index != last) or rendered.text in seen:
                continue
            seen.add(rendered.text)
            value = float(column[subject])
            terms.append(Term(rendered.text, None if math.isnan(value) else value))
        return terms


def parse(text: str) -> Formula:
    """Check a formula text and return its Formula, or raise FormulaError saying what is wrong and where."""
    return Formula(text)
