"""Goal serializers shared by the parts of the API: a goal with its key results and progress, and the body of
a goal to create. Writes never go through serializer.save(): the views call the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from .models import Goal, GoalKind, GoalLevel, KeyResult


class KeyResultSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = KeyResult
        fields = ["id", "title", "unit", "start", "target", "current", "confidence", "weight", "position"]


class GoalSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    key_results = KeyResultSerializer(many=True, read_only=True)
    employee_number = serializers.CharField(source="employee.number", read_only=True, default=None)
    department_code = serializers.CharField(source="department.code", read_only=True, default=None)
    indicator = serializers.SerializerMethodField()
    agreement_status = serializers.CharField(source="agreement.status", read_only=True, default=None)

    class Meta:
        model = Goal
        fields = [
            "id", "year", "level", "kind", "title", "description", "employee", "employee_number", "department",
            "department_code", "parent", "weight", "period_start", "period_end", "state", "indicator",
            "indicator_version", "threshold", "target", "stretch", "value", "value_on", "score", "progress",
            "computed_at", "key_results", "agreement", "agreement_status", "created_at", "updated_at",
        ]

    def get_indicator(self, goal: Goal) -> dict[str, Any] | None:
        version = goal.indicator_version
        if version is None:
            return None
        return {"code": version.indicator.code, "version": version.number, "name": version.display_name,
                "unit": version.unit, "direction": version.direction}


class KeyResultInSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    start = serializers.DecimalField(max_digits=28, decimal_places=10)
    target = serializers.DecimalField(max_digits=28, decimal_places=10)
    current = serializers.DecimalField(max_digits=28, decimal_places=10, required=False, allow_null=True)
    confidence = serializers.DecimalField(max_digits=3, decimal_places=2, required=False, allow_null=True)
    weight = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, default=Decimal(1))


class GoalCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A goal to create. `employee` is an employee number, `department` a department code, `indicator` an
    indicator code (its published version is pinned) or `indicator_version` an id."""

    level = serializers.ChoiceField(choices=GoalLevel.choices)
    kind = serializers.ChoiceField(choices=GoalKind.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    employee = serializers.CharField(required=False, allow_null=True, default=None)
    department = serializers.CharField(required=False, allow_null=True, default=None)
    parent = serializers.IntegerField(required=False, allow_null=True, default=None)  # type: ignore[assignment]
    weight = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, default=Decimal(1))
    period_start = serializers.DateField(required=False, allow_null=True, default=None)
    period_end = serializers.DateField(required=False, allow_null=True, default=None)
    indicator = serializers.CharField(required=False, allow_null=True, default=None)
    indicator_version = serializers.IntegerField(required=False, allow_null=True, default=None)
    threshold = serializers.DecimalField(max_digits=28, decimal_places=10, required=False, allow_null=True,
                                         default=None)
    target = serializers.DecimalField(max_digits=28, decimal_places=10, required=False, allow_null=True,
                                      default=None)
    stretch = serializers.DecimalField(max_digits=28, decimal_places=10, required=False, allow_null=True,
                                       default=None)
    key_results = KeyResultInSerializer(many=True, required=False, default=list)


class GoalUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    weight = serializers.DecimalField(max_digits=7, decimal_places=2, required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    threshold = serializers.DecimalField(max_digits=28, decimal_places=10, required=False, allow_null=True)
    target = serializers.DecimalField(max_digits=28, decimal_places=10, required=False, allow_null=True)
    stretch = serializers.DecimalField(max_digits=28, decimal_places=10, required=False, allow_null=True)
    key_results = KeyResultInSerializer(many=True, required=False)


class GoalMoveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    parent = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]
    weight = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True, default=None)
