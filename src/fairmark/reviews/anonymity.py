"""360 anonymity (DESIGN.md C5 and §6, issue 6 item 3): what the ratee, their manager and HR are shown of
the ratings given about a person. Pure: no Django.

    ratings = [Rating("u7", "peer", "teamwork", Decimal(4)), Rating("u8", "peer", "teamwork", Decimal(5)),
               Rating("u9", "subordinate", "teamwork", Decimal(3), "开会前先发议程"),
               Rating("u1", "manager", "teamwork", Decimal(4))]
    view = aggregate(ratings, audience="ratee")
    [(g.group, g.count, g.mean) for g in view.items[0].groups]
    # [('manager', 1, Decimal('4.00')), ('others', 3, Decimal('4.00'))]: 2 peers + 1 subordinate pooled

The rule, per item (each item is its own aggregate, because a rater may skip an item):

- **Anonymous groups** (peer, subordinate, n_plus_2, and raters nominated as "others") are shown only as
  a count, a mean and their comments, and only when at least `minimum` (3 by default, never less) people
  of the group rated the item. A smaller group is pooled into "others" together with the raters nominated
  as "others"; the pool is shown only if it reaches the minimum too. Otherwise its ratings and comments are
  *withheld*: the item says how many ratings from how many groups, never whose or which groups. A group is
  anonymous even when it usually is one known person (the N+2 in a 360), so such a rating never stands alone.
- **Known groups** (self, manager) are one rater whom the ratee knows anyway, so they are not anonymised:
  self is the ratee's own rating, the manager's is the rating of their manager, shown with its comment and
  flagged `known`. The page names "you" or "your manager" from the review itself: even then no output here
  carries a rater id. A second rater in a known group is refused (a second manager rates as n_plus_2 or others).
- **Means** are exact: the sum of the scores divided by the count, rounded once to 0.01 half-up (away from
  zero) from the exact quotient, which is the group average the weighted computation uses
  (`fairmark.indicators.weighting.round_ratio`), so the page and the score agree digit for digit.
- **Comments** are text only, stripped, blanks dropped, and *sorted* (by code point): the order says nothing
  about who wrote a comment or when. A comment belongs to its rating: withheld with it.

Audiences (§6): the ratee and the manager get an `Aggregate`, whose dataclasses have no field that could hold
a rater id at all; HR gets an `HrAggregate`: the same aggregates (no per-person scores, the minimum applies
to HR too) plus the list of who rated in which group, to chase and audit nominations. Other roles map onto
these (a department head or an executive gets "manager"). Groups come out in the order self, manager, peer,
subordinate, n_plus_2, others; items by code; so the result does not depend on the order of the input.
Bad input raises AnonymityError with a code and params; the params name an item or a group, never a rater,
because an error may reach the ratee too."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, overload

from fairmark.indicators.weighting.model import RATER_GROUPS, RaterGroup
from fairmark.indicators.weighting.numbers import TooManyDigits, add, round_ratio

Audience = Literal["ratee", "manager", "hr"]
AUDIENCES: tuple[str, ...] = ("ratee", "manager", "hr")
RaterId = int | str

MINIMUM = 3  # DESIGN.md C5: "only when at least 3 people rated"; a company may ask for more, never for fewer
KNOWN_GROUPS: tuple[RaterGroup, ...] = ("self", "manager")
ANONYMOUS_GROUPS: tuple[RaterGroup, ...] = ("peer", "subordinate", "n_plus_2", "others")
POOL: RaterGroup = "others"
_RANK: dict[str, int] = {group: rank for rank, group in enumerate(RATER_GROUPS)}


class AnonymityError(ValueError):
    """Bad input to the aggregation. `code` is one of: rater_invalid, group_unknown, item_invalid,
    score_not_number, score_too_long, comment_invalid, rating_invalid, rating_duplicate, rater_in_two_groups,
    known_group_not_single, audience_unknown, minimum_invalid. `params` never hold a rater id."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(f"{code}: {self.params!r}")


# ---- input -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rating:
    """One rater's score of one item of one review (already on the template's scale), with an optional comment.
    `rater` is an id (int or non-empty str) used only to check the input and for HR's list of raters."""

    rater: RaterId
    group: RaterGroup
    item: str
    score: Decimal
    comment: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.rater, bool) or not isinstance(self.rater, int | str) or self.rater == "":
            raise AnonymityError("rater_invalid", {"item": self.item})
        if self.group not in _RANK:
            raise AnonymityError("group_unknown", {"group": self.group})
        if not isinstance(self.item, str) or not self.item:
            raise AnonymityError("item_invalid", {"group": self.group})
        if isinstance(self.score, bool) or not isinstance(self.score, Decimal | int):
            raise AnonymityError("score_not_number", {"item": self.item, "group": self.group})
        score = Decimal(self.score)
        if not score.is_finite():
            raise AnonymityError("score_not_number", {"item": self.item, "group": self.group})
        object.__setattr__(self, "score", score)
        if self.comment is not None:
            if not isinstance(self.comment, str):
                raise AnonymityError("comment_invalid", {"item": self.item, "group": self.group})
            object.__setattr__(self, "comment", self.comment.strip() or None)


# ---- output ----------------------------------------------------------------------------------------------------
# Nothing below holds a rater id except RaterEntry, which only HrAggregate carries.


@dataclass(frozen=True, slots=True)
class GroupView:
    """A shown group of one item. `group` is "others" for the pool; `sources` is how many input groups it
    pools (1 for a group shown as itself); `known` marks self and manager (one known rater, not anonymised);
    `mean` is the exact mean rounded once to 0.01 half-up; `comments` are sorted text."""

    group: RaterGroup
    count: int
    mean: Decimal
    comments: tuple[str, ...]
    sources: int = 1
    known: bool = False


@dataclass(frozen=True, slots=True)
class ItemView:
    """One item: its shown groups in group order, and how many ratings from how many groups were withheld
    because even pooled into "others" they stayed under the minimum (0 and 0 when nothing was withheld)."""

    item: str
    groups: tuple[GroupView, ...]
    withheld_groups: int = 0
    withheld_ratings: int = 0

    @property
    def shown_ratings(self) -> int:
        return sum(group.count for group in self.groups)


@dataclass(frozen=True, slots=True)
class Aggregate:
    """What the ratee and the manager see: aggregates only, by item code."""

    audience: Literal["ratee", "manager"]
    minimum: int
    items: tuple[ItemView, ...]


@dataclass(frozen=True, slots=True)
class RaterEntry:
    rater: RaterId
    group: RaterGroup


@dataclass(frozen=True, slots=True)
class HrAggregate:
    """What HR sees: the same aggregates, plus who rated in which group (not what they gave)."""

    audience: Literal["hr"]
    minimum: int
    items: tuple[ItemView, ...]
    raters: tuple[RaterEntry, ...]


# ---- the rule --------------------------------------------------------------------------------------------------


@overload
def aggregate(ratings: Iterable[Rating], *, audience: Literal["ratee", "manager"], minimum: int = ...
              ) -> Aggregate: ...
@overload
def aggregate(ratings: Iterable[Rating], *, audience: Literal["hr"], minimum: int = ...) -> HrAggregate: ...
@overload
def aggregate(ratings: Iterable[Rating], *, audience: Audience, minimum: int = ...) -> Aggregate | HrAggregate: ...


def aggregate(ratings: Iterable[Rating], *, audience: Audience, minimum: int = MINIMUM) -> Aggregate | HrAggregate:
    """The ratings of one review as `audience` may see them (see the module docstring for the rule)."""
    if audience not in AUDIENCES:
        raise AnonymityError("audience_unknown", {"audience": audience})
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < MINIMUM:
        raise AnonymityError("minimum_invalid", {"minimum": minimum, "floor": MINIMUM})
    rows = _checked(ratings)
    by_item: dict[str, dict[RaterGroup, list[Rating]]] = defaultdict(lambda: defaultdict(list))
    for rating in rows:
        by_item[rating.item][rating.group].append(rating)
    items = tuple(_item(item, by_item[item], minimum) for item in sorted(by_item))
    if audience == "hr":
        return HrAggregate("hr", minimum, items, _raters(rows))
    return Aggregate("manager" if audience == "manager" else "ratee", minimum, items)


def _checked(ratings: Iterable[Rating]) -> list[Rating]:
    """The ratings, refused when they cannot be one review's: one rating per rater and item, each rater in one
    group, at most one rater in a known group."""
    rows = list(ratings)
    seen: set[tuple[str, str, RaterId]] = set()
    group_of: dict[tuple[str, RaterId], RaterGroup] = {}
    known: dict[RaterGroup, set[tuple[str, RaterId]]] = defaultdict(set)
    for rating in rows:
        if not isinstance(rating, Rating):
            raise AnonymityError("rating_invalid", {"type": type(rating).__name__})
        who = (type(rating.rater).__name__, rating.rater)  # 7 and "7" are different raters
        if (rating.item, *who) in seen:
            raise AnonymityError("rating_duplicate", {"item": rating.item, "group": rating.group})
        seen.add((rating.item, *who))
        first = group_of.setdefault(who, rating.group)
        if first != rating.group:
            pair = sorted((first, rating.group), key=_RANK.__getitem__)
            raise AnonymityError("rater_in_two_groups", {"item": rating.item, "groups": pair})
        if rating.group in KNOWN_GROUPS:
            known[rating.group].add(who)
            if len(known[rating.group]) > 1:
                raise AnonymityError("known_group_not_single", {"group": rating.group})
    return rows


def _item(item: str, groups: Mapping[RaterGroup, Sequence[Rating]], minimum: int) -> ItemView:
    shown: list[GroupView] = []
    for group in KNOWN_GROUPS:
        if groups.get(group):
            shown.append(_view(item, group, groups[group], sources=1, known=True))
    pool: list[Rating] = []
    pooled_groups = 0
    for group in ANONYMOUS_GROUPS:
        members = groups.get(group, ())
        if not members:
            continue
        if group != POOL and len(members) >= minimum:
            shown.append(_view(item, group, members, sources=1, known=False))
        else:
            pool.extend(members)
            pooled_groups += 1
    if len(pool) >= minimum:
        shown.append(_view(item, POOL, pool, sources=pooled_groups, known=False))
        return ItemView(item, tuple(shown))
    return ItemView(item, tuple(shown), withheld_groups=pooled_groups, withheld_ratings=len(pool))


def _view(item: str, group: RaterGroup, members: Sequence[Rating], *, sources: int, known: bool) -> GroupView:
    try:
        mean = round_ratio(add(rating.score for rating in members), Decimal(len(members)))
    except TooManyDigits as exc:
        raise AnonymityError("score_too_long", {"item": item, "group": group}) from exc
    comments = tuple(sorted(rating.comment for rating in members if rating.comment))
    return GroupView(group, len(members), mean, comments, sources=sources, known=known)


def _raters(rows: Sequence[Rating]) -> tuple[RaterEntry, ...]:
    """Each rater once, by group, then ids (ints by value before strings), whatever the input order."""
    entries = {(type(r.rater).__name__, r.rater): RaterEntry(r.rater, r.group) for r in rows}
    return tuple(sorted(entries.values(), key=_rater_key))


def _rater_key(entry: RaterEntry) -> tuple[int, int, int, str]:
    rater = entry.rater
    if isinstance(rater, int):
        return (_RANK[entry.group], 0, rater, "")
    return (_RANK[entry.group], 1, 0, rater)
