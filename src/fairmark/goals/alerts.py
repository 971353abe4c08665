"""Alert rules and their life cycle (DESIGN.md C4). Pure: no Django.

    rule = ThresholdRule(warning=Decimal(5), critical=Decimal(8))          # defect rate above 5 % / 8 %
    state, events = track(rule, [Decimal(3), Decimal("5.5"), Decimal(6), Decimal("8.5"), Decimal(4)])
    [e.kind for e in events]     # ['opened', 'raised', 'resolved']: once per change, not once per value

A value's level is ok, warning or critical (`direction` "above": worse when higher, "below": worse when
lower; a bound is crossed when the value is strictly beyond it). An alert moves only when the level
changes: ok → warning/critical *opens* it, warning → critical *raises* it, critical → warning *lowers* it,
back to ok *resolves* it; the same level again (repeated or more data in the same band) is no event, so
nobody is notified twice. Acknowledging keeps the alert open and silent until its level changes.
Pace and staleness give the level for a goal behind its expected value for the day, or without data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Literal

Level = Literal["ok", "warning", "critical"]
EventKind = Literal["opened", "raised", "lowered", "resolved"]
RANK: dict[str, int] = {"ok": 0, "warning": 1, "critical": 2}


@dataclass(frozen=True, slots=True)
class ThresholdRule:
    warning: Decimal
    critical: Decimal | None = None
    direction: Literal["above", "below"] = "above"

    def __post_init__(self) -> None:
        if self.direction not in ("above", "below"):
            raise ValueError(f"direction must be above or below, not {self.direction!r}")
        if self.critical is not None and (self.critical < self.warning if self.direction == "above"
                                          else self.critical > self.warning):
            raise ValueError("the critical bound must be beyond the warning bound")

    def level(self, value: Decimal) -> Level:
        beyond = (lambda bound: value > bound) if self.direction == "above" else (lambda bound: value < bound)
        if self.critical is not None and beyond(self.critical):
            return "critical"
        return "warning" if beyond(self.warning) else "ok"


@dataclass(frozen=True, slots=True)
class AlertState:
    level: Level = "ok"
    acknowledged: bool = False

    @property
    def open(self) -> bool:
        return self.level != "ok"


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    level: Level
    previous: Level


def step(state: AlertState, level: Level) -> tuple[AlertState, Event | None]:
    """The state after a value at `level`, and the event to notify (None when the level did not change)."""
    if level == state.level:
        return state, None
    if state.level == "ok":
        kind: EventKind = "opened"
    elif level == "ok":
        kind = "resolved"
    else:
        kind = "raised" if RANK[level] > RANK[state.level] else "lowered"
    return AlertState(level=level, acknowledged=False), Event(kind, level, state.level)


def acknowledge(state: AlertState) -> AlertState:
    return replace(state, acknowledged=True) if state.open else state


def track(rule: ThresholdRule, values: Iterable[Decimal], state: AlertState | None = None
          ) -> tuple[AlertState, list[Event]]:
    """Run values (in time order) through the rule: the final state and one event per change."""
    current = state or AlertState()
    events: list[Event] = []
    for value in values:
        current, event = step(current, rule.level(value))
        if event is not None:
            events.append(event)
    return current, events


def expected_on(*, start: Decimal, target: Decimal, first: date, last: date, day: date) -> Decimal:
    """Where a goal should be on `day` if it moved evenly from `start` on `first` to `target` on `last`."""
    if day <= first or last <= first:
        return start if day <= first else target
    if day >= last:
        return target
    return start + (target - start) * Decimal((day - first).days) / Decimal((last - first).days)


def pace_level(*, start: Decimal, target: Decimal, current: Decimal, first: date, last: date, day: date,
               warning_margin: Decimal, critical_margin: Decimal | None = None) -> Level:
    """Behind pace by more than a margin (a fraction of the whole way from start to target): warning or
    critical. Works for goals that go down (target below start)."""
    span = target - start
    if span == 0:
        return "ok"
    behind = (expected_on(start=start, target=target, first=first, last=last, day=day) - current) / span
    if critical_margin is not None and behind > critical_margin:
        return "critical"
    return "warning" if behind > warning_margin else "ok"


def stale_level(*, last_value_on: date | None, day: date, warning_days: int, critical_days: int | None = None
                ) -> Level:
    """No data for more than N days (never any data counts as stale from the first check)."""
    if last_value_on is None:
        return "critical" if critical_days is not None else "warning"
    silent = (day - last_value_on).days
    if critical_days is not None and silent > critical_days:
        return "critical"
    return "warning" if silent > warning_days else "ok"
