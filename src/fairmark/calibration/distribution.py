"""Suggested grades within a calibration group (DESIGN.md C6, issue 7 item 2). Pure: standard library only.

    result = suggest([Person(7, Decimal("93.50")), Person(8, Decimal("88")), Person(9, None)], DEFAULT_SCHEME)
    [(p.id, p.floor_grade, p.grade) for p in result.placements]   # [(7, 'S', 'S'), (8, 'A', 'A'), (9, None, None)]

The people with a total are ranked by total, highest first (equal totals by id, which only matters where a
tie has to be split); people without a total get no grade and are listed in a flag. Each person's *floor
grade* is the best grade whose floor the total reaches (the worst grade below every floor). With the grades
in rank order the whole assignment is k − 1 *cuts*: grade j is the people ranked cut[j] ≤ r < cut[j+1]. The
floor grades give the floor cuts, and every quota bounds one cut or the distance between two neighbouring
cuts (distribution_quota.py), with counts rounded outward for the group's size N.

When N is at least the scheme's minimum group size, the suggestion is the set of cuts that satisfies every
quota and, in this order of priority,
1. splits the fewest ties: a cut between two people with the same total is a split, so people with equal
   totals keep the same grade unless no distribution that holds every quota allows it;
2. moves the fewest people: Σ over the cuts of |cut − floor cut|, which is Σ over the people of the grade
   boundaries each one crosses (a person moved from S to B counts 2);
3. among equals, puts each cut as far down the ranking as it can, first cut first: the better grade wins.
Found exactly by dynamic programming over the cuts (the quotas chain only neighbouring cuts): for each cut and
each position the least cost of the cuts after it, a sliding-window minimum per cut, O(k·N). A distribution
holding every quota always exists for a valid scheme (distribution_quota.py), so the result holds every quota;
a too-full grade loses its lowest-ranked people to the grade below and a too-empty lower-bounded group takes
the lowest-ranked people of the grade above, because that is what moving a cut does. A split tie is flagged
(its total, its people, the grades they got, the quotas at that boundary) and split by id, lower id above;
when keeping ties together cost extra moves the flag "ties_kept" says how many. Below the minimum size the
floor grades stand, and every broken quota is flagged with by how many. Same people in any order, same result."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .distribution_quota import (
    Bound,
    Chain,
    DistributionError,
    Grade,
    Quota,
    Scheme,
    apportion,
    make_chain,
    number,
)

__all__ = [
    "DEFAULT_SCHEME", "Bound", "DistributionError", "Grade", "GradeCount", "Note", "Person", "Placement", "Quota",
    "QuotaCount", "Scheme", "Suggestion", "apportion", "suggest",
]

PersonId = str | int
INF = 1 << 62  # "impossible" in the cost tables: more than any count of splits and moves

DEFAULT_SCHEME = Scheme(
    grades=(Grade("S", Decimal(90), Decimal("1.5")), Grade("A", Decimal(80), Decimal("1.2")),
            Grade("B", Decimal(70), Decimal("1.0")), Grade("C", Decimal(60), Decimal("0.8")),
            Grade("D", Decimal(0), Decimal(0))),
    quotas=(Quota(("S",), high=Decimal(10)), Quota(("S", "A"), high=Decimal(30)), Quota(("C", "D"), low=Decimal(10))),
    min_group_size=10,
)


def _id_key(person_id: PersonId) -> tuple[int, int, str]:
    return (0, person_id, "") if isinstance(person_id, int) else (1, 0, person_id)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in the calibration group: an id (int or non-empty str) and the total, None when there is none."""

    id: PersonId
    total: Decimal | None = None

    def __post_init__(self) -> None:
        if isinstance(self.id, bool) or not (isinstance(self.id, int) or (isinstance(self.id, str) and self.id)):
            raise DistributionError("person_id_invalid", {"id": self.id})
        if self.total is not None:
            try:
                object.__setattr__(self, "total", number(self.total, {"id": self.id}))
            except DistributionError as exc:
                raise DistributionError("total_not_number", exc.params) from None


@dataclass(frozen=True, slots=True)
class Note:
    """A flag, a reason or a derivation line: a `code` and its `params`; the words are the Django layer's."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Placement:
    """A person's rank (1 = best; equal totals share a rank), floor grade, suggested grade and its coefficient,
    why the two differ ("moved_down" / "moved_up": from, to, the quotas), and whether a tie was split there."""

    id: PersonId
    total: Decimal | None
    rank: int | None
    floor_grade: str | None
    grade: str | None
    coefficient: Decimal | None
    move: Note | None = None
    tie_split: bool = False


@dataclass(frozen=True, slots=True)
class GradeCount:
    """People per grade at the floor and suggested; the grade's own quota as counts; the target count."""

    grade: str
    coefficient: Decimal
    floor_count: int
    count: int
    minimum: int | None
    maximum: int | None
    target: int | None


@dataclass(frozen=True, slots=True)
class QuotaCount:
    """A quota in force, its counts, and `broken_by`: people too many (> 0) or too few (< 0), 0 when it holds."""

    quota: Quota
    minimum: int | None
    maximum: int | None
    floor_count: int
    count: int
    broken_by: int

    @property
    def holds(self) -> bool:
        return self.broken_by == 0


@dataclass(frozen=True, slots=True)
class Suggestion:
    size: int  # people with a total: the N of the quotas
    enforced: bool  # size ≥ the minimum group size: quotas applied, not guidance
    department_grade: str | None  # the department grade whose quotas applied; None: the scheme's own
    placements: tuple[Placement, ...]  # ranked, then the people without a total by id
    grades: tuple[GradeCount, ...]
    quotas: tuple[QuotaCount, ...]
    flags: tuple[Note, ...]
    derivation: tuple[Note, ...]
    moves: int  # grade boundaries crossed, over all people

    @property
    def ungraded(self) -> tuple[PersonId, ...]:
        return tuple(p.id for p in self.placements if p.total is None)

    @property
    def broken(self) -> tuple[QuotaCount, ...]:
        return tuple(q for q in self.quotas if not q.holds)

    def placement(self, person_id: PersonId) -> Placement:
        return next(p for p in self.placements if p.id == person_id)


def _window_min(values: Sequence[int], low: int, high: int) -> list[int]:
    """out[q] = min(values[q + low .. q + high]) within the list, INF when that is empty (a monotone deque)."""
    size = len(values)
    out = [INF] * size
    window: deque[int] = deque()
    pushed = 0
    for q in range(size):
        while pushed <= min(q + high, size - 1):
            while window and values[window[-1]] >= values[pushed]:
                window.pop()
            window.append(pushed)
            pushed += 1
        while window and window[0] < q + low:
            window.popleft()
        if window:
            out[q] = values[window[0]]
    return out


def _solve(chain: Chain[int], floor_cuts: Sequence[int], at_edge: Sequence[bool], split_cost: int) -> list[int]:
    """The cuts holding every bound of `chain` at least cost: split_cost per cut inside a tie, 1 per move."""
    k, n = len(chain.step_low), chain.total
    tables: list[list[int]] = [[] for _ in range(k + 1)]
    tables[k] = [0 if p == n else INF for p in range(n + 1)]
    for cut in range(k - 1, 0, -1):  # tables[cut][p]: least cost of this cut at p and every cut after it
        after = _window_min(tables[cut + 1], chain.step_low[cut], chain.step_high[cut])
        low, high = chain.box_low[cut], chain.box_high[cut]
        tables[cut] = [INF if not low <= p <= high or after[p] >= INF
                       else after[p] + abs(p - floor_cuts[cut]) + (0 if at_edge[p] else split_cost)
                       for p in range(n + 1)]
    cuts = [0]
    for cut in range(1, k + 1):
        low = max(cuts[-1] + chain.step_low[cut - 1], chain.box_low[cut])
        high = min(cuts[-1] + chain.step_high[cut - 1], chain.box_high[cut], n)
        best = max(range(low, high + 1), key=lambda p: (-tables[cut][p], p), default=None)
        if best is None or tables[cut][best] >= INF:  # a valid scheme never gets here (distribution_quota.py)
            raise DistributionError("quotas_unsatisfiable", {"size": n, "grade_index": cut - 1})
        cuts.append(best)
    return cuts


def _floor_grade(scheme: Scheme, total: Decimal) -> int:
    return next((i for i, grade in enumerate(scheme.grades) if total >= grade.floor), len(scheme.grades) - 1)


def _touches(bound: Bound, cut: int, k: int) -> bool:
    return (cut == bound.first or cut == bound.last + 1) and 0 < cut < k


def suggest(people: Iterable[Person], scheme: Scheme, *, department_grade: str | None = None) -> Suggestion:
    """Suggested grades for a calibration group under the scheme's quotas (the department grade's, when the
    scheme has quotas for it); see the module's docstring for the rule."""
    people = list(people)
    seen: set[PersonId] = set()
    for person in people:
        if not isinstance(person, Person):
            raise DistributionError("person_invalid", {"value": person})
        if person.id in seen:
            raise DistributionError("person_duplicate", {"id": person.id})
        seen.add(person.id)
    ranked = sorted((p for p in people if p.total is not None), key=lambda p: (-(p.total or 0), _id_key(p.id)))
    unranked = sorted((p for p in people if p.total is None), key=lambda p: _id_key(p.id))
    totals = [p.total or Decimal(0) for p in ranked]
    codes, k, n = scheme.codes, len(scheme.grades), len(ranked)
    floors = [_floor_grade(scheme, total) for total in totals]
    floor_cuts = [sum(1 for g in floors if g < cut) for cut in range(k + 1)]
    at_edge = [p in (0, n) or totals[p - 1] != totals[p] for p in range(n + 1)]
    bounds = scheme.bounds(n, department_grade)
    enforced = n >= scheme.min_group_size
    cuts, blind = floor_cuts, floor_cuts
    if enforced:
        chain = make_chain(k, n, 0, [(b.first, b.last, b.minimum, b.maximum) for b in bounds])
        cuts = _solve(chain, floor_cuts, at_edge, k * n + 1)
        blind = _solve(chain, floor_cuts, at_edge, 0)
    grades = [g for g in range(k) for _ in range(cuts[g + 1] - cuts[g])]

    def moved(cut_list: Sequence[int]) -> int:
        return sum(abs(cut_list[c] - floor_cuts[c]) for c in range(1, k))

    def count(cut_list: Sequence[int], bound: Bound) -> int:
        return cut_list[bound.last + 1] - cut_list[bound.first]

    quota_counts = tuple(QuotaCount(b.quota, b.minimum, b.maximum, count(floor_cuts, b), count(cuts, b),
                                    b.broken_by(count(cuts, b))) for b in bounds)
    split_cuts = [c for c in range(1, k) if not at_edge[cuts[c]]]
    flags: list[Note] = []
    split_people: set[int] = set()
    for cut in split_cuts:
        start, end = cuts[cut], cuts[cut]
        while start > 0 and totals[start - 1] == totals[cuts[cut]]:
            start -= 1
        while end < n and totals[end] == totals[cuts[cut]]:
            end += 1
        if start in split_people:
            continue
        split_people.update(range(start, end))
        block_cuts = [c for c in split_cuts if start < cuts[c] < end]
        flags.append(Note("tie_split", {
            "total": totals[start], "people": [ranked[r].id for r in range(start, end)],
            "grades": {codes[g]: [ranked[r].id for r in range(start, end) if grades[r] == g]
                       for g in sorted({grades[r] for r in range(start, end)})},
            "quotas": [b.quota.label for b in bounds if any(_touches(b, c, k) for c in block_cuts)]}))
    if moved(cuts) > moved(blind):
        flags.append(Note("ties_kept", {"moves": moved(cuts), "moves_if_ties_split": moved(blind)}))
    if not enforced:
        flags.append(Note("below_minimum_size", {"size": n, "minimum": scheme.min_group_size,
                                                 "broken": [q.quota.label for q in quota_counts if not q.holds]}))
        flags += [Note("quota_broken", {"quota": q.quota.label, "count": q.count, "minimum": q.minimum,
                                        "maximum": q.maximum, "broken_by": q.broken_by})
                  for q in quota_counts if not q.holds]
    if unranked:
        flags.append(Note("no_total", {"people": [p.id for p in unranked]}))

    def reason(floor: int, grade: int) -> Note | None:
        if floor == grade:
            return None
        crossed = range(floor + 1, grade + 1) if grade > floor else range(grade + 1, floor + 1)
        touching = [(b, q) for b, q in zip(bounds, quota_counts, strict=True)
                    if any(_touches(b, c, k) for c in crossed)]
        why = ([b for b, _q in touching if b.broken_by(count(floor_cuts, b))]
               or [b for b, q in touching if q.count in (b.minimum, b.maximum)] or [b for b, _q in touching])
        return Note("moved_down" if grade > floor else "moved_up",
                    {"from": codes[floor], "to": codes[grade], "quotas": [b.quota.label for b in why]})

    placements: list[Placement] = []
    for r, person in enumerate(ranked):
        rank = r + 1 if r == 0 or totals[r - 1] != totals[r] else placements[-1].rank
        placements.append(Placement(person.id, person.total, rank, codes[floors[r]], codes[grades[r]],
                                    scheme.grades[grades[r]].coefficient, reason(floors[r], grades[r]),
                                    r in split_people))
    placements += [Placement(p.id, None, None, None, None, None) for p in unranked]

    single = {b.first: b for b in bounds if b.first == b.last}
    targets = (apportion([g.target or Decimal(0) for g in scheme.grades], n)
               if scheme.grades[0].target is not None else None)
    grade_counts = tuple(GradeCount(
        code, scheme.grades[g].coefficient, floor_cuts[g + 1] - floor_cuts[g], cuts[g + 1] - cuts[g],
        single[g].minimum if g in single else None, single[g].maximum if g in single else None,
        None if targets is None else targets[g]) for g, code in enumerate(codes))

    applied = department_grade if scheme.applies_department(department_grade) else None
    derivation = [Note("group", {"size": n, "ungraded": len(unranked), "minimum_size": scheme.min_group_size,
                                 "enforced": enforced, "department_grade": applied})]
    derivation += [Note("bound", {
        "quota": b.quota.label, "size": n, "low": b.quota.low, "high": b.quota.high,
        "exact_low": None if b.quota.low is None else (b.quota.low * n).scaleb(-2),
        "exact_high": None if b.quota.high is None else (b.quota.high * n).scaleb(-2),
        "minimum": b.minimum, "maximum": b.maximum}) for b in bounds]
    derivation += [Note("floor", {"grade": c.grade, "floor": scheme.grades[g].floor, "count": c.floor_count})
                   for g, c in enumerate(grade_counts)]
    if targets is not None:
        derivation += [Note("target", {"grade": c.grade, "share": scheme.grades[g].target, "count": c.target,
                                       "exact": ((scheme.grades[g].target or Decimal(0)) * n).scaleb(-2)})
                       for g, c in enumerate(grade_counts)]
    if enforced:
        derivation += [Note("cut", {"above": codes[c - 1], "below": codes[c], "floor_position": floor_cuts[c],
                                    "position": cuts[c], "moved": cuts[c] - floor_cuts[c],
                                    "tie_split": c in split_cuts}) for c in range(1, k)]
    derivation += [Note("quota", {"quota": q.quota.label, "floor_count": q.floor_count, "count": q.count,
                                  "minimum": q.minimum, "maximum": q.maximum, "broken_by": q.broken_by})
                   for q in quota_counts]
    derivation.append(Note("result", {"moves": moved(cuts), "tie_splits": len(split_cuts), "enforced": enforced}))
    return Suggestion(n, enforced, applied, tuple(placements), grade_counts, quota_counts, tuple(flags),
                      tuple(derivation), moved(cuts))
