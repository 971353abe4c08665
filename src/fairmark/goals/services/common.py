"""What the goal services share: field errors, the reader's language for pure modules' messages, decimals
typed into forms, and locking a goal row for a write."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fairmark.core.errors import ServiceError, require
from fairmark.indicators.scoring import normalise_language

MAX_WEIGHT = Decimal("10000")


def language() -> str:
    return normalise_language(get_language() or "zh-hans")


def decimal_or_none(value: Any, field: str) -> Decimal | None:
    """A number from a form, the API or a goal set's JSON; '' and None are no value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ServiceError(_("Enter a number."), fields={field: [_("Enter a number.")]})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ServiceError(_("Enter a number."), fields={field: [_("Enter a number.")]}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e17"):
        raise ServiceError(_("Enter a number."), fields={field: [_("Enter a number.")]})
    return number


def weight_of(value: Any, field: str = "weight") -> Decimal:
    weight = decimal_or_none(value, field)
    weight = Decimal(1) if weight is None else weight
    require(Decimal(0) <= weight <= MAX_WEIGHT and weight == weight.quantize(Decimal("0.01")), field,
            _("A weight is a number from 0 to 10000 with at most two decimals."))
    return weight
