"""Goals on the small company of tests/world.py: two published KPI indicators over the MES metrics of
tests/ingestion/support.py (defect rate, lower is better; output, higher is better), a company objective for
2026, a goal of the manufacturing centre cascaded from it, and goal helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from fairmark.core.access import SYSTEM
from fairmark.goals.models import Goal, GoalKind, GoalLevel
from fairmark.goals.services.tree import goal_create
from fairmark.indicators.models import IndicatorVersion
from fairmark.indicators.services.indicators import indicator_create

from ..ingestion.support import Mes, build_mes
from ..world import World

YEAR = 2026

DEFECT_RATE = {
    "name_zh": "不良率", "name_en": "Defect rate", "category": "quality", "unit": "%", "direction": "lower",
    "definition_zh": "不良品数 ÷ 生产数 × 100%", "aggregation": "avg", "formula": "avg(defect_rate)",
    "metrics": [{"code": "defect_rate", "name_zh": "不良率", "name_en": "Defect rate", "unit": "%"}],
    "scoring": {"kind": "linear", "params": {"threshold": "8", "target": "5", "stretch": "2", "direction": "lower"}},
}
OUTPUT = {
    "name_zh": "产量", "name_en": "Output", "category": "quantity", "unit": "pcs", "direction": "higher",
    "definition_zh": "合格产量之和", "aggregation": "sum", "formula": "sum(output)",
    "metrics": [{"code": "output", "name_zh": "产量", "name_en": "Output", "unit": "pcs"}],
    "scoring": {"kind": "linear", "params": {"threshold": "600", "target": "1000", "stretch": "1200"}},
}


@dataclass
class Goals:
    mes: Mes
    defect: IndicatorVersion
    output: IndicatorVersion
    company: Goal
    department: Goal


def published(code: str, data: dict[str, Any]) -> IndicatorVersion:
    indicator = indicator_create(actor=SYSTEM, code=code, data=data, publish_now=True)
    indicator.refresh_from_db()
    assert indicator.published is not None
    return indicator.published


def build_goals(world: World) -> Goals:
    mes = build_mes(world)
    defect = published("line_defect_rate", DEFECT_RATE)
    output = published("line_output", OUTPUT)
    company = goal_create(actor=world.user("exec"), level=GoalLevel.COMPANY, kind=GoalKind.OKR, year=YEAR,
                          title="质量第一：全年不良率降到 5% 以下",
                          key_results=[{"title": "客诉件数", "start": "40", "target": "10"}])
    department = goal_create(actor=world.user("head"), level=GoalLevel.DEPARTMENT, kind=GoalKind.OKR, year=YEAR,
                             department=world.depts["PROD"], parent=company, title="制造中心不良率 ≤ 5%",
                             key_results=[{"title": "产线不良率", "start": "8", "target": "5"}])
    return Goals(mes, defect, output, company, department)


def kpi_goal(world: World, version: IndicatorVersion, *, person: str = "employee", actor: str = "manager",
             parent: Goal | None = None, threshold: str = "8", target: str = "5", stretch: str = "2",
             start: date = date(YEAR, 1, 1), end: date = date(YEAR, 12, 31), **extra: Any) -> Goal:
    return goal_create(actor=world.user(actor), level=GoalLevel.PERSON, kind=GoalKind.KPI, year=YEAR,
                       employee=world.people[person], title=extra.pop("title", version.name_zh),
                       indicator_version=version, threshold=Decimal(threshold), target=Decimal(target),
                       stretch=Decimal(stretch), parent=parent, period_start=start, period_end=end, **extra)


def okr_goal(world: World, *, person: str = "employee", actor: str = "employee", parent: Goal | None = None,
             weight: Any = 1, key_results: list[dict[str, Any]] | None = None, title: str = "降低换型时间") -> Goal:
    return goal_create(actor=world.user(actor), level=GoalLevel.PERSON, kind=GoalKind.OKR, year=YEAR,
                       employee=world.people[person], title=title, parent=parent, weight=weight,
                       key_results=key_results or [{"title": "换型时间（分钟）", "start": "60", "target": "30"}])


@dataclass
class Tree:
    company: Goal
    department: Goal
    mine: Goal  # the employee's (LINE1, led by the manager)
    other: Goal  # a LINE2 person's: outside the LINE1 manager's scope


def build_tree(world: World) -> Tree:
    """OKR goals only (no MES, no indicators): cheap enough for every authorization case. Built once per world."""
    cached = getattr(world, "_goal_tree", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    kr = [{"title": "完成率", "start": "0", "target": "100"}]
    company = goal_create(actor=world.user("exec"), level=GoalLevel.COMPANY, kind=GoalKind.OKR, year=YEAR,
                          title="年度交付 100%", key_results=kr)
    department = goal_create(actor=world.user("head"), level=GoalLevel.DEPARTMENT, kind=GoalKind.OKR, year=YEAR,
                             department=world.depts["PROD"], parent=company, title="制造交付", key_results=kr)
    mine = okr_goal(world, parent=department)
    other = okr_goal(world, person="other", actor="head", parent=department, title="二线换型")
    tree = Tree(company, department, mine, other)
    world._goal_tree = tree  # type: ignore[attr-defined]
    return tree
