"""Review reminders from the scheduled worker (DESIGN.md C5, issue 6 item 6): the open task of every review (the
owner of its state: the employee's self-review, the manager's review, the N+2's) and of every 360 rater who has
not rated yet, against the deadline of the cycle's phase; the pure reviews/reminders.py says which reminders
are due at this moment in the company's time zone; each goes out once through the notifications core (in-app
and every enabled channel, e.g. email), to the person, escalating to their manager and then HR. The keys sent
are stored (ReminderSent), so the 15-minute tick sends each exactly once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.core.access import Role
from fairmark.org.models import Employee, RoleGrant

from .. import reminders, workflow
from ..models import Cycle, CycleStatus, Phase, Rater, RaterStatus, ReminderSent, Review, ReviewState
from .common import review_link, send, users_of

PHASE_OF_STATE: dict[str, str] = {state: workflow.PHASE_OF[state] for state in workflow.STATES
                                  if state in workflow.PHASE_OF}


def rules_of(cycle: Cycle) -> list[reminders.ReminderRule]:
    if not cycle.reminder_rules:
        return list(reminders.DEFAULT_RULES)
    return [reminders.ReminderRule(id=r["id"], when=r["when"], days=int(r["days"]), to=tuple(r.get("to") or ("person",)))
            for r in cycle.reminder_rules]


def cycle_tasks(cycle: Cycle, managers: set[int] | None = None) -> tuple[list[reminders.ReminderTask], dict[str, Any]]:
    """The open tasks of a cycle, and for each task id what to say and link to; with `managers`, only the tasks of
    those people and of the people who report to them (a manager's view reads its rows, not the cycle's)."""
    deadlines = {p.phase: p.deadline for p in cycle.phases.all()}
    tasks: list[reminders.ReminderTask] = []
    about: dict[str, Any] = {}
    reviews = (Review.objects.filter(cycle=cycle).exclude(state__in=[ReviewState.CLOSED, ReviewState.VOIDED])
               .select_related("employee", "employee__manager", "manager__user", "n2__user", "delegate__user",
                               "employee__user"))
    raters = Rater.objects.filter(review__cycle=cycle, review__state=ReviewState.RATING_360, status=RaterStatus.APPROVED)
    if managers is not None:
        ids = sorted(managers)
        reviews = reviews.filter(Q(employee_id__in=ids) | Q(employee__manager_id__in=ids) | Q(manager_id__in=ids)
                                 | Q(n2_id__in=ids) | Q(delegate_id__in=ids))
        raters = raters.filter(Q(rater_id__in=ids) | Q(rater__manager_id__in=ids))
    for review in reviews:
        owner = workflow.OWNER.get(review.state)  # type: ignore[call-overload]
        phase = PHASE_OF_STATE.get(review.state)
        deadline = deadlines.get(phase) if phase else None
        if deadline is None or owner not in ("employee", "manager", "n2"):
            continue
        person = {"employee": review.employee, "manager": review.manager, "n2": review.n2}[owner]
        if review.delegate is not None:
            person = review.delegate
        if person is None:
            continue
        task_id = f"{review.pk}.{review.state}.{person.pk}"
        tasks.append(reminders.ReminderTask(task_id=task_id, person_id=person.pk, manager_id=person.manager_id,
                                            phase=review.state, deadline=deadline))
        about[task_id] = (review, person)
    deadline_360 = deadlines.get(Phase.RATING_360)
    if deadline_360 is not None:
        for row in raters.select_related("rater__user", "review", "review__employee"):
            task_id = f"{row.review_id}.rater.{row.rater_id}"
            tasks.append(reminders.ReminderTask(task_id=task_id, person_id=row.rater_id,
                                                manager_id=row.rater.manager_id, phase="rating_360",
                                                deadline=deadline_360))
            about[task_id] = (row.review, row.rater)
    return tasks, about


def hr_for(employees: Iterable[Employee]) -> dict[int, list[Any]]:
    """The HR BPs of each person's unit, or the HR admins where the unit has none."""
    grants = list(RoleGrant.objects.filter(role__in=[Role.HR_BP, Role.HR_ADMIN], user__is_active=True)
                  .select_related("user").prefetch_related("departments"))
    admins = [g.user for g in grants if g.role == Role.HR_ADMIN]
    out: dict[int, list[Any]] = {}
    for person in employees:
        path = person.department.path
        bps = [g.user for g in grants if g.role == Role.HR_BP
               and any(path.startswith(d.path) for d in g.departments.all())]
        out[person.pk] = bps or admins
    return out


def send_due_reminders(now: datetime | None = None) -> int:
    """Send what is due now in every running cycle; returns how many reminders were sent."""
    moment = now or timezone.now()
    sent = 0
    for cycle in Cycle.objects.filter(status=CycleStatus.ACTIVE).select_related("company"):
        tasks, about = cycle_tasks(cycle)
        if not tasks:
            continue
        prefix = f"{cycle.pk}:"
        already = {key.removeprefix(prefix) for key in
                   ReminderSent.objects.filter(review__cycle=cycle).values_list("key", flat=True)}
        due = reminders.due_reminders(moment, cycle.company.time_zone or reminders.DEFAULT_ZONE, tasks,
                                      rules_of(cycle), already, send_at=cycle.send_at)
        people = {p.pk: p for p in Employee.objects.filter(
            pk__in={r.person_id for r in due} | {r.manager_id for r in due if r.manager_id}
        ).select_related("user", "department")}
        hr = hr_for(people[r.person_id] for r in due if r.person_id in people)
        for reminder in due:
            review, person = about[str(reminder.task_id)]
            if _send(cycle, reminder, review, person, people, hr):
                sent += 1
    return sent


def _send(cycle: Cycle, reminder: reminders.Reminder, review: Review, person: Employee,
          people: dict[int, Employee], hr: dict[int, list[Any]]) -> bool:
    recipients: list[Any] = []
    for role in reminder.to:
        if role == "person":
            recipients += users_of(person)
        elif role == "manager":
            recipients += users_of(people.get(int(reminder.manager_id))) if reminder.manager_id else []
        elif role == "hr":
            recipients += hr.get(person.pk, [])
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=f"{cycle.pk}:{reminder.key}", review=review)
            phase = str(dict(ReviewState.choices).get(reminder.phase, reminder.phase))
            deadline = reminder.deadline
            name = review.employee.name  # whose review it is, also when the reminder goes to a rater or a manager
            days = reminder.days
            before = reminder.when == "before"

            def title() -> str:
                if before:
                    return _("%(cycle)s: %(phase)s for %(name)s is due in %(days)d days (%(deadline)s)") % {
                        "cycle": cycle.name, "phase": phase, "name": name, "days": days, "deadline": deadline}
                return _("%(cycle)s: %(phase)s for %(name)s is %(days)d days late (due %(deadline)s)") % {
                    "cycle": cycle.name, "phase": phase, "name": name, "days": days, "deadline": deadline}

            send(recipients, kind="review_reminder", event_key=f"reminder:{cycle.pk}:{reminder.key}",
                 link=review_link(review), title=title)
    except IntegrityError:
        return False  # another worker sent it a moment ago
    return True


def late_people(cycle: Cycle, manager_ids: Iterable[int], today: date) -> dict[str, list[reminders.Late]]:
    """Per phase, the late tasks of people whose manager is one of `manager_ids` (the manager's view)."""
    managers = set(manager_ids)
    tasks, _about = cycle_tasks(cycle, managers)
    mine = [t for t in tasks if t.manager_id in managers or t.person_id in managers]
    return reminders.late_by_phase(today, mine)
