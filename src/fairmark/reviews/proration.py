"""Who is reviewed in a cycle, and how a person who changed position during it is scored (DESIGN.md C5,
issue 6 item 1): pro rata by days in each position. Pure: no Django.

    q1 = segments(date(2025, 1, 1), date(2025, 3, 31), [
        Assignment("welder", date(2023, 5, 1), date(2025, 2, 14)),    # transferred on 15 February
        Assignment("inspector", date(2025, 2, 15)),                   # still there (valid_to None)
    ])
    [(p.key, p.days, str(p.weight)) for p in q1.parts]  # [('welder', 45, '0.5000'), ('inspector', 45, '0.5000')]
    prorate({"welder": Decimal(80), "inspector": Decimal(90)}, q1).total    # Decimal('85.00')

Days are counted inclusively, like `valid_to` everywhere in the org app: 1 January to 31 March 2025 is 90 days,
and a transfer effective 15 February closes the old row on the 14th, so each position has 45 days.

Weights are each part's days ÷ the days the person held any position in the cycle, written with 4 decimals
(0.3370 = 33.70 %, the precision of template weights) by the largest-remainder method: every weight is the
exact ratio rounded down or up, and the units left over go to the parts with the largest remainders (ties to
the earlier part), so the weights add up to exactly 1 and do not depend on the order of the input. A 92-day
quarter split 31/61 gives 0.3370 / 0.6630 (the exact 0.33696 / 0.66304).

Days without any assignment (a new hire's first weeks, a leaver's last, a gap between two rows) are *gaps*:
they carry no weight, and they are returned (and shown in the derivation) so nobody mistakes them for days
spread over the positions unseen; whether the person is reviewed at all is `eligible`'s decision.
Consecutive rows with the same key (a change of manager only) merge into one part; a return to an earlier
position is a part of its own. Rows overlapping inside the cycle are refused; history outside it is not
looked at, so an old overlap does not block every later cycle.

The total is Σ score × weight, exact (scores have at most 2 decimals), then rounded once to 0.01 half away
from zero, as every total in the product: the page shows each weight and product, and a calculator gives the
same figure. It lies between the lowest and the highest part score.

Eligibility (`eligible`) takes the cycle's `EligibilityRules`; defaults, each a decision HR may change per cycle:
a new hire needs 60 days employed in the cycle (counted inclusively from the hire date), leavers who left
before the cycle's last day are excluded (or, with `leavers="pro_rata"`, reviewed on their days, under the
same minimum), people on probation (试用期) are left to the probation (转正) review, people on leave (休假)
are reviewed. Failures of shape raise ProrationError with a `code` and `params`; the words are the Django
layer's."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar, get_args

K = TypeVar("K", bound=Hashable)

WEIGHT_PLACES = 4  # 0.3370 = 33.70 %: the two decimals of a template weight, as a fraction
SCORE_PLACES = 2  # scores and totals are kept to 0.01 throughout the product

LeaverRule = Literal["exclude", "pro_rata"]
Status = Literal["probation", "active", "leave", "left"]  # the values of org.EmployeeStatus
LEAVER_RULES: tuple[str, ...] = get_args(LeaverRule)
STATUSES: tuple[str, ...] = get_args(Status)
_ONE_DAY = timedelta(days=1)


class ProrationError(ValueError):
    """Bad input: `code` says what ("cycle_range", "assignment_range", "not_a_date", "overlap", "no_parts",
    "score_missing", "score_not_number", "score_precision", "places_invalid", "status_unknown",
    "left_without_date", "left_before_hire", "rules_invalid"), `params` the values involved."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(f"{code}: {self.params!r}")


def days_between(first: date, last: date) -> int:
    """Days from `first` to `last`, both counted: the same day is 1 day."""
    return (last - first).days + 1


def _check_date(value: object, name: str) -> date:
    # A datetime is a date to isinstance, but subtracting it from a date fails far from here: refuse it now.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ProrationError("not_a_date", {"field": name, "value": value})
    return value


def _check_cycle(cycle_start: date, cycle_end: date) -> None:
    _check_date(cycle_start, "cycle_start")
    _check_date(cycle_end, "cycle_end")
    if cycle_end < cycle_start:
        raise ProrationError("cycle_range", {"cycle_start": cycle_start, "cycle_end": cycle_end})


# ---- segments ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assignment(Generic[K]):
    """A dated row of someone's history: `key` (position, department, template... whatever is scored separately)
    from `valid_from` to `valid_to`, both inclusive; `valid_to` None means still current."""

    key: K
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class Part(Generic[K]):
    """The days of the cycle spent under one key: `start`..`end` inclusive, `days` of them, and the weight."""

    key: K
    start: date
    end: date
    days: int
    weight: Decimal


@dataclass(frozen=True, slots=True)
class Gap:
    """Days of the cycle under no assignment, `start`..`end` inclusive."""

    start: date
    end: date
    days: int


@dataclass(frozen=True, slots=True)
class Segments(Generic[K]):
    """The cycle cut into parts (in date order) and gaps. `covered_days` is Σ part days, the weights' basis;
    the weights add up to exactly 1 when there is a part at all."""

    cycle_start: date
    cycle_end: date
    parts: tuple[Part[K], ...]
    gaps: tuple[Gap, ...]
    places: int = WEIGHT_PLACES

    @property
    def cycle_days(self) -> int:
        return days_between(self.cycle_start, self.cycle_end)

    @property
    def covered_days(self) -> int:
        return sum(part.days for part in self.parts)

    @property
    def gap_days(self) -> int:
        return sum(gap.days for gap in self.gaps)


def _clipped(cycle_start: date, cycle_end: date, assignments: Iterable[Assignment[K]]
             ) -> list[tuple[date, date, K]]:
    """The rows' days inside the cycle, in date order; rows wholly outside it are dropped."""
    spans: list[tuple[date, date, K]] = []
    for row in assignments:
        valid_from = _check_date(row.valid_from, "valid_from")
        valid_to = None if row.valid_to is None else _check_date(row.valid_to, "valid_to")
        if valid_to is not None and valid_to < valid_from:
            raise ProrationError("assignment_range", {"key": row.key, "valid_from": valid_from, "valid_to": valid_to})
        start = max(valid_from, cycle_start)
        end = cycle_end if valid_to is None else min(valid_to, cycle_end)
        if start <= end:
            spans.append((start, end, row.key))
    spans.sort(key=lambda span: span[0])  # overlaps are refused next, so the start alone orders them fully
    return spans


def _merged(spans: list[tuple[date, date, K]]) -> list[tuple[date, date, K]]:
    merged: list[tuple[date, date, K]] = []
    for start, end, key in spans:
        if merged:
            last_start, last_end, last_key = merged[-1]
            if start <= last_end:
                raise ProrationError("overlap", {"keys": [last_key, key], "day": start})
            if last_key == key and start == last_end + _ONE_DAY:
                merged[-1] = (last_start, end, key)
                continue
        merged.append((start, end, key))
    return merged


def _gaps(cycle_start: date, cycle_end: date, spans: list[tuple[date, date, K]]) -> tuple[Gap, ...]:
    gaps: list[Gap] = []
    cursor = cycle_start  # the first day not yet accounted for
    for start, end, _key in spans:
        if start > cursor:
            gaps.append(Gap(cursor, start - _ONE_DAY, days_between(cursor, start - _ONE_DAY)))
        cursor = end + _ONE_DAY
    if cursor <= cycle_end:
        gaps.append(Gap(cursor, cycle_end, days_between(cursor, cycle_end)))
    return tuple(gaps)


def largest_remainder(days: list[int], places: int = WEIGHT_PLACES) -> list[Decimal]:
    """days[i] ÷ Σ days with `places` decimals, adding up to exactly 1: each share rounded down, then one unit
    of 10^-places to each of the largest remainders until the units add up (ties: the earlier index)."""
    total = sum(days)
    if not days or total <= 0:
        return []
    units = 10**places
    floors = [d * units // total for d in days]
    remainders = [d * units % total for d in days]
    leftover = units - sum(floors)  # fewer than len(days): each floor is less than one unit short
    for index in sorted(range(len(days)), key=lambda i: (-remainders[i], i))[:leftover]:
        floors[index] += 1
    return [_from_units(n, places) for n in floors]


def _from_units(units: int, places: int) -> Decimal:
    # From the string: exact whatever the size, where arithmetic would round to the context's 28 digits.
    return Decimal(f"{units}E-{places}")


def segments(cycle_start: date, cycle_end: date, assignments: Iterable[Assignment[K]], *,
             places: int = WEIGHT_PLACES) -> Segments[K]:
    """The cycle's days under each assignment (inclusive counting), with weights that add up to exactly 1,
    and the days under none. No assignment in the cycle gives no parts and one gap: the whole cycle."""
    _check_cycle(cycle_start, cycle_end)
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 12:
        raise ProrationError("places_invalid", {"places": places})
    spans = _merged(_clipped(cycle_start, cycle_end, assignments))
    weights = largest_remainder([days_between(start, end) for start, end, _key in spans], places)
    parts = tuple(Part(key, start, end, days_between(start, end), weight)
                  for (start, end, key), weight in zip(spans, weights, strict=True))
    return Segments(cycle_start, cycle_end, parts, _gaps(cycle_start, cycle_end, spans), places)


# ---- prorate ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contribution(Generic[K]):
    """One line of the derivation: a part's days, weight and score, and score × weight (exact)."""

    key: K
    start: date
    end: date
    days: int
    weight: Decimal
    score: Decimal
    contribution: Decimal


@dataclass(frozen=True, slots=True)
class Line:
    """A derivation line for the explanation page, in the shape of the weighted total's steps: a `code`
    ("part", "gap", "total"), its `params`, and the number it arrives at (None for a gap)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    value: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Proration(Generic[K]):
    """`total` (0.01, half away from zero) of `exact` (Σ contributions, unrounded), and how it was made."""

    total: Decimal
    exact: Decimal
    parts: tuple[Contribution[K], ...]
    gaps: tuple[Gap, ...]
    covered_days: int
    cycle_days: int

    def lines(self) -> list[Line]:
        """Parts and gaps in date order, then the total; every number the page shows is in a line's params."""
        dated: list[tuple[date, Line]] = [
            (p.start, Line("part", {"key": p.key, "start": p.start, "end": p.end, "days": p.days,
                                    "covered_days": self.covered_days, "weight": p.weight, "score": p.score},
                           p.contribution))
            for p in self.parts
        ]
        dated += [(g.start, Line("gap", {"start": g.start, "end": g.end, "days": g.days})) for g in self.gaps]
        dated.sort(key=lambda pair: pair[0])
        total = Line("total", {"terms": [p.contribution for p in self.parts], "exact": self.exact,
                               "covered_days": self.covered_days, "cycle_days": self.cycle_days}, self.total)
        return [line for _start, line in dated] + [total]


def _units(value: Decimal, places: int) -> int | None:
    """value × 10^places as an exact integer; None when value has more than `places` decimals."""
    numerator, denominator = value.as_integer_ratio()
    scale = 10**places
    return None if scale % denominator else numerator * (scale // denominator)


def _score_units(key: object, value: object) -> int:
    """A score in hundredths, exactly. Floats are refused (80.1 is not 80.1 in binary), as are more than two
    decimals: scores reach this point as totals already rounded to 0.01, and rounding here would be silent."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ProrationError("score_not_number", {"key": key, "value": value})
    number = Decimal(value)
    if not number.is_finite():
        raise ProrationError("score_not_number", {"key": key, "value": value})
    units = _units(number, SCORE_PLACES)
    if units is None:
        raise ProrationError("score_precision", {"key": key, "score": number})
    return units


def _round_half_up(units: int, drop: int) -> int:
    """units ÷ 10^drop, rounded half away from zero."""
    whole, rest = divmod(abs(units), 10**drop)
    if 2 * rest >= 10**drop:
        whole += 1
    return whole if units >= 0 else -whole


def prorate(scores_by_key: Mapping[K, Decimal], split: Segments[K]) -> Proration[K]:
    """Σ score × weight over the parts, with every term. Each part's key needs a score (a missing one is refused,
    never counted as 0 or left out: the template's missing-part rule has already run for each position);
    keys without a part are ignored."""
    if not split.parts:
        raise ProrationError("no_parts", {"cycle_start": split.cycle_start, "cycle_end": split.cycle_end})
    places = split.places + SCORE_PLACES  # decimals of a product score × weight
    contributions: list[Contribution[K]] = []
    total_units = 0
    for part in split.parts:
        if part.key not in scores_by_key:
            raise ProrationError("score_missing", {"key": part.key, "start": part.start, "end": part.end})
        score_units = _score_units(part.key, scores_by_key[part.key])
        weight_units = _units(part.weight, split.places)
        if weight_units is None:  # only a Segments built by hand, not by `segments`, can get here
            raise ProrationError("places_invalid", {"places": split.places, "weight": part.weight})
        units = score_units * weight_units
        total_units += units
        contributions.append(Contribution(part.key, part.start, part.end, part.days, part.weight,
                                          _from_units(score_units, SCORE_PLACES), _from_units(units, places)))
    total = _from_units(_round_half_up(total_units, split.places), SCORE_PLACES)
    return Proration(total, _from_units(total_units, places), tuple(contributions), split.gaps,
                     split.covered_days, split.cycle_days)


# ---- eligibility ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EligibilityRules:
    """A cycle's rules for who is reviewed. `min_tenure_days`: days employed in the cycle (inclusive) that someone
    not employed all of it needs; `leavers`: "exclude" anyone who left before the cycle's last day, or
    "pro_rata" (reviewed on their days); `include_probation`: False leaves people on probation to their
    转正 review (a probation cycle sets it True); `include_on_leave`: people on leave are still employees."""

    min_tenure_days: int = 60
    leavers: LeaverRule = "exclude"
    include_probation: bool = False
    include_on_leave: bool = True

    def __post_init__(self) -> None:
        days = self.min_tenure_days
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ProrationError("rules_invalid", {"field": "min_tenure_days", "value": days})
        if self.leavers not in LEAVER_RULES:
            raise ProrationError("rules_invalid", {"field": "leavers", "value": self.leavers})
        for name in ("include_probation", "include_on_leave"):
            if not isinstance(getattr(self, name), bool):
                raise ProrationError("rules_invalid", {"field": name, "value": getattr(self, name)})


DEFAULT_RULES = EligibilityRules()


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a person is reviewed in a cycle. Included: "full_cycle", "joined_in_cycle", "leaver_pro_rata".
    Excluded: "not_yet_hired", "left_before_cycle", "leaver_excluded", "on_probation", "on_leave",
    "tenure_below_minimum". `params` always holds the dates, `days_in_cycle`, `cycle_days` and
    `min_tenure_days`, so the page can say why with the numbers."""

    included: bool
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


def eligible(*, hire_date: date, left_on: date | None, status: str, cycle_start: date, cycle_end: date,
             rules: EligibilityRules = DEFAULT_RULES) -> Decision:
    """Whether someone is reviewed in the cycle, and why. `left_on` is the last day worked (inclusive, as in
    org); someone who left on or after the cycle's last day is no leaver for this cycle. The rules are tried
    in this order and the first that excludes gives the code: outside the cycle (hired after it, left before
    it), leaver rule, probation, leave, minimum tenure (which only people not employed the whole cycle meet)."""
    _check_cycle(cycle_start, cycle_end)
    _check_date(hire_date, "hire_date")
    if left_on is not None:
        _check_date(left_on, "left_on")
        if left_on < hire_date:
            raise ProrationError("left_before_hire", {"hire_date": hire_date, "left_on": left_on})
    if status not in STATUSES:
        raise ProrationError("status_unknown", {"status": status})
    if status == "left" and left_on is None:
        raise ProrationError("left_without_date", {"hire_date": hire_date})

    cycle_days = days_between(cycle_start, cycle_end)
    employed_from = max(hire_date, cycle_start)
    employed_to = cycle_end if left_on is None else min(left_on, cycle_end)
    inside = employed_from <= employed_to
    days = days_between(employed_from, employed_to) if inside else 0
    params: dict[str, Any] = {
        "hire_date": hire_date, "left_on": left_on, "status": status,
        "employed_from": employed_from if inside else None, "employed_to": employed_to if inside else None,
        "days_in_cycle": days, "cycle_days": cycle_days, "min_tenure_days": rules.min_tenure_days,
    }

    def out(code: str) -> Decision:
        return Decision(False, code, params)

    if hire_date > cycle_end:
        return out("not_yet_hired")
    if left_on is not None and left_on < cycle_start:
        return out("left_before_cycle")
    leaver = left_on is not None and left_on < cycle_end
    if leaver and rules.leavers == "exclude":
        return out("leaver_excluded")
    if status == "probation" and not rules.include_probation:
        return out("on_probation")
    if status == "leave" and not rules.include_on_leave:
        return out("on_leave")
    if days < cycle_days and days < rules.min_tenure_days:
        return out("tenure_below_minimum")
    if leaver:
        return Decision(True, "leaver_pro_rata", params)
    return Decision(True, "joined_in_cycle" if hire_date > cycle_start else "full_cycle", params)
