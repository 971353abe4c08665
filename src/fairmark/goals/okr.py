"""OKR scoring (DESIGN.md C4): a key result scores how far its current value has come from its start towards
its target, 0.0 to 1.0; an objective the weighted mean of its key results, rounded to 0.01 (the usual OKR
grading). Pure: no Django. Works for key results that go down as well ("cut scrap from 8 % to 5 %").

    key_result_score(start=Decimal(8), target=Decimal(5), current=Decimal("6.5"))   # Decimal('0.5')
    objective_score([KeyResult(Decimal(0), Decimal(100), Decimal(70), weight=Decimal(2)), ...])"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_ZERO, _ONE, _CENT = Decimal(0), Decimal(1), Decimal("0.01")


@dataclass(frozen=True, slots=True)
class KeyResult:
    start: Decimal
    target: Decimal
    current: Decimal | None = None
    weight: Decimal = _ONE


def key_result_score(*, start: Decimal, target: Decimal, current: Decimal | None) -> Decimal | None:
    """Progress from start to target, clamped to [0, 1]; None before any value; 1 when start equals target
    and the current value has reached it (0 otherwise)."""
    if current is None:
        return None
    if target == start:
        reached = current >= target if target >= _ZERO else current <= target
        return _ONE if reached else _ZERO
    fraction = (current - start) / (target - start)
    return min(_ONE, max(_ZERO, fraction))


def objective_score(key_results: Sequence[KeyResult]) -> Decimal | None:
    """The weighted mean of the key results that have a value, rounded half up to 0.01; None when none has."""
    total = weights = _ZERO
    for kr in key_results:
        score = key_result_score(start=kr.start, target=kr.target, current=kr.current)
        if score is None or kr.weight <= _ZERO:
            continue
        total += kr.weight * score
        weights += kr.weight
    return (total / weights).quantize(_CENT, ROUND_HALF_UP) if weights else None
