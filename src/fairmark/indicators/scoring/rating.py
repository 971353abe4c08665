"""Rating on a scale with behavioural anchors (行为锚定), e.g. 1–5 → 0/25/50/75/100.

Ratings between two points are interpolated linearly, not rejected: a 360 item is scored from the weighted
average of several raters' ratings (3.6, 4.25, ...), which is rarely a point of the scale. Ratings outside the
scale take the score of the nearest end; the explanation says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple, cast

import numpy as np

from .core import Explanation, FloatArray, Rule, RuleError, Score, fmt, param, quantise, score_of, set_field, text_param

MAX_POINTS = 21  # 0–20 is the widest scale anyone uses; 0–100 belongs in a linear rule


class RatingPoint(NamedTuple):
    """One point of the scale: the rating, its score, and what it means in behaviour (both languages, or none)."""

    rating: Decimal
    score: Decimal
    anchor_en: str = ""
    anchor_zh: str = ""


@dataclass(frozen=True, kw_only=True)
class RatingScaleRule(Rule):
    """Ratings strictly rising, scores not falling; anchors are kept for display (the rating form shows them)."""

    kind: ClassVar[str] = "rating"
    # (rating, score) or (rating, score, anchor_en, anchor_zh); stored as a tuple of RatingPoint.
    points: Sequence[tuple[Decimal, Decimal] | tuple[Decimal, Decimal, str, str]]

    def __post_init__(self) -> None:
        raw_points = list(self.points) if isinstance(self.points, list | tuple) else []
        if len(raw_points) < 2:
            raise RuleError("rating.too_few", "points")
        if len(raw_points) > MAX_POINTS:
            raise RuleError("rating.too_many", "points", {"limit": str(MAX_POINTS)})
        points: list[RatingPoint] = []
        for index, raw in enumerate(raw_points, start=1):
            if not isinstance(raw, list | tuple) or not 2 <= len(raw) <= 4:
                raise RuleError("rating.bad_point", "points", {"index": str(index)})
            rating, score = param(raw[0], "points"), param(raw[1], "points")
            anchor_en = text_param(raw[2], "anchor_en") if len(raw) > 2 else ""
            anchor_zh = text_param(raw[3], "anchor_zh") if len(raw) > 3 else ""
            if bool(anchor_en) != bool(anchor_zh):
                # Both languages are complete (DESIGN.md §5 rule 7); a half-translated anchor would show blank.
                raise RuleError("rating.anchor_incomplete", "anchor_zh" if anchor_en else "anchor_en",
                                {"rating": fmt(rating)})
            if points:
                previous = points[-1]
                where = {"index": str(index), "rating": fmt(rating), "score": fmt(score)}
                if rating <= previous.rating:
                    raise RuleError("rating.order", "points", {**where, "previous": fmt(previous.rating)})
                if score < previous.score:
                    raise RuleError("rating.score_order", "points", {**where, "previous": fmt(previous.score)})
            points.append(RatingPoint(rating, score, anchor_en, anchor_zh))
        set_field(self, "points", tuple(points))

    @property
    def scale(self) -> tuple[RatingPoint, ...]:
        """The points as validated: a tuple of RatingPoint, ratings rising."""
        return cast(tuple[RatingPoint, ...], self.points)

    @classmethod
    def even(
        cls,
        *,
        lowest: int = 1,
        highest: int = 5,
        low_score: Decimal = Decimal(0),
        high_score: Decimal = Decimal(100),
        anchors: Sequence[tuple[str, str]] | None = None,
    ) -> RatingScaleRule:
        """Whole ratings lowest..highest spread evenly from low_score to high_score (1–5 → 0/25/50/75/100);
        `anchors` gives (English, Chinese) per rating, in order."""
        count = highest - lowest + 1
        if count < 2:
            raise RuleError("rating.too_few", "points")
        if anchors is not None and len(anchors) != count:
            raise RuleError("rating.bad_point", "points", {"index": str(min(len(anchors), count) + 1)})
        step = (Decimal(high_score) - Decimal(low_score)) / (count - 1)
        points: list[tuple[Decimal, Decimal, str, str]] = []
        for i in range(count):
            en, zh = anchors[i] if anchors is not None else ("", "")
            # The last point is high_score itself, not low + 4 × 33.33 = 99.99 on a 1–4 scale.
            score = quantise(Decimal(high_score) if i == count - 1 else Decimal(low_score) + step * i)
            points.append(RatingPoint(Decimal(lowest + i), score, en, zh))
        return cls(points=points)

    def _score(self, value: Decimal) -> Score:
        p = {"value": fmt(value)}
        first, last = self.scale[0], self.scale[-1]
        if value < first.rating:
            return score_of(first.score, "rating.below_scale", **p, low=fmt(first.rating))
        if value > last.rating:
            return score_of(last.score, "rating.above_scale", **p, high=fmt(last.rating))
        for low, high in zip(self.scale, self.scale[1:], strict=False):
            if value == low.rating or value == high.rating:
                point = low if value == low.rating else high
                if point.anchor_en:
                    return score_of(point.score, "rating.point_anchored", **p, anchor_en=point.anchor_en,
                                    anchor_zh=point.anchor_zh)
                return score_of(point.score, "rating.point", **p)
            if low.rating < value < high.rating:
                raw = low.score + (value - low.rating) * (high.score - low.score) / (high.rating - low.rating)
                return score_of(raw, "rating.between", **p, low=fmt(low.rating), high=fmt(high.rating),
                                low_score=fmt(low.score), high_score=fmt(high.score),
                                rise=fmt(high.score - low.score))
        raise AssertionError("unreachable: the value lies within the scale")  # pragma: no cover

    def _score_many(self, x: FloatArray) -> FloatArray:
        # np.interp holds the end scores outside the scale, which is the documented clamping.
        ratings = np.array([float(point.rating) for point in self.scale])
        scores = np.array([float(point.score) for point in self.scale])
        return np.interp(x, ratings, scores)

    def _params(self) -> dict[str, Any]:
        return {"points": [[str(pt.rating), str(pt.score), pt.anchor_en, pt.anchor_zh] for pt in self.scale]}

    def _describe(self) -> Explanation:
        def shown(point: RatingPoint, anchor: str, opening: str, closing: str) -> str:
            text = f"{fmt(point.rating)} → {fmt(point.score)}"
            return f"{text}{opening}“{anchor}”{closing}" if anchor else text

        return Explanation("rating.rule", {
            "points_en": "; ".join(shown(point, point.anchor_en, " (", ")") for point in self.scale),
            "points_zh": "；".join(shown(point, point.anchor_zh, "（", "）") for point in self.scale),
        })
