"""`tidy`: a stored decimal as people write it (NUMERIC keeps ten places; 3.5000000000 reads 3.5, 100.00 reads 100)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from fairmark.ingestion.numbers import tidy_text

register = template.Library()


@register.filter
def tidy(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal | int):
        return tidy_text(value) or "—"
    return str(value)
