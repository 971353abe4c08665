"""The goal agreement (目标协议) of a person and year: drafted by the employee or assigned by the manager, submitted,
returned (驳回) with a comment or approved, then signed by both (目标签字). After sign-off the goals change only
through a GoalChange: asked for by the employee or by one of the people who decide, and decided by someone
who decides for the person and did not ask (so a manager's own request goes to the N+2, the department head,
the HR BP or HR). An approved change is applied through the tree services and bumps the agreement's revision;
the agreement stays signed.

Every transition is one transaction that locks the agreement, checks the actor's role and the state, writes
an AgreementStep (the history the page shows), an audit event ("goal.agreement.<action>") with the
agreement's state before and after, and notifies the other side in each recipient's language.

Who may do what (goals/permissions.py): the employee submits and signs as the employee; a person who decides
for them (manager chain, department head, HR BP of the unit, HR admin; never the person themself) returns,
approves and signs as the manager. An agreement outside the actor's scope is OutOfScope (404); one the actor
sees but may not act on in this way is Refused (403)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import Role, Viewer, viewer_for
from fairmark.core.errors import ServiceError
from fairmark.indicators.models import Indicator, IndicatorVersion
from fairmark.notifications.services import notify
from fairmark.org.models import Employee

from ..models import (
    Agreement,
    AgreementAction,
    AgreementStatus,
    AgreementStep,
    ChangeKind,
    ChangeStatus,
    Goal,
    GoalChange,
    GoalKind,
    GoalLevel,
    GoalState,
    KeyResult,
)
from ..permissions import decides_for, is_self
from ..selectors import agreements_visible_to, changes_visible_to, goal_scope_q
from . import tree
from .common import decimal_or_none, not_found, require, weight_of
from .progress import recompute

MAX_COMMENT = 4000
EDIT_FIELDS = (*tree.GOAL_FIELDS, "key_results")
SPEC_FIELDS = ("kind", "title", "description", "weight", "indicator", "indicator_version", "threshold", "target",
               "stretch", "key_results", "parent", "period_start", "period_end")


class Refused(ServiceError):
    """The actor sees the agreement but may not take this step on it (the employee approving their own goals,
    a manager submitting for the employee, the author of a change deciding it)."""

    status_code = 403
    code = "forbidden"


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
    """One notification per recipient, worded in their language (one notify call per language)."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for user in recipients:
        if user is not None:
            groups[getattr(user, "language", "") or "zh-hans"].append(user)
    for language, users in groups.items():
        with translation.override(language):
            notify(recipients=users, kind=kind, title=title(), body=body(), link=link, event_key=event_key)


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
    return AgreementStep.objects.create(agreement=agreement, action=action, actor=tree._user(actor),
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
    agreement.approved_by = tree._user(actor)
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
        agreement.manager_signed_by = tree._user(actor)
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
    user = tree._user(actor)
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


# ------------------------------------------------------------------------------------------------ goal specs

def _plain(value: Any) -> Any:
    """A value as the JSON of a change or a goal set keeps it: numbers as text (exact), dates ISO."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    if isinstance(value, date):
        return value.isoformat()
    return value


def date_or_none(value: Any, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ServiceError(_("Enter a date (YYYY-MM-DD)."), fields={field: [_("Enter a date (YYYY-MM-DD).")]}
                           ) from None


def prefixed(error: ServiceError, prefix: str) -> dict[str, list[str]]:
    """A service error's fields under `prefix` ("items.3."); a message without a field goes on the prefix."""
    if not error.fields:
        return {prefix.rstrip("."): [error.message]}
    return {f"{prefix}{name}" if name else prefix.rstrip("."): list(messages)
            for name, messages in error.fields.items()}


def _key_results_plain(results: Sequence[KeyResult]) -> list[dict[str, Any]]:
    out = []
    for kr in results:
        item: dict[str, Any] = {"title": kr.title, "start": _plain(kr.start), "target": _plain(kr.target),
                                "weight": _plain(kr.weight)}
        if kr.unit:
            item["unit"] = kr.unit
        if kr.current is not None:
            item["current"] = _plain(kr.current)
        if kr.confidence is not None:
            item["confidence"] = _plain(kr.confidence)
        out.append(item)
    return out


def resolve_spec(actor: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A goal spec as the API, a form or a goal set's JSON gives it (indicator by code or version id, parent by
    id, numbers and dates as text) → build_goal's keyword arguments. Field errors name the spec's keys."""
    if not isinstance(spec, Mapping):
        raise ServiceError(_("Describe the goal."), fields={"": [_("Describe the goal.")]})
    unknown = sorted(set(spec) - set(SPEC_FIELDS))
    require(not unknown, unknown[0] if unknown else "", _("This field is not part of a goal."))
    kind = str(spec.get("kind") or "")
    require(kind in GoalKind.values, "kind", _("Choose a kind."))
    version: IndicatorVersion | None = None
    if kind == GoalKind.KPI:
        code = str(spec.get("indicator") or "").strip()
        version_id = spec.get("indicator_version")
        if version_id not in (None, ""):  # a pinned version (a saved set keeps both: the version wins)
            version = (IndicatorVersion.objects.filter(pk=int(version_id)).select_related("indicator").first()
                       if str(version_id).isdigit() else None)
            require(version is not None, "indicator_version", _("No such indicator version."))
        elif code:
            indicator = (Indicator.objects.filter(code=code, retired=False).select_related("published").first())
            require(indicator is not None and indicator.published is not None, "indicator",
                    _("No published indicator with this code."))
            assert indicator is not None
            version = indicator.published
        else:
            require(False, "indicator", _("Choose the indicator this KPI goal is measured by."))
    parent: Goal | None = None
    parent_id = spec.get("parent")
    if parent_id not in (None, ""):
        parent = (Goal.objects.filter(goal_scope_q(actor)).filter(pk=int(parent_id)).first()
                  if str(parent_id).isdigit() else None)
        require(parent is not None, "parent", _("Choose a goal you can see."))
    key_results = spec.get("key_results") or []
    require(isinstance(key_results, list) and all(isinstance(kr, Mapping) for kr in key_results), "key_results",
            _("Enter the key results as a list."))
    return {
        "kind": kind, "title": str(spec.get("title") or ""), "description": str(spec.get("description") or ""),
        "weight": spec.get("weight", 1), "indicator_version": version, "threshold": spec.get("threshold"),
        "target": spec.get("target"), "stretch": spec.get("stretch"), "key_results": list(key_results),
        "parent": parent, "period_start": date_or_none(spec.get("period_start"), "period_start"),
        "period_end": date_or_none(spec.get("period_end"), "period_end"),
    }


def spec_of(goal: Goal, key_results: Sequence[KeyResult]) -> dict[str, Any]:
    """A checked goal as a spec (what a goal set item or an added goal's change keeps)."""
    version = goal.indicator_version
    spec: dict[str, Any] = {
        "kind": goal.kind, "title": goal.title, "weight": _plain(goal.weight),
        "parent": goal.parent_id if goal.parent_id else None,
    }
    if goal.description:
        spec["description"] = goal.description
    if goal.kind == GoalKind.KPI and version is not None:
        spec.update({"indicator_version": version.pk, "indicator": version.indicator.code,
                     "threshold": _plain(goal.threshold), "target": _plain(goal.target),
                     "stretch": _plain(goal.stretch)})
    else:
        spec["key_results"] = _key_results_plain(key_results)
    year_start, year_end = date(goal.year, 1, 1), date(goal.year, 12, 31)
    if goal.period_start != year_start or goal.period_end != year_end:
        spec.update({"period_start": _plain(goal.period_start), "period_end": _plain(goal.period_end)})
    return spec


def _clean_edit(goal: Goal, proposed: Mapping[str, Any]) -> dict[str, Any]:
    """What goal_update would check, without writing: the change as it will be applied, JSON-safe."""
    unknown = sorted(set(proposed) - set(EDIT_FIELDS))
    if unknown:
        message = _("This field cannot be changed here.")
        raise ServiceError(message, fields={f"proposed.{unknown[0]}": [message]})
    require(bool(proposed), "proposed", _("Say what should change."))
    clean: dict[str, Any] = {}
    if "title" in proposed:
        title = str(proposed["title"] or "").strip()
        require(bool(title) and len(title) <= 200, "proposed.title", _("Enter the goal (at most 200 characters)."))
        clean["title"] = title
    if "description" in proposed:
        clean["description"] = str(proposed["description"] or "")
    if "weight" in proposed:
        clean["weight"] = _plain(weight_of(proposed["weight"], "proposed.weight"))
    if "period_start" in proposed or "period_end" in proposed:
        start = date_or_none(proposed.get("period_start"), "proposed.period_start") or goal.period_start
        end = date_or_none(proposed.get("period_end"), "proposed.period_end") or goal.period_end
        try:
            start, end = tree._period(goal.year, start, end)
        except ServiceError as error:
            raise ServiceError(error.message, fields=prefixed(error, "proposed.")) from None
        clean.update({"period_start": _plain(start), "period_end": _plain(end)})
    line = ("threshold", "target", "stretch")
    if any(name in proposed for name in line):
        require(goal.kind == GoalKind.KPI, "proposed.target",
                _("Only a KPI goal has a threshold, a target and a stretch."))
        values = {name: (decimal_or_none(proposed[name], f"proposed.{name}") if name in proposed
                         else getattr(goal, name)) for name in line}
        try:
            tree._check_kpi(goal.indicator_version, values["threshold"], values["target"], values["stretch"])
        except ServiceError as error:
            raise ServiceError(error.message, fields=prefixed(error, "proposed.")) from None
        clean.update({name: _plain(values[name]) for name in line if name in proposed})
    if "key_results" in proposed:
        require(goal.kind == GoalKind.OKR, "proposed.key_results", _("Only an OKR has key results."))
        data = proposed["key_results"]
        require(isinstance(data, list) and all(isinstance(kr, Mapping) for kr in data), "proposed.key_results",
                _("Enter the key results as a list."))
        try:
            clean["key_results"] = _key_results_plain(tree.key_results_from(data))
        except ServiceError as error:
            raise ServiceError(error.message, fields=prefixed(error, "proposed.")) from None
    return clean


def _build_added(actor: Any, agreement: Agreement, proposed: Mapping[str, Any]) -> tuple[Goal, list[KeyResult]]:
    try:
        fields = resolve_spec(actor, proposed)
        return tree.build_goal(actor=actor, level=GoalLevel.PERSON, employee=agreement.employee,
                               year=agreement.year, **fields)
    except ServiceError as error:
        raise ServiceError(error.message, fields=prefixed(error, "proposed.")) from None


# ------------------------------------------------------------------------------------------------ changes

def _change_event(change: GoalChange, what: str) -> str:
    return f"goal.change:{change.pk}:{what}"


@transaction.atomic
def change_request(*, actor: Any, agreement: Agreement, kind: str, reason: str, goal: Goal | None = None,
                   proposed: Mapping[str, Any] | None = None) -> GoalChange:
    """Ask to edit, add or archive a goal of a signed agreement. The proposal is checked now as the tree
    services will check it when it is applied."""
    agreement, viewer = _open(actor, agreement)
    requester_is_employee = is_self(viewer, agreement.employee_id)
    if not requester_is_employee and not is_decider(viewer, agreement.employee):
        raise Refused(_("Only the employee and the people who decide for them ask for a change."))
    if agreement.status != AgreementStatus.SIGNED:
        raise _wrong_state(_("A change is asked for once the goals are signed off; until then edit them."))
    require(kind in ChangeKind.values, "kind", _("Choose what to change."))
    text = _comment(reason, required=True, field="reason")
    proposed = dict(proposed or {})
    if kind in (ChangeKind.EDIT, ChangeKind.ARCHIVE):
        require(goal is not None, "goal", _("Choose the goal."))
        assert goal is not None
        goal = Goal.objects.select_related("indicator_version").filter(pk=goal.pk, agreement=agreement).first()
        require(goal is not None, "goal", _("Choose one of the goals of this agreement."))
        assert goal is not None
        require(goal.state == GoalState.ACTIVE, "goal", _("An archived goal does not change."))
        require(not GoalChange.objects.filter(goal=goal, status=ChangeStatus.PENDING).exists(), "goal",
                _("A change of this goal is already waiting for a decision."))
    if kind == ChangeKind.EDIT:
        assert goal is not None
        clean = _clean_edit(goal, proposed)
    elif kind == ChangeKind.ADD:
        goal = None
        built, krs = _build_added(actor, agreement, proposed)
        clean = spec_of(built, krs)
    else:
        assert goal is not None
        require(not goal.children.filter(state=GoalState.ACTIVE).exists(), "goal",
                _("Archive or move its sub-goals first."))
        clean = {}
    change = GoalChange.objects.create(agreement=agreement, goal=goal, kind=kind, proposed=clean, reason=text,
                                       requested_by=tree._user(actor))
    step = _step(actor, agreement, AgreementAction.CHANGE_REQUEST, text)
    record(actor=actor, action="goal.agreement.change_request", obj=agreement,
           before=agreement_snapshot(agreement),
           after={**agreement_snapshot(agreement), "change": change.pk, "kind": kind,
                  "goal": goal.pk if goal else None, "proposed": clean, "reason": text})
    names = _names(agreement)
    if requester_is_employee:
        recipients = deciders_of(agreement.employee)
    else:
        # The employee hears of it; whoever decides is someone other than the requester (their manager).
        recipients = employee_user(agreement.employee) + deciders_of(
            agreement.employee, exclude=[getattr(actor, "pk", None)])
    send(recipients, kind="goal.change.requested", event_key=_event(agreement, step), link=link_of(agreement),
         title=lambda: _("A change to the goals of %(name)s for %(year)s is asked for") % names, body=lambda: text)
    return change


def _apply(actor: Any, change: GoalChange, agreement: Agreement) -> Goal | None:
    proposed = dict(change.proposed or {})
    if change.kind == ChangeKind.EDIT:
        assert change.goal is not None
        changes: dict[str, Any] = dict(proposed)
        for name in ("period_start", "period_end"):
            if name in changes:
                changes[name] = date_or_none(changes[name], name)
        return tree.goal_update(actor=actor, goal=change.goal, changes=changes, via_change=True)
    if change.kind == ChangeKind.ARCHIVE:
        assert change.goal is not None
        return tree.goal_archive(actor=actor, goal=change.goal, via_change=True)
    # An added goal: built and checked as goal_create would, saved here because goal_create refuses a signed
    # agreement (that refusal is what keeps edits in place out; this is the approved way in).
    goal, krs = _build_added(actor, agreement, proposed)
    goal.agreement = agreement
    goal.position = tree._next_position(goal)
    goal.save()
    for kr in krs:
        kr.goal = goal
    KeyResult.objects.bulk_create(krs)
    record(actor=actor, action="goal.create", obj=goal, after={**tree.snapshot(goal), "change": change.pk})
    if goal.kind == GoalKind.KPI:
        from .kpi_data import refresh_kpi_goals

        refresh_kpi_goals(goal_ids=[goal.pk])
    recompute([goal.pk])
    return goal


@transaction.atomic
def change_decide(*, actor: Any, change: GoalChange, approve: bool, comment: str = "") -> GoalChange:
    """Approve (apply it, the agreement's revision goes up, it stays signed) or reject (nothing changes but
    the record). Decided by someone who decides for the person and is not the one who asked."""
    agreement_id = changes_visible_to(actor).filter(pk=change.pk).values_list("agreement_id", flat=True).first()
    if agreement_id is None:
        raise not_found()
    # The agreement first, as every other write on it: one lock order.
    agreement, viewer = _open(actor, Agreement(pk=agreement_id))
    change = (GoalChange.objects.select_for_update(of=("self",)).select_related("goal", "requested_by")
              .get(pk=change.pk))
    if not is_decider(viewer, agreement.employee):
        raise Refused(_("Only the employee's manager, department head or HR decides a change."))
    if change.requested_by_id is not None and change.requested_by_id == getattr(actor, "pk", None):
        raise Refused(_("A change is decided by someone other than the person who asked for it."))
    if change.status != ChangeStatus.PENDING:
        raise _wrong_state(_("This change is already decided."))
    if agreement.status != AgreementStatus.SIGNED:
        raise _wrong_state(_("A change applies to signed-off goals only."))
    text = _comment(comment)
    before = agreement_snapshot(agreement)
    applied: Goal | None = None
    if approve:
        applied = _apply(actor, change, agreement)
        if change.kind == ChangeKind.ADD and applied is not None:
            change.goal = applied
        agreement.revision += 1
        agreement.save(update_fields=["revision", "updated_at"])
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_by = tree._user(actor)
    change.decided_at = timezone.now()
    change.decision_comment = text
    change.save()
    action = AgreementAction.CHANGE_APPROVE if approve else AgreementAction.CHANGE_REJECT
    step = _step(actor, agreement, action, text)
    record(actor=actor, action=f"goal.agreement.{action}", obj=agreement, before=before,
           after={**agreement_snapshot(agreement), "change": change.pk, "kind": change.kind,
                  "goal": change.goal_id, "comment": text})
    names = _names(agreement)
    recipients = [user for user in [change.requested_by, *employee_user(agreement.employee)]
                  if user is not None and user.pk != getattr(actor, "pk", None)]
    send(recipients, kind="goal.change.decided", event_key=_event(agreement, step), link=link_of(agreement),
         title=lambda: (_("The change to the goals of %(name)s for %(year)s is approved") if approve
                        else _("The change to the goals of %(name)s for %(year)s is rejected")) % names,
         body=lambda: text)
    return change


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


def may_decide_change(user: Any, change: GoalChange) -> bool:
    viewer = viewer_for(user)
    return (change.status == ChangeStatus.PENDING and is_decider(viewer, change.agreement.employee)
            and change.requested_by_id != getattr(user, "pk", None))


__all__ = [
    "Abilities", "Refused", "abilities", "agreement_approve", "agreement_assigned", "agreement_return",
    "agreement_sign", "agreement_snapshot", "agreement_submit", "assigned_steps", "change_decide",
    "change_request", "deciders_of", "is_decider", "led_people_q", "may_decide_change", "resolve_spec", "send",
    "spec_of",
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
