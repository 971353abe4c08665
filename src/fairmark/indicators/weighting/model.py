"""What goes into a weighted total and what comes out of it. Pure.

Inputs are frozen dataclasses that check their own shape when they are built (an adjustment without a
reason cannot exist); what depends on siblings (weights adding up to 100 %, unique keys) is checked by
`check_weights` and `compute_total`. Outputs carry every intermediate number and a derivation: a list
of structured steps (code + params) that a page renders line by line in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, get_args

from .errors import AdjustmentError, InputError, VetoError, WeightError
from .messages import DECIMAL_KEYS, DECIMAL_LIST_KEYS, STEPS, render
from .numbers import HUNDRED, add, places

MissingRule = Literal["reweight", "zero"]
ItemKind = Literal["indicator", "rated", "okr"]
RaterGroup = Literal["self", "manager", "peer", "subordinate", "n_plus_2", "others"]
VetoEffect = Literal["total_zero", "grade"]

MISSING_RULES: tuple[str, ...] = get_args(MissingRule)
ITEM_KINDS: tuple[str, ...] = get_args(ItemKind)
RATER_GROUPS: tuple[str, ...] = get_args(RaterGroup)
VETO_EFFECTS: tuple[str, ...] = get_args(VetoEffect)


def as_decimal(value: object) -> Decimal | None:
    """A finite Decimal for a Decimal or an int; None for anything else. Floats are refused on purpose:
    0.1 + 0.2 is not 0.3 in binary, and a weight of 69.99 typed into a float is not 69.99."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return None
    number = Decimal(value)
    return number if number.is_finite() else None


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # frozen dataclasses normalise their fields in __post_init__


def check_weights(weights: Sequence[Decimal], *, label: str) -> None:
    """Weights must be exact decimals of 0 or more with at most 2 places, adding up to exactly 100 %.

    `label` names the list (a section, a rated item, "sections") in the error's params, so a form can put
    the message next to the right field. 30 + 70 passes; 30 + 69.99 raises WeightError "weights_sum"."""
    values = list(weights)
    if not values:
        raise WeightError("weights_empty", {"label": label})
    numbers: list[Decimal] = []
    for value in values:
        number = as_decimal(value)
        if number is None:
            raise WeightError("weight_not_number", {"label": label, "value": value})
        if number < 0:
            raise WeightError("weight_negative", {"label": label, "weight": number})
        if places(number) > 2:
            raise WeightError("weight_precision", {"label": label, "weight": number})
        if number > HUNDRED:
            raise WeightError("weight_too_large", {"label": label, "weight": number})
        numbers.append(number)
    total = add(numbers)
    if total != HUNDRED:
        raise WeightError("weights_sum", {"label": label, "weights_total": total, "terms": numbers})


@dataclass(frozen=True)
class ItemResult:
    """An item whose score is already known: an indicator scored by its rule, or an OKR slot (0–100).
    `score` None means missing (no data yet, not rated); the template's MissingRule decides what that means.
    `explanation` is passed through untouched (the scoring rule's own explanation) for the page to expand."""

    key: str
    label: str
    weight: Decimal
    score: Decimal | None
    kind: ItemKind = "indicator"
    explanation: Any = None

    def __post_init__(self) -> None:
        if self.kind not in ITEM_KINDS:
            raise InputError("kind_unknown", {"label": self.label, "kind": self.kind})
        if isinstance(self.weight, int) and not isinstance(self.weight, bool):
            _set(self, "weight", Decimal(self.weight))
        if self.score is not None:
            score = as_decimal(self.score)
            if score is None:
                raise InputError("score_not_number", {"label": self.label, "value": self.score})
            _set(self, "score", score)


@dataclass(frozen=True)
class GroupRating:
    """One rater group's ratings of a rated item, already on the 0–100 scale (the rating rule maps 1–5 to it).
    An empty list means the group did not rate: it is left out and the other groups' weights scale up."""

    group: RaterGroup
    weight: Decimal
    scores: Sequence[Decimal] = ()

    def __post_init__(self) -> None:
        if self.group not in RATER_GROUPS:
            raise InputError("group_unknown", {"label": self.group, "group": self.group})
        if isinstance(self.weight, int) and not isinstance(self.weight, bool):
            _set(self, "weight", Decimal(self.weight))
        scores: list[Decimal] = []
        for value in self.scores:
            score = as_decimal(value)
            if score is None:
                raise InputError("rating_not_number", {"label": self.group, "value": value})
            scores.append(score)
        _set(self, "scores", tuple(scores))


@dataclass(frozen=True)
class RatedItem:
    """A rated item (能力/价值观 with behavioural anchors): its score is the group-weighted mean of the rater
    groups' averages; the group weights (e.g. manager 60 / peers 20 / self 20) must add up to 100."""

    key: str
    label: str
    weight: Decimal
    groups: Sequence[GroupRating]
    explanation: Any = None
    kind: ItemKind = field(default="rated", init=False)

    def __post_init__(self) -> None:
        if isinstance(self.weight, int) and not isinstance(self.weight, bool):
            _set(self, "weight", Decimal(self.weight))
        _set(self, "groups", tuple(self.groups))
        seen: set[str] = set()
        for group in self.groups:
            if group.group in seen:
                raise InputError("group_duplicate", {"label": self.label, "group": group.group})
            seen.add(group.group)


Item = ItemResult | RatedItem


@dataclass(frozen=True)
class Section:
    """A section of the template (业绩 KPI 60 %, 能力/价值观 40 %); its items' weights add up to 100."""

    key: str
    label: str
    weight: Decimal
    items: Sequence[Item]

    def __post_init__(self) -> None:
        if isinstance(self.weight, int) and not isinstance(self.weight, bool):
            _set(self, "weight", Decimal(self.weight))
        _set(self, "items", tuple(self.items))


@dataclass(frozen=True)
class Adjustment:
    """Manager ± points (加减分) on the weighted total: a reason is required and |points| ≤ cap."""

    points: Decimal
    reason: str
    cap: Decimal

    def __post_init__(self) -> None:
        points = as_decimal(self.points)
        if points is None:
            raise AdjustmentError("adjustment_not_number", {"value": self.points})
        if places(points) > 2:
            raise AdjustmentError("adjustment_precision", {"points": points})
        cap = as_decimal(self.cap)
        if cap is None or cap < 0 or places(cap) > 2:
            raise AdjustmentError("adjustment_cap_invalid", {"value": self.cap})
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise AdjustmentError("adjustment_reason_required", {"points": points})
        if abs(points) > cap:
            raise AdjustmentError("adjustment_over_cap", {"points": points, "cap": cap})
        _set(self, "points", points)
        _set(self, "cap", cap)
        _set(self, "reason", self.reason.strip())


@dataclass(frozen=True)
class Veto:
    """A veto item (一票否决). When triggered it forces the total to 0 ("total_zero") or forces a grade
    ("grade", e.g. "D") while the total stays as computed. The reason is shown in the derivation either way."""

    triggered: bool
    effect: VetoEffect
    grade: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.effect not in VETO_EFFECTS:
            raise VetoError("veto_effect_unknown", {"effect": self.effect})
        if self.effect == "grade" and not (self.grade and self.grade.strip()):
            raise VetoError("veto_grade_required")
        if self.effect == "total_zero" and self.grade is not None:
            raise VetoError("veto_grade_unexpected", {"grade": self.grade})
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise VetoError("veto_reason_required")
        _set(self, "triggered", bool(self.triggered))


# ---- outputs ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of a derivation. `value` is the number the line arrives at (None when it has none);
    `depth` is 0 for the total, 1 for a section, 2 for an item, 3 for a rater group, for indenting.
    Params keep `section` and `item` keys so a page can link a line to the item's own explanation."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    value: Decimal | None = None
    depth: int = 0

    def text(self, language: str) -> str:
        return render(STEPS, self.code, self.params, language)

    def to_json(self) -> dict[str, Any]:
        """Decimals as strings, so a stored derivation reproduces digit for digit."""
        params: dict[str, Any] = {}
        for key, value in self.params.items():
            if key in DECIMAL_LIST_KEYS:
                params[key] = [str(v) for v in value]
            elif isinstance(value, Decimal):
                params[key] = str(value)
            else:
                params[key] = value
        return {"code": self.code, "params": params, "value": None if self.value is None else str(self.value),
                "depth": self.depth}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Step:
        params: dict[str, Any] = {}
        for key, value in dict(data.get("params") or {}).items():
            if key in DECIMAL_LIST_KEYS:
                params[key] = [Decimal(v) for v in value]
            elif key in DECIMAL_KEYS and isinstance(value, str):
                params[key] = Decimal(value)
            else:
                params[key] = value
        value = data.get("value")
        return cls(data["code"], params, None if value is None else Decimal(value), int(data.get("depth", 0)))


@dataclass(frozen=True)
class GroupOutcome:
    group: RaterGroup
    weight: Decimal
    count: int
    average: Decimal | None  # None: the group did not rate
    contribution: Decimal | None  # average × weight %, exact


@dataclass(frozen=True)
class RatedScore:
    """What `rate` makes of a rated item: its score (None when no group rated), per group, and the lines."""

    score: Decimal | None
    groups: tuple[GroupOutcome, ...]
    weight_present: Decimal
    derivation: tuple[Step, ...]


@dataclass(frozen=True)
class ItemOutcome:
    key: str
    label: str
    kind: ItemKind
    weight: Decimal
    score: Decimal | None  # rounded to 0.01; None when missing
    contribution: Decimal | None  # score × weight %, exact; 0 for a missing item under "zero", None under "reweight"
    explanation: Any = None
    groups: tuple[GroupOutcome, ...] = ()

    @property
    def missing(self) -> bool:
        return self.score is None


@dataclass(frozen=True)
class SectionResult:
    key: str
    label: str
    weight: Decimal
    score: Decimal | None  # rounded to 0.01; None when nothing in it counts
    items: tuple[ItemOutcome, ...]
    weight_present: Decimal  # the item weights the score was divided by: 100, or less after re-weighting
    contribution: Decimal | None  # score × section weight %, exact


@dataclass(frozen=True)
class Total:
    """The result: `value` (0.01, or None when nothing has a score), a grade forced by a veto, the sections,
    and the derivation, whose last step is always the final line and carries `value`.
    `subtotal` is the weighted total before adjustments, clamp and vetoes."""

    value: Decimal | None
    forced_grade: str | None
    sections: list[SectionResult]
    derivation: list[Step]
    subtotal: Decimal | None = None
    missing: MissingRule = "reweight"

    def lines(self, language: str) -> list[str]:
        return [step.text(language) for step in self.derivation]


def check_missing_rule(rule: object) -> MissingRule:
    if rule == "reweight":
        return "reweight"
    if rule == "zero":
        return "zero"
    raise InputError("missing_rule_unknown", {"rule": rule})


def check_bounds(floor: Decimal, cap: Decimal | None) -> tuple[Decimal, Decimal | None]:
    low = as_decimal(floor)
    high = None if cap is None else as_decimal(cap)
    if (low is None or places(low) > 2 or (cap is not None and (high is None or places(high) > 2))
            or (low is not None and high is not None and low > high)):
        raise InputError("bounds_invalid", {"floor": floor, "cap": cap})
    assert low is not None
    return low, high


def check_unique(keys: Sequence[str], *, label: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise InputError("duplicate_key", {"key": key, "label": label})
        seen.add(key)
