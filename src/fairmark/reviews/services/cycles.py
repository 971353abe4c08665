"""Cycle setup by HR: create and change a draft cycle (period, population, templates, eligibility, 360 limits,
reminder rules), its phases with deadlines, launch (the reviews are created by a background task), choose a
person's template by hand, and close. Every write is audited; only HR admins write (permissions.manages_cycles)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import user_or_none, viewer_for
from fairmark.core.errors import Refused, ServiceError, not_found, require
from fairmark.indicators.models import TemplateVersion, VersionStatus
from fairmark.org.models import Company, Department, Employee

from .. import reminders, workflow
from ..models import Cycle, CycleKind, CyclePhase, CycleStatus, LeaverRule, Phase, Population, Review, ReviewState
from ..permissions import manages_cycles
from .reminding import rules_of

FIELDS = ("name", "kind", "period_start", "period_end", "population", "min_tenure_days", "leavers",
          "include_probation", "raters_min", "raters_max", "anonymity_minimum", "send_at", "reminder_rules")


def _must_manage(actor: Any) -> None:
    if not manages_cycles(viewer_for(actor)):
        raise Refused(_("Only HR sets up review cycles."))


def snapshot(cycle: Cycle) -> dict[str, Any]:
    return {**{name: getattr(cycle, name) for name in FIELDS}, "status": cycle.status,
            "phases": {p.phase: p.deadline for p in cycle.phases.all()},
            "departments": sorted(cycle.departments.values_list("pk", flat=True)),
            "templates": sorted(cycle.templates.values_list("pk", flat=True))}


FROZEN_AFTER_LAUNCH = {"kind", "period_start", "period_end", "population", "departments", "people", "templates",
                       "default_template", "min_tenure_days", "leavers", "include_probation"}


def _differs(cycle: Cycle, name: str, value: Any) -> bool:
    if name in ("departments", "people", "templates"):
        return {int(v) for v in value or []} != set(getattr(cycle, name).values_list("pk", flat=True))
    if name == "default_template":
        return (int(value) if value else None) != cycle.default_template_id
    return bool(getattr(cycle, name) != value)


def _check(data: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not str(data.get("name", "")).strip():
        bad("name", _("Give the cycle a name."))
    if data.get("kind") not in CycleKind.values:
        bad("kind", _("Choose the kind of cycle."))
    start, end = data.get("period_start"), data.get("period_end")
    if not isinstance(start, date):
        bad("period_start", _("Enter the first day of the period."))
    if not isinstance(end, date):
        bad("period_end", _("Enter the last day of the period."))
    if isinstance(start, date) and isinstance(end, date) and end < start:
        bad("period_end", _("The period ends before it starts."))
    if data.get("population") not in Population.values:
        bad("population", _("Choose who is reviewed."))
    if data.get("leavers", LeaverRule.EXCLUDE) not in LeaverRule.values:
        bad("leavers", _("Choose a rule for leavers."))
    low, high = data.get("raters_min", 3), data.get("raters_max", 8)
    if not isinstance(low, int) or not isinstance(high, int) or low < 0 or high < max(low, 1) or high > 50:
        bad("raters_max", _("The maximum of raters per group is at least the minimum, and at most 50."))
    minimum = data.get("anonymity_minimum", 3)
    if not isinstance(minimum, int) or minimum < 3:
        bad("anonymity_minimum", _("A rater group is shown from 3 ratings on; a company may ask for more, never fewer."))
    rules = data.get("reminder_rules") or []
    try:
        reminders.check_rules([reminders.ReminderRule(id=str(r["id"]), when=r["when"], days=int(r["days"]),
                                                      to=tuple(r.get("to") or ("person",))) for r in rules])
    except (reminders.ReminderError, KeyError, TypeError, ValueError):
        bad("reminder_rules", _("Each reminder rule needs an id, when (before or overdue), days and recipients "
                                "(person, manager, hr)."))
    if errors:
        raise ServiceError(next(iter(errors.values()))[0], fields=errors)


def _templates(ids: Iterable[Any], field: str = "templates") -> list[TemplateVersion]:
    wanted = {int(i) for i in ids}
    found = list(TemplateVersion.objects.filter(pk__in=wanted, status=VersionStatus.PUBLISHED))
    require(len(found) == len(wanted), field, _("Choose published templates only."))
    return found


def _apply(cycle: Cycle, data: Mapping[str, Any]) -> None:
    for name in FIELDS:
        if name in data:
            setattr(cycle, name, data[name])
    if "default_template" in data:
        chosen = data["default_template"]
        cycle.default_template = _templates([chosen], "default_template")[0] if chosen else None


def _relations(cycle: Cycle, data: Mapping[str, Any]) -> None:
    if "departments" in data:
        departments = list(Department.objects.filter(pk__in=list(data["departments"]), company=cycle.company))
        cycle.departments.set(departments)
    if "people" in data:
        cycle.people.set(Employee.objects.filter(pk__in=list(data["people"]), company=cycle.company))
    if "templates" in data:
        cycle.templates.set(_templates(data["templates"]))
    if cycle.population == Population.DEPARTMENTS and not cycle.departments.exists():
        raise ServiceError(_("Choose the departments of the pilot."),
                           fields={"departments": [_("Choose the departments of the pilot.")]})
    if cycle.population == Population.LIST and not cycle.people.exists():
        raise ServiceError(_("Choose the people to review."), fields={"people": [_("Choose the people to review.")]})


def cycle_create(*, actor: Any, company: Company, data: Mapping[str, Any]) -> Cycle:
    _must_manage(actor)
    _check({"population": Population.COMPANY, **data})
    with transaction.atomic():
        cycle = Cycle(company=company, created_by=user_or_none(actor))
        _apply(cycle, data)
        cycle.full_clean(exclude=["company", "created_by", "launched_by", "default_template"])
        cycle.save()
        _relations(cycle, data)
        if "phases" in data:
            _set_phases(cycle, data["phases"])
        record(actor=actor, action="review.cycle.create", obj=cycle, after=snapshot(cycle))
    return cycle


def cycle_update(*, actor: Any, cycle: Cycle, data: Mapping[str, Any]) -> Cycle:
    _must_manage(actor)
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        before = snapshot(cycle)
        launched = cycle.status != CycleStatus.DRAFT
        if launched:
            # After launch only the deadlines, reminders and name may change: the population and templates are
            # what the reviews were created from. A client sending the whole cycle back unchanged is fine.
            changed = sorted(name for name in FROZEN_AFTER_LAUNCH & set(data) if _differs(cycle, name, data[name]))
            if changed:
                message = _("This cannot change once the cycle is launched.")
                raise ServiceError(message, fields={changed[0]: [message]})
        merged = {**{name: getattr(cycle, name) for name in FIELDS}, **data}
        _check(merged)
        _apply(cycle, data)
        cycle.save()
        _relations(cycle, data)
        if "phases" in data:
            _set_phases(cycle, data["phases"], launched=launched)
        record(actor=actor, action="review.cycle.update", obj=cycle, before=before, after=snapshot(cycle))
    return cycle


def _set_phases(cycle: Cycle, phases: Mapping[str, Any], *, launched: bool = False) -> None:
    """{phase: deadline or {"deadline", "opens_on"}}: the enabled phases; deadlines must not fall before the
    period starts and must follow the phases' order. After launch the set of phases is fixed (the reviews
    are in them); only deadlines move."""
    errors: dict[str, list[str]] = {}
    rows: list[tuple[str, date, date | None]] = []
    for phase, value in phases.items():
        if phase not in Phase.values:
            errors.setdefault("phases", []).append(_("Unknown phase: %(phase)s") % {"phase": phase})
            continue
        deadline = value.get("deadline") if isinstance(value, Mapping) else value
        opens = value.get("opens_on") if isinstance(value, Mapping) else None
        if not isinstance(deadline, date):
            errors.setdefault(f"phases.{phase}", []).append(_("Enter the deadline."))
            continue
        if deadline < cycle.period_start:
            errors.setdefault(f"phases.{phase}", []).append(_("The deadline falls before the period starts."))
        rows.append((phase, deadline, opens if isinstance(opens, date) else None))
    if not rows and not errors:
        errors["phases"] = [_("Enable at least one phase.")]
    order = {value: index for index, value in enumerate(Phase.values)}
    rows.sort(key=lambda row: order[row[0]])
    for (earlier, first, _o1), (later, second, _o2) in itertools.pairwise(rows):
        if second < first:
            errors.setdefault(f"phases.{later}", []).append(
                _("This deadline falls before the deadline of “%(phase)s”.") % {"phase": Phase(earlier).label})
    if launched and {row[0] for row in rows} != set(cycle.phase_list()):
        errors.setdefault("phases", []).append(_("The phases cannot change once the cycle is launched; move deadlines only."))
    if errors:
        raise ServiceError(next(iter(errors.values()))[0], fields=errors)
    CyclePhase.objects.filter(cycle=cycle).delete()
    CyclePhase.objects.bulk_create([CyclePhase(cycle=cycle, phase=p, deadline=d, opens_on=o) for p, d, o in rows])


def cycle_set_phases(*, actor: Any, cycle: Cycle, phases: Mapping[str, Any]) -> Cycle:
    return cycle_update(actor=actor, cycle=cycle, data={"phases": phases})


def cycle_launch(*, actor: Any, cycle: Cycle) -> Cycle:
    """Check the cycle can run, mark it launching and queue the task that creates the reviews."""
    _must_manage(actor)
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.status != CycleStatus.DRAFT:
            raise ServiceError(_("This cycle has been launched already."), code="illegal_transition")
        phases = cycle.phase_list()
        require(bool(phases), "phases", _("Enable at least one phase before launching."))
        workflow.cycle_phases(phases)
        try:
            reminders.check_rules(rules_of(cycle))
        except (reminders.ReminderError, KeyError, TypeError, ValueError) as exc:
            raise ServiceError(_("The reminder rules are not valid."),
                               fields={"reminder_rules": [_("The reminder rules are not valid.")]}) from exc
        before = snapshot(cycle)
        cycle.status = CycleStatus.LAUNCHING
        cycle.launched_at = timezone.now()
        cycle.launched_by = user_or_none(actor)
        cycle.launch_done = 0
        cycle.launch_total = 0
        cycle.save()
        record(actor=actor, action="review.cycle.launch", obj=cycle, before=before, after=snapshot(cycle))
        transaction.on_commit(lambda: _queue_launch(cycle.pk))
    return cycle


def _queue_launch(cycle_id: int) -> None:
    from ..tasks import launch_cycle

    launch_cycle.delay(cycle_id)


def cycle_close(*, actor: Any, cycle: Cycle) -> Cycle:
    _must_manage(actor)
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        require(cycle.status == CycleStatus.ACTIVE, "status", _("Only a running cycle can be closed."))
        open_reviews = Review.objects.filter(cycle=cycle).exclude(
            state__in=[ReviewState.CLOSED, ReviewState.VOIDED, ReviewState.INTERVIEW]).count()
        require(open_reviews == 0, "status",
                _("%(count)d reviews are still open; finish or void them first.") % {"count": open_reviews})
        before = snapshot(cycle)
        Review.objects.filter(cycle=cycle, state=ReviewState.INTERVIEW).update(state=ReviewState.CLOSED)
        cycle.status = CycleStatus.CLOSED
        cycle.save(update_fields=["status", "updated_at"])
        record(actor=actor, action="review.cycle.close", obj=cycle, before=before, after=snapshot(cycle))
    return cycle


def review_set_template(*, actor: Any, review: Review, template_id: int) -> Review:
    """HR overrides the template a person got by the rules; the review is recomputed."""
    from .scoring import recompute_reviews

    _must_manage(actor)
    with transaction.atomic():
        found = Review.objects.select_for_update().filter(pk=review.pk).first()
        if found is None:
            raise not_found()
        require(found.state not in (ReviewState.CLOSED, ReviewState.VOIDED), "template",
                _("A closed or voided review keeps its template."))
        template = _templates([template_id], "template")[0]
        before = {"template": found.template_version_id}
        found.template_version = template
        found.template_overridden = True
        found.parts = []
        found.save(update_fields=["template_version", "template_overridden", "parts", "updated_at"])
        record(actor=actor, action="review.template", obj=found, before=before, after={"template": template.pk})
        transaction.on_commit(lambda: recompute_reviews([found.pk]))
    return found
