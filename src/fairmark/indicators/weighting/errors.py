"""Errors of the weighted computation. Each carries a code and params (never text), so a form, the API
(problem+json) or a stored report can show it in the reader's language with `.message(language)`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .messages import EN, ERRORS, render


class WeightingError(ValueError):
    """Base class: bad input to the weighted computation."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(self.message(EN))

    def message(self, language: str) -> str:
        return render(ERRORS, self.code, self.params, language)

    def __str__(self) -> str:
        # The label tells a log reader which part of the template is wrong; forms show it next to the field.
        label = self.params.get("label")
        text = self.message(EN)
        return f"{label}: {text}" if label and "{label}" not in ERRORS[self.code][0] else text


class WeightError(WeightingError):
    """Weights that do not form exactly 100 %: empty, negative, more than 2 decimals, or a wrong sum."""


class AdjustmentError(WeightingError):
    """A ± adjustment (加减分) without a reason, beyond its cap, or not a 2-decimal number."""


class VetoError(WeightingError):
    """A veto (一票否决) without a reason, or whose effect and grade do not fit together."""


class InputError(WeightingError):
    """Input of the wrong shape: duplicate keys, an unknown kind or rater group, a score that is not a number."""
