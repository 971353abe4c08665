"""The demo company's MES (制造执行系统): six months of daily production reports per line and shift, up to
yesterday, in a SQLite file that the demo's SQL source pulls like any other database. Plain Python and the
standard library's sqlite3 (no Django): `plan_mes(structure, rng, today)` plans the rows from the generator's
seeded RNG, `write_mes(path, plan)` writes the file, `apply_correction(path, plan)` changes one row afterwards.

Every line reports one row per shift and day: output, good units, run hours, downtime and defects. Lines differ
in speed, downtime and defects (so in yield), each line as a whole and its night shift the slowest and the most
scrapping of its shifts; weekends run thinner crews; output creeps up and defects down over the six months. The
levels are spaced evenly across the lines and the day-to-day noise is uniform and small beside that spacing, so
ingestion's robust z-score (which compares a line with its other days and with the other lines that day) flags
none of the ordinary days, and the data-quality page shows only the problems planted here, each a thing real
MES data does:

- a gap: one line sends nothing for one recent day (its data-collection gateway was offline; no shift row),
- an outlier: one shift's output is eight times too high (the line counter was not reset at the shift change),
- a rejected row: one shift's downtime is negative (the downtime counter was reset mid-shift), which the
  metric's minimum of 0 rejects, so the quarantine shows the reason,
- a conflict: after the first pull one of yesterday's rows is corrected in the MES (a pallet counted after the
  shift report closed), with a newer updated_at, so the next pull brings the same row key with a new value.

PACK lines report output in cell equivalents (电芯当量, the cells built into modules), as many plants do so that
cell and PACK lines read on one scale. Values are exact: integers, and run hours as Decimal text with two
places ("7.05"); SQLite's DECIMAL affinity would store them as binary floats, so the column is TEXT."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import sqlite3
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from .people import add_months
from .structure import StructurePlan

FILE_NAME = "demo-mes.sqlite3"
MONTHS = 6
SHIFT_MINUTES = 480
PRODUCTIVE_MINUTES = 450  # a shift less meals and handover
OUTLIER_FACTOR = 8
TREND = Decimal("0.08")  # output gained over the six months
SCRAP_TREND = Decimal("0.12")  # defects shed over the six months
WEEKEND = Decimal("0.05")  # output lost to thinner weekend crews
# Day-to-day noise, uniform, in ‰ (minutes for downtime): below half the spacing of the lines' levels when a
# handful of lines report (see _spread).
OUTPUT_NOISE = 12
SCRAP_NOISE = 50
DOWNTIME_NOISE = 2
TABLE = "production_daily"
QUERY = ("SELECT id, line_code, shift, work_date, output, good_units, run_hours, downtime_minutes, defects, "
         "updated_at FROM production_daily")
DDL = f"""
CREATE TABLE {TABLE} (
    id INTEGER PRIMARY KEY,
    line_code TEXT NOT NULL,
    shift TEXT NOT NULL,
    work_date DATE NOT NULL,
    output INTEGER NOT NULL,
    good_units INTEGER NOT NULL,
    run_hours TEXT NOT NULL,  -- DECIMAL(6,2) kept as text: exact, where SQLite would store a binary float
    downtime_minutes INTEGER NOT NULL,
    defects INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (line_code, shift, work_date)
);
CREATE INDEX production_daily_updated ON {TABLE} (updated_at);
"""
INSERT = f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608 - a constant table name
_LINE = re.compile(r"^MFG-([LP]\d\d)$")
_STAMP = "%Y-%m-%d %H:%M:%S"
_ONE = Decimal(1)
_HUNDREDTH = Decimal("0.01")
# Shift start hours by the number of shifts a line runs: three shifts round the clock, or a day and a night shift.
_STARTS = {3: (6, 14, 22), 2: (8, 20)}


@dataclass(frozen=True)
class MesShift:
    dept_code: str  # the shift's department (MFG-L01-A), whose people are its operators
    name: str  # as the MES and the shop floor call it: 甲班, 白班, ...
    start_hour: int


@dataclass(frozen=True)
class MesLine:
    code: str  # the MES's line code (L01, P01): the subject code of the line
    dept_code: str
    name: str
    name_en: str
    shifts: tuple[MesShift, ...]


@dataclass(frozen=True)
class MesRow:
    id: int
    line_code: str
    shift: str
    work_date: dt.date
    output: int
    good_units: int
    run_hours: Decimal
    downtime_minutes: int
    defects: int
    updated_at: dt.datetime

    def as_tuple(self) -> tuple[object, ...]:
        return (self.id, self.line_code, self.shift, self.work_date.isoformat(), self.output, self.good_units,
                f"{self.run_hours:.2f}", self.downtime_minutes, self.defects, self.updated_at.strftime(_STAMP))


@dataclass(frozen=True)
class Correction:
    row_id: int
    output: int  # the corrected output
    updated_at: dt.datetime


@dataclass
class MesPlan:
    lines: list[MesLine]
    first_day: dt.date
    last_day: dt.date  # yesterday
    rows: list[MesRow] = field(default_factory=list)
    gap: tuple[str, dt.date] = ("", dt.date.min)  # (line code, day) with no rows
    outlier: int = 0  # row id
    rejected: int = 0  # row id
    correction: Correction | None = None

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def shift_count(self) -> int:
        return sum(len(line.shifts) for line in self.lines)

    def row(self, row_id: int) -> MesRow:
        return next(row for row in self.rows if row.id == row_id)


def mes_lines(structure: StructurePlan) -> list[MesLine]:
    """The production lines of the demo structure (cell lines, then PACK lines) with their shifts."""
    lines: list[MesLine] = []
    for dept in structure.departments:
        match = _LINE.match(dept.code)
        if not match:
            continue
        children = [d for d in structure.departments if d.parent == dept.key and d.code.startswith(f"{dept.code}-")]
        starts = _STARTS.get(len(children), tuple(6 + 8 * i for i in range(len(children))))
        shifts = tuple(MesShift(child.code, child.name.removeprefix(dept.name), starts[i] % 24)
                       for i, child in enumerate(children))
        lines.append(MesLine(match.group(1), dept.code, dept.name, dept.name_en, shifts))
    return sorted(lines, key=lambda line: line.code)


Slot = tuple[str, str]  # (line code, shift name)


def _spread(lines: list[MesLine], rng: random.Random, low: Decimal, high: Decimal, *, night_high: bool
            ) -> dict[Slot, Decimal]:
    """A level per line and shift, evenly spaced from `low` to `high`: the lines in a random order, each line's
    shifts side by side (a line is fast or slow as a whole), its night shift at the `night_high` end.

    Evenly spaced on purpose: on any one day the lines' values are spread out rather than bunched, so that
    comparing a line with the others that day (ingestion's outlier check does) finds nothing out of the way;
    random levels bunch up now and then, and a robust z-score over eight or ten values flags the odd one out."""
    slots: list[Slot] = []
    for line in rng.sample(lines, len(lines)):
        names = [shift.name for shift in line.shifts]  # the night shift is the last
        slots += [(line.code, name) for name in (names if night_high else names[::-1])]
    count = len(slots)
    return {slot: low + (high - low) * (2 * k + 1) / (2 * count) for k, slot in enumerate(slots)}


def _fraction(rng: random.Random, low: int, high: int, scale: int = 1000) -> Decimal:
    """A uniform factor low/scale … high/scale, drawn as an integer so that nothing passes through float."""
    return Decimal(rng.randint(low, high)) / scale


def plan_mes(structure: StructurePlan, rng: random.Random, today: dt.date) -> MesPlan:
    """Six months of rows up to yesterday, with the planted problems (see the module docstring)."""
    lines = mes_lines(structure)
    last = today - dt.timedelta(days=1)
    first = add_months(today, -MONTHS)
    plan = MesPlan(lines, first, last)
    if not lines:
        return plan
    # Per line and shift: output of an ordinary weekday shift at the start, typical downtime, defects a shift.
    capacity = _spread(lines, rng, Decimal(4600), Decimal(6200), night_high=False)
    stops = _spread(lines, rng, Decimal(10), Decimal(58), night_high=True)
    scrap = _spread(lines, rng, Decimal(90), Decimal(230), night_high=True)
    span = max(1, (last - first).days)

    # The problems: four different recent days, and different lines where there are enough of them.
    order = rng.sample(lines, len(lines))
    gap_line, outlier_line, rejected_line, corrected_line = (order[i % len(order)] for i in range(4))
    plan.gap = (gap_line.code, last - dt.timedelta(days=rng.randint(6, 9)))
    outlier = (outlier_line.code, rng.choice(outlier_line.shifts).name, last - dt.timedelta(days=rng.randint(3, 5)))
    rejected = (rejected_line.code, rng.choice(rejected_line.shifts).name, last - dt.timedelta(days=2))
    corrected = (corrected_line.code, rng.choice(corrected_line.shifts).name, last)

    pending: list[tuple[dt.datetime, str, str, dt.date, int, int, int, int, int]] = []
    day = first
    while day <= last:
        progress = Decimal((day - first).days) / span
        trend = _ONE + TREND * progress  # speed creeps up over the half-year
        scrap_trend = _ONE - SCRAP_TREND * progress  # and scrap down
        weekend = _ONE - WEEKEND if day.weekday() >= 5 else _ONE  # thinner weekend crews
        for line in lines:
            for shift in line.shifts:
                slot = (line.code, shift.name)
                usual = stops[slot].to_integral_value()
                downtime = int(usual) + rng.randint(-DOWNTIME_NOISE, DOWNTIME_NOISE)
                run_minutes = PRODUCTIVE_MINUTES - downtime
                # a shift that stood still longer than usual made less
                pace = capacity[slot] * run_minutes / (PRODUCTIVE_MINUTES - usual)
                pace *= _fraction(rng, 1000 - OUTPUT_NOISE, 1000 + OUTPUT_NOISE) * weekend * trend
                output = int(pace.to_integral_value(ROUND_HALF_UP))
                noise = _fraction(rng, 1000 - SCRAP_NOISE, 1000 + SCRAP_NOISE)
                defects = int((scrap[slot] * scrap_trend * noise).to_integral_value(ROUND_HALF_UP))
                waiting = int((output * _fraction(rng, 0, 4)).to_integral_value(ROUND_HALF_UP))  # not yet judged
                end = dt.datetime.combine(day, dt.time(shift.start_hour)) + dt.timedelta(minutes=SHIFT_MINUTES)
                stamp = end + dt.timedelta(minutes=rng.randint(5, 25))  # the shift report is closed after the shift
                if (line.code, day) == plan.gap:
                    continue
                if (*slot, day) == rejected:
                    downtime -= SHIFT_MINUTES  # the counter was reset mid-shift: end minus start is negative
                pending.append((stamp, line.code, shift.name, day, output, output - defects - waiting, run_minutes,
                                downtime, defects))
        day += dt.timedelta(days=1)

    # The MES numbers rows as the shift reports come in.
    pending.sort(key=lambda item: (item[0], item[1], item[2]))
    for number, (stamp, code, shift_name, work_date, output, good, run_minutes, downtime, defects) in enumerate(
            pending, start=1):
        key = (code, shift_name, work_date)
        if key == outlier:
            output *= OUTLIER_FACTOR
            plan.outlier = number
        elif key == rejected:
            plan.rejected = number
        elif key == corrected:
            fixed_at = dt.datetime.combine(today, dt.time(9)) + dt.timedelta(minutes=rng.randint(0, 59))
            plan.correction = Correction(number, output + rng.randint(40, 160), fixed_at)
        hours = (Decimal(run_minutes) / 60).quantize(_HUNDREDTH, ROUND_HALF_UP)
        plan.rows.append(MesRow(number, code, shift_name, work_date, output, good, hours, downtime, defects, stamp))
    return plan


def write_mes(path: Path, plan: MesPlan) -> None:
    """Write the MES database afresh: into a new file beside `path`, which then replaces it in one step, so a
    reader never sees half a database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f"{path.name}.{os.getpid()}.building")
    building.unlink(missing_ok=True)
    connection = sqlite3.connect(building)
    try:
        connection.executescript(DDL)
        connection.executemany(INSERT, [row.as_tuple() for row in plan.rows])
        connection.commit()
    finally:
        connection.close()
    os.replace(building, path)


def apply_correction(path: Path, plan: MesPlan) -> None:
    """The MES corrects one of yesterday's rows after it was first pulled (newer updated_at, new output)."""
    fix = plan.correction
    if fix is None:
        return
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"UPDATE {TABLE} SET output = ?, updated_at = ? WHERE id = ?",  # noqa: S608 - constant
                           (fix.output, fix.updated_at.strftime(_STAMP), fix.row_id))
        connection.commit()
    finally:
        connection.close()
