"""Stored numbers as people read them. Pure: no Django.

NUMERIC(28, 10) hands every value back with ten places: 96.5000000000, 100.0000000000. Pages, the API and
messages show 96.5 and 100 — never 1E+2, which is what Decimal.normalize() alone makes of 100."""

from __future__ import annotations

from decimal import Decimal


def tidy(value: Decimal | int | None) -> Decimal | None:
    """Trailing zeros dropped, no exponent: Decimal('100.0000000000') → Decimal('100')."""
    if value is None:
        return None
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def tidy_text(value: Decimal | int | None) -> str | None:
    """tidy() as text: "96.5", "100"; None stays None."""
    found = tidy(value)
    return None if found is None else format(found, "f")
