"""/api/v1/goal-sets/: goal sets (目标模板包) with their goal specs, created by whoever keeps sets for the
department, and their bulk assignment (POST {id}/assign/ with employee numbers, all or nothing; people who
already hold the set's goals are skipped).

Reads come from the scoped selectors (404 outside them); a set the caller sees but may not assign answers 403;
bad input, 400 problem+json with the fields ("items.3.target")."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fairmark.core.api import ScopedViewSet
from fairmark.core.errors import ServiceError
from fairmark.org.selectors import departments_visible_to, employees_visible_to

from ..models import GoalSet
from ..selectors import goal_sets_visible_to
from ..services.goal_sets import goal_set_assign, goal_set_create

# ------------------------------------------------------------------------------------------------ out


class GoalSetSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    department_code = serializers.CharField(source="department.code", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    items = serializers.SerializerMethodField()

    class Meta:
        model = GoalSet
        fields = ["id", "name", "year", "department", "department_code", "items", "created_by", "created_at",
                  "updated_at"]

    def get_items(self, goal_set: GoalSet) -> list[dict[str, Any]]:
        return [item.spec for item in goal_set.items.all()]


# ------------------------------------------------------------------------------------------------ in


class GoalSetCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """`department`: a department code; `items`: goal specs (kind, title, weight, indicator code or
    indicator_version id, threshold, target, stretch, key_results, parent goal id, period_start, period_end)."""

    name = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    department = serializers.CharField()
    items = serializers.ListField(child=serializers.DictField(), allow_empty=True)


class AssignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    employees = serializers.ListField(child=serializers.CharField(max_length=32), allow_empty=True, max_length=2000)


class AssignResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    goal_set = serializers.IntegerField()
    assigned = serializers.ListField(child=serializers.CharField())
    skipped = serializers.ListField(child=serializers.CharField())
    goals = serializers.IntegerField()
    agreements_created = serializers.IntegerField()


# ------------------------------------------------------------------------------------------------ views


class GoalSetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Goal sets the caller keeps (their own, their units'; HR and executives: all) and bulk assignment."""

    selector = goal_sets_visible_to
    serializer_class = GoalSetSerializer
    filterset_fields = ["year"]
    search_fields = ["name"]
    ordering_fields = ["id", "year", "name"]

    def get_queryset(self) -> QuerySet[GoalSet]:
        return (super().get_queryset().select_related("department", "created_by").prefetch_related("items")
                .order_by("-year", "name", "id"))

    @extend_schema(request=GoalSetCreateSerializer, responses={201: GoalSetSerializer})
    def create(self, request: Request) -> Response:
        body = GoalSetCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        department = departments_visible_to(request.user).filter(code=data["department"]).first()
        if department is None:
            message = _("No department with this code.")
            raise ServiceError(message, fields={"department": [message]})
        goal_set = goal_set_create(actor=request.user, name=data["name"], year=data["year"], department=department,
                                   items=data["items"])
        return Response(GoalSetSerializer(self.get_queryset().get(pk=goal_set.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignSerializer, responses={200: AssignResultSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        """Give every goal of the set to every person listed (employee numbers), all or nothing; people who
        already hold the set's goals are skipped."""
        goal_set = self.get_object()
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        numbers = list(dict.fromkeys(body.validated_data["employees"]))
        people = {e.number: e for e in employees_visible_to(request.user).filter(number__in=numbers)}
        unknown = [number for number in numbers if number not in people]
        if unknown:
            message = _("No employee with this number in your scope: %(numbers)s") % {"numbers": ", ".join(unknown)}
            raise ServiceError(message, fields={"employees": [message]})
        result = goal_set_assign(actor=request.user, goal_set=goal_set, employees=[people[n] for n in numbers])
        return Response({
            "goal_set": goal_set.pk, "assigned": [p.number for p in result.assigned],
            "skipped": [p.number for p in result.skipped], "goals": result.goals,
            "agreements_created": result.agreements_created,
        })


def register(router: Any) -> None:
    router.register("goal-sets", GoalSetViewSet, basename="goal-set")


urlpatterns: list[Any] = []
