"""The watermark of a pulling source: the last value of its watermark column already read, stored as JSON. Pure.

    mark = Watermark.of(datetime(2026, 11, 3, 8, 30, tzinfo=CST))
    mark.to_json()                               # {'type': 'datetime', 'value': '2026-11-03T08:30:00+08:00'}
    Watermark.from_json(mark.to_json()) == mark  # True; .python() gives the datetime back, offset included

The type is kept with the value so that the next pull binds exactly what was read (a DATE column is compared with
a date, a NUMERIC with a Decimal), never a string the database would have to guess at, and never through
float.

A REST service's watermark is the text it sends and takes back (`latest` picks it); only SQL needs the type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

WATERMARK_TYPES: tuple[str, ...] = ("datetime", "date", "int", "decimal", "text")
Python = datetime | date | int | Decimal | str


@dataclass(frozen=True)
class Watermark:
    type: str
    value: str

    def __post_init__(self) -> None:
        if self.type not in WATERMARK_TYPES or not isinstance(self.value, str):
            raise ValueError(f"not a watermark: {self.type!r}, {self.value!r}")
        self.python()  # a value that does not read back as its type is refused here, not at the next pull

    @classmethod
    def of(cls, value: object) -> Watermark:
        """The watermark of a value read from a source; TypeError for a type that cannot order rows reliably
        (float, bool, bytes, ...)."""
        if isinstance(value, datetime):
            return cls("datetime", value.isoformat())
        if isinstance(value, date):
            return cls("date", value.isoformat())
        if isinstance(value, int) and not isinstance(value, bool):
            return cls("int", str(value))
        if isinstance(value, Decimal) and value.is_finite():
            return cls("decimal", str(value))
        if isinstance(value, str):
            return cls("text", value)
        raise TypeError(type(value).__name__)

    def python(self) -> Python:
        """The value to bind in the next pull's WHERE, of the type it was read as."""
        try:
            if self.type == "datetime":
                return datetime.fromisoformat(self.value)
            if self.type == "date":
                return date.fromisoformat(self.value)
            if self.type == "int":
                return int(self.value)
            if self.type == "decimal":
                number = Decimal(self.value)
                if not number.is_finite():
                    raise ValueError(self.value)
                return number
        except (ValueError, InvalidOperation) as error:
            raise ValueError(f"not a {self.type} watermark: {self.value!r}") from error
        return self.value

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "value": self.value}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Watermark:
        """Read back what to_json wrote; ValueError for anything else."""
        if not isinstance(data, Mapping) or set(data) != {"type", "value"}:
            raise ValueError(f"not a watermark: {data!r}")
        return cls(data["type"], data["value"])


def _instant(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def latest(values: Iterable[Any]) -> str | None:
    """The latest of the watermark values a REST service sent (its records' watermark field), as text to send
    back as the next `after`: numbers compared as numbers, timestamps as instants when every value reads as one
    (so "…T09:00+08:00" comes before "…T02:00Z"), anything else as text. None when there are none."""
    found = [value for value in values if value is not None and not isinstance(value, bool | dict | list)]
    if not found:
        return None
    if all(isinstance(value, int | Decimal) for value in found):
        return str(max(found))
    texts = [str(value) for value in found]
    instants = [(instant, text) for text in texts if (instant := _instant(text)) is not None]
    if len(instants) == len(texts) and len({instant.tzinfo is not None for instant, _ in instants}) == 1:
        return max(instants, key=lambda pair: pair[0])[1]
    return max(texts)
