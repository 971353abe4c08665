"""Rules that follow a measured value up and down: linear (门槛/目标/挑战), ratio to target, step table (区间).

All three have a direction. Lower-is-better is computed as higher-is-better on the negated value and
parameters (negation is exact in Decimal and in float), so the two directions cannot drift apart; only the
explanation codes differ, because the written formula takes its differences the other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple, cast

import numpy as np

from .core import (
    Direction,
    Explanation,
    FloatArray,
    Rule,
    RuleError,
    Score,
    direction_param,
    fmt,
    param,
    quantise,
    score_of,
    set_field,
)

MAX_BANDS = 50


@dataclass(frozen=True, kw_only=True)
class LinearRule(Rule):
    """门槛/目标/挑战: piecewise linear through (threshold, threshold_score), (target, target_score) and
    (stretch, stretch_score); worse than the threshold scores `floor`; beyond the stretch the target→stretch
    line continues up to `cap` (by default the stretch score, so the score stops there)."""

    kind: ClassVar[str] = "linear"
    threshold: Decimal
    target: Decimal
    stretch: Decimal
    threshold_score: Decimal = Decimal(60)
    target_score: Decimal = Decimal(100)
    stretch_score: Decimal = Decimal(120)
    floor: Decimal = Decimal(0)
    cap: Decimal | None = None  # None: the stretch score
    direction: Direction = "higher"

    def __post_init__(self) -> None:
        set_field(self, "direction", direction_param(self.direction))
        for name in ("threshold", "target", "stretch", "threshold_score", "target_score", "stretch_score", "floor"):
            set_field(self, name, param(getattr(self, name), name))
        set_field(self, "cap", self.stretch_score if self.cap is None else param(self.cap, "cap"))
        shown = self._shown()
        lower = "lower." if self.direction == "lower" else ""
        th, t, s = self._oriented()
        if not th < t:
            raise RuleError(f"linear.{lower}threshold_order", "threshold", shown)
        if not t < s:
            raise RuleError(f"linear.{lower}stretch_order", "stretch", shown)
        if not self.threshold_score < self.target_score:
            raise RuleError("linear.target_score_order", "target_score", shown)
        if not self.target_score < self.stretch_score:
            raise RuleError("linear.stretch_score_order", "stretch_score", shown)
        if self.floor > self.threshold_score:
            raise RuleError("linear.floor_order", "floor", shown)
        if self.cap_score < self.stretch_score:
            raise RuleError("linear.cap_order", "cap", shown)

    @property
    def cap_score(self) -> Decimal:
        assert self.cap is not None  # __post_init__ always sets it
        return self.cap

    def _oriented(self) -> tuple[Decimal, Decimal, Decimal]:
        if self.direction == "higher":
            return self.threshold, self.target, self.stretch
        return -self.threshold, -self.target, -self.stretch

    def _shown(self) -> dict[str, str]:
        names = ("threshold", "target", "stretch", "threshold_score", "target_score", "stretch_score", "floor")
        shown = {name: fmt(getattr(self, name)) for name in names}
        shown["cap"] = fmt(self.cap_score)
        shown["rise_to_target"] = fmt(self.target_score - self.threshold_score)
        shown["rise_to_stretch"] = fmt(self.stretch_score - self.target_score)
        return shown

    def _score(self, value: Decimal) -> Score:
        higher = self.direction == "higher"
        o = value if higher else -value
        th, t, s = self._oriented()
        p = {**self._shown(), "value": fmt(value)}
        prefix = "linear." if higher else "linear.lower."
        if o < th:
            return score_of(self.floor, prefix + ("below_threshold" if higher else "above_threshold"), **p)
        if o == th:
            return score_of(self.threshold_score, "linear.at_threshold", **p)
        if o < t:
            # Multiply before dividing: one rounding instead of two, so 96.5 on 95→98 is exactly 110.
            raw = self.threshold_score + (o - th) * (self.target_score - self.threshold_score) / (t - th)
            return score_of(raw, prefix + "threshold_to_target", **p)
        if o == t:
            return score_of(self.target_score, "linear.at_target", **p)
        if o == s:
            return score_of(self.stretch_score, "linear.at_stretch", **p)
        raw = self.target_score + (o - t) * (self.stretch_score - self.target_score) / (s - t)
        if o < s:
            return score_of(raw, prefix + ("above_target" if higher else "below_target"), **p)
        beyond = "above_stretch" if higher else "below_stretch"
        if raw >= self.cap_score:
            return score_of(self.cap_score, f"{prefix}{beyond}_capped", **p)
        return score_of(raw, prefix + beyond, **p)

    def _score_many(self, x: FloatArray) -> FloatArray:
        o = x if self.direction == "higher" else -x
        th, t, s = (float(d) for d in self._oriented())
        ths, ts, ss = float(self.threshold_score), float(self.target_score), float(self.stretch_score)
        rising = ths + (o - th) * (ts - ths) / (t - th)
        beyond = np.minimum(ts + (o - t) * (ss - ts) / (s - t), float(self.cap_score))
        return np.where(o < th, float(self.floor), np.where(o <= t, rising, beyond))

    def _params(self) -> dict[str, Any]:
        names = ("threshold", "target", "stretch", "threshold_score", "target_score", "stretch_score", "floor")
        return {**{name: str(getattr(self, name)) for name in names}, "cap": str(self.cap_score),
                "direction": self.direction}

    def _describe(self) -> Explanation:
        return Explanation("linear.rule" if self.direction == "higher" else "linear.lower.rule", self._shown())


@dataclass(frozen=True, kw_only=True)
class RatioRule(Rule):
    """Ratio to target: value / target × 100 (higher is better) or the inverse ratio target / value × 100
    (lower is better), kept between `floor` and `cap`. When lower is better a value of zero or less is as good
    as it gets and scores the cap (the inverse ratio would divide by zero or turn negative)."""

    kind: ClassVar[str] = "ratio"
    target: Decimal
    cap: Decimal = Decimal(120)
    direction: Direction = "higher"
    floor: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        set_field(self, "direction", direction_param(self.direction))
        for name in ("target", "cap", "floor"):
            set_field(self, name, param(getattr(self, name), name))
        shown = self._shown()
        if self.target <= 0:
            raise RuleError("ratio.target_not_positive", "target", shown)
        if self.floor >= self.cap:
            raise RuleError("range.floor_order", "floor", shown)

    def _shown(self) -> dict[str, str]:
        return {"target": fmt(self.target), "cap": fmt(self.cap), "floor": fmt(self.floor)}

    def _score(self, value: Decimal) -> Score:
        p = {**self._shown(), "value": fmt(value)}
        if self.direction == "higher":
            raw, code = value * 100 / self.target, "ratio.higher"
        elif value <= 0:
            return score_of(self.cap, "ratio.lower_zero", **p)
        else:
            raw, code = self.target * 100 / value, "ratio.lower"
        # a huge ratio (a tiny target) has more digits than cents can hold; it is capped anyway, so show it as is
        p["raw"] = str(quantise(raw)) if raw.is_finite() and raw.adjusted() < 15 else fmt(raw)
        if raw > self.cap:
            return score_of(self.cap, code + "_capped", **p)
        if raw < self.floor:
            return score_of(self.floor, code + "_floored", **p)
        return score_of(raw, code, **p)

    def _score_many(self, x: FloatArray) -> FloatArray:
        target, cap, floor = float(self.target), float(self.cap), float(self.floor)
        # When lower is better, zero or less is the best possible value: the cap, as in the exact path.
        raw = x * 100.0 / target if self.direction == "higher" else np.where(x <= 0, cap, target * 100.0 / x)
        return np.clip(raw, floor, cap)

    def _params(self) -> dict[str, Any]:
        return {"target": str(self.target), "cap": str(self.cap), "direction": self.direction,
                "floor": str(self.floor)}

    def _describe(self) -> Explanation:
        return Explanation("ratio.rule" if self.direction == "higher" else "ratio.lower.rule", self._shown())


class Band(NamedTuple):
    """One row of a step table. Higher is better: values at or above `bound` (up to the next band) score
    `score`. Lower is better: values at or below `bound` (down to the previous band) score `score`."""

    bound: Decimal
    score: Decimal


@dataclass(frozen=True, kw_only=True)
class StepRule(Rule):
    """区间: a table of bands, bounds strictly rising. Higher is better: a value takes the score of the highest
    band whose bound it reaches (bound inclusive, "≥ 95 → 100"); below the first bound it scores `floor`.
    Lower is better: the bounds are upper bounds — a value takes the score of the first band whose bound it
    does not exceed ("≤ 3 → 100"); above the last bound it scores `floor`. Scores must not fall (rise) as the
    bounds rise when higher (lower) is better, and the floor is no better than the worst band."""

    kind: ClassVar[str] = "step"
    bands: Sequence[tuple[Decimal, Decimal]]  # (bound, score) pairs; stored as a tuple of Band
    direction: Direction = "higher"
    floor: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        set_field(self, "direction", direction_param(self.direction))
        set_field(self, "floor", param(self.floor, "floor"))
        raw_bands = list(self.bands) if isinstance(self.bands, list | tuple) else None
        if not raw_bands:
            raise RuleError("step.empty", "bands")
        if len(raw_bands) > MAX_BANDS:
            raise RuleError("step.too_many", "bands", {"limit": str(MAX_BANDS)})
        bands: list[Band] = []
        for index, raw in enumerate(raw_bands, start=1):
            if not isinstance(raw, list | tuple) or len(raw) != 2:
                raise RuleError("step.bad_band", "bands", {"index": str(index)})
            band = Band(param(raw[0], "bands"), param(raw[1], "bands"))
            if bands:
                previous = bands[-1]
                where = {"index": str(index), "bound": fmt(band.bound), "score": fmt(band.score)}
                if band.bound <= previous.bound:
                    raise RuleError("step.bound_order", "bands", {**where, "previous": fmt(previous.bound)})
                falls = band.score < previous.score if self.direction == "higher" else band.score > previous.score
                if falls:
                    code = "step.score_order" if self.direction == "higher" else "step.lower.score_order"
                    raise RuleError(code, "bands", {**where, "previous": fmt(previous.score)})
            bands.append(band)
        set_field(self, "bands", tuple(bands))
        worst = bands[0] if self.direction == "higher" else bands[-1]
        if self.floor > worst.score:
            raise RuleError("step.floor_order", "floor", {"floor": fmt(self.floor), "score": fmt(worst.score)})

    @property
    def table(self) -> tuple[Band, ...]:
        """The bands as validated: a tuple of Band (bound, score), bounds rising."""
        return cast(tuple[Band, ...], self.bands)

    def _score(self, value: Decimal) -> Score:
        p = {"value": fmt(value), "floor": fmt(self.floor)}
        if self.direction == "higher":
            reached = [band for band in self.table if value >= band.bound]
            if not reached:
                return score_of(self.floor, "step.below_all", **p, bound=fmt(self.table[0].bound))
            band = reached[-1]
            return score_of(band.score, "step.band", **p, bound=fmt(band.bound))
        for band in self.table:
            if value <= band.bound:
                return score_of(band.score, "step.lower.band", **p, bound=fmt(band.bound))
        return score_of(self.floor, "step.lower.above_all", **p, bound=fmt(self.table[-1].bound))

    def _score_many(self, x: FloatArray) -> FloatArray:
        bounds = np.array([float(band.bound) for band in self.table])
        scores = [float(band.score) for band in self.table]
        if self.direction == "higher":
            # side="right": a value equal to a bound belongs to that band (lower bound inclusive).
            table = np.array([float(self.floor), *scores])
            return table[np.searchsorted(bounds, x, side="right")]
        table = np.array([*scores, float(self.floor)])
        return table[np.searchsorted(bounds, x, side="left")]

    def _params(self) -> dict[str, Any]:
        return {"bands": [[str(band.bound), str(band.score)] for band in self.table], "direction": self.direction,
                "floor": str(self.floor)}

    def _describe(self) -> Explanation:
        symbol = "≥" if self.direction == "higher" else "≤"
        shown = {
            "bands": "; ".join(f"{symbol} {fmt(band.bound)} → {fmt(band.score)}" for band in self.table),
            "bands_zh": "；".join(f"{symbol} {fmt(band.bound)} → {fmt(band.score)} 分" for band in self.table),
            "lowest": fmt(self.table[0].bound),
            "highest": fmt(self.table[-1].bound),
            "floor": fmt(self.floor),
        }
        return Explanation("step.rule" if self.direction == "higher" else "step.lower.rule", shown)
