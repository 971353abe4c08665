"""Grade schemes and their quotas (DESIGN.md C6, issue 7 item 1). Pure: standard library and decimal only.

A scheme lists up to 7 grades from best to worst, each with a score floor (strictly descending), a bonus
coefficient (绩效系数) and optionally an exact target share; quotas are ranges in percent over one grade
(S ≤ 10 %) or over a group of grades (S+A ≤ 30 %, C+D ≥ 10 %). A group is a run of neighbouring grades that
starts at the best grade or ends at the worst: "how many at A or better", "how many at C or worse". A middle
group (A+B) is refused: it would tie two boundaries together that no single cut controls, and the suggestion
(distribution.py) would lose its exact, fast solution. Department quotas replace the scheme's quota over the
same grades, add new ones, or lift one (a quota with neither bound), for a department of a given grade.

Counts: an upper bound rounds up, a lower bound rounds down (S ≤ 10 % of 19 = 1.9 → at most 2; C+D ≥ 10 % of
19 = 1.9 → at least 1). A scheme is accepted only when its quotas can all hold at once for some distribution in
percent (a *witness*); then for every group size N the rounded ranges can all hold at once too: scale the
witness's cumulative shares by N/100 and round each down. Every cut moves by less than one person, so each
count P_b − P_a moves by less than one from an exact count that lies in [low·N/100, high·N/100]; an integer
that is more than x − 1 is at least ⌊x⌋, one that is less than y + 1 is at most ⌈y⌉. In particular Σ lower
bounds ≤ N ≤ Σ upper bounds over the grades. The converse holds at N = 10 000 (every bound exact), so the
check refuses only schemes that really fail for some N. Errors carry a `code` and `params`, never text."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

MAX_GRADES = 7
PERCENT_PLACES = 2  # 33.33 %, like every weight in the product
HUNDRED = Decimal(100)
T = TypeVar("T", int, Decimal)


class DistributionError(ValueError):
    """Bad input: `code` says what ("not_a_number", "grade_code_invalid", "coefficient_negative",
    "percent_out_of_range", "percent_precision", "quota_empty", "quota_grade_invalid", "quota_grade_duplicate",
    "quota_low_above_high", "grades_count", "grade_invalid", "grade_duplicate", "floors_not_descending",
    "targets_incomplete", "targets_sum", "target_breaks_quota", "min_group_size_invalid", "quota_invalid",
    "quota_grade_unknown", "quota_grades_not_contiguous", "quota_group_not_anchored", "quota_duplicate",
    "quota_unbounded", "department_grade_invalid", "quotas_unsatisfiable", "shares_sum", "size_invalid",
    "person_invalid", "person_id_invalid", "person_duplicate", "total_not_number"), `params` the values involved."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(f"{code}: {self.params!r}")


def number(value: object, where: Mapping[str, Any]) -> Decimal:
    """A finite Decimal from a Decimal or an int; floats are refused (10.1 is not 10.1 in binary)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
        raise DistributionError("not_a_number", {**where, "value": value})
    return Decimal(value)


def _percent(value: object, where: Mapping[str, Any]) -> Decimal:
    share = number(value, where)
    if not 0 <= share <= HUNDRED:
        raise DistributionError("percent_out_of_range", {**where, "value": share})
    exponent = share.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > PERCENT_PLACES:
        raise DistributionError("percent_precision", {**where, "value": share})
    return share


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # frozen dataclasses normalise their fields in __post_init__


@dataclass(frozen=True, slots=True)
class Grade:
    """A grade: `code` ("S"), the lowest total that earns it (`floor`), the bonus coefficient, and an optional
    exact target share in percent (a forced distribution; all grades have one or none)."""

    code: str
    floor: Decimal
    coefficient: Decimal
    target: Decimal | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip() or self.code != self.code.strip():
            raise DistributionError("grade_code_invalid", {"grade": self.code})
        _set(self, "floor", number(self.floor, {"grade": self.code, "field": "floor"}))
        coefficient = number(self.coefficient, {"grade": self.code, "field": "coefficient"})
        if coefficient < 0:
            raise DistributionError("coefficient_negative", {"grade": self.code, "coefficient": coefficient})
        _set(self, "coefficient", coefficient)
        if self.target is not None:
            _set(self, "target", _percent(self.target, {"grade": self.code, "field": "target"}))


@dataclass(frozen=True, slots=True)
class Quota:
    """A range in percent on how many of a group get one of `grades`: `low` ≤ share ≤ `high`, either may be
    None. Both None lifts the scheme's quota on these grades (only in department quotas)."""

    grades: tuple[str, ...]
    low: Decimal | None = None
    high: Decimal | None = None

    def __post_init__(self) -> None:
        grades = (self.grades,) if isinstance(self.grades, str) else tuple(self.grades)
        if not grades:
            raise DistributionError("quota_empty")
        if any(not isinstance(code, str) or not code for code in grades):
            raise DistributionError("quota_grade_invalid", {"grades": grades})
        if len(set(grades)) != len(grades):
            raise DistributionError("quota_grade_duplicate", {"grades": grades})
        _set(self, "grades", grades)
        for name in ("low", "high"):
            if getattr(self, name) is not None:
                _set(self, name, _percent(getattr(self, name), {"quota": "+".join(grades), "field": name}))
        if self.low is not None and self.high is not None and self.low > self.high:
            raise DistributionError("quota_low_above_high", {"quota": self.label, "low": self.low, "high": self.high})

    @property
    def label(self) -> str:
        return "+".join(self.grades)

    @property
    def lifted(self) -> bool:
        return self.low is None and self.high is None


# ---- quotas as bounds on the cuts of a ranked list ------------------------------------------------------------
# Ranked best first, grade j (0-based) is positions cut[j] ≤ r < cut[j + 1]; cut[0] = 0 and cut[k] = the total.
# A one-grade quota bounds cut[j + 1] − cut[j] (a step); a group from the best grade bounds one cut from below
# and above (a box), a group ending at the worst grade bounds total − cut[first], which is a box too.


@dataclass(frozen=True, slots=True)
class Chain(Generic[T]):
    total: T
    box_low: tuple[T, ...]  # cut 0..k
    box_high: tuple[T, ...]
    step_low: tuple[T, ...]  # grade 0..k-1
    step_high: tuple[T, ...]


def make_chain(k: int, total: T, zero: T, limits: Iterable[tuple[int, int, T | None, T | None]]) -> Chain[T]:
    """`limits`: (first, last, low, high) per quota, grade indices inclusive, bounds already in `total`'s unit."""
    box_low, box_high = [zero] * (k + 1), [total] * (k + 1)
    box_high[0] = zero
    box_low[k] = total
    step_low, step_high = [zero] * k, [total] * k
    for first, last, low, high in limits:
        if first == last:
            lows, highs, at = step_low, step_high, first
        elif first == 0:
            lows, highs, at = box_low, box_high, last + 1
        else:  # ends at the worst grade: total − cut[first] in [low, high]
            lows, highs, at = box_low, box_high, first
            low, high = (None if high is None else total - high), (None if low is None else total - low)
        if low is not None:
            lows[at] = max(lows[at], low)
        if high is not None:
            highs[at] = min(highs[at], high)
    return Chain(total, tuple(box_low), tuple(box_high), tuple(step_low), tuple(step_high))


def reach(chain: Chain[T]) -> tuple[list[tuple[T, T]], int | None]:
    """The values each cut can take given the cuts before it (an interval: the chain is a path), and the first
    cut that can take none (None: every quota can hold at once)."""
    low, high = chain.box_low[0], chain.box_high[0]
    intervals = [(low, high)]
    for cut in range(1, len(chain.box_low)):
        low = max(low + chain.step_low[cut - 1], chain.box_low[cut])
        high = min(high + chain.step_high[cut - 1], chain.box_high[cut])
        if low > high:
            return intervals, cut
        intervals.append((low, high))
    return intervals, None


def floor_of(percent: Decimal, n: int) -> int:
    numerator, denominator = percent.as_integer_ratio()
    return (numerator * n) // (100 * denominator)


def ceil_of(percent: Decimal, n: int) -> int:
    numerator, denominator = percent.as_integer_ratio()
    return -((-numerator * n) // (100 * denominator))


@dataclass(frozen=True, slots=True)
class Bound:
    """A quota over a group of `size` people: grades `first`..`last` (indices), the rounded counts allowed."""

    quota: Quota
    first: int
    last: int
    size: int
    minimum: int | None
    maximum: int | None

    def broken_by(self, count: int) -> int:
        """How many people too many (> 0) or too few (< 0); 0 when the count is in range."""
        if self.maximum is not None and count > self.maximum:
            return count - self.maximum
        if self.minimum is not None and count < self.minimum:
            return count - self.minimum
        return 0


def apportion(shares: Sequence[Decimal], n: int) -> tuple[int, ...]:
    """n people split by exact shares in percent (adding up to 100) by largest remainder: each count is the
    exact share of n rounded down, and the people left over go one each to the largest remainders, ties to the
    earlier (better) grade. 33.3 / 33.4 / 33.3 % of 4 = 1.332 / 1.336 / 1.332 → 1 / 2 / 1."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise DistributionError("size_invalid", {"size": n})
    values = [_percent(share, {"field": "share"}) for share in shares]
    if sum(values, Decimal(0)) != HUNDRED:
        raise DistributionError("shares_sum", {"total": sum(values, Decimal(0))})
    ratios = [value.as_integer_ratio() for value in values]
    counts = [floor_of(value, n) for value in values]
    # remainder of share·n/100 as a fraction numerator·n mod (100·denominator) over 100·denominator; compared
    # exactly by cross-multiplying, through a common denominator
    common = math.lcm(*(denominator for _numerator, denominator in ratios))
    remainders = [(num * n * (common // den)) % (100 * common) for num, den in ratios]
    for index in sorted(range(len(values)), key=lambda i: (-remainders[i], i))[: n - sum(counts)]:
        counts[index] += 1
    return tuple(counts)


@dataclass(frozen=True, slots=True)
class Scheme:
    """Grades best → worst, quotas, the minimum group size below which quotas are guidance only, and the
    department quotas by department grade. Checked when built; grades in each quota put in the scheme's order."""

    grades: tuple[Grade, ...]
    quotas: tuple[Quota, ...] = ()
    min_group_size: int = 10
    department_quotas: Mapping[str, tuple[Quota, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        grades = tuple(self.grades)
        if not 1 <= len(grades) <= MAX_GRADES:
            raise DistributionError("grades_count", {"count": len(grades), "maximum": MAX_GRADES})
        for grade in grades:
            if not isinstance(grade, Grade):
                raise DistributionError("grade_invalid", {"value": grade})
        codes = [grade.code for grade in grades]
        for index, grade in enumerate(grades):
            if grade.code in codes[:index]:
                raise DistributionError("grade_duplicate", {"grade": grade.code})
            if index and grade.floor >= grades[index - 1].floor:
                raise DistributionError("floors_not_descending", {"grade": grade.code, "floor": grade.floor,
                                                                  "previous": grades[index - 1].floor})
        _set(self, "grades", grades)
        targets = [grade.target for grade in grades if grade.target is not None]
        if targets:
            if len(targets) != len(grades):
                raise DistributionError("targets_incomplete", {"grades": [g.code for g in grades if g.target is None]})
            if sum(targets, Decimal(0)) != HUNDRED:
                raise DistributionError("targets_sum", {"total": sum(targets, Decimal(0))})
        size = self.min_group_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise DistributionError("min_group_size_invalid", {"value": size})
        _set(self, "quotas", self._checked(self.quotas, None))
        departments: dict[str, tuple[Quota, ...]] = {}
        for department_grade, quotas in dict(self.department_quotas).items():
            if not isinstance(department_grade, str) or not department_grade.strip():
                raise DistributionError("department_grade_invalid", {"department_grade": department_grade})
            departments[department_grade] = self._checked(quotas, department_grade)
        _set(self, "department_quotas", departments)
        self.witness()
        for department_grade in departments:
            self.witness(department_grade)
        if grades[0].target is not None:
            self._check_targets()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(grade.code for grade in self.grades)

    def _checked(self, quotas: Iterable[Quota], department_grade: str | None) -> tuple[Quota, ...]:
        codes = self.codes
        checked: list[Quota] = []
        for quota in tuple(quotas):
            if not isinstance(quota, Quota):
                raise DistributionError("quota_invalid", {"value": quota, "department_grade": department_grade})
            where = {"quota": quota.label, "department_grade": department_grade}
            unknown = [code for code in quota.grades if code not in codes]
            if unknown:
                raise DistributionError("quota_grade_unknown", {**where, "grades": unknown})
            indices = sorted(codes.index(code) for code in quota.grades)
            if indices[-1] - indices[0] + 1 != len(indices):
                raise DistributionError("quota_grades_not_contiguous", where)
            if len(indices) > 1 and indices[0] != 0 and indices[-1] != len(codes) - 1:
                raise DistributionError("quota_group_not_anchored", where)
            if quota.lifted and department_grade is None:
                raise DistributionError("quota_unbounded", where)
            ordered = Quota(tuple(codes[i] for i in indices), quota.low, quota.high)
            if any(other.grades == ordered.grades for other in checked):
                raise DistributionError("quota_duplicate", {**where, "quota": ordered.label})
            checked.append(ordered)
        return tuple(checked)

    def quotas_for(self, department_grade: str | None = None) -> tuple[Quota, ...]:
        """The quotas in force: the scheme's, with the department grade's replacing those over the same grades,
        added after them, and lifted where the department's quota has no bound."""
        own = self.department_quotas.get(department_grade) if department_grade is not None else None
        if own is None:
            return self.quotas
        replaced = {quota.grades: quota for quota in own}
        merged = [replaced.pop(quota.grades, quota) for quota in self.quotas]
        merged += [quota for quota in own if quota.grades in replaced]
        return tuple(quota for quota in merged if not quota.lifted)

    def applies_department(self, department_grade: str | None) -> bool:
        return department_grade is not None and department_grade in self.department_quotas

    def limits(self, quotas: Iterable[Quota]) -> list[tuple[int, int, Quota]]:
        codes = self.codes
        return [(codes.index(q.grades[0]), codes.index(q.grades[-1]), q) for q in quotas]

    def bounds(self, n: int, department_grade: str | None = None) -> tuple[Bound, ...]:
        """The quotas in force for a group of n people, each rounded outward to counts."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise DistributionError("size_invalid", {"size": n})
        return tuple(Bound(q, first, last, n, None if q.low is None else floor_of(q.low, n),
                           None if q.high is None else ceil_of(q.high, n))
                     for first, last, q in self.limits(self.quotas_for(department_grade)))

    def witness(self, department_grade: str | None = None) -> tuple[Decimal, ...]:
        """A share per grade in percent (adding up to 100) under which every quota in force holds exactly;
        raises "quotas_unsatisfiable" when there is none. Each cut as high as it can be, from the worst grade up."""
        limits = [(first, last, q.low, q.high) for first, last, q in self.limits(self.quotas_for(department_grade))]
        chain = make_chain(len(self.grades), HUNDRED, Decimal(0), limits)
        intervals, failed = reach(chain)
        if failed is not None:
            raise DistributionError("quotas_unsatisfiable", {"department_grade": department_grade,
                                                             "grade": self.codes[failed - 1]})
        cuts = [HUNDRED]
        for cut in range(len(self.grades) - 1, 0, -1):  # back from the end: the highest cut the next one allows
            cuts.append(min(intervals[cut][1], cuts[-1] - chain.step_low[cut]))
        cuts.append(Decimal(0))
        cuts.reverse()
        return tuple(cuts[j + 1] - cuts[j] for j in range(len(self.grades)))

    def _check_targets(self) -> None:
        shares = [grade.target or Decimal(0) for grade in self.grades]
        for first, last, quota in self.limits(self.quotas):
            share = sum(shares[first:last + 1], Decimal(0))
            if (quota.low is not None and share < quota.low) or (quota.high is not None and share > quota.high):
                raise DistributionError("target_breaks_quota", {"quota": quota.label, "share": share,
                                                                "low": quota.low, "high": quota.high})
