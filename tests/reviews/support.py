"""Reviews on the small company of tests/world.py: three more operators on line 1 (so the employee has four
peers), the goals' KPI indicators over the MES metrics (line defect rate, lower is better; line output), a rated
teamwork indicator on an anchored 1–5 scale, a published operator template (KPI 60 %: defect rate 50 / output
50; behaviour 40 %: teamwork rated by manager 60 / peers 20 / self 20; a ±5 adjustment) and a line-leader
template, a cycle for the first quarter of 2026 and helpers to launch it, push data and rate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.test import Client

from fairmark.core.access import SYSTEM
from fairmark.indicators.models import IndicatorVersion, TemplateVersion
from fairmark.indicators.services.templates import template_create
from fairmark.org.models import Assignment, Employee
from fairmark.reviews.models import Cycle, Rater, RaterGroup, Review
from fairmark.reviews.services import cycles, forms, raters, transitions

from ..goals.support import DEFECT_RATE, OUTPUT, published
from ..ingestion.support import Mes, build_mes, push
from ..world import World

START, END = date(2026, 1, 1), date(2026, 3, 31)
PHASES = {"self_review": date(2026, 4, 10), "rating_360": date(2026, 4, 15), "manager_review": date(2026, 4, 20),
          "calibration": date(2026, 4, 25), "published": date(2026, 4, 30)}

TEAMWORK = {
    "name_zh": "团队协作", "name_en": "Teamwork", "category": "behaviour", "unit": "分", "direction": "higher",
    "definition_zh": "与同事配合完成任务、主动补位。", "definition_en": "Works with colleagues and steps in.",
    "aggregation": "avg", "formula": "", "metrics": [],
    "scoring": {"kind": "rating", "params": {"points": [
        ["1", "0", "Works alone, blocks others", "单打独斗，影响他人"],
        ["2", "25", "Helps when asked, late", "被要求才配合，且拖延"],
        ["3", "50", "Helps when asked", "被要求时能配合"],
        ["4", "75", "Offers help unasked", "主动补位"],
        ["5", "100", "Organises the team's help", "组织团队互助"]]}},
}


def operator_template(first: str = "60", second: str = "40") -> dict[str, Any]:
    return {
        "name_zh": "一线操作工考核方案", "name_en": "Line operators", "period": "quarter", "missing_rule": "reweight",
        "applies_to": {"job_families": [], "positions": ["OP"], "levels": []},
        "sections": [
            {"key": "kpi", "name_zh": "业绩 KPI", "name_en": "KPIs", "weight": first,
             "items": [{"kind": "indicator", "indicator": "line_defect_rate", "weight": "50"},
                       {"kind": "indicator", "indicator": "line_output", "weight": "50"}]},
            {"key": "behaviour", "name_zh": "行为", "name_en": "Behaviour", "weight": second,
             "items": [{"kind": "rated", "indicator": "teamwork", "weight": "100",
                        "rater_groups": [{"group": "manager", "weight": "60"}, {"group": "peer", "weight": "20"},
                                         {"group": "self", "weight": "20"}]}]},
            {"key": "adjustments", "name_zh": "加减分", "name_en": "Adjustments", "weight": "0",
             "items": [{"kind": "adjustment", "cap": "5", "reason_required": True, "name_zh": "上级加减分",
                        "name_en": "Manager adjustment"}]},
        ],
    }


def leader_template() -> dict[str, Any]:
    return {
        "name_zh": "线长考核方案", "name_en": "Line leaders", "period": "quarter", "missing_rule": "zero",
        "applies_to": {"job_families": [], "positions": ["LL"], "levels": []},
        "sections": [
            {"key": "kpi", "name_zh": "业绩 KPI", "name_en": "KPIs", "weight": "100",
             "items": [{"kind": "indicator", "indicator": "line_output", "weight": "100"}]},
        ],
    }


@dataclass
class Setup:
    mes: Mes
    defect: IndicatorVersion
    output: IndicatorVersion
    teamwork: IndicatorVersion
    operator: TemplateVersion
    leader: TemplateVersion


def build_reviews(world: World) -> Setup:
    mes = build_mes(world)
    defect = published("line_defect_rate", DEFECT_RATE)
    output = published("line_output", OUTPUT)
    teamwork = published("teamwork", TEAMWORK)
    operator = template_create(actor=SYSTEM, code="line_ops", data=operator_template(), publish_now=True)
    leader = template_create(actor=SYSTEM, code="line_leaders", data=leader_template(), publish_now=True)
    operator.refresh_from_db()
    leader.refresh_from_db()
    base = world.people["employee"]
    for key, number, name in (("peer2", "E0012", "钱同事"), ("peer3", "E0013", "何同事"), ("peer4", "E0014", "林同事")):
        person = Employee.objects.create(number=number, name=name, company=world.company, department=base.department,
                                         position=base.position, level=base.level, manager=base.manager,
                                         hire_date=base.hire_date)
        Assignment.objects.create(employee=person, department=person.department, position=person.position,
                                  manager=person.manager, valid_from=person.hire_date)
        world.people[key] = person
    assert operator.published is not None
    assert leader.published is not None
    return Setup(mes, defect, output, teamwork, operator.published, leader.published)


def make_cycle(world: World, *, departments: tuple[str, ...] = ("LINE1",), phases: dict[str, date] | None = None,
               **data: Any) -> Cycle:
    body: dict[str, Any] = {"name": "2026 Q1 绩效考核", "kind": "quarter", "period_start": START, "period_end": END,
                            "population": "departments", "departments": [world.depts[d].pk for d in departments],
                            "phases": phases or PHASES, **data}
    return cycles.cycle_create(actor=world.user("hr"), company=world.company, data=body)


def launch(world: World, cycle: Cycle, capture: Any) -> Cycle:
    with capture(execute=True):
        cycles.cycle_launch(actor=world.user("hr"), cycle=cycle)
    cycle.refresh_from_db()
    return cycle


def review_of(world: World, cycle: Cycle, person: str = "employee") -> Review:
    return Review.objects.select_related("cycle", "employee", "department", "template_version").get(
        cycle=cycle, employee=world.people[person])


def day(n: int) -> int:
    """`tests.ingestion.support.row`'s day index for 2026-01-01 + n."""
    return (dt.date(2026, 1, 1) - dt.date(2025, 1, 1)).days + n


def push_employee(world: World, mes: Mes, key: str, rows: list[tuple[str, str, int, Any]], capture: Any) -> None:
    """Push (metric, person, day of 2026, value) rows about people directly."""
    body = {"idempotency_key": key, "rows": [
        {"row_key": f"{metric}-{person}-{n}", "metric": metric, "subject_type": "employee",
         "subject": world.people[person].number, "period": (START + dt.timedelta(days=n)).isoformat(),
         "value": value} for metric, person, n, value in rows]}
    with capture(execute=True):
        response = push(Client(), body, key=mes.key)
    assert response.status_code in (200, 201, 202), response.content


def ensure_user(world: World, key: str) -> Any:
    """A login for a person of the world who has none (peers rating)."""
    from fairmark.accounts.models import User

    person = world.people[key]
    if person.user_id is None:
        user = User.objects.create_user(username=key, password="fairmark-test-pw", email=f"{key}@example.com")
        Employee.objects.filter(pk=person.pk).update(user=user)
        person.refresh_from_db()
        world.users[key] = user
    return world.users.get(key) or person.user


def rate_as_peer(world: World, review: Review, person: str, rating: str, capture: Any) -> Rater:
    user = ensure_user(world, person)
    task = Rater.objects.get(review=review, rater=world.people[person])
    with capture(execute=True):
        forms.rater_save(actor=user, rater=task, entries={"teamwork": {"rating": rating, "comment": f"{person} 评语"}})
        forms.rater_submit(actor=user, rater=task)
    return task


def nominate_peers(world: World, review: Review, people: tuple[str, ...], capture: Any) -> None:
    with capture(execute=True):
        for person in people:
            raters.nominate(actor=world.user("manager"), review=review, rater=world.people[person].pk,
                            group=RaterGroup.PEER)


def act(world: World, role: str, review: Review, action: str, capture: Any, **kwargs: Any) -> Review:
    with capture(execute=True):
        return transitions.review_act(actor=world.user(role), review=review, action=action, **kwargs)
