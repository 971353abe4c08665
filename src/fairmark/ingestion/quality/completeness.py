"""Completeness (DESIGN.md C3: "every line reports every day"): which subjects did not report for which
periods. Pure.

The caller gives the subjects expected to report, the periods expected in their order (every day of the
month, every week of the quarter: `ingestion.periods` lists them) and the cells that were reported. Missing
cells are grouped per subject into runs of consecutive periods, "consecutive" meaning adjacent in the list
given: line L3 missing 2026-11-03, 2026-11-04 and 2026-11-05 is one gap of length 3, not three. A
reported cell for a subject or period outside the lists is counted as unexpected and otherwise ignored;
a cell reported twice counts once.

The whole grid (subjects × periods) is a numpy boolean matrix, and the runs are found for all subjects
at once from where the "missing" flag switches on and off, so 50,000 cells take milliseconds."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Generic, TypeVar

import numpy as np

from .findings import Explained, Finding, QualityError

S = TypeVar("S", bound=Hashable)  # a subject id

RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Gap(Explained, Generic[S]):
    """`subject` did not report for `length` consecutive periods, `start` … `end` (the positions in the
    period list are `first` … `first + length - 1`). `label` names the subject in the message."""

    subject: S
    start: str
    end: str
    length: int
    first: int
    label: str = ""

    @property
    def finding(self) -> Finding:
        name = self.label or str(self.subject)
        if self.length == 1:
            return Finding("gap_single", {"subject": name, "start": self.start, "length": 1}, "warning")
        return Finding("gap", {"subject": name, "start": self.start, "end": self.end, "length": self.length},
                       "warning")


@dataclass(frozen=True, slots=True)
class Completeness(Explained, Generic[S]):
    """The gaps, subject by subject in the order expected and period by period, and the summary: cells
    expected (subjects × periods), reported (distinct, within the grid), missing (= the gaps' lengths
    added), reported outside the grid (`unexpected_cells`), and the ratio reported / expected to 4 places,
    rounded down so that 1.0000 means complete (None when nothing was expected)."""

    gaps: tuple[Gap[S], ...]
    expected_cells: int
    reported_cells: int
    unexpected_cells: int = 0

    @property
    def missing_cells(self) -> int:
        return self.expected_cells - self.reported_cells

    @property
    def ratio(self) -> Decimal | None:
        if not self.expected_cells:
            return None
        return (Decimal(self.reported_cells) / Decimal(self.expected_cells)).quantize(RATIO_PLACES, ROUND_DOWN)

    @property
    def finding(self) -> Finding:
        """The summary as a sentence ("47 of 50 expected values were reported (94 %); ...")."""
        ratio = self.ratio
        if ratio is None:
            return Finding("completeness_empty", {}, "info")
        return Finding("completeness", {
            "expected_cells": self.expected_cells, "reported_cells": self.reported_cells,
            "missing_cells": self.missing_cells, "gap_count": len(self.gaps), "percent": ratio.scaleb(2),
            "unexpected_cells": self.unexpected_cells}, "warning" if self.gaps else "info")

    def findings(self) -> list[Finding]:
        """The summary, then one finding per gap."""
        return [self.finding, *(gap.finding for gap in self.gaps)]


def gaps(expected_subjects: Iterable[S], periods: Sequence[str], reported: Iterable[tuple[S, str]], *,
         label: Callable[[S], str] = str) -> Completeness[S]:
    """Which expected subjects did not report for which periods, as runs of consecutive periods, with the
    summary. `label(subject)` names a subject in the messages (by default str(subject))."""
    period_index: dict[str, int] = {}
    for position, period in enumerate(periods):
        if period in period_index:
            raise QualityError("duplicate_period", {"period": period})
        period_index[period] = position
    subject_index: dict[S, int] = {}
    for subject in expected_subjects:
        subject_index.setdefault(subject, len(subject_index))
    subjects = list(subject_index)
    n_subjects, n_periods = len(subjects), len(periods)

    rows: list[int] = []
    columns: list[int] = []
    unexpected = 0
    for subject, period in reported:
        row = subject_index.get(subject)
        column = period_index.get(period)
        if row is None or column is None:
            unexpected += 1
            continue
        rows.append(row)
        columns.append(column)

    missing = np.ones((n_subjects, n_periods), dtype=bool)
    if rows:
        missing[np.array(rows, dtype=np.intp), np.array(columns, dtype=np.intp)] = False
    reported_cells = n_subjects * n_periods - int(missing.sum())

    # A run starts where "missing" switches on and ends where it switches off; a column of "reported" on
    # each side makes every run start and end inside the row, and np.nonzero walks row by row, left to
    # right, so the n-th start and the n-th end belong to the same run.
    padded = np.zeros((n_subjects, n_periods + 2), dtype=np.int8)
    padded[:, 1:-1] = missing
    switches = np.diff(padded, axis=1)
    start_rows, start_columns = np.nonzero(switches == 1)
    _end_rows, end_columns = np.nonzero(switches == -1)

    found: list[Gap[S]] = []
    labels: dict[int, str] = {}
    for row, first, stop in zip(start_rows.tolist(), start_columns.tolist(), end_columns.tolist(), strict=True):
        subject = subjects[row]
        name = labels.get(row)
        if name is None:
            name = labels[row] = label(subject)
        found.append(Gap(subject, periods[first], periods[stop - 1], stop - first, first, name))
    return Completeness(tuple(found), n_subjects * n_periods, reported_cells, unexpected)
