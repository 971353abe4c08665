"""The demo company's goals (DESIGN.md C4), written through the goal services as the people would: the executive
sets three company objectives for the year, the head of manufacturing cascades two of them to the department,
the line manager assigns a goal set (yield and defect-rate KPI goals computed from the MES data, and a
changeover OKR) to the whole team in one action; agreements in every state (signed, submitted, returned),
an operator's check-in with a blocker on the manager's to-do, and alert rules on the defect rate and on pace,
evaluated on the data already there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from fairmark.goals.models import Agreement, Goal, GoalKind, GoalLevel
from fairmark.goals.services.agreement import agreement_approve, agreement_return, agreement_sign, agreement_submit
from fairmark.goals.services.alert_rules import alert_rule_create
from fairmark.goals.services.alerts import check_pace_and_staleness, evaluate_threshold_alerts
from fairmark.goals.services.checkins import checkin_create
from fairmark.goals.services.goal_sets import goal_set_assign, goal_set_create
from fairmark.goals.services.tree import goal_create
from fairmark.indicators.models import Indicator
from fairmark.org.models import Department, Employee
from fairmark.org.services.users import user_create_for_employee

# The agreement state of the manager's people, in the order of their employee numbers.
STATES = ("signed", "returned", "submitted", "signed", "draft")


def _employee(user: Any) -> Employee:
    return Employee.objects.select_related("department").get(user=user)


def _okr(actor: Any, *, level: str, year: int, title: str, key_results: list[tuple[str, str, str, str]],
         department: Department | None = None, parent: Goal | None = None, weight: str = "1",
         description: str = "") -> Goal:
    return goal_create(actor=actor, level=level, kind=GoalKind.OKR, year=year, title=title, department=department,
                       parent=parent, weight=weight, description=description,
                       key_results=[{"title": t, "start": s, "target": g, "current": c or None}
                                    for t, s, g, c in key_results])


def write_goals(*, users: dict[str, Any], today: dt.date) -> dict[str, int]:
    year = today.year
    executive, head, manager = users["exec"], users["head"], users["manager"]
    head_unit = Department.objects.filter(head=_employee(head), active=True).order_by("depth").first()
    leader = _employee(manager)
    team = list(leader.reports.exclude(status="left").select_related("department").order_by("number"))

    quality = _okr(executive, level=GoalLevel.COMPANY, year=year, title="质量领先：全年产品不良率降到 3% 以下",
                   description="总经办年度战略目标之一：来自客户投诉与内部不良的双重压力。",
                   key_results=[("客户投诉件数", "40", "12", "26"), ("一次交验合格率（%）", "95", "98", "96.4")])
    delivery = _okr(executive, level=GoalLevel.COMPANY, year=year, title="准时交付：订单准时交付率 ≥ 97%",
                    key_results=[("订单准时交付率（%）", "92", "97", "94.5")])
    _okr(executive, level=GoalLevel.COMPANY, year=year, title="降本增效：材料利用率提升到 95%",
         key_results=[("材料利用率（%）", "92", "95", "93.1"), ("单位能耗下降（%）", "0", "8", "3")])
    unit_quality = _okr(head, level=GoalLevel.DEPARTMENT, year=year, department=head_unit, parent=quality, weight="2",
                        title=f"{head_unit.name}：制程不良率 ≤ 3%" if head_unit else "制程不良率 ≤ 3%",
                        key_results=[("制程不良率（%）", "6", "3", "")])
    unit_delivery = _okr(head, level=GoalLevel.DEPARTMENT, year=year, department=head_unit, parent=delivery,
                         title="产线计划达成率 ≥ 98%", key_results=[("计划达成率（%）", "93", "98", "95")])

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    goal_set = goal_set_create(actor=manager, name=f"{leader.department.name} 操作工 {year} 年度目标", year=year,
                               department=leader.department, items=[
        {"kind": "kpi", "title": "良品率 ≥ 95%", "indicator": "yield_rate", "threshold": "90", "target": "95",
         "stretch": "98", "weight": "40", "parent": unit_quality.pk},
        {"kind": "kpi", "title": "不良率 ≤ 5%", "indicator": "defect_rate", "threshold": "8", "target": "5",
         "stretch": "3", "weight": "30", "parent": unit_quality.pk},
        {"kind": "okr", "title": "换型时间缩短到 25 分钟", "weight": "30", "parent": unit_delivery.pk,
         "period_start": start.isoformat(), "period_end": end.isoformat(),
         "key_results": [{"title": "平均换型时间（分钟）", "start": "40", "target": "25"}]},
    ])
    result = goal_set_assign(actor=manager, goal_set=goal_set, employees=team)

    # Agreements in the states a manager meets: signed off, returned with a comment, submitted and waiting, and
    # drafts. Operators without an account get one without a password (they act here; nobody signs in as them).
    admin = users["admin"]
    for person in team:
        if person.user_id is None:
            person.user = user_create_for_employee(actor=admin, username=f"demo-{person.number.lower()}",
                                                   employee=person)
    agreements = {a.employee_id: a for a in Agreement.objects.filter(year=year, employee__in=team)}
    states = {"signed": 0, "returned": 0, "submitted": 0}
    for index, person in enumerate(team):
        agreement, user = agreements.get(person.pk), person.user
        state = STATES[index % len(STATES)]
        if agreement is None or state == "draft":
            continue
        agreement_submit(actor=user, agreement=agreement, comment="已确认目标" if state == "signed" else "")
        if state == "signed":
            agreement_approve(actor=manager, agreement=agreement)
            agreement_sign(actor=user, agreement=agreement)
            agreement_sign(actor=manager, agreement=agreement)
        elif state == "returned":
            agreement_return(actor=manager, agreement=agreement, comment="换型目标请按夜班实际情况再细化")
        states[state] += 1

    # A check-in with a blocker: it lands on the manager's to-do.
    checkins = 0
    reporter = next((p for p in team if p.user is not None), None)
    if reporter is not None:
        changeover = Goal.objects.filter(employee=reporter, year=year, kind=GoalKind.OKR).first()
        if changeover is not None:
            kr = changeover.key_results.first()
            checkin_create(actor=reporter.user, goal=changeover, comment="新夹具试用中，白班换型已到 32 分钟。",
                           key_results={kr.pk: "32"} if kr else {}, blocker="3 号线设备故障，备件未到，夜班换型无法试新夹具")
            checkins = 1

    # Alert rules: defect rate above 5 % warns, above 8 % is critical, on every goal measured by it; and a pace
    # rule on the department's delivery goal. Both read what is already there.
    defect = Indicator.objects.filter(code="defect_rate").first()
    rules = 0
    if defect is not None:
        alert_rule_create(actor=executive, name="不良率超标", kind="threshold", indicator=defect, warning="5",
                          critical="8")
        rules += 1
    alert_rule_create(actor=head, name="计划达成进度落后", kind="pace", goal=unit_delivery, warning="0.1",
                      critical="0.25")
    rules += 1
    kpi_goals = list(Goal.objects.filter(year=year, kind=GoalKind.KPI).values_list("pk", flat=True))
    evaluate_threshold_alerts(kpi_goals, until=today)
    check_pace_and_staleness(today=today)
    return {"goals": Goal.objects.filter(year=year).count(), "goal_sets": 1, "assigned_people": len(result.assigned),
            "agreements_signed": states["signed"], "agreements_returned": states["returned"],
            "agreements_submitted": states["submitted"], "checkins": checkins, "alert_rules": rules}


def describe_goals(counts: Mapping[str, int]) -> str:
    """One line about the goals for the demo's summary."""
    return gettext("Goals: %(goals)s goals; a goal set assigned to %(people)s people; agreements signed %(signed)s, "
                   "returned %(returned)s, waiting %(submitted)s; blockers on the manager's to-do: %(blockers)s") % {
        "goals": counts["goals"], "people": counts["assigned_people"], "signed": counts["agreements_signed"],
        "returned": counts["agreements_returned"], "submitted": counts["agreements_submitted"],
        "blockers": counts["checkins"]}
