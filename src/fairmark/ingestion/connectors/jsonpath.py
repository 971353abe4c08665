"""A small dotted-path reader for JSON answers: where a REST source keeps its records and their fields. Pure.

    read({"data": {"items": [1, 2]}}, "data.items")        # [1, 2]
    read({"values": [{"v": 7}]}, "$.values[0].v")          # 7
    read({"line": None}, "line.code") is MISSING           # True: absent, not null
    parse_path("a[0].b")                                   # ('a', 0, 'b'); ValueError for a path it cannot read

The grammar is deliberately tiny: an optional leading `$` or `$.`, names separated by dots, each name followed by
any number of `[n]` list indexes (n ≥ 0). Names may hold any character but `.`, `[` and `]`. "" and "$" mean
the document itself. Written by hand rather than taken from a JSONPath library because only this subset is
needed: without filters, wildcards or script expressions, a path typed by an administrator cannot evaluate
anything, reads exactly one value, and costs no extra dependency."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

Step = str | int


class _Missing:
    """The value of a path that leads nowhere; distinct from JSON null (None)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()

_STEP = re.compile(r"([^.\[\]]*)((?:\[[0-9]+\])*)")
_INDEX = re.compile(r"\[([0-9]+)\]")
MAX_PATH = 500


@lru_cache(maxsize=512)
def parse_path(path: str) -> tuple[Step, ...]:
    """The steps of a path: names (str) and list indexes (int). Raises ValueError when it is not in the subset."""
    if len(path) > MAX_PATH:
        raise ValueError("path too long")
    text = path.strip()
    if text.startswith("$"):
        text = text[1:].removeprefix(".")
    if not text:
        return ()
    steps: list[Step] = []
    for part in text.split("."):
        match = _STEP.fullmatch(part)
        # "" is an empty name (a..b, a.); an index with no name only starts a path ([0].a, not a.[0])
        if match is None or not (match[1] or (match[2] and not steps)):
            raise ValueError(f"cannot read the path {path!r}")
        if match[1]:
            steps.append(match[1])
        steps.extend(int(index) for index in _INDEX.findall(match[2]))
    return tuple(steps)


def is_valid(path: str) -> bool:
    try:
        parse_path(path)
    except ValueError:
        return False
    return True


def read(document: Any, path: str | tuple[Step, ...]) -> Any:
    """The value at `path` (a path text or parse_path's steps), or MISSING when any step is absent: a name on
    something that is not an object, an index on something that is not a list or beyond its end."""
    value = document
    for step in parse_path(path) if isinstance(path, str) else path:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return MISSING
        elif not isinstance(value, dict) or step not in value:
            return MISSING
        value = value[step]
    return value
