"""/api/v1/goals/: the goal tree. List and read what the caller may see (company and department goals for
everyone signed in, a person's goals within the caller's people scope); create, edit, move (align to another
parent) and archive through the tree services, which answer 404 for goals the caller may not change and
400 problem+json with field errors for bad input."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fairmark.core.api import ScopedViewSet
from fairmark.core.errors import ServiceError
from fairmark.indicators.models import Indicator, IndicatorVersion
from fairmark.ingestion.numbers import tidy_text
from fairmark.org.selectors import departments_visible_to, employees_visible_to

from ..models import Goal, GoalKind, GoalLevel, GoalState
from ..selectors import goals_visible_to
from ..serializers import GoalCreateSerializer, GoalMoveSerializer, GoalSerializer, GoalUpdateSerializer
from ..services.agreement import goal_assigned
from ..services.kpi_data import values_for_goal
from ..services.tree import goal_archive, goal_create, goal_move, goal_update


class GoalFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    level = django_filters.ChoiceFilter(choices=GoalLevel.choices)
    kind = django_filters.ChoiceFilter(choices=GoalKind.choices)
    state = django_filters.ChoiceFilter(choices=GoalState.choices)
    parent = django_filters.NumberFilter()
    employee = django_filters.CharFilter(field_name="employee__number")
    department = django_filters.CharFilter(field_name="department__code")

    class Meta:
        model = Goal
        fields: list[str] = []


def _field_error(field: str, message: str) -> ServiceError:
    return ServiceError(message, fields={field: [message]})


def resolve_references(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Numbers, codes and ids of the request → the objects the service takes, seen through the caller's scope."""
    from django.utils.translation import gettext as _

    fields = dict(data)
    number = fields.pop("employee", None)
    fields["employee"] = None
    if number:
        fields["employee"] = employees_visible_to(user).filter(number=number).first()
        if fields["employee"] is None:
            raise _field_error("employee", _("No employee with this number in your scope."))
    code = fields.pop("department", None)
    fields["department"] = None
    if code:
        fields["department"] = departments_visible_to(user).filter(code=code).first()
        if fields["department"] is None:
            raise _field_error("department", _("No department with this code."))
    parent = fields.pop("parent", None)
    fields["parent"] = None
    if parent is not None:
        fields["parent"] = goals_visible_to(user).filter(pk=parent).first()
        if fields["parent"] is None:
            raise _field_error("parent", _("Choose a goal you can see."))
    indicator_code = fields.pop("indicator", None)
    version_id = fields.pop("indicator_version", None)
    fields["indicator_version"] = None
    if indicator_code:
        indicator = Indicator.objects.filter(code=indicator_code, retired=False).select_related("published").first()
        if indicator is None or indicator.published is None:
            raise _field_error("indicator", _("No published indicator with this code."))
        fields["indicator_version"] = indicator.published
    elif version_id is not None:
        fields["indicator_version"] = IndicatorVersion.objects.filter(pk=version_id).first()
        if fields["indicator_version"] is None:
            raise _field_error("indicator_version", _("No such indicator version."))
    return fields


class GoalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    selector = goals_visible_to
    serializer_class = GoalSerializer
    filterset_class = GoalFilter
    search_fields = ["title"]
    ordering_fields = ["id", "year", "progress", "position"]

    def get_queryset(self) -> QuerySet[Goal]:
        return super().get_queryset().order_by("year", "level", "position", "id")

    @extend_schema(request=GoalCreateSerializer, responses={201: GoalSerializer})
    def create(self, request: Request) -> Response:
        body = GoalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = resolve_references(request.user, dict(body.validated_data))
        fields["key_results"] = [dict(kr) for kr in fields.get("key_results") or []]
        with transaction.atomic():
            goal = goal_create(actor=request.user, **fields)
            goal_assigned(actor=request.user, goal=goal)
        return Response(GoalSerializer(self.get_queryset().get(pk=goal.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GoalUpdateSerializer, responses={200: GoalSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        goal = self.get_object()
        body = GoalUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        if "key_results" in changes:
            changes["key_results"] = [dict(kr) for kr in changes["key_results"]]
        goal_update(actor=request.user, goal=goal, changes=changes)
        return Response(GoalSerializer(self.get_queryset().get(pk=goal.pk)).data)

    @extend_schema(request=GoalMoveSerializer, responses={200: GoalSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        goal = self.get_object()
        body = GoalMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        parent = None
        if body.validated_data["parent"] is not None:
            parent = self.get_queryset().filter(pk=body.validated_data["parent"]).first()
            if parent is None:
                from django.utils.translation import gettext as _

                raise _field_error("parent", _("Choose a goal you can see."))
        goal_move(actor=request.user, goal=goal, parent=parent, weight=body.validated_data.get("weight"))
        return Response(GoalSerializer(self.get_queryset().get(pk=goal.pk)).data)

    @extend_schema(request=None, responses={200: GoalSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        goal = goal_archive(actor=request.user, goal=self.get_object())
        return Response(GoalSerializer(self.get_queryset().get(pk=goal.pk)).data)

    @extend_schema(responses={200: serializers.ListSerializer(child=serializers.DictField())})
    @action(detail=True, methods=["get"])
    def values(self, request: Request, pk: str) -> Response:
        """The metric values a KPI goal reads, with the source and batch each came from."""
        goal = self.get_object()
        rows = values_for_goal(goal).select_related("source").order_by("period_start", "id")[:2000]
        return Response([
            {"id": v.pk, "metric": v.metric.code, "subject_type": v.subject_type, "period": v.period,
             "period_start": v.period_start, "value": tidy_text(v.value), "source": v.source.code, "batch": v.batch_id,
             "row_key": v.row_key, "version": v.version}
            for v in rows
        ])


def register(router: Any) -> None:
    router.register("goals", GoalViewSet, basename="goal")


urlpatterns: list[Any] = []
