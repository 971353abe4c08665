"""The goal agreement (目标协议) of a person and year: drafted by the employee or assigned by the manager, submitted,
returned (驳回) with a comment or approved, then signed by both (目标签字); the steps a manager's assignment writes;
what the viewer may do on an agreement. Changes after sign-off are in changes.py, goal specs in specs.py; both
build on what this module shares: who decides for a person, locking an agreement, its steps and notifications.

Every transition is one transaction that locks the agreement, checks the actor's role and the state, writes
an AgreementStep (the history the page shows), an audit event ("goal.agreement.<action>") with the
agreement's state before and after, and notifies the other side in each recipient's language.

Who may do what (goals/permissions.py): the employee submits and signs as the employee; a person who decides
for them (manager chain, department head, HR BP of the unit, HR admin; never the person themself) returns,
approves and signs as the manager. An agreement outside the actor's scope is OutOfScope (404); one the actor
sees but may not act on in this way is Refused (403)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import Role, Viewer, user_or_none, viewer_for
from fairmark.core.errors import Refused, ServiceError, not_found, require
from fairmark.notifications.services import notify_in_their_language
from fairmark.org.models import Employee

from ..models import Agreement, AgreementAction, AgreementStatus, AgreementStep, Goal, GoalLevel, GoalState
from ..permissions import decides_for, is_self
from ..selectors import agreements_visible_to
from . import tree

MAX_COMMENT = 4000


# ------------------------------------------------------------------------------------------------ who

def is_decider(viewer: Viewer, employee: Employee) -> bool:
    """Decides for the person (approve, return, sign as the manager, decide a change): never the person."""
    return not is_self(viewer, employee.pk) and decides_for(viewer, employee)


def led_people_q(viewer: Viewer, prefix: str = "") -> Q:
    """The employees (through `prefix`) the viewer leads, as permissions.leads_person says, in SQL."""
    if viewer.has(Role.HR_ADMIN):
        q = Q()
    else:
        q = Q(**{f"{prefix}pk__in": sorted(viewer.team_ids)})
        for path in viewer.head_paths + viewer.hr_paths:
            q |= Q(**{f"{prefix}department__path__startswith": path})
    if viewer.employee_id is not None:
        q &= ~Q(**{f"{prefix}pk": viewer.employee_id})
    return q


def deciders_of(employee: Employee, *, exclude: Iterable[int | None] = ()) -> list[Any]:
    """Whom to ask for a decision on the person's goals: the nearest manager up the chain who has an account
    and is not excluded (a manager's own change request goes to their manager), else the department head."""
    skip = {pk for pk in exclude if pk is not None}
    seen: set[int] = {employee.pk}
    node = employee.manager
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        user = node.user
        if user is not None and user.is_active and user.pk not in skip:
            return [user]
        node = node.manager
    head = employee.department.head
    if head is not None and head.pk != employee.pk and head.user is not None and head.user.pk not in skip:
        return [head.user]
    return []


def employee_user(employee: Employee) -> list[Any]:
    return [employee.user] if employee.user is not None and employee.user.is_active else []


# ------------------------------------------------------------------------------------------------ helpers

def link_of(agreement: Agreement) -> str:
    return reverse("goals:agreement", kwargs={"pk": agreement.pk})


def send(recipients: Iterable[Any], *, kind: str, event_key: str, link: str, title: Callable[[], str],
         body: Callable[[], str] = lambda: "") -> None:
    notify_in_their_language(recipients, kind=kind, event_key=event_key, link=link, title=title, body=body)


def agreement_snapshot(agreement: Agreement) -> dict[str, Any]:
    return {
        "employee": agreement.employee_id, "year": agreement.year, "status": agreement.status,
        "revision": agreement.revision, "submitted_at": agreement.submitted_at, "approved_at": agreement.approved_at,
        "approved_by": agreement.approved_by_id, "employee_signed_at": agreement.employee_signed_at,
        "manager_signed_at": agreement.manager_signed_at, "manager_signed_by": agreement.manager_signed_by_id,
        "return_comment": agreement.return_comment,
    }


def _lock(agreement: Agreement) -> Agreement:
    return (Agreement.objects.select_for_update(of=("self",))
            .select_related("employee", "employee__department", "employee__department__head__user",
                            "employee__user", "employee__manager__user")
            .get(pk=agreement.pk))


def _open(actor: Any, agreement: Agreement) -> tuple[Agreement, Viewer]:
    """The agreement locked for this transaction, if the actor may see it."""
    if not agreements_visible_to(actor).filter(pk=agreement.pk).exists():
        raise not_found()
    return _lock(agreement), viewer_for(actor)


def _comment(comment: Any, *, required: bool = False, field: str = "comment") -> str:
    text = str(comment or "").strip()
    if required:
        require(bool(text), field, _("Enter a comment."))
    require(len(text) <= MAX_COMMENT, field, _("At most %(max)s characters.") % {"max": MAX_COMMENT})
    return text


def _wrong_state(message: str) -> ServiceError:
    return ServiceError(message, fields={"status": [message]}, code="illegal_transition")


def _step(actor: Any, agreement: Agreement, action: str, comment: str = "") -> AgreementStep:
    return AgreementStep.objects.create(agreement=agreement, action=action, actor=user_or_none(actor),
                                        comment=comment, status_after=agreement.status)


def _transition(actor: Any, agreement: Agreement, action: str, before: dict[str, Any], comment: str = "",
                extra: Mapping[str, Any] | None = None) -> AgreementStep:
    agreement.save()
    step = _step(actor, agreement, action, comment)
    after = {**agreement_snapshot(agreement), "comment": comment, **(extra or {})}
    record(actor=actor, action=f"goal.agreement.{action}", obj=agreement, before=before, after=after)
    return step


def _event(agreement: Agreement, step: AgreementStep) -> str:
    return f"goal.agreement:{agreement.pk}:step:{step.pk}"


def _names(agreement: Agreement) -> dict[str, Any]:
    return {"name": agreement.employee.name, "year": agreement.year}


# ------------------------------------------------------------------------------------------------ the flow

@transaction.atomic
def agreement_submit(*, actor: Any, agreement: Agreement, comment: str = "") -> Agreement:
    """The employee hands their goals in for a decision (from a draft, or again after a return)."""
    agreement, viewer = _open(actor, agreement)
    if not is_self(viewer, agreement.employee_id):
        raise Refused(_("Only the employee submits their own goals."))
    if agreement.status not in tree.EDITABLE_AGREEMENT:
        raise _wrong_state(_("Only a draft or returned agreement is submitted (this one is “%(status)s”).")
                           % {"status": agreement.get_status_display()})
    require(agreement.goals.filter(state=GoalState.ACTIVE).exists(), "goals",
            _("Add at least one goal before submitting."))
    text = _comment(comment)
    before = agreement_snapshot(agreement)
    agreement.status = AgreementStatus.SUBMITTED
    agreement.submitted_at = timezone.now()
    agreement.return_comment = ""
    step = _transition(actor, agreement, AgreementAction.SUBMIT, before, text)
    names = _names(agreement)
    send(deciders_of(agreement.employee), kind="goal.agreement.submitted", event_key=_event(agreement, step),
         link=link_of(agreement),
         title=lambda: _("%(name)s submitted the goals of %(year)s for your approval") % names,
         body=lambda: text)
    return agreement


@transaction.atomic
def agreement_return(*, actor: Any, agreement: Agreement, comment: str) -> Agreement:
    """驳回: back to the employee with a comment saying what to change."""
    agreement, viewer = _open(actor, agreement)
    if not is_decider(viewer, agreement.employee):
        raise Refused(_("Only the employee's manager, department head or HR returns their goals."))
    if agreement.status != AgreementStatus.SUBMITTED:
        raise _wrong_state(_("Only a submitted agreement is returned (this one is “%(status)s”).")
                           % {"status": agreement.get_status_display()})
    text = _comment(comment, required=True)
    before = agreement_snapshot(agreement)
    agreement.status = AgreementStatus.RETURNED
    agreement.return_comment = text
    step = _transition(actor, agreement, AgreementAction.RETURN, before, text)
    names = _names(agreement)
    send(employee_user(agreement.employee), kind="goal.agreement.returned", event_key=_event(agreement, step),
         link=link_of(agreement), title=lambda: _("Your goals of %(year)s were returned") % names,
         body=lambda: text)
    return agreement


@transaction.atomic
def agreement_approve(*, actor: Any, agreement: Agreement, comment: str = "") -> Agreement:
    agreement, viewer = _open(actor, agreement)
    if not is_decider(viewer, agreement.employee):
        raise Refused(_("Only the employee's manager, department head or HR approves their goals."))
    if agreement.status != AgreementStatus.SUBMITTED:
        raise _wrong_state(_("Only a submitted agreement is approved (this one is “%(status)s”).")
                           % {"status": agreement.get_status_display()})
    text = _comment(comment)
    before = agreement_snapshot(agreement)
    agreement.status = AgreementStatus.APPROVED
    agreement.approved_at = timezone.now()
    agreement.approved_by = user_or_none(actor)
    step = _transition(actor, agreement, AgreementAction.APPROVE, before, text)
    names = _names(agreement)
    send(employee_user(agreement.employee), kind="goal.agreement.approved", event_key=_event(agreement, step),
         link=link_of(agreement), title=lambda: _("Your goals of %(year)s were approved: please sign them") % names,
         body=lambda: text)
    return agreement


@transaction.atomic
def agreement_sign(*, actor: Any, agreement: Agreement) -> Agreement:
    """目标签字: the employee signs as the employee, a person who decides for them as the manager; the
    agreement is signed off when both have signed."""
    agreement, viewer = _open(actor, agreement)
    as_employee = is_self(viewer, agreement.employee_id)
    if not as_employee and not is_decider(viewer, agreement.employee):
        raise Refused(_("Only the employee and their manager sign the goals."))
    if agreement.status == AgreementStatus.SIGNED:
        raise _wrong_state(_("These goals are already signed off."))
    if agreement.status != AgreementStatus.APPROVED:
        raise _wrong_state(_("The goals are signed once they are approved (this agreement is “%(status)s”).")
                           % {"status": agreement.get_status_display()})
    before = agreement_snapshot(agreement)
    now = timezone.now()
    if as_employee:
        if agreement.employee_signed_at is not None:
            raise _wrong_state(_("You have already signed these goals."))
        agreement.employee_signed_at = now
        action = AgreementAction.SIGN_EMPLOYEE
    else:
        if agreement.manager_signed_at is not None:
            raise _wrong_state(_("The manager has already signed these goals."))
        agreement.manager_signed_at = now
        agreement.manager_signed_by = user_or_none(actor)
        action = AgreementAction.SIGN_MANAGER
    if agreement.employee_signed_at is not None and agreement.manager_signed_at is not None:
        agreement.status = AgreementStatus.SIGNED
    step = _transition(actor, agreement, action, before)
    names = _names(agreement)
    signed = agreement.status == AgreementStatus.SIGNED
    if as_employee:
        recipients = ([agreement.manager_signed_by] if signed and agreement.manager_signed_by
                      else deciders_of(agreement.employee))
        send(recipients, kind="goal.agreement.signed", event_key=_event(agreement, step), link=link_of(agreement),
             title=lambda: (_("The goals of %(name)s for %(year)s are signed off") if signed
                            else _("%(name)s signed the goals of %(year)s: your signature is awaited")) % names)
    else:
        send(employee_user(agreement.employee), kind="goal.agreement.signed", event_key=_event(agreement, step),
             link=link_of(agreement),
             title=lambda: (_("Your goals of %(year)s are signed off") if signed
                            else _("Your manager signed your goals of %(year)s: please sign them too")) % names)
    return agreement


def assigned_steps(actor: Any, agreements: Sequence[Agreement], counts: Mapping[int, int],
                   comment: Callable[[int], str]) -> list[AgreementStep]:
    """The "assign" step of each agreement (bulk assignment writes them in one statement)."""
    user = user_or_none(actor)
    steps = [AgreementStep(agreement=agreement, action=AgreementAction.ASSIGN, actor=user,
                           comment=comment(counts[agreement.pk]), status_after=agreement.status)
             for agreement in agreements]
    return AgreementStep.objects.bulk_create(steps, batch_size=500)


@transaction.atomic
def agreement_assigned(*, actor: Any, agreement: Agreement, count: int, comment: str = "") -> AgreementStep:
    """Record that the manager assigned `count` goals to the person (after tree.goal_create by the manager on a
    draft or returned agreement): a step in the history and an audit event."""
    agreement, viewer = _open(actor, agreement)
    if not is_decider(viewer, agreement.employee):
        raise Refused(_("Only the employee's manager, department head or HR assigns them goals."))
    if agreement.status not in tree.EDITABLE_AGREEMENT:
        raise _wrong_state(_("Goals are assigned to a draft or returned agreement (this one is “%(status)s”).")
                           % {"status": agreement.get_status_display()})
    text = _comment(comment) or _("%(count)s goals assigned") % {"count": count}
    step = assigned_steps(actor, [agreement], {agreement.pk: count}, lambda _n: text)[0]
    record(actor=actor, action="goal.agreement.assign", obj=agreement,
           after={**agreement_snapshot(agreement), "count": count, "comment": text})
    names = {**_names(agreement), "count": count}
    send(employee_user(agreement.employee), kind="goal.agreement.assigned", event_key=_event(agreement, step),
         link=link_of(agreement), title=lambda: _("%(count)s goals were assigned to you for %(year)s") % names)
    return step


@dataclass(frozen=True)
class Abilities:
    """What the viewer may do on an agreement now (the buttons a page shows)."""

    submit: bool
    decide: bool
    sign_employee: bool
    sign_manager: bool
    request_change: bool
    decides: bool
    is_employee: bool


def abilities(user: Any, agreement: Agreement) -> Abilities:
    viewer = viewer_for(user)
    mine = is_self(viewer, agreement.employee_id)
    decider = is_decider(viewer, agreement.employee)
    status = agreement.status
    return Abilities(
        submit=mine and status in tree.EDITABLE_AGREEMENT,
        decide=decider and status == AgreementStatus.SUBMITTED,
        sign_employee=mine and status == AgreementStatus.APPROVED and agreement.employee_signed_at is None,
        sign_manager=decider and status == AgreementStatus.APPROVED and agreement.manager_signed_at is None,
        request_change=(mine or decider) and status == AgreementStatus.SIGNED,
        decides=decider, is_employee=mine,
    )


__all__ = [
    "Abilities", "Refused", "abilities", "agreement_approve", "agreement_assigned", "agreement_return",
    "agreement_sign", "agreement_snapshot", "agreement_submit", "assigned_steps", "deciders_of", "is_decider",
    "led_people_q", "send",
]


def goal_assigned(*, actor: Any, goal: Goal) -> None:
    """After someone who leads a person created one goal for them (tree.goal_create from a page or the API): the
    "assigned" step in the agreement's history and the person's notification. Nothing when people draft their
    own goals."""
    if goal.level != GoalLevel.PERSON or goal.agreement is None or goal.employee_id is None:
        return
    if is_self(viewer_for(actor), goal.employee_id):
        return
    agreement_assigned(actor=actor, agreement=goal.agreement, count=1)
