"""Rules over counts and conditions: deduction (扣分), addition (加分), pass/fail, veto (一票否决), OKR."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from .core import (
    Comparison,
    Explanation,
    FloatArray,
    Rule,
    RuleError,
    Score,
    VetoEffect,
    fmt,
    param,
    quantise,
    score_of,
    set_field,
    text_param,
)


def comparison_param(raw: object, field: str) -> Comparison:
    """A Comparison, or what a form or JSON gives for one: ">= 1", (">=", "1") or {"op": ">=", "bound": "1"}."""
    if isinstance(raw, Comparison):
        return raw
    if isinstance(raw, str):
        return Comparison.parse(raw)
    if isinstance(raw, list | tuple) and len(raw) == 2:
        return Comparison(str(raw[0]), raw[1])
    if isinstance(raw, Mapping) and set(raw) == {"op", "bound"}:
        return Comparison(str(raw["op"]), raw["bound"])
    raise RuleError("comparison.bad", field)


@dataclass(frozen=True, kw_only=True)
class DeductionRule(Rule):
    """扣分: base − points_per_incident × incidents, never below `floor`. A negative count is a data error that
    ingestion should have caught; here it counts as no incidents, so the score never exceeds the base."""

    kind: ClassVar[str] = "deduction"
    points_per_incident: Decimal
    base: Decimal = Decimal(100)
    floor: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("points_per_incident", "base", "floor"):
            set_field(self, name, param(getattr(self, name), name))
        if self.points_per_incident <= 0:
            raise RuleError("points.not_positive", "points_per_incident", {"given": fmt(self.points_per_incident)})
        if self.floor >= self.base:
            raise RuleError("deduction.floor_order", "floor", {"floor": fmt(self.floor), "base": fmt(self.base)})

    def _score(self, value: Decimal) -> Score:
        p = {"value": fmt(value), "base": fmt(self.base), "points": fmt(self.points_per_incident),
             "floor": fmt(self.floor)}
        if value < 0:
            return score_of(self.base, "deduction.negative", **p)
        raw = self.base - value * self.points_per_incident
        if raw < self.floor:
            return score_of(self.floor, "deduction.floored", **p, raw=str(quantise(raw)) if raw.is_finite() and raw.adjusted() < 15 else fmt(raw))
        return score_of(raw, "deduction.applied", **p)

    def _score_many(self, x: FloatArray) -> FloatArray:
        incidents = np.maximum(x, 0.0)
        return np.maximum(float(self.base) - incidents * float(self.points_per_incident), float(self.floor))

    def _params(self) -> dict[str, Any]:
        return {"points_per_incident": str(self.points_per_incident), "base": str(self.base),
                "floor": str(self.floor)}

    def _describe(self) -> Explanation:
        return Explanation("deduction.rule", {"base": fmt(self.base), "points": fmt(self.points_per_incident),
                                              "floor": fmt(self.floor)})


@dataclass(frozen=True, kw_only=True)
class AdditionRule(Rule):
    """加分: base + points_per_unit × units, never above `cap`; a negative count counts as none."""

    kind: ClassVar[str] = "addition"
    points_per_unit: Decimal
    cap: Decimal
    base: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("points_per_unit", "cap", "base"):
            set_field(self, name, param(getattr(self, name), name))
        if self.points_per_unit <= 0:
            raise RuleError("points.not_positive", "points_per_unit", {"given": fmt(self.points_per_unit)})
        if self.cap <= self.base:
            raise RuleError("addition.cap_order", "cap", {"cap": fmt(self.cap), "base": fmt(self.base)})

    def _score(self, value: Decimal) -> Score:
        p = {"value": fmt(value), "base": fmt(self.base), "points": fmt(self.points_per_unit), "cap": fmt(self.cap)}
        if value < 0:
            return score_of(self.base, "addition.negative", **p)
        raw = self.base + value * self.points_per_unit
        if raw > self.cap:
            return score_of(self.cap, "addition.capped", **p, raw=str(quantise(raw)) if raw.is_finite() and raw.adjusted() < 15 else fmt(raw))
        return score_of(raw, "addition.applied", **p)

    def _score_many(self, x: FloatArray) -> FloatArray:
        units = np.maximum(x, 0.0)
        return np.minimum(float(self.base) + units * float(self.points_per_unit), float(self.cap))

    def _params(self) -> dict[str, Any]:
        return {"points_per_unit": str(self.points_per_unit), "cap": str(self.cap), "base": str(self.base)}

    def _describe(self) -> Explanation:
        return Explanation("addition.rule", {"base": fmt(self.base), "points": fmt(self.points_per_unit),
                                             "cap": fmt(self.cap)})


@dataclass(frozen=True, kw_only=True)
class PassFailRule(Rule):
    """Pass/fail: `pass_score` when `value pass_if.op pass_if.bound` holds, else `fail_score`."""

    kind: ClassVar[str] = "pass_fail"
    pass_if: Comparison
    pass_score: Decimal = Decimal(100)
    fail_score: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        set_field(self, "pass_if", comparison_param(self.pass_if, "pass_if"))
        for name in ("pass_score", "fail_score"):
            set_field(self, name, param(getattr(self, name), name))
        if self.pass_score <= self.fail_score:
            raise RuleError("passfail.score_order", "fail_score",
                            {"pass_score": fmt(self.pass_score), "fail_score": fmt(self.fail_score)})

    def _score(self, value: Decimal) -> Score:
        p = {"value": fmt(value), "op": self.pass_if.shown, "bound": fmt(self.pass_if.bound)}
        if self.pass_if.holds(value):
            return score_of(self.pass_score, "passfail.pass", **p)
        return score_of(self.fail_score, "passfail.fail", **p)

    def _score_many(self, x: FloatArray) -> FloatArray:
        return np.where(self.pass_if.holds_many(x), float(self.pass_score), float(self.fail_score))

    def _params(self) -> dict[str, Any]:
        return {"pass_if": self.pass_if.to_dict(), "pass_score": str(self.pass_score),
                "fail_score": str(self.fail_score)}

    def _describe(self) -> Explanation:
        return Explanation("passfail.rule", {"op": self.pass_if.shown, "bound": fmt(self.pass_if.bound),
                                             "pass_score": fmt(self.pass_score), "fail_score": fmt(self.fail_score)})


VETO_CLEAR_SCORE = Decimal("100.00")
VETO_TRIGGERED_SCORE = Decimal("0.00")


@dataclass(frozen=True, kw_only=True)
class VetoRule(Rule):
    """一票否决. The contract with the weighting:

    - triggered (`value trigger.op trigger.bound` holds): the Score has veto=True, veto_effect = `effect` and,
      for effect "grade", veto_grade = `grade`; its value is 0.00. The weighting then sets the total to 0
      ("total_zero") or the grade to `grade` ("grade"), whatever the other items scored;
    - not triggered: veto=False and value 100.00;
    - no data: value None, veto=False. A veto needs evidence: missing data never vetoes.
    The 0/100 value is for display only: a veto item is meant to carry no weight in the template."""

    kind: ClassVar[str] = "veto"
    trigger: Comparison
    effect: VetoEffect = "total_zero"
    grade: str | None = None

    def __post_init__(self) -> None:
        set_field(self, "trigger", comparison_param(self.trigger, "trigger"))
        if self.effect not in ("total_zero", "grade"):
            raise RuleError("veto.effect", "effect", {"given": str(self.effect)[:40]})
        grade = None if self.grade is None else text_param(self.grade, "grade") or None
        if self.effect == "grade" and grade is None:
            raise RuleError("veto.grade_required", "grade")
        if self.effect == "total_zero" and grade is not None:
            raise RuleError("veto.grade_unexpected", "grade")
        set_field(self, "grade", grade)

    def triggered_many(self, values: FloatArray) -> npt.NDArray[np.bool_]:
        """Where the veto fires (NaN, i.e. no data, never fires)."""
        return self.trigger.holds_many(np.asarray(values, dtype=np.float64))

    def _score(self, value: Decimal) -> Score:
        p = {"value": fmt(value), "op": self.trigger.shown, "bound": fmt(self.trigger.bound)}
        if not self.trigger.holds(value):
            return score_of(VETO_CLEAR_SCORE, "veto.clear", **p)
        if self.effect == "grade":
            assert self.grade is not None  # __post_init__ guarantees it
            explanation = Explanation("veto.grade", {**p, "grade": self.grade, "score": str(VETO_TRIGGERED_SCORE)})
        else:
            explanation = Explanation("veto.total_zero", {**p, "score": str(VETO_TRIGGERED_SCORE)})
        return Score(VETO_TRIGGERED_SCORE, explanation, veto=True, veto_effect=self.effect, veto_grade=self.grade)

    def _score_many(self, x: FloatArray) -> FloatArray:
        return np.where(self.trigger.holds_many(x), float(VETO_TRIGGERED_SCORE), float(VETO_CLEAR_SCORE))

    def _params(self) -> dict[str, Any]:
        return {"trigger": self.trigger.to_dict(), "effect": self.effect, "grade": self.grade}

    def _describe(self) -> Explanation:
        p = {"op": self.trigger.shown, "bound": fmt(self.trigger.bound)}
        if self.effect == "grade":
            return Explanation("veto.rule_grade", {**p, "grade": self.grade or ""})
        return Explanation("veto.rule_total_zero", p)


@dataclass(frozen=True, kw_only=True)
class OkrRule(Rule):
    """OKR score 0.0–1.0 → 0–100. Outside 0..1 the value is clamped (an over-achieved key result does not score
    above 100, a negative one not below 0), and the explanation says so."""

    kind: ClassVar[str] = "okr"

    def _score(self, value: Decimal) -> Score:
        p = {"value": fmt(value)}
        if value < 0:
            return score_of(Decimal(0), "okr.below_zero", **p)
        if value > 1:
            return score_of(Decimal(100), "okr.above_one", **p)
        return score_of(value * 100, "okr.score", **p)

    def _score_many(self, x: FloatArray) -> FloatArray:
        return np.clip(x, 0.0, 1.0) * 100.0

    def _params(self) -> dict[str, Any]:
        return {}

    def _describe(self) -> Explanation:
        return Explanation("okr.rule")
