"""Rater leniency and the optional z-score normalisation of rated items (DESIGN.md C6, issue 7 item 3). Pure:
standard library only, no Django; formulas, thresholds and worked figures in docs/calibration.md.

    ratings = [Rating("wang", "e1", Decimal("95.00"), "teamwork"), Rating("li", "e2", Decimal("71.50"), ...), ...]
    report = leniency(ratings)              # per manager: mean, spread, difference to the org, flag, rank
    result = normalise(ratings, k=5)        # per rating: before → after, the manager's shrunk mean and spread

A rating is a score on 0–100 with at most two decimals, given by a rater (the ratee's manager) to a ratee,
optionally for an item. The caller passes *rated* items only: KPI items computed from data are never normalised.
`normalise` treats each item as its own scale (item None is one scale too): the caller passes each rated item's
score per person, attributed to the person's manager, and recomputes the weighted total from the results.
`leniency` pools everything it is given; pass one item's ratings for that item's ranking.

Statistics are population ones (÷ n), so one rating has a spread of 0. Means and variances are exact rationals;
a spread is a square root, and every number shown is rounded once, to 0.01 half away from zero (ROUND_HALF_UP),
from the exact value (`_round` decides ties exactly, never from a float). Derivation lines carry 4 decimals
(more when 4 would round to another 0.01 than the exact value), so a calculator redoes each step. Bad input
raises NormalisationError with a `code` and `params`; the words are the Django layer's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Any, Literal

Id = int | str
Flag = Literal["lenient", "harsh", "in_line"]
DEFAULT_K = Decimal(5)  # pseudo-ratings of the org's mean and variance added to every manager's own
DEFAULT_THRESHOLD = Decimal("0.5")  # |difference| ≥ 0.5 × the org's standard deviation flags a manager
SHOWN_PLACES, LINE_PLACES = 2, 4  # results and summaries to 0.01; derivation figures to 0.0001 (or more)
_CONTEXT = Context(prec=50)  # for the first guess only; `_round` checks the guess exactly
_ZERO, _ONE = Fraction(0), Fraction(1)
_EPSILON, _POINT_5, _CENT = Decimal("1e-30"), Decimal("0.5"), Decimal("0.01")


class NormalisationError(ValueError):
    """Bad input: `code` ("not_a_rating", "id_invalid", "score_not_number", "score_out_of_range", "score_precision",
    "duplicate_rating", "org_empty", "item_not_in_org", "k_invalid", "threshold_invalid") and `params`."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(f"{code}: {self.params!r}")


def _id_key(value: Id | None) -> tuple[int, int, str]:
    """A total order over ids of either type (ints before strings, no item first): ties break by id."""
    if value is None:
        return (0, 0, "")
    return (1, value, "") if isinstance(value, int) else (2, 0, value)


def _check_id(value: object, name: str, *, optional: bool = False) -> None:
    if (value is None and optional) or (isinstance(value, int | str) and not isinstance(value, bool)):
        return
    raise NormalisationError("id_invalid", {"field": name, "value": value})


def _hundredths(value: object) -> int:
    """A 0–100 score in hundredths, exactly: floats are refused (80.1 is not 80.1 in binary), and so are more
    than two decimals (rated scores come rounded to 0.01; rounding here would be silent)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
        raise NormalisationError("score_not_number", {"value": value})
    numerator, denominator = Decimal(value).as_integer_ratio()
    if not 0 <= numerator <= 100 * denominator:
        raise NormalisationError("score_out_of_range", {"score": value})
    if 100 % denominator:
        raise NormalisationError("score_precision", {"score": value})
    return numerator * (100 // denominator)


@dataclass(frozen=True, slots=True)
class Rating:
    """One score on 0–100 (≤ 2 decimals) that `rater` gave `ratee`, for `item` (None: no item)."""

    rater: Id
    ratee: Id
    score: Decimal
    item: Id | None = None

    def __post_init__(self) -> None:
        _check_id(self.rater, "rater")
        _check_id(self.ratee, "ratee")
        _check_id(self.item, "item", optional=True)
        _hundredths(self.score)


@dataclass(frozen=True, slots=True)
class Line:
    """A derivation line for the page: a `code`, its `params` and the number it arrives at."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    value: Decimal | None = None


def _ge(a: Fraction, b: Fraction, q: Fraction, c: Fraction) -> bool:
    """a + b·√q ≥ c, exactly (q ≥ 0), by comparing squares."""
    c -= a
    if b >= 0:
        return c <= 0 or b * b * q >= c * c
    return c <= 0 and b * b * q <= c * c


def _dec(value: Fraction) -> Decimal:
    return _CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))


def _round(a: Fraction, b: Fraction = _ZERO, q: Fraction = _ZERO, places: int = SHOWN_PLACES,
           guess: Decimal | None = None) -> Decimal:
    """a + b·√q rounded to `places`, half away from zero. A 50-digit guess (the caller's, or made here), checked
    and mended exactly when it falls within 10^-30 of zero or of a half: a rational √q can land exactly on one
    (√0.000025 = 0.005)."""
    if guess is None:
        guess = _CONTEXT.add(_dec(a), _CONTEXT.multiply(_dec(b), _CONTEXT.sqrt(_dec(q))))
    if guess < 0 if guess.copy_abs() > _EPSILON else not _ge(a, b, q, _ZERO):
        result = _round(-a, -b, q, places, guess.copy_negate())
        return result.copy_negate() if result else result
    scale = 10**places
    scaled = guess.scaleb(places, context=_CONTEXT)
    n = int(scaled.to_integral_value(ROUND_HALF_UP))
    if _CONTEXT.subtract(_CONTEXT.subtract(scaled, n).copy_abs(), _POINT_5).copy_abs() < _EPSILON:
        while n > 0 and not _ge(a, b, q, Fraction(2 * n - 1, 2 * scale)):
            n -= 1
        while _ge(a, b, q, Fraction(2 * n + 1, 2 * scale)):
            n += 1
    return Decimal(f"{n}E-{places}")


@dataclass(slots=True)
class _Sums:
    """Running sums in hundredths: count, Σx, Σx², and the distinct ratees."""

    n: int = 0
    s1: int = 0
    s2: int = 0
    ratees: set[Id] = field(default_factory=set)

    def add(self, units: int, ratee: Id) -> None:
        self.n, self.s1, self.s2 = self.n + 1, self.s1 + units, self.s2 + units * units
        self.ratees.add(ratee)

    @property
    def mean(self) -> Fraction:
        return Fraction(self.s1, 100 * self.n)

    @property
    def var(self) -> Fraction:
        return Fraction(self.n * self.s2 - self.s1 * self.s1, 10_000 * self.n * self.n)


def _ratings(ratings: Iterable[Rating], name: str) -> list[Rating]:
    rows, seen = list(ratings), set()
    for row in rows:
        if not isinstance(row, Rating):
            raise NormalisationError("not_a_rating", {"field": name, "value": row})
        key = (row.item, row.rater, row.ratee)
        if key in seen:
            raise NormalisationError("duplicate_rating", {"field": name, "item": row.item, "rater": row.rater,
                                                          "ratee": row.ratee})
        seen.add(key)
    return rows


def _positive(value: object, code: str, *, zero: bool) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
        raise NormalisationError(code, {"value": value})
    number = Fraction(*Decimal(value).as_integer_ratio())
    if number < 0 or (number == 0 and not zero) or number > 10_000:
        raise NormalisationError(code, {"value": value})
    return number


@dataclass(frozen=True, slots=True)
class Baseline:
    """The org's ratings of one scale (`item`; None: pooled or no items): count, mean, sd (None if no rating)."""

    item: Id | None
    count: int
    mean: Decimal | None
    sd: Decimal | None


def _baseline(item: Id | None, sums: _Sums) -> Baseline:
    if not sums.n:
        return Baseline(item, 0, None, None)
    return Baseline(item, sums.n, _round(sums.mean), _round(_ZERO, _ONE, sums.var))


@dataclass(frozen=True, slots=True)
class ManagerLeniency:
    """One manager's ratings against the org's: `difference` = mean − org mean, `standardised` = difference ÷
    org sd (None when the org's ratings have no spread), `flag` by the threshold. `rank` 1 = most lenient."""

    rater: Id
    rank: int
    count: int
    ratees: int
    mean: Decimal
    sd: Decimal
    difference: Decimal
    standardised: Decimal | None
    flag: Flag


@dataclass(frozen=True, slots=True)
class LeniencyReport:
    """The org's pooled baseline and the managers, most lenient first (ties by rater id)."""

    baseline: Baseline
    threshold: Decimal
    managers: tuple[ManagerLeniency, ...]

    def named(self, flag: Flag) -> tuple[Id, ...]:
        return tuple(m.rater for m in self.managers if m.flag == flag)


def leniency(ratings: Iterable[Rating], *, org: Iterable[Rating] | None = None,
             threshold: Decimal | int = DEFAULT_THRESHOLD) -> LeniencyReport:
    """Each rater's count, mean and sd against the org's pooled ratings (`org`; None: `ratings` themselves).
    A manager is "lenient" when difference ≥ threshold × org sd, "harsh" when ≤ −threshold × org sd, else
    "in_line"; with an org sd of 0 the sign of the difference decides."""
    t = _positive(threshold, "threshold_invalid", zero=False)
    rows = _ratings(ratings, "ratings")
    org_sums = _Sums()
    for row in rows if org is None else _ratings(org, "org"):
        org_sums.add(_hundredths(row.score), row.ratee)
    by_rater: dict[Id, _Sums] = {}
    for row in rows:
        by_rater.setdefault(row.rater, _Sums()).add(_hundredths(row.score), row.ratee)
    if not by_rater:
        return LeniencyReport(_baseline(None, org_sums), Decimal(threshold), ())
    if not org_sums.n:
        raise NormalisationError("org_empty", {"ratings": len(rows)})
    big_m, big_v = org_sums.mean, org_sums.var
    order = sorted(by_rater, key=lambda r: (-(by_rater[r].mean - big_m), _id_key(r)))
    managers = []
    for rank, rater in enumerate(order, start=1):
        sums = by_rater[rater]
        d = sums.mean - big_m
        flag: Flag
        if big_v:
            standardised = _round(_ZERO, d, 1 / big_v)
            flag = ("lenient" if _ge(_ZERO, -t, big_v, -d) else "harsh" if _ge(_ZERO, -t, big_v, d)
                    else "in_line")
        else:
            standardised, flag = None, "lenient" if d > 0 else "harsh" if d < 0 else "in_line"
        managers.append(ManagerLeniency(rater, rank, sums.n, len(sums.ratees), _round(sums.mean),
                                        _round(_ZERO, _ONE, sums.var), _round(d), standardised, flag))
    return LeniencyReport(_baseline(None, org_sums), Decimal(threshold), tuple(managers))


@dataclass(frozen=True, slots=True)
class ManagerShrinkage:
    """A manager's ratings of one item: own mean and sd, and both shrunk towards the org's by `weight` =
    n ÷ (n + k), the share of the manager's own figures in the shrunk ones."""

    item: Id | None
    rater: Id
    count: int
    mean: Decimal
    sd: Decimal
    weight: Decimal
    shrunk_mean: Decimal
    shrunk_sd: Decimal


@dataclass(frozen=True, slots=True)
class Normalised:
    """One rating before and after. `code`: "adjusted" (the formula applied, maybe clamped: see the lines),
    "org_no_spread" (the org's ratings of the item all equal: nothing to scale by, left as is) or "no_spread"
    (k = 0 and the manager gives one score: left as is)."""

    item: Id | None
    rater: Id
    ratee: Id
    before: Decimal
    after: Decimal
    code: str
    shrunk_mean: Decimal
    shrunk_sd: Decimal
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Normalisation:
    """Everything sorted by (item, rater, ratee) ids: results do not depend on the input's order."""

    k: Decimal
    baselines: tuple[Baseline, ...]
    managers: tuple[ManagerShrinkage, ...]
    results: tuple[Normalised, ...]


def normalise(ratings: Iterable[Rating], *, org: Iterable[Rating] | None = None,
              k: Decimal | int = DEFAULT_K) -> Normalisation:
    """Each rating x re-expressed as M + S × (x − m̂) ÷ ŝ, clamped to 0–100, where M, S are the org's mean and sd
    for the item (`org`; None: `ratings` themselves) and, with the manager's n ratings of mean m and variance v,
    m̂ = (n·m + k·M) ÷ (n + k) and ŝ² = (n·v + k·S²) ÷ (n + k): a small team barely moves, a large one almost
    fully. ŝ > 0 whenever S > 0 and k > 0, so a manager who gives everyone the same score is handled."""
    kf = _positive(k, "k_invalid", zero=True)
    rows = _ratings(ratings, "ratings")
    org_sums: dict[Id | None, _Sums] = {}
    for row in rows if org is None else _ratings(org, "org"):
        org_sums.setdefault(row.item, _Sums()).add(_hundredths(row.score), row.ratee)
    groups: dict[tuple[Id | None, Id], list[Rating]] = {}
    for row in rows:
        if row.item not in org_sums:
            raise NormalisationError("item_not_in_org", {"item": row.item})
        groups.setdefault((row.item, row.rater), []).append(row)
    managers, results = [], []
    for item, rater in sorted(groups, key=lambda g: (_id_key(g[0]), _id_key(g[1]))):
        group = sorted(groups[(item, rater)], key=lambda r: _id_key(r.ratee))
        shrink, adjusted = _manager(item, rater, group, org_sums[item], kf, Decimal(k))
        managers.append(shrink)
        results += adjusted
    baselines = tuple(_baseline(item, org_sums[item]) for item in sorted(org_sums, key=_id_key))
    return Normalisation(Decimal(k), baselines, tuple(managers), tuple(results))


def _manager(item: Id | None, rater: Id, group: list[Rating], org: _Sums, kf: Fraction, k: Decimal
             ) -> tuple[ManagerShrinkage, list[Normalised]]:
    units = [_hundredths(row.score) for row in group]
    sums = _Sums(len(units), sum(units), sum(u * u for u in units))
    big_m, big_v, n = org.mean, org.var, sums.n
    m_hat = (n * sums.mean + kf * big_m) / (n + kf)
    v_hat = (n * sums.var + kf * big_v) / (n + kf)
    org_mean, org_sd = _round(big_m, places=LINE_PLACES), _round(_ZERO, _ONE, big_v, LINE_PLACES)
    m4, s4 = _round(m_hat, places=LINE_PLACES), _round(_ZERO, _ONE, v_hat, LINE_PLACES)
    head = (Line("shrunk_mean", {"count": n, "k": k, "mean": _round(sums.mean, places=LINE_PLACES),
                                 "org_mean": org_mean}, m4),
            Line("shrunk_sd", {"count": n, "k": k, "sd": _round(_ZERO, _ONE, sums.var, LINE_PLACES),
                               "org_sd": org_sd}, s4))
    shrink = ManagerShrinkage(item, rater, n, _round(sums.mean), _round(_ZERO, _ONE, sums.var),
                              _round(Fraction(n) / (n + kf), places=LINE_PLACES), _round(m_hat),
                              _round(_ZERO, _ONE, v_hat))
    ratio = big_v / v_hat if big_v and v_hat else _ZERO
    root, m_dec, m_hat_dec = _CONTEXT.sqrt(_dec(ratio)), _dec(big_m), _dec(m_hat)
    results = []
    for row, u in zip(group, units, strict=True):
        before = Decimal(f"{u}E-2")
        lines: tuple[Line, ...]
        if not big_v or not v_hat:  # nothing to scale by (or to divide by): the rating stays as it is
            code = "org_no_spread" if not big_v else "no_spread"
            after = exact = before
            lines = (Line(code, {"before": before, "org_count": org.n}, before),)
        else:
            code, b = "adjusted", Fraction(u, 100) - m_hat
            guess = _CONTEXT.add(m_dec, _CONTEXT.multiply(_CONTEXT.subtract(before, m_hat_dec), root))
            rounded = _round(big_m, b, ratio, SHOWN_PLACES, guess)
            places = LINE_PLACES  # more places when 4 would round to another 0.01 than the exact value does
            while (exact := _round(big_m, b, ratio, places, guess)).quantize(_CENT, ROUND_HALF_UP) != rounded:
                places += 2
            after = min(max(rounded, Decimal("0.00")), Decimal("100.00"))
            lines = (Line("rescaled", {"before": before, "org_mean": org_mean, "org_sd": org_sd,
                                       "shrunk_mean": m4, "shrunk_sd": s4}, exact),)
            if after != rounded:
                lines += (Line("clamped", {"value": exact, "low": Decimal(0), "high": Decimal(100)}, after),)
        results.append(Normalised(item, rater, row.ratee, before, after, code, shrink.shrunk_mean,
                                  shrink.shrunk_sd, (*head, *lines, Line("after", {"exact": exact}, after))))
    return shrink, results
