"""What the reviews API reads and writes. Inputs are checked for shape only; the services judge the content and
answer with the field paths of their forms (`items.teamwork.rating`, `phases.self_review`, `points`).

Scores and 360 aggregates reach a response only through `explanation_data`, the serialised
selectors.explanation.explain(): it applies the anonymity rules per audience, so no serializer here reads a
Rating row or the stored derivation for the ratee or the manager."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from rest_framework import serializers

from .. import workflow
from ..models import Cycle, CycleKind, LeaverRule, Population, RaterGroup, Review
from ..selectors.explanation import explain, visible_total
from ..services.forms import FormItem

# ------------------------------------------------------------------------------------------------ helpers


def plain(value: Any) -> Any:
    """Dataclasses, decimals and dates as JSON: decimals as strings, so that 89.00 stays "89.00"."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def explanation_data(user: Any, review: Review) -> dict[str, Any]:
    result: dict[str, Any] = plain(explain(user, review))
    return result


def language() -> str:
    return get_language() or "zh-hans"


def form_item_data(item: FormItem, rating: Decimal | None, comment: str) -> dict[str, Any]:
    return {"key": item.key, "section": item.section, "label": item.label, "definition": item.definition,
            "points": [{"rating": str(p.rating), "anchor": p.anchor} for p in item.points],
            "rating": None if rating is None else str(rating), "comment": comment}


# ------------------------------------------------------------------------------------------------ cycles


class CycleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A cycle as everyone signed in reads it; `people` (a list population) only for those who set up
    cycles."""

    phases = serializers.SerializerMethodField()
    departments = serializers.SerializerMethodField()
    people = serializers.SerializerMethodField()
    templates = serializers.SerializerMethodField()

    class Meta:
        model = Cycle
        fields = ["id", "name", "kind", "period_start", "period_end", "status", "population", "departments",
                  "people", "templates", "default_template", "min_tenure_days", "leavers", "include_probation",
                  "raters_min", "raters_max", "anonymity_minimum", "reminder_rules", "send_at", "phases",
                  "launched_at", "launch_total", "launch_done", "created_at", "updated_at"]

    def get_phases(self, cycle: Cycle) -> dict[str, str]:
        order: dict[str, int] = {value: index for index, value in enumerate(workflow.PHASES)}
        rows = sorted(cycle.phases.all(), key=lambda p: order.get(p.phase, 99))
        return {p.phase: p.deadline.isoformat() for p in rows}

    def get_departments(self, cycle: Cycle) -> list[str]:
        return sorted(d.code for d in cycle.departments.all())

    def get_people(self, cycle: Cycle) -> list[str] | None:
        if not self.context.get("manages"):
            return None
        return sorted(p.number for p in cycle.people.all())

    def get_templates(self, cycle: Cycle) -> list[int]:
        return sorted(t.pk for t in cycle.templates.all())


class CycleInSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A cycle's settings: departments by code, people by employee number, templates by template version id,
    phases as {phase: deadline}."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=CycleKind.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    population = serializers.ChoiceField(choices=Population.choices, required=False)
    departments = serializers.ListField(child=serializers.CharField(max_length=32), required=False, max_length=500)
    people = serializers.ListField(child=serializers.CharField(max_length=32), required=False, max_length=20000)
    templates = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=200)
    default_template = serializers.IntegerField(required=False, allow_null=True)
    min_tenure_days = serializers.IntegerField(required=False, min_value=0, max_value=3660)
    leavers = serializers.ChoiceField(choices=LeaverRule.choices, required=False)
    include_probation = serializers.BooleanField(required=False)
    raters_min = serializers.IntegerField(required=False, min_value=0)
    raters_max = serializers.IntegerField(required=False, min_value=0)
    anonymity_minimum = serializers.IntegerField(required=False, min_value=0)
    send_at = serializers.TimeField(required=False)
    # [{"id": "overdue-2-manager", "when": "overdue", "days": 2, "to": ["manager"]}, …]; checked by the service.
    reminder_rules = serializers.ListField(child=serializers.DictField(), required=False, max_length=20)
    phases = serializers.DictField(child=serializers.DateField(), required=False)


class CycleProgressSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    status = serializers.CharField()
    launch_total = serializers.IntegerField()
    launch_done = serializers.IntegerField()
    launch_error = serializers.CharField()
    launch_report = serializers.DictField()
    reviews = serializers.IntegerField()
    by_state = serializers.DictField(child=serializers.IntegerField())
    by_department = serializers.ListField(child=serializers.DictField())


# ------------------------------------------------------------------------------------------------ reviews


class ReviewSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)
    employee_number = serializers.CharField(source="employee.number", read_only=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    manager_number = serializers.CharField(source="manager.number", read_only=True, default=None)
    manager_name = serializers.CharField(source="manager.name", read_only=True, default=None)
    n2_number = serializers.CharField(source="n2.number", read_only=True, default=None)
    n2_name = serializers.CharField(source="n2.name", read_only=True, default=None)
    delegate_number = serializers.CharField(source="delegate.number", read_only=True, default=None)
    delegate_name = serializers.CharField(source="delegate.name", read_only=True, default=None)
    template = serializers.IntegerField(source="template_version_id", read_only=True)
    template_code = serializers.CharField(source="template_version.template.code", read_only=True)
    template_name = serializers.CharField(source="template_version.display_name", read_only=True)
    # Held back from the ratee and the manager while the 360 round is open (selectors.explanation.shows_total).
    total = serializers.SerializerMethodField()

    def get_total(self, review: Review) -> str | None:
        request = self.context.get("request")
        value = visible_total(getattr(request, "user", None), review)
        return None if value is None else str(value)

    class Meta:
        model = Review
        fields = ["id", "cycle", "cycle_name", "employee", "employee_number", "employee_name", "department_code",
                  "department_name", "state", "manager_number", "manager_name", "n2_number", "n2_name",
                  "delegate_number", "delegate_name", "template", "template_code", "template_name",
                  "template_overridden", "total", "forced_grade", "computed_at", "updated_at"]


class ActSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """`to`: the phase a reopen goes to; `delegate`: the employee number of whoever takes the task over."""

    action = serializers.ChoiceField(choices=[(a, a) for a in workflow.ACTIONS if a not in ("decline",)])
    reason = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=4000)
    to = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=32)
    delegate = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=32)


class FormInSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """`entries`: {item key: {"rating": "4", "comment": "…"}}; `summary`: the overall comment; `submit`: hand
    the form on after saving it (all or nothing)."""

    entries = serializers.DictField(required=False, default=dict)
    summary = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)
    submit = serializers.BooleanField(required=False, default=False)


class AdjustmentInSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """`item`: the adjustment item's key (e.g. "adjustments.0"); `points`: ± within the template's cap, 0 removes
    it; `reason`: required."""

    item = serializers.CharField(max_length=96)
    points = serializers.CharField(max_length=32)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class AdjustmentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    item = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    cap = serializers.CharField()
    points = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class TemplateInSerializer(serializers.Serializer):  # type: ignore[type-arg]
    template = serializers.IntegerField(help_text="A published template version's id.")


# ------------------------------------------------------------------------------------------------ raters


class NominateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    rater = serializers.CharField(max_length=32, help_text="The employee number of the colleague to nominate.")
    group = serializers.ChoiceField(choices=[(g.value, g.label) for g in RaterGroup
                                             if g not in (RaterGroup.SELF, RaterGroup.MANAGER)])


class RaterRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A nomination as the caller may read it: HR reads every status and who nominated; the manager and the
    ratee read nominated / approved / rejected only (whether someone rated or declined is HR's)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    nominated_by = serializers.CharField(required=False, allow_null=True)
    submitted_at = serializers.DateTimeField(required=False, allow_null=True)


class RaterDecideSerializer(serializers.Serializer):  # type: ignore[type-arg]
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class TaskInSerializer(serializers.Serializer):  # type: ignore[type-arg]
    entries = serializers.DictField(required=False, default=dict)
    comment = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)


class DeclineSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
