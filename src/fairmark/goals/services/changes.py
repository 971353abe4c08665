"""Changes to a signed-off agreement's goals (GoalChange): asked for by the employee or by one of the people who
decide, and decided by someone who decides for the person and did not ask (so a manager's own request goes to
the N+2, the department head, the HR BP or HR). The proposal is checked when it is asked for as the tree
services will check it; an approved change is applied through the tree services and bumps the agreement's
revision; the agreement stays signed. Each request and decision is a step in the agreement's history, an audit
event and a notification, as every agreement transition (agreement.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import user_or_none, viewer_for
from fairmark.core.errors import ServiceError, not_found, require

from ..models import (
    Agreement,
    AgreementAction,
    AgreementStatus,
    ChangeKind,
    ChangeStatus,
    Goal,
    GoalChange,
    GoalKind,
    GoalLevel,
    GoalState,
    KeyResult,
)
from ..permissions import is_self
from ..selectors import changes_visible_to
from . import tree
from .agreement import (
    Refused,
    _comment,
    _event,
    _names,
    _open,
    _step,
    _wrong_state,
    agreement_snapshot,
    deciders_of,
    employee_user,
    is_decider,
    link_of,
    send,
)
from .common import decimal_or_none, weight_of
from .progress import recompute
from .specs import _key_results_plain, _plain, date_or_none, prefixed, resolve_spec, spec_of

EDIT_FIELDS = (*tree.GOAL_FIELDS, "key_results")


# ---------------------------------------------------------------------------------------------- proposals

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
                                       requested_by=user_or_none(actor))
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
    change.decided_by = user_or_none(actor)
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


def may_decide_change(user: Any, change: GoalChange) -> bool:
    viewer = viewer_for(user)
    return (change.status == ChangeStatus.PENDING and is_decider(viewer, change.agreement.employee)
            and change.requested_by_id != getattr(user, "pk", None))


__all__ = ["change_decide", "change_request", "may_decide_change"]
