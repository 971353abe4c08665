"""Duplicates and conflicts (DESIGN.md C3 validation): is an incoming fact new, a resend, or a conflict? Pure.

A fact's identity is its `Key`, (source, row key): the row key is the sender's own name for the fact, so
the same key sent again is the same fact. Against what is stored (`existing`), and within the batch itself
(first occurrence wins):

- key not seen before → `new` (to be applied);
- same key, numerically equal value → `unchanged` (96.5 and 96.50 are the same value; nothing changes,
  so a batch resent is harmless);
- same key, different value → `conflict`: kept for review, not applied. A correction is a new version
  that a person accepts, never a silent overwrite.

Separately, two *different* row keys from one source carrying the same metric, subject and period (the
same "cell") raise a `cross_key_duplicate` warning: the sender may have renumbered its rows, and applying
both would count the value twice. It is a warning, not a rejection: some sources legitimately send several
rows per cell (one per shift) that a later step adds up."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from .findings import Explained, Finding, QualityError

Period = str | datetime  # a period key ("2026-11-03", "2026-W45") or a timestamp
Key = tuple[str, str]  # (source, row key): the identity of a fact
Cell = tuple[str, str, int, Period]  # (source, metric, subject id, period): what a fact is a value of
Status = Literal["new", "unchanged", "conflict"]
STATUSES: tuple[Status, ...] = ("new", "unchanged", "conflict")


@dataclass(frozen=True, slots=True)
class Fact:
    """One incoming metric value. `value` is a finite Decimal (an int is taken as one; a float is refused,
    since 0.1 typed into a float is not 0.1)."""

    source: str
    row_key: str
    metric: str
    subject_id: int
    period: Period
    value: Decimal

    def __post_init__(self) -> None:
        value = self.value
        if not isinstance(value, Decimal):
            if isinstance(value, bool) or not isinstance(value, int):
                raise QualityError("value_not_decimal", {"row_key": self.row_key, "value": repr(value)})
            object.__setattr__(self, "value", Decimal(value))
        elif not value.is_finite():
            raise QualityError("value_not_finite", {"row_key": self.row_key, "value": value})

    @property
    def key(self) -> Key:
        return (self.source, self.row_key)

    @property
    def cell(self) -> Cell:
        return (self.source, self.metric, self.subject_id, self.period)


@dataclass(frozen=True, slots=True)
class Verdict(Explained):
    """What became of the incoming fact at `index`. `previous` is the value it was compared with: the stored
    one (`previous_in` "stored") or that of the key's first occurrence in the batch ("batch", at
    `first_index`); both None for a new fact."""

    index: int
    fact: Fact
    status: Status
    previous: Decimal | None = None
    previous_in: Literal["stored", "batch"] | None = None
    first_index: int | None = None

    @property
    def finding(self) -> Finding:
        code: str = self.status
        if self.status != "new" and self.previous_in == "batch":
            code += "_in_batch"
        fact = self.fact
        params = {"source": fact.source, "row_key": fact.row_key, "metric": fact.metric,
                  "subject": fact.subject_id, "period": fact.period, "value": fact.value}
        if self.previous is not None:
            params["previous"] = self.previous
        return Finding(code, params, "review" if self.status == "conflict" else "info")


@dataclass(frozen=True, slots=True)
class CrossKeyDuplicate(Explained):
    """Several row keys of one source for the same metric, subject and period. `row_keys` are the incoming
    ones in the order first seen, `indices` every incoming fact of the cell, `stored_row_keys` the keys
    already stored for the cell (from `stored_cells`) that the batch does not resend."""

    source: str
    metric: str
    subject_id: int
    period: Period
    row_keys: tuple[str, ...]
    indices: tuple[int, ...]
    stored_row_keys: tuple[str, ...] = ()

    @property
    def finding(self) -> Finding:
        return Finding("cross_key_duplicate", {
            "source": self.source, "metric": self.metric, "subject": self.subject_id, "period": self.period,
            "row_keys": list(self.stored_row_keys + self.row_keys)}, "warning")


@dataclass(frozen=True, slots=True)
class Classification:
    """One verdict per incoming fact, in the incoming order, and the cross-key duplicates found."""

    verdicts: tuple[Verdict, ...]
    cross_key_duplicates: tuple[CrossKeyDuplicate, ...] = ()

    def of(self, status: Status) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if verdict.status == status]

    @property
    def new(self) -> list[Verdict]:
        return self.of("new")

    @property
    def unchanged(self) -> list[Verdict]:
        return self.of("unchanged")

    @property
    def conflicts(self) -> list[Verdict]:
        return self.of("conflict")

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for verdict in self.verdicts:
            counts[verdict.status] += 1
        counts["cross_key_duplicate"] = len(self.cross_key_duplicates)
        return counts

    @property
    def accepted(self) -> dict[Key, Decimal]:
        """The values to apply: one per new key (its first occurrence). Conflicts are not in it."""
        return {verdict.fact.key: verdict.fact.value for verdict in self.verdicts if verdict.status == "new"}

    def apply(self, existing: Mapping[Key, Decimal]) -> dict[Key, Decimal]:
        """What is stored after this batch: `existing` with the accepted values added (nothing overwritten)."""
        return {**existing, **self.accepted}

    def findings(self) -> list[Finding]:
        """What a person should see: every conflict (held for review), then every cross-key duplicate."""
        return [v.finding for v in self.conflicts] + [d.finding for d in self.cross_key_duplicates]


def classify(incoming: Sequence[Fact], existing: Mapping[Key, Decimal], *,
             stored_cells: Iterable[tuple[Cell, str]] = ()) -> Classification:
    """Classify each incoming fact as new, unchanged or conflict against `existing` (key → stored value)
    and against the earlier facts of the batch; flag cells that several row keys of one source fill.

    `stored_cells` optionally gives (cell, row key) of facts already stored, so a batch whose rows were
    renumbered since the last one is caught too; without it, cross-key duplicates are looked for within the
    batch only (`existing` knows keys and values, not cells). One pass over the batch: O(n)."""
    verdicts: list[Verdict] = []
    append = verdicts.append
    stored_value = existing.get
    first_in_batch: dict[Key, tuple[int, Decimal]] = {}
    first_of = first_in_batch.get
    # cell → the first fact's index; a cell that gets a second fact moves to `shared` (row key → indices)
    cells: dict[Cell, int] = {}
    shared: dict[Cell, dict[str, list[int]]] = {}
    for index, fact in enumerate(incoming):
        row_key, value = fact.row_key, fact.value
        key = (fact.source, row_key)
        stored = stored_value(key)
        if stored is not None:
            append(Verdict(index, fact, "unchanged" if value == stored else "conflict", stored, "stored"))
        else:
            first = first_of(key)
            if first is None:
                first_in_batch[key] = (index, value)
                append(Verdict(index, fact, "new"))
            else:
                append(Verdict(index, fact, "unchanged" if value == first[1] else "conflict", first[1], "batch",
                               first[0]))
        cell = (fact.source, fact.metric, fact.subject_id, fact.period)
        earlier = cells.setdefault(cell, index)
        if earlier != index:
            by_key = shared.get(cell)
            if by_key is None:
                by_key = shared[cell] = {incoming[earlier].row_key: [earlier]}
            by_key.setdefault(row_key, []).append(index)
    return Classification(tuple(verdicts), _cross_key_duplicates(incoming, cells, shared, stored_cells))


def _cross_key_duplicates(incoming: Sequence[Fact], cells: dict[Cell, int], shared: dict[Cell, dict[str, list[int]]],
                          stored_cells: Iterable[tuple[Cell, str]]) -> tuple[CrossKeyDuplicate, ...]:
    stored: dict[Cell, list[str]] = {}
    for cell, row_key in stored_cells:
        first = cells.get(cell)
        if first is None:
            continue  # a cell the batch does not touch
        by_key = shared.get(cell)
        batch_keys = by_key.keys() if by_key is not None else {incoming[first].row_key}
        if row_key in batch_keys:
            continue  # the batch resends this row: not a second key
        known = stored.setdefault(cell, [])
        if row_key not in known:
            known.append(row_key)
    found = []
    for cell in sorted(shared.keys() | stored.keys(), key=cells.__getitem__):  # in the order first seen
        first = cells[cell]
        by_key = shared.get(cell)
        others = stored.get(cell, ())
        if (by_key is None or len(by_key) == 1) and not others:
            continue
        row_keys = by_key or {incoming[first].row_key: [first]}
        source, metric, subject_id, period = cell
        indices = tuple(sorted(i for positions in row_keys.values() for i in positions))
        found.append(CrossKeyDuplicate(source, metric, subject_id, period, tuple(row_keys), indices, tuple(others)))
    return tuple(found)
