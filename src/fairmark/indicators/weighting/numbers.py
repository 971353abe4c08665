"""Exact arithmetic for weighted totals, and how numbers are written in a derivation. Pure.

Sums and products of the decimals a template deals in (scores and weights with two places) are exact,
so they are done in a Decimal context that *traps* Inexact: if a number ever had to be rounded silently,
the computation stops instead of drifting. Divisions (a mean, a re-weighted score) are the only places
where a result cannot always be written exactly; they go through `round_ratio`, which rounds the exact
quotient once, half away from zero (Decimal's ROUND_HALF_UP), with integer arithmetic, so no intermediate
rounding can ever move a result across a 0.005 boundary."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Clamped, Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow, Rounded

# 100 digits is far beyond any score × weight; the traps turn "would have been rounded" into an error.
EXACT = Context(prec=100, traps=[Inexact, Rounded, InvalidOperation, DivisionByZero, Overflow, Clamped])
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


class TooManyDigits(ArithmeticError):
    """A number too long to be added or multiplied exactly (more than 100 significant digits)."""


def add(values: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    try:
        for value in values:
            total = EXACT.add(total, value)
    except (Inexact, Rounded, Overflow, Clamped) as exc:
        raise TooManyDigits from exc
    return total


def mul(a: Decimal, b: Decimal) -> Decimal:
    try:
        return EXACT.multiply(a, b)
    except (Inexact, Rounded, Overflow, Clamped) as exc:
        raise TooManyDigits from exc


def percent_of(value: Decimal, weight: Decimal) -> Decimal:
    """value × weight %, exact: a score with two places times a weight with two places has at most six.
    Dividing by 100 only moves the decimal point, so it stays exact (scaleb, not division)."""
    return mul(value, weight).scaleb(-2, context=EXACT)


# Beyond 10^±60 a number is no score or weight; refusing it keeps the integer arithmetic below small and fast.
MAGNITUDE = 60


def _check_magnitude(value: Decimal) -> None:
    if value and not -MAGNITUDE <= value.adjusted() <= MAGNITUDE:
        raise TooManyDigits


def round_ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    """numerator ÷ denominator rounded to 0.01, half away from zero (= ROUND_HALF_UP), from the exact quotient."""
    _check_magnitude(numerator)
    _check_magnitude(denominator)
    n_num, d_num = numerator.as_integer_ratio()
    n_den, d_den = denominator.as_integer_ratio()
    if n_den == 0:
        raise ZeroDivisionError("round_ratio: the denominator is zero")
    # numerator / denominator = (n_num · d_den) / (d_num · n_den); times 100 for two decimal places
    top = n_num * d_den * 100
    bottom = d_num * n_den
    if bottom < 0:
        top, bottom = -top, -bottom
    whole, rest = divmod(abs(top), bottom)
    if 2 * rest >= bottom:  # a half or more rounds away from zero
        whole += 1
    rounded = Decimal(whole if top >= 0 else -whole).scaleb(-2, context=EXACT)
    return rounded if rounded else ZERO  # never "-0.00"


def q2(value: Decimal) -> Decimal:
    """value rounded to 0.01, ROUND_HALF_UP: the rounding applied to every number a user is shown."""
    return round_ratio(value, Decimal(1))


def places(value: Decimal) -> int:
    """How many decimal places a finite decimal really has: 30.00 has none that matter, 69.990 has two.
    Read off the digits rather than normalised in a context, so an absurd exponent cannot overflow."""
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    trailing = 0
    for digit in reversed(digits):
        if digit:
            break
        trailing += 1
    if trailing == len(digits):  # zero
        return 0
    return max(0, -(exponent + trailing))


def _plain(value: Decimal) -> str:
    """Positional notation without padding (30, 69.99, 12.5); scientific only for absurd magnitudes, which can
    only reach an error message, so that one never prints a million digits."""
    if not value.is_finite() or (value and not -MAGNITUDE <= value.adjusted() <= MAGNITUDE):
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_score(value: Decimal) -> str:
    """A score or a product as shown: at least two places (72.00), more only when they carry digits
    (an exact 32.375 is shown as such, so the reader can redo the addition)."""
    if not value:
        return "0.00"
    text = _plain(value)
    if "E" in text or "N" in text or "I" in text:
        return text
    whole, _dot, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def fmt_weight(value: Decimal) -> str:
    """A weight as HR typed it, without padding: 30, 69.99, 12.5."""
    return _plain(value)


def fmt_signed(value: Decimal) -> str:
    """Adjustment points with their sign: +3.00, -2.50."""
    return ("+" if value >= 0 else "") + fmt_score(value)
