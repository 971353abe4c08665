"""The demo company's department tree, sized to a headcount, and who sits where.

Plain Python (no Django): `plan_structure(size, rng)` returns departments and seats (a seat is a
person's department, position, level and manager), with exactly `size` seats. Shares follow a
500-person lithium-battery maker: production is the largest block (制造中心 ≈ 45 %), R&D about
27 % (the industry's 25–35 %), quality 7 %, the rest small functions. Cell lines scale with the
size (≈ 60 people per line in three shifts), so a 10,000-person company has ~57 lines, grouped into
plants (厂), rather than lines of 1,000.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .catalogue import LIYANG, NINGDE, POSITION_BY_CODE, SHANGHAI
from .names import cn_number

Weights = tuple[tuple[str, float], ...]
CELL_LINE_SHARE = 0.34
PACK_LINE_SHARE = 0.07
PEOPLE_PER_CELL_LINE = 60
PEOPLE_PER_PACK_LINE = 50
TEAM_SIZE = 13  # a team leader and about a dozen people
MAX_DIRECT = 15  # above this many people a unit is split into teams
MAX_TEAMS = 8  # above this many teams, sections (室) are put between the unit and its teams
MAX_LINES = 8  # above this many production lines, lines are grouped into plants per site
SITE_EN = {NINGDE: "Ningde", LIYANG: "Liyang"}

_OPERATORS: Weights = (("OP-COAT", 0.12), ("OP-WIND", 0.18), ("OP-ASM", 0.35), ("OP-FILL", 0.12),
                       ("OP-FORM", 0.15), ("MH", 0.08))


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    name_en: str
    head: str  # position code of the unit's head
    share: float = 0.0  # share of the company's people who work in the unit (below its head)
    members: Weights = ()
    teams: tuple[tuple[str, str], ...] = ()  # (zh, en) stems of team names when the unit is split
    team_lead: str = "TL"
    max_direct: int = MAX_DIRECT
    location: str = NINGDE
    children: tuple[UnitSpec, ...] = ()


@dataclass
class DeptPlan:
    key: int
    code: str
    name: str
    name_en: str
    parent: int | None
    depth: int
    location: str
    cost_centre: str
    head: int | None = None  # seat index


@dataclass
class Seat:
    index: int
    dept: int
    position: str
    level: str
    manager: int | None
    is_head: bool


@dataclass
class StructurePlan:
    departments: list[DeptPlan] = field(default_factory=list)
    seats: list[Seat] = field(default_factory=list)
    by_code: dict[str, DeptPlan] = field(default_factory=dict)


def _shifts(code: str, line: tuple[str, str], names: tuple[tuple[str, str, str], ...], share: float,
            members: Weights, location: str) -> tuple[UnitSpec, ...]:
    # A line leader (线长) runs a whole shift, so shifts are never split into teams. Shifts carry
    # the line's name (电芯一线甲班), as on the shop floor, so that a list of people is unambiguous.
    return tuple(UnitSpec(f"{code}-{suffix}", f"{line[0]}{zh}", f"{line[1]}, {en.lower()}", "LL", share, members,
                          max_direct=60, location=location)
                 for suffix, zh, en in names)


def company_units(size: int) -> UnitSpec:
    """The tree for a company of `size` people."""
    cell_lines = max(2, round(size * CELL_LINE_SHARE / PEOPLE_PER_CELL_LINE))
    pack_lines = max(1, round(size * PACK_LINE_SHARE / PEOPLE_PER_PACK_LINE))
    three = (("A", "甲班", "Shift A"), ("B", "乙班", "Shift B"), ("C", "丙班", "Shift C"))
    two = (("D", "白班", "Day shift"), ("N", "夜班", "Night shift"))
    lines: list[UnitSpec] = []
    for i in range(1, cell_lines + 1):
        site = NINGDE if i % 3 else LIYANG  # every third line is in the Liyang plant
        code = f"MFG-L{i:02d}"
        name = (f"电芯{cn_number(i)}线", f"Cell line {i}")
        lines.append(UnitSpec(code, *name, "WSM", location=site,
                              children=_shifts(code, name, three, CELL_LINE_SHARE / (3 * cell_lines), _OPERATORS, site)))
    for i in range(1, pack_lines + 1):
        code = f"MFG-P{i:02d}"
        name = (("模组PACK线", "Module/PACK line") if pack_lines == 1
                else (f"模组PACK{cn_number(i)}线", f"Module/PACK line {i}"))
        lines.append(UnitSpec(code, *name, "WSM", location=LIYANG,
                              children=_shifts(code, name, two, PACK_LINE_SHARE / (2 * pack_lines),
                                               (("OP-PACK", 0.9), ("MH", 0.1)), LIYANG)))
    rnd = UnitSpec("RDC", "研发中心", "R&D centre", "DIR-RD", children=(
        UnitSpec("RDC-CELL", "电芯研发部", "Cell R&D", "RD-MGR", 0.11,
                 (("RD-ENG", 0.55), ("RD-SENIOR", 0.2), ("RD-TECH", 0.15), ("RD-PM", 0.1)),
                 (("电芯设计", "Cell design"), ("电化学", "Electrochemistry"), ("结构设计", "Mechanical design"),
                  ("仿真", "Simulation"), ("样品试制", "Prototyping")), "RD-LEAD"),
        UnitSpec("RDC-MAT", "材料研发部", "Materials R&D", "RD-MGR", 0.09,
                 (("MAT-ENG", 0.55), ("RD-SENIOR", 0.15), ("LAB-TECH", 0.3)),
                 (("正极材料", "Cathode"), ("负极材料", "Anode"), ("电解液", "Electrolyte"),
                  ("隔膜与辅材", "Separator & auxiliaries")), "RD-LEAD"),
        UnitSpec("RDC-TEST", "测试验证部", "Testing & validation", "RD-MGR", 0.07,
                 (("TEST-ENG", 0.5), ("TEST-TECH", 0.5)),
                 (("性能测试", "Performance testing"), ("安全测试", "Safety testing"), ("可靠性", "Reliability")),
                 "RD-LEAD"),
    ))
    if len(lines) > MAX_LINES:
        plants: list[UnitSpec] = []
        for site in (NINGDE, LIYANG):
            here = [line for line in lines if line.location == site]
            for j in range(0, len(here), MAX_LINES):
                n = j // MAX_LINES + 1
                plants.append(UnitSpec(f"MFG-F{len(plants) + 1:02d}", f"{site[:2]}{cn_number(n)}厂",
                                       f"{SITE_EN[site]} plant {n}", "PLANT-MGR", location=site,
                                       children=tuple(here[j:j + MAX_LINES])))
        lines = plants
    mfg = UnitSpec("MFG", "制造中心", "Manufacturing centre", "DIR-MFG", children=(
        UnitSpec("MFG-PE", "工艺技术部", "Process engineering", "DEPT-MGR", 0.03,
                 (("PROC-ENG", 0.6), ("PROC-TECH", 0.4)),
                 (("前段工艺", "Electrode process"), ("中段工艺", "Assembly process"),
                  ("后段工艺", "Formation process"))),
        *lines,
    ))
    quality = UnitSpec("QA", "品质部", "Quality", "DEPT-MGR", children=(
        UnitSpec("QA-IQC", "IQC来料检验", "Incoming quality (IQC)", "SUP", 0.022, (("IQC", 0.7), ("SQE", 0.3))),
        UnitSpec("QA-PQ", "过程质量", "Process quality", "SUP", 0.035, (("IPQC", 0.55), ("OQC", 0.15), ("QE", 0.3)),
                 (("制程巡检", "In-process"), ("出货检验", "Outgoing"), ("质量工程", "Quality engineering"))),
        UnitSpec("QA-QMS", "质量体系", "Quality system", "SUP", 0.012, (("QMS", 0.6), ("QE", 0.4))),
    ))
    equipment = UnitSpec("EQP", "设备部", "Equipment", "DEPT-MGR", 0.035, (("EQ-ENG", 0.4), ("EQ-TECH", 0.6)),
                         (("前段设备", "Electrode equipment"), ("中段设备", "Assembly equipment"),
                          ("后段设备", "Formation equipment"), ("自动化", "Automation")))
    supply = UnitSpec("SCM", "供应链", "Supply chain", "DIR-SCM", children=(
        UnitSpec("SCM-PUR", "采购部", "Purchasing", "SUP", 0.014, (("BUYER", 1.0),)),
        UnitSpec("SCM-PLN", "计划部", "Planning", "SUP", 0.012, (("PLANNER", 1.0),)),
        UnitSpec("SCM-WL", "仓储物流部", "Warehouse & logistics", "SUP", 0.03, (("WH", 0.6), ("FORK", 0.2), ("LOG", 0.2)),
                 (("原材料仓", "Raw materials"), ("成品仓", "Finished goods"), ("物流", "Logistics"))),
    ))
    sales = UnitSpec("SAL", "销售部", "Sales", "DIR-SAL", children=(
        UnitSpec("SAL-DOM", "国内销售", "Domestic sales", "DEPT-MGR", 0.022,
                 (("SALES-MGR", 0.35), ("KAM", 0.15), ("SALES-REP", 0.3), ("FAE", 0.2)),
                 (("华东区", "East China"), ("华南区", "South China"), ("华北区", "North China"), ("西南区", "Southwest"))),
        UnitSpec("SAL-INT", "海外销售", "Overseas sales", "DEPT-MGR", 0.014,
                 (("OS-SALES", 0.6), ("SALES-AST", 0.2), ("FAE", 0.2)),
                 (("欧洲区", "Europe"), ("东南亚区", "Southeast Asia"), ("北美区", "North America")), location=SHANGHAI),
    ))
    functions = (
        UnitSpec("HR", "人力资源部", "Human resources", "DEPT-MGR", 0.012,
                 (("HR", 0.3), ("HR-REC", 0.25), ("HR-CB", 0.2), ("HRBP", 0.25)),
                 (("招聘", "Recruiting"), ("薪酬绩效", "Compensation & performance"), ("培训发展", "Learning"),
                  ("员工关系", "Employee relations"))),
        UnitSpec("ADM", "行政部", "Administration", "DEPT-MGR", 0.012, (("ADM", 0.6), ("EHS", 0.4)),
                 (("综合行政", "General affairs"), ("安全环保", "EHS"), ("后勤", "Facilities"))),
        UnitSpec("FIN", "财务部", "Finance", "DEPT-MGR", 0.012, (("ACC", 0.5), ("COST", 0.3), ("CASH", 0.2)),
                 (("总账", "General ledger"), ("成本", "Cost accounting"), ("资金", "Treasury"))),
    )
    # The GM office stays one team whatever the size: assistants and analysts report to the GM.
    return UnitSpec("GMO", "总经办", "General manager's office", "GM", 0.004, (("GM-AST", 0.5), ("STRAT", 0.5)),
                    max_direct=60, children=(rnd, mfg, quality, equipment, supply, sales, *functions))


def _walk(unit: UnitSpec) -> list[UnitSpec]:
    out = [unit]
    for child in unit.children:
        out.extend(_walk(child))
    return out


def _split(total: int, parts: list[float]) -> list[int]:
    """Largest-remainder apportionment of `total` by weights, so the parts add up exactly."""
    weight = sum(parts)
    exact = [total * p / weight for p in parts]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(parts)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def minimum_size() -> int:
    units = _walk(company_units(0))
    return len(units) + sum(1 for u in units if u.share)


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.plan = StructurePlan()
        self.top_index = 0
        self.children_costed: dict[int, int] = {}

    def dept(self, code: str, name: str, name_en: str, parent: DeptPlan | None, location: str,
             costed: bool = True) -> DeptPlan:
        depth = parent.depth + 1 if parent else 0
        if parent is None or (costed and depth == 1):
            self.top_index += 1
            cost_centre = f"CC{self.top_index:02d}00"
        elif costed and depth == 2:
            # Second-level units (a cell line, IQC, ...) are cost centres of their own; shifts and
            # teams are costed to their unit.
            self.children_costed[parent.key] = self.children_costed.get(parent.key, 0) + 1
            cost_centre = f"{parent.cost_centre[:4]}{self.children_costed[parent.key]:02d}"
        else:
            cost_centre = parent.cost_centre
        plan = DeptPlan(len(self.plan.departments), code, name, name_en, parent.key if parent else None, depth,
                        location, cost_centre)
        self.plan.departments.append(plan)
        self.plan.by_code[code] = plan
        return plan

    def seat(self, dept: DeptPlan, position: str, manager: int | None, is_head: bool) -> int:
        levels = POSITION_BY_CODE[position].levels
        level = self.rng.choices([code for code, _ in levels], weights=[w for _, w in levels])[0]
        seat = Seat(len(self.plan.seats), dept.key, position, level, manager, is_head)
        self.plan.seats.append(seat)
        if is_head:
            dept.head = seat.index
        return seat.index

    def unit(self, spec: UnitSpec, parent: DeptPlan | None, boss: int | None, people: dict[str, int]) -> None:
        dept = self.dept(spec.code, spec.name, spec.name_en, parent, spec.location)
        head = self.seat(dept, spec.head, boss, True)
        self.staff(spec, dept, head, people.get(spec.code, 0), level=0, counter=[0])
        for child in spec.children:
            self.unit(child, dept, head, people)

    def staff(self, spec: UnitSpec, dept: DeptPlan, head: int, count: int, level: int, counter: list[int]) -> None:
        """Seat `count` people below `head`: directly, in teams, or in sections of teams."""
        if count <= spec.max_direct:
            for _ in range(count):
                position = self.rng.choices([p for p, _ in spec.members], weights=[w for _, w in spec.members])[0]
                self.seat(dept, position, head, False)
            return
        teams = math.ceil(count / TEAM_SIZE)
        sections = math.ceil(teams / MAX_TEAMS) if level == 0 and teams > MAX_TEAMS else 0
        for i, size in enumerate(_split(count, [1.0] * (sections or teams)), start=1):
            if sections:
                child = self.dept(f"{dept.code}-S{i:02d}", f"{spec.name}{cn_number(i)}室",
                                  f"{spec.name_en} section {i}", dept, spec.location, costed=False)
                lead = self.seat(child, "SUP", head, True)
                self.staff(spec, child, lead, size - 1, level + 1, counter)
                continue
            counter[0] += 1
            stem_zh, stem_en = (spec.teams[(counter[0] - 1) % len(spec.teams)] if spec.teams
                                else (spec.name, spec.name_en))
            round_ = (counter[0] - 1) // len(spec.teams) + 1 if spec.teams else counter[0]
            name = f"{stem_zh}组" if spec.teams and round_ == 1 else f"{stem_zh}{cn_number(round_)}组"
            name_en = f"{stem_en} team" if spec.teams and round_ == 1 else f"{stem_en} team {round_}"
            child = self.dept(f"{dept.code}-G{counter[0]:02d}", name, name_en, dept, spec.location, costed=False)
            lead = self.seat(child, spec.team_lead, head, True)
            self.staff(spec, child, lead, size - 1, level + 1, counter)


def plan_structure(size: int, rng: random.Random) -> StructurePlan:
    """Departments and exactly `size` seats."""
    root = company_units(size)
    units = _walk(root)
    staffed = [u for u in units if u.share]
    budget = size - len(units) - len(staffed)  # every unit has a head; every staffed unit at least one person
    if budget < 0:
        raise ValueError(f"the demo company needs at least {minimum_size()} people")
    extra = _split(budget, [u.share for u in staffed])
    people = {u.code: 1 + n for u, n in zip(staffed, extra, strict=True)}
    builder = _Builder(rng)
    builder.unit(root, None, None, people)
    return builder.plan
