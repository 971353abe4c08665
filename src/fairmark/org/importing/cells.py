"""Turning a spreadsheet cell into a value. Pure: each parser returns the value or raises CellError
with a message code (see messages.py), so the text is chosen in the reader's language later."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any


class CellError(ValueError):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def text(value: Any) -> str:
    """Excel gives numbers for numeric-looking cells (工号 10023, phone 13800000000): write them as
    typed, not as 10023.0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip().replace("\u3000", " ").strip()


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def date(value: Any) -> dt.date | None:
    """A real Excel date, or text YYYY-MM-DD, YYYY/MM/DD (also 2024/3/1 and 2024年3月1日).
    A time of day, which Excel adds to some dates, is dropped."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        return None
    candidate = raw.split(" ")[0] if " " in raw else raw
    match = _DATE.match(candidate)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError("bad_date", value=raw)


STATUS_VALUES: dict[str, tuple[str, str]] = {
    # status → (English, Chinese) written by the template and the export
    "probation": ("probation", "试用"),
    "active": ("active", "在职"),
    "leave": ("leave", "休假"),
    "left": ("left", "离职"),
}
_STATUS_ALIASES: dict[str, str] = {
    "probation": "probation", "on probation": "probation", "试用": "probation", "试用期": "probation",
    "试用中": "probation",
    "active": "active", "在职": "active", "正式": "active", "在岗": "active", "转正": "active",
    "leave": "leave", "on leave": "leave", "休假": "leave", "休假中": "leave", "请假": "leave", "停薪留职": "leave",
    "left": "left", "离职": "left", "已离职": "left", "resigned": "left",
}


def status(value: Any) -> str | None:
    raw = text(value)
    if not raw:
        return None
    found = _STATUS_ALIASES.get(" ".join(raw.lower().split()))
    if found is None:
        raise CellError("bad_status", value=raw, choices=" / ".join(f"{en} {zh}" for en, zh in STATUS_VALUES.values()))
    return found


def status_label(value: str, language: str | None) -> str:
    en, zh = STATUS_VALUES.get(value, (value, value))
    return zh if (language or "").lower().startswith("zh") else en


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value: Any) -> str:
    raw = text(value)
    if raw and not _EMAIL.match(raw):
        raise CellError("bad_email", value=raw)
    return raw
