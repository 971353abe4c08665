"""Outliers by the robust (modified) z-score of Iglewicz and Hoaglin. Pure.

Within a group of comparable values (one line's daily output, one metric across a department), a value x
is flagged when |0.6745 × (x − median) / MAD| > threshold (3.5 by default), MAD being the median absolute
deviation from the median. Median and MAD ignore a few wild values, which is what makes the score robust
where the mean and standard deviation are not. When more than half the values equal the median, MAD is 0;
then the mean absolute deviation stands in: z = (x − median) / (1.253314 × MeanAD) (both constants scale
the spread to a normal distribution's standard deviation). When every value is equal nothing is flagged,
and a group with fewer than `min_count` values is not judged at all. Outliers are flagged, never rejected.

Exactness: the values of a group are turned into integers at the group's finest decimal place, so the
median, the MAD and the comparison with the threshold are exact integer arithmetic (numpy int64 when the
numbers are small enough for no product to overflow, Python integers otherwise). The verdicts therefore
do not depend on the order of the values, nor change when every value is multiplied by the same positive
number, and are the same on every machine. Only the reported score is rounded (to 0.01, half up)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation, Rounded
from fractions import Fraction
from typing import Any, Generic, Literal, TypeVar

import numpy as np

from .findings import Explained, Finding, QualityError

G = TypeVar("G", bound=Hashable)  # a group key
I = TypeVar("I")  # noqa: E741 - the id of a value, whatever the caller uses (a fact's index, a row key)

Method = Literal["mad", "mean_ad"]

THRESHOLD = Decimal("3.5")
MIN_COUNT = 8
MAD_FACTOR = Fraction("0.6745")  # 1 / Φ⁻¹(3/4): MAD / 0.6745 estimates σ
MEAN_AD_FACTOR = Fraction("1.253314")  # √(π/2): 1.253314 × MeanAD estimates σ
MAX_DIGITS = 100  # a group whose values span more decimal digits than this is refused, not computed
SMALL = 64  # below this many values, Python lists beat numpy's per-call overhead
INT64_SAFE = 2**62
_EXACT = Context(prec=MAX_DIGITS + 2, traps=[Inexact, Rounded, InvalidOperation])


@dataclass(frozen=True, slots=True)
class Outlier(Explained, Generic[G, I]):
    """A flagged value: its id and group, the group's median and MAD, the signed robust z-score (rounded to
    0.01; positive above the median), and `method` "mean_ad" when MAD was 0 and the mean absolute deviation
    (`mean_ad`) was used instead. `label` names the group in the message ("line L1 · output")."""

    id: I
    group: G
    value: Decimal
    median: Decimal
    mad: Decimal
    score: Decimal
    method: Method = "mad"
    mean_ad: Decimal | None = None
    label: str = ""

    @property
    def finding(self) -> Finding:
        params: dict[str, Any] = {"group": self.label or str(self.group), "value": self.value,
                                  "median": self.median, "mad": self.mad, "score": self.score}
        if self.mean_ad is not None:
            params["mean_ad"] = self.mean_ad
        return Finding("outlier" if self.method == "mad" else "outlier_mean_ad", params, "warning")


def _threshold(value: Decimal | int | str | float) -> Fraction:
    """The threshold as an exact fraction; a float is read as the decimal it was written as (3.3, not the
    binary number nearest to it)."""
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        number = Decimal("NaN")
    if isinstance(value, bool) or not number.is_finite() or number <= 0:
        raise QualityError("threshold_invalid", {"value": str(value)})
    return Fraction(number)


def _as_integers(values: Sequence[Decimal], group: str) -> tuple[list[int], int]:
    """The values as integers at the group's finest decimal place: [1.5, 120] → ([15, 1200], -1)."""
    exponents: list[int] = []
    for value in values:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise QualityError("group_value_invalid", {"group": group, "value": repr(value)})
        exponents.append(value.as_tuple().exponent)  # type: ignore[arg-type]  # finite: always an int
    exponent = min(exponents)
    top = max(value.adjusted() for value in values)
    if top - exponent >= MAX_DIGITS:
        raise QualityError("too_many_digits", {"group": group})
    return [int(value.scaleb(-exponent, _EXACT)) for value in values], exponent


def _median2(ordered: Any, n: int) -> int:
    """Twice the median of a sorted sequence, so it is an integer: the two middle values added."""
    return int(ordered[(n - 1) // 2]) + int(ordered[n // 2])


def _decimal(numerator: int, halvings: int, exponent: int) -> Decimal:
    """numerator / 2**halvings × 10**exponent, exactly (as 5**halvings / 10**halvings), without trailing
    zeros after the point and in positional form: 120 rather than 120.00 or 1.2E+2."""
    digits, exponent = numerator * 5**halvings, exponent - halvings
    if not digits:
        return Decimal(0)
    while exponent < 0 and digits % 10 == 0:
        digits //= 10
        exponent += 1
    return Decimal(digits * 10**exponent) if exponent >= 0 else Decimal(digits).scaleb(exponent, _EXACT)


def _round2(value: Fraction) -> Decimal:
    """value to 0.01, half away from zero, from the exact fraction."""
    hundredths, rest = divmod(abs(value.numerator) * 100, value.denominator)
    if 2 * rest >= value.denominator:
        hundredths += 1
    return Decimal(hundredths if value >= 0 else -hundredths).scaleb(-2)


def _judge(ints: list[int], mad_limit: Fraction, mean_ad_limit: Fraction
           ) -> tuple[list[int], list[int], int, int, Method] | None:
    """The positions flagged, their doubled deviations d = 2|x − m|, twice the median, the spread (4 × MAD,
    or when that is 0 the sum of the d) and the method; None when nothing can be flagged (all values equal).
    `mad_limit` and `mean_ad_limit` are the threshold turned into a limit on d per unit of spread."""
    n = len(ints)
    big = False
    if n < SMALL:
        median2 = _median2(sorted(ints), n)
        deviations: Any = [abs(2 * x - median2) for x in ints]
        mad4 = _median2(sorted(deviations), n)  # 2 × the median of the d = 4 × MAD
    else:
        big = max(map(abs, ints)) * 4 * n >= INT64_SAFE  # then a deviation or their sum could overflow int64
        array = np.array(ints, dtype=object if big else np.int64)
        median2 = _median2(np.sort(array), n)
        deviations = np.abs(2 * array - median2)
        mad4 = _median2(np.sort(deviations), n)
    if mad4:
        spread, method, ratio = mad4, "mad", mad_limit * mad4
    else:
        spread = int(sum(deviations)) if n < SMALL else int(deviations.sum())
        if not spread:
            return None
        method, ratio = "mean_ad", mean_ad_limit * Fraction(spread, n)
    limit = ratio.numerator // ratio.denominator  # d > q ⇔ d > ⌊q⌋ for an integer d
    if n < SMALL:
        positions = [i for i, d in enumerate(deviations) if d > limit]
    else:  # an int64 deviation is below INT64_SAFE, so a larger limit can be clamped to it
        positions = np.flatnonzero(deviations > (limit if big else min(limit, INT64_SAFE))).tolist()
    return positions, [int(deviations[i]) for i in positions], median2, spread, method  # type: ignore[return-value]


def outliers(values_by_group: Mapping[G, Sequence[tuple[I, Decimal]]],
             threshold: Decimal | int | str | float = THRESHOLD, min_count: int = MIN_COUNT, *,
             label: Callable[[G], str] = str) -> list[Outlier[G, I]]:
    """The values whose robust z-score exceeds `threshold` within their group, group by group in the
    mapping's order and within a group in the input order. Groups with fewer than `min_count` values are
    not judged. `label(group)` names a group in the messages (by default str(group))."""
    t = _threshold(threshold)
    # 0.6745 × (d/2) / (mad4/4) > t  ⇔  d > t / (2 × 0.6745) × mad4
    mad_limit = t / (2 * MAD_FACTOR)
    # (d/2) / (1.253314 × Σd / (2n)) > t  ⇔  d > t × 1.253314 × Σd / n
    mean_ad_limit = t * MEAN_AD_FACTOR
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise QualityError("min_count_invalid", {"value": str(min_count)})
    found: list[Outlier[G, I]] = []
    for group, pairs in values_by_group.items():
        if len(pairs) < min_count:
            continue
        name = label(group)
        values = [value for _id, value in pairs]
        ints, exponent = _as_integers(values, name)
        judged = _judge(ints, mad_limit, mean_ad_limit)
        if judged is None:
            continue
        positions, deviations, median2, spread, method = judged
        median = _decimal(median2, 1, exponent)
        n = len(ints)
        mad = _decimal(spread if method == "mad" else 0, 2, exponent)
        mean_ad = _exact_quotient(spread, 2 * n, exponent) if method == "mean_ad" else None
        for position, deviation in zip(positions, deviations, strict=True):
            if method == "mad":
                score = 2 * MAD_FACTOR * deviation / spread  # 0.6745 × (d/2) / (mad4/4)
            else:
                score = Fraction(deviation * n) / (MEAN_AD_FACTOR * spread)  # (d/2) / (1.253314 × total/(2n))
            if 2 * ints[position] < median2:
                score = -score
            ident, value = pairs[position]
            found.append(Outlier(ident, group, value, median, mad, _round2(score), method, mean_ad, name))
    return found


def _exact_quotient(numerator: int, denominator: int, exponent: int) -> Decimal:
    """numerator / denominator × 10**exponent, exactly when that is a decimal of at most 12 more places than
    the group's values, else rounded there (the mean absolute deviation is shown, never compared)."""
    ratio = Fraction(numerator, denominator)
    places = 0
    while ratio.denominator != 1 and places < 12:
        ratio *= 10
        places += 1
    if ratio.denominator != 1:
        ratio = Fraction(round(ratio))
    return _decimal(int(ratio), 0, exponent - places)
