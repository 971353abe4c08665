"""Vectorised evaluation: a program over (n_subjects, n_points) tables → one value per subject.

A stack machine walks the postfix program once; every instruction works on whole numpy columns (one value per
subject), so 10,000 people cost about what one does, and there is no Python loop over subjects. NaN means
*missing* throughout: it enters as "no data", leaves as "no value", and every operation propagates it."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import FormulaError
from .parser import AGGREGATES, COMPARISONS, Instr

Column = npt.NDArray[np.float64]
ZERO_DIVISION = ("missing", "zero")
_NAN = np.nan
# A few units in the last place of the scaled value: enough to undo binary error such as 2.675 * 100 =
# 267.49999999999997, far too small to move a value that really is below the half.
_HALF_TOLERANCE = 2.0**-50
_COMPARE = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal,
    "!=": np.not_equal,
}


def check_options(default_aggregate: str, zero_division: str) -> None:
    if default_aggregate not in AGGREGATES:
        raise FormulaError("bad_option", -1, {"option": "default_aggregate", "value": str(default_aggregate),
                                              "choices": ", ".join(AGGREGATES)})
    if zero_division not in ZERO_DIVISION:
        raise FormulaError("bad_option", -1, {"option": "zero_division", "value": str(zero_division),
                                              "choices": ", ".join(ZERO_DIVISION)})


def _clean(values: Column) -> Column:
    """Overflow (±inf) becomes missing, in place on a fresh result: an infinite score explains nothing."""
    values[np.isinf(values)] = _NAN
    return values


def _table(name: str, value: Any) -> Column:
    """The caller's data for one metric as a float64 (subjects, points) table; never modifies the original."""
    table: Column | None = None
    try:
        raw = np.asarray(value)
        # no complex, text or dates; and 2-D only: a 1-D array could mean subjects or points (see the docs)
        if raw.dtype.kind in "biufO" and raw.ndim == 2:
            table = raw.astype(np.float64, copy=False)
    except (TypeError, ValueError, OverflowError):
        table = None
    if table is None:
        raise FormulaError("bad_series", -1, {"metric": name})
    if np.isinf(table).any():
        table = np.where(np.isinf(table), _NAN, table)  # an infinite reading is not data
    return table


def aggregate(function: str, table: Column) -> Column:
    """Reduce each subject's row over the period, ignoring missing points. No data at all gives missing,
    except count, which gives 0."""
    subjects, points = table.shape
    present = ~np.isnan(table)
    if function == "count":
        return np.count_nonzero(present, axis=1).astype(np.float64)
    if points == 0:
        return np.full(subjects, _NAN)
    if function in ("min", "max"):
        # fmin/fmax skip NaN and give NaN only when the whole row is missing, without nanmin's warning
        return (np.fmin if function == "min" else np.fmax).reduce(table, axis=1)
    counts = np.count_nonzero(present, axis=1)
    if function == "last":
        index = points - 1 - np.argmax(present[:, ::-1], axis=1)
        result = table[np.arange(subjects), index]
    else:
        result = np.nansum(table, axis=1)
        if function == "avg":
            with np.errstate(all="ignore"):
                result = result / counts
    result[counts == 0] = _NAN
    return _clean(result)


def divide(a: Column, b: Column, fallback: Column | float) -> Column:
    """a / b, with `fallback` where b is 0 — unless a is missing: a missing input always gives missing."""
    quotient = a / b
    zero = b == 0
    if zero.any():
        quotient = np.where(zero & ~np.isnan(a), fallback, quotient)
    return _clean(quotient)


def round_half_up(x: Column, digits: int) -> Column:
    """Round half away from zero (四舍五入, as Excel and HR users expect), not numpy's half-to-even."""
    scale = 10.0**digits
    scaled = np.abs(x) * scale
    small = scaled < 2.0**52  # beyond 2**52 every float is already whole at this scale: nothing to round
    scaled = np.where(small, scaled, 0.0)
    whole = np.floor(scaled)
    whole += (scaled - whole) >= 0.5 - scaled * _HALF_TOLERANCE
    result = np.where(small, np.copysign(whole / scale, x), x)
    result[result == 0] = 0.0  # no "-0" on a page
    return result


class Data:
    """The tables a program reads, checked once, and the aggregates computed from them (each once)."""

    def __init__(self, series: Mapping[str, Any], program: Sequence[Instr]) -> None:
        self.series = series
        self.tables: dict[str, Column] = {}
        self.cache: dict[tuple[str, str], Column] = {}
        self.subjects: int | None = None
        for instr in program:
            if instr.op in ("metric", "agg"):
                name = str(instr.arg if instr.op == "metric" else instr.arg[1])  # type: ignore[index]
                if name not in self.tables:
                    self.tables[name] = self._load(name, instr.position)
        if self.subjects is None:
            self.subjects = self._any_subjects()

    def _load(self, name: str, position: int) -> Column:
        try:
            value = self.series[name]
        except KeyError:
            raise FormulaError("unknown_metric", position, {"metric": name}) from None
        table = _table(name, value)
        if self.subjects is None:
            self.subjects = table.shape[0]
        elif table.shape[0] != self.subjects:
            raise FormulaError("series_shape", -1,
                               {"metric": name, "got": table.shape[0], "expected": self.subjects})
        return table

    def _any_subjects(self) -> int:
        # a formula that reads no metric (a constant) still answers for as many subjects as the data has
        for value in self.series.values():
            try:
                shape = np.shape(value)
            except (TypeError, ValueError):  # ragged lists and the like: not data this formula reads anyway
                continue
            if len(shape) == 2:
                return int(shape[0])
        return 1

    def get(self, function: str, name: str) -> Column:
        key = (function, name)
        if key not in self.cache:
            self.cache[key] = aggregate(function, self.tables[name])
        return self.cache[key]


def run(program: Sequence[Instr], data: Data, default_aggregate: str, zero_division: str,
        record: list[Column] | None = None) -> Column:
    """Evaluate the program; with `record`, also keep every instruction's column (for the explanation)."""
    n = data.subjects or 0
    zero_fallback = _NAN if zero_division == "missing" else 0.0
    stack: list[Column] = []
    with np.errstate(all="ignore"):  # 0/0, overflow and NaN comparisons are handled explicitly, not warned
        for instr in program:
            op, arg = instr.op, instr.arg
            if op == "num":
                result = np.full(n, float(arg))  # type: ignore[arg-type]
            elif op == "metric":
                result = data.get(default_aggregate, str(arg))
            elif op == "agg":
                result = data.get(*arg)  # type: ignore[misc]
            elif op == "neg":
                result = -stack.pop()
            elif op in ("+", "-", "*"):
                b, a = stack.pop(), stack.pop()
                result = _clean(a + b if op == "+" else a - b if op == "-" else a * b)
            elif op == "/":
                b, a = stack.pop(), stack.pop()
                result = divide(a, b, zero_fallback)
            elif op in COMPARISONS:
                b, a = stack.pop(), stack.pop()
                result = _COMPARE[op](a, b).astype(np.float64)
                result[np.isnan(a) | np.isnan(b)] = _NAN
            elif op == "if":
                otherwise, then, condition = stack.pop(), stack.pop(), stack.pop()
                # both branches are already computed for everyone; each subject takes its own, so a
                # division by zero in the branch a subject does not take cannot touch its value
                result = np.where(condition != 0, then, otherwise)
                result[np.isnan(condition)] = _NAN
            elif op == "div":
                fallback, b, a = stack.pop(), stack.pop(), stack.pop()
                result = divide(a, b, fallback)
            elif op in ("min", "max"):
                values = [stack.pop() for _ in range(int(arg))][::-1]  # type: ignore[call-overload]
                # np.minimum (not fmin): any missing value makes the result missing, like every other operator
                result = functools.reduce(np.minimum if op == "min" else np.maximum, values)
            elif op == "abs":
                result = np.abs(stack.pop())
            elif op == "round":
                result = round_half_up(stack.pop(), int(arg))  # type: ignore[call-overload]
            else:  # pragma: no cover - the parser emits nothing else
                raise AssertionError(op)
            stack.append(result)
            if record is not None:
                record.append(result)
    return stack[-1]
