"""Which people a template applies to (适用范围). Pure: no Django.

A template's `applies_to` names job families (codes), positions (codes or names, so that the shipped library,
written before a company's positions exist, matches by name) and levels (codes). It applies to a person when
every dimension it names matches: a production-operator template for family PRD, the six operator positions
and levels P1–P3 does not reach a P4 operator nor a P1 warehouse keeper. A dimension left empty matches
anyone; a template that names nothing applies to nobody (it is assigned by hand in a cycle)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DIMENSIONS = ("job_families", "positions", "levels")


@dataclass(frozen=True)
class Placement:
    """Where a person sits: what a template's `applies_to` is compared with."""

    position_code: str = ""
    position_name: str = ""
    job_family: str = ""
    level: str = ""


def normalise(applies_to: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Every dimension as a sorted list of distinct, stripped, non-empty strings."""
    result: dict[str, list[str]] = {}
    for dimension in DIMENSIONS:
        raw = (applies_to or {}).get(dimension) or []
        values: Sequence[Any] = raw.split(",") if isinstance(raw, str) else raw
        result[dimension] = sorted({str(value).strip() for value in values if str(value).strip()})
    return result


def applies(applies_to: Mapping[str, Any] | None, placement: Placement) -> bool:
    rules = normalise(applies_to)
    if not any(rules.values()):
        return False
    if rules["job_families"] and placement.job_family not in rules["job_families"]:
        return False
    if rules["levels"] and placement.level not in rules["levels"]:
        return False
    positions = rules["positions"]
    return not positions or placement.position_code in positions or placement.position_name in positions
