"""What every scoring rule shares: exact decimals, the structured explanation, the parameter error, the base class.

Pure: standard library, decimal and numpy only (no Django), so it runs in the models, the review computation and
the benchmark alike, and the pages can turn an explanation into zh-Hans or English text later.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt

from .texts import ERRORS, EXPLANATIONS, FIELDS

FloatArray = npt.NDArray[np.float64]
Direction = Literal["higher", "lower"]
DIRECTIONS: tuple[Direction, ...] = ("higher", "lower")
Language = Literal["en", "zh-hans"]

CENT = Decimal("0.01")
# Parameters are what HR types into a form: bounded so that the float path stays exact enough and a typo such as
# 1e400 is caught at save time rather than producing an absurd score.
PARAM_LIMIT = Decimal("1e12")
PARAM_MAX_PLACES = 6
# Values beyond these magnitudes lie outside every parameter, so folding them to ±infinity (huge) or 0 (tiny)
# changes no score; it only keeps Decimal arithmetic away from Overflow.
VALUE_HUGE = Decimal("1e30")
VALUE_TINY = Decimal("1e-30")
TEXT_LIMIT = 500

# 34 digits (IEEE decimal128) is far beyond what 0.01 rounding needs; a fixed context makes the result
# independent of whatever the caller did to the thread's context.
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


def exact() -> AbstractContextManager[Context]:
    """The decimal context every rule computes in."""
    return localcontext(_CONTEXT)


def quantise(value: Decimal) -> Decimal:
    """The house rounding rule: 0.01, half up (as people round by hand, 0.005 → 0.01)."""
    with exact():
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """A parameter or value as people write it: no exponent, no trailing zeros ("95", "96.5", "0.7")."""
    if value.is_zero():
        return "0"
    if not value.is_finite():
        return "∞" if value > 0 else "−∞"
    return format(value.normalize(_CONTEXT), "f")


def fmt_score(value: Decimal) -> str:
    """A score always shows its two places ("110.00"), the precision it is stored with."""
    return str(quantise(value))


def normalise_language(language: str) -> Language:
    """Accept what Django and browsers pass ("zh-Hans", "zh_CN", "zh", "en-GB"); anything not Chinese is English."""
    return "zh-hans" if language.strip().lower().replace("_", "-").startswith("zh") else "en"


# --- explanations -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """A code and its parameters (all strings), never a sentence: the reader's language is chosen when shown."""

    code: str
    params: dict[str, str] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        template = EXPLANATIONS[self.code][normalise_language(language)]
        return template.format_map(self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explanation:
        return cls(str(data["code"]), {str(k): str(v) for k, v in dict(data.get("params") or {}).items()})


MISSING = Explanation("missing")

VetoEffect = Literal["total_zero", "grade"]


@dataclass(frozen=True)
class Score:
    """A rule's answer for one value. `value` is None when there was no data.

    The veto fields are set only by a triggered VetoRule: `veto` is True and `veto_effect` says what the
    weighting must do — "total_zero" (the total becomes 0) or "grade" (the grade becomes `veto_grade`)."""

    value: Decimal | None
    explanation: Explanation
    veto: bool = False
    veto_effect: VetoEffect | None = None
    veto_grade: str | None = None

    @property
    def missing(self) -> bool:
        return self.value is None

    def text(self, language: str = "en") -> str:
        return self.explanation.text(language)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": None if self.value is None else str(self.value),
            "explanation": self.explanation.to_dict(),
            "veto": self.veto,
            "veto_effect": self.veto_effect,
            "veto_grade": self.veto_grade,
        }


# --- parameter errors ---------------------------------------------------------------------------------------


class RuleError(ValueError):
    """A rule's parameters are not valid. `field` names the form field to mark; `message(language)` says why."""

    def __init__(self, code: str, field: str, params: Mapping[str, str] | None = None) -> None:
        self.code = code
        self.field = field
        self.params: dict[str, str] = dict(params or {})
        super().__init__(self.message("en"))

    def message(self, language: str = "en") -> str:
        lang = normalise_language(language)
        label = FIELDS.get(self.field, {"en": self.field, "zh-hans": self.field})[lang]
        return ERRORS[self.code][lang].format_map({**self.params, "field": label})

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "params": dict(self.params)}


def to_decimal(raw: object, field: str) -> Decimal:
    """Coerce a parameter to a finite Decimal; a float goes through its shortest repr ("95.5", not the binary
    fraction), a bool is refused (it is an int to Python but never a number to HR)."""
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise RuleError("value.not_a_number", field, {"given": repr(raw)[:40]})
    elif isinstance(raw, int):
        number = Decimal(raw)  # not via str(): a huge int would hit Python's int-to-str digit limit
    else:
        try:
            number = Decimal(repr(raw) if isinstance(raw, float) else raw.strip())
        except InvalidOperation:
            raise RuleError("value.not_a_number", field, {"given": str(raw)[:40]}) from None
    if not number.is_finite():
        raise RuleError("value.not_finite", field, {"given": str(raw)[:40]})
    return number


def param(raw: object, field: str) -> Decimal:
    """A rule parameter: finite, within ±10^12, at most six decimal places."""
    number = to_decimal(raw, field)
    if abs(number) >= PARAM_LIMIT:
        given = fmt(number) if number.adjusted() < 30 else f"{number:.3E}"  # 10^5000 need not be spelt out
        raise RuleError("value.too_large", field, {"given": given, "limit": "10^12"})
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PARAM_MAX_PLACES and number != number.quantize(
        Decimal(1).scaleb(-PARAM_MAX_PLACES), context=_CONTEXT
    ):
        raise RuleError("value.too_precise", field, {"given": fmt(number), "places": str(PARAM_MAX_PLACES)})
    return number


def direction_param(raw: object, field: str = "direction") -> Direction:
    if raw == "higher":
        return "higher"
    if raw == "lower":
        return "lower"
    raise RuleError("direction.invalid", field, {"given": str(raw)[:40]})


def text_param(raw: object, field: str) -> str:
    if not isinstance(raw, str):
        raise RuleError("text.not_text", field, {"given": repr(raw)[:40]})
    text = raw.strip()
    if len(text) > TEXT_LIMIT:
        raise RuleError("text.too_long", field, {"limit": str(TEXT_LIMIT)})
    return text


def set_field(obj: object, name: str, value: object) -> None:
    """Frozen dataclasses normalise their own fields in __post_init__ through object.__setattr__."""
    object.__setattr__(obj, name, value)


# --- comparisons (pass/fail and veto) -----------------------------------------------------------------------

_OPS: dict[str, str] = {">": ">", ">=": ">=", "≥": ">=", "<": "<", "<=": "<=", "≤": "<=", "==": "==", "=": "==",
                        "!=": "!=", "≠": "!="}
_OP_SHOWN = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "==": "=", "!=": "≠"}


@dataclass(frozen=True)
class Comparison:
    """`value op bound`, e.g. Comparison(">=", Decimal("1")) for "one incident or more". `op` is stored in its
    ASCII form; ≥ ≤ ≠ = are accepted on input because that is how people write them."""

    op: str
    bound: Decimal

    def __post_init__(self) -> None:
        op = _OPS.get(str(self.op).strip())
        if op is None:
            raise RuleError("comparison.op", "op", {"given": str(self.op)[:10]})
        set_field(self, "op", op)
        set_field(self, "bound", param(self.bound, "bound"))

    @classmethod
    def parse(cls, text: str) -> Comparison:
        """">= 95", "≤5", "== 0" → Comparison."""
        stripped = text.strip()
        for symbol in sorted(_OPS, key=len, reverse=True):
            if stripped.startswith(symbol):
                return cls(symbol, param(stripped[len(symbol):].strip(), "bound"))
        raise RuleError("comparison.op", "op", {"given": stripped[:10]})

    @property
    def shown(self) -> str:
        return _OP_SHOWN[self.op]

    def holds(self, value: Decimal) -> bool:
        op, bound = self.op, self.bound
        if op == ">":
            return value > bound
        if op == ">=":
            return value >= bound
        if op == "<":
            return value < bound
        if op == "<=":
            return value <= bound
        if op == "==":
            return value == bound
        return value != bound

    def holds_many(self, values: FloatArray) -> npt.NDArray[np.bool_]:
        bound = float(self.bound)
        with np.errstate(invalid="ignore"):
            if self.op == ">":
                return values > bound
            if self.op == ">=":
                return values >= bound
            if self.op == "<":
                return values < bound
            if self.op == "<=":
                return values <= bound
            if self.op == "==":
                return values == bound
            return values != bound

    def to_dict(self) -> dict[str, str]:
        return {"op": self.op, "bound": str(self.bound)}


# --- the base class -----------------------------------------------------------------------------------------


class Rule(ABC):
    """A scoring rule: a frozen dataclass of validated parameters that turns an indicator value into a score.

    `score(value)` is the exact path (Decimal in, Decimal quantised to 0.01 out, with its explanation);
    `score_many(values)` is the bulk path (float64 array in and out, NaN for missing) for dashboards and
    benchmarks. They agree to within 0.005: the bulk path is not rounded, the exact path is."""

    kind: ClassVar[str]

    def score(self, value: Decimal | None) -> Score:
        number = _normalise_value(value)
        if number is None:
            return Score(None, MISSING)
        with exact():
            return self._score(number)

    def score_many(self, values: npt.ArrayLike) -> FloatArray:
        x = np.array(values, dtype=np.float64)  # a copy: the caller's array is never touched
        with np.errstate(all="ignore"):
            out = np.asarray(self._score_many(x), dtype=np.float64)
        out = np.broadcast_to(out, x.shape).copy()
        out[np.isnan(x)] = np.nan
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": self._params()}

    def describe(self) -> Explanation:
        """The rule itself in words, for the indicator page and the template preview."""
        return self._describe()

    @abstractmethod
    def _score(self, value: Decimal) -> Score: ...

    @abstractmethod
    def _score_many(self, x: FloatArray) -> FloatArray: ...

    @abstractmethod
    def _params(self) -> dict[str, Any]: ...

    @abstractmethod
    def _describe(self) -> Explanation: ...


def _normalise_value(value: object) -> Decimal | None:
    """None and NaN are missing data. Other inputs are coerced like parameters (so an int works), then folded:
    beyond ±10^30 → ±infinity, closer to 0 than 10^-30 → 0 (see VALUE_HUGE)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):
        number = value
        if number.is_nan():
            return None
    elif isinstance(value, float) and math.isinf(value):
        number = Decimal("Infinity") if value > 0 else Decimal("-Infinity")
    else:
        number = to_decimal(value, "value")
    if number.is_infinite():
        return number
    magnitude = abs(number)
    if magnitude > VALUE_HUGE:
        return Decimal("Infinity") if number > 0 else Decimal("-Infinity")
    if magnitude < VALUE_TINY:
        return Decimal(0)
    return number


def score_of(unrounded: Decimal, explanation_code: str, /, **params: str) -> Score:
    """A quantised score with its explanation; the score is added to the parameters as "score".
    Positional-only, so that an explanation parameter may be called "raw" or "value"."""
    value = quantise(unrounded)
    return Score(value, Explanation(explanation_code, {**params, "score": str(value)}))
