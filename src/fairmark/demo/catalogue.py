"""The demo company's job families, levels and positions (岗位), with the levels each position is
usually staffed at. Plain data: the generator turns it into rows."""

from __future__ import annotations

from dataclasses import dataclass

COMPANY = ("NCNE", "宁川新能源科技有限公司", "Ningchuan New Energy Technology Co., Ltd.")
# The second production base is a separate legal entity, as is common when a plant is built in
# another province (local tax and subsidy rules); its departments belong to the branch.
BRANCH = ("NCLY", "宁川新能源（溧阳）有限公司", "Ningchuan New Energy (Liyang) Co., Ltd.")
NINGDE = "宁德基地"
LIYANG = "溧阳基地"
SHANGHAI = "上海办事处"
EMAIL_DOMAIN = "ningchuan.example.com"  # example.com is reserved, so no real mailbox is ever addressed

FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("PRD", "生产", "Production"),
    ("TEC", "技术/研发", "Technical & R&D"),
    ("QUA", "质量", "Quality"),
    ("SAL", "销售", "Sales"),
    ("FUN", "职能", "Corporate functions"),
    ("MGT", "管理", "Management"),
)

# Professional track P1–P8 and management track M1–M5. `rank` orders levels across both tracks:
# a line leader (M1) sits between a P4 and a P5 engineer, a department manager (M3) near a P7 expert.
LEVELS: tuple[tuple[str, str, int], ...] = (
    ("P1", "P1 员级", 10), ("P2", "P2 助理级", 20), ("P3", "P3 初级", 30), ("P4", "P4 中级", 40),
    ("P5", "P5 高级", 50), ("P6", "P6 资深", 60), ("P7", "P7 专家", 70), ("P8", "P8 首席专家", 80),
    ("M1", "M1 主管/线长", 45), ("M2", "M2 经理", 55), ("M3", "M3 高级经理", 65), ("M4", "M4 总监", 75),
    ("M5", "M5 总经理", 85),
)

Levels = tuple[tuple[str, float], ...]
_OPERATOR: Levels = (("P1", 0.55), ("P2", 0.35), ("P3", 0.10))
_HELPER: Levels = (("P1", 0.6), ("P2", 0.4))
_TECHNICIAN: Levels = (("P2", 0.4), ("P3", 0.45), ("P4", 0.15))
_INSPECTOR: Levels = (("P2", 0.5), ("P3", 0.4), ("P4", 0.1))
_ENGINEER: Levels = (("P3", 0.35), ("P4", 0.4), ("P5", 0.2), ("P6", 0.05))
_SENIOR: Levels = (("P5", 0.5), ("P6", 0.35), ("P7", 0.13), ("P8", 0.02))
_SALES: Levels = (("P4", 0.4), ("P5", 0.45), ("P6", 0.15))
_JUNIOR: Levels = (("P2", 0.3), ("P3", 0.5), ("P4", 0.2))
_OFFICE: Levels = (("P2", 0.2), ("P3", 0.45), ("P4", 0.3), ("P5", 0.05))


@dataclass(frozen=True)
class PositionSpec:
    code: str
    name: str
    name_en: str
    family: str
    levels: Levels


POSITIONS: tuple[PositionSpec, ...] = (
    # management: the heads of units
    PositionSpec("GM", "总经理", "General manager", "MGT", (("M5", 1.0),)),
    PositionSpec("DIR-RD", "研发总监", "R&D director", "MGT", (("M4", 1.0),)),
    PositionSpec("DIR-MFG", "制造总监", "Manufacturing director", "MGT", (("M4", 1.0),)),
    PositionSpec("DIR-SCM", "供应链总监", "Supply chain director", "MGT", (("M4", 1.0),)),
    PositionSpec("DIR-SAL", "销售总监", "Sales director", "MGT", (("M4", 1.0),)),
    PositionSpec("DEPT-MGR", "部门经理", "Department manager", "MGT", (("M3", 1.0),)),
    PositionSpec("RD-MGR", "研发经理", "R&D manager", "MGT", (("M3", 1.0),)),
    PositionSpec("PLANT-MGR", "厂长", "Plant manager", "MGT", (("M3", 1.0),)),
    PositionSpec("WSM", "车间主任", "Workshop manager", "MGT", (("M2", 1.0),)),
    PositionSpec("SUP", "主管", "Supervisor", "MGT", (("M2", 1.0),)),
    PositionSpec("TL", "组长", "Team leader", "MGT", (("M1", 1.0),)),
    # production
    PositionSpec("LL", "线长", "Line leader", "PRD", (("M1", 1.0),)),
    PositionSpec("OP-COAT", "涂布操作工", "Coating operator", "PRD", _OPERATOR),
    PositionSpec("OP-WIND", "卷绕操作工", "Winding operator", "PRD", _OPERATOR),
    PositionSpec("OP-ASM", "电芯装配操作工", "Cell assembly operator", "PRD", _OPERATOR),
    PositionSpec("OP-FILL", "注液操作工", "Electrolyte filling operator", "PRD", _OPERATOR),
    PositionSpec("OP-FORM", "化成操作工", "Formation operator", "PRD", _OPERATOR),
    PositionSpec("OP-PACK", "模组PACK操作工", "Module/PACK operator", "PRD", _OPERATOR),
    PositionSpec("MH", "物料员", "Material handler", "PRD", _HELPER),
    PositionSpec("WH", "仓管员", "Warehouse keeper", "PRD", _HELPER),
    PositionSpec("FORK", "叉车司机", "Forklift driver", "PRD", _HELPER),
    # technical and R&D
    PositionSpec("RD-LEAD", "研发组长", "R&D team lead", "TEC", (("P6", 0.6), ("P7", 0.4))),
    PositionSpec("RD-ENG", "研发工程师", "R&D engineer", "TEC", _ENGINEER),
    PositionSpec("RD-SENIOR", "高级研发工程师", "Senior R&D engineer", "TEC", _SENIOR),
    PositionSpec("RD-PM", "研发项目经理", "R&D project manager", "TEC", (("P5", 0.6), ("P6", 0.4))),
    PositionSpec("RD-TECH", "研发技术员", "R&D technician", "TEC", _TECHNICIAN),
    PositionSpec("MAT-ENG", "材料工程师", "Materials engineer", "TEC", _ENGINEER),
    PositionSpec("LAB-TECH", "实验员", "Lab technician", "TEC", _TECHNICIAN),
    PositionSpec("TEST-ENG", "测试工程师", "Test engineer", "TEC", _ENGINEER),
    PositionSpec("TEST-TECH", "测试技术员", "Test technician", "TEC", _TECHNICIAN),
    PositionSpec("PROC-ENG", "工艺工程师", "Process engineer", "TEC", _ENGINEER),
    PositionSpec("PROC-TECH", "工艺技术员", "Process technician", "TEC", _TECHNICIAN),
    PositionSpec("EQ-ENG", "设备工程师", "Equipment engineer", "TEC", _ENGINEER),
    PositionSpec("EQ-TECH", "设备维修技术员", "Maintenance technician", "TEC", _TECHNICIAN),
    # quality
    PositionSpec("QE", "质量工程师", "Quality engineer", "QUA", _ENGINEER),
    PositionSpec("SQE", "供应商质量工程师", "Supplier quality engineer", "QUA", _ENGINEER),
    PositionSpec("QMS", "体系工程师", "Quality system engineer", "QUA", _ENGINEER),
    PositionSpec("IQC", "来料检验员", "Incoming inspector", "QUA", _INSPECTOR),
    PositionSpec("IPQC", "制程检验员", "In-process inspector", "QUA", _INSPECTOR),
    PositionSpec("OQC", "出货检验员", "Outgoing inspector", "QUA", _INSPECTOR),
    # sales
    PositionSpec("SALES-MGR", "销售经理", "Sales manager", "SAL", _SALES),
    PositionSpec("KAM", "大客户经理", "Key account manager", "SAL", _SALES),
    PositionSpec("SALES-REP", "销售代表", "Sales representative", "SAL", _JUNIOR),
    PositionSpec("OS-SALES", "海外销售经理", "Overseas sales manager", "SAL", _SALES),
    PositionSpec("SALES-AST", "销售助理", "Sales assistant", "SAL", _JUNIOR),
    PositionSpec("FAE", "技术支持工程师", "Field application engineer", "SAL", _ENGINEER),
    # corporate functions
    PositionSpec("GM-AST", "总经理助理", "Assistant to the GM", "FUN", (("P5", 0.5), ("P6", 0.5))),
    PositionSpec("STRAT", "经营分析专员", "Business analyst", "FUN", _OFFICE),
    PositionSpec("BUYER", "采购工程师", "Buyer", "FUN", _OFFICE),
    PositionSpec("PLANNER", "计划员", "Production planner", "FUN", _OFFICE),
    PositionSpec("LOG", "物流专员", "Logistics specialist", "FUN", _OFFICE),
    PositionSpec("HR", "HR专员", "HR specialist", "FUN", _OFFICE),
    PositionSpec("HR-REC", "招聘专员", "Recruiter", "FUN", _OFFICE),
    PositionSpec("HR-CB", "薪酬绩效专员", "Compensation & performance specialist", "FUN", _OFFICE),
    PositionSpec("HRBP", "HRBP", "HR business partner", "FUN", (("P4", 0.5), ("P5", 0.5))),
    PositionSpec("ADM", "行政专员", "Administrative specialist", "FUN", _OFFICE),
    PositionSpec("EHS", "安全环保专员", "EHS specialist", "FUN", _OFFICE),
    PositionSpec("ACC", "会计", "Accountant", "FUN", _OFFICE),
    PositionSpec("COST", "成本会计", "Cost accountant", "FUN", _OFFICE),
    PositionSpec("CASH", "出纳", "Cashier", "FUN", _JUNIOR),
)
POSITION_BY_CODE = {p.code: p for p in POSITIONS}
