"""/api/v1/goal-agreements/ and /api/v1/goal-changes/: the goal agreement (目标协议) of a person and year with its
goals and history, its transitions (submit, return 驳回, approve, sign 目标签字, request a change after
sign-off), and the decisions on changes. Goal sets and their bulk assignment are in goal_sets.py.

Reads come from the scoped selectors (404 outside them). Every write calls a service: a caller who sees the
agreement but may not take the step (the employee approving, a manager submitting, the author of a change
deciding it) gets 403; a step the agreement's state does not allow, or bad input, 400 problem+json with the
fields."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fairmark.core.api import ScopedViewSet
from fairmark.core.errors import ServiceError

from ..models import (
    Agreement,
    AgreementStatus,
    AgreementStep,
    ChangeKind,
    ChangeStatus,
    Goal,
    GoalChange,
    GoalState,
    KeyResult,
)
from ..selectors import agreements_visible_to, changes_visible_to, goals_visible_to
from ..serializers import GoalSerializer
from ..services.agreement import agreement_approve, agreement_return, agreement_sign, agreement_submit
from ..services.changes import change_decide, change_request

# ------------------------------------------------------------------------------------------------ out


class AgreementStepSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)

    class Meta:
        model = AgreementStep
        fields = ["id", "action", "actor", "comment", "status_after", "at"]


class GoalChangeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)
    employee_number = serializers.CharField(source="agreement.employee.number", read_only=True)
    year = serializers.IntegerField(source="agreement.year", read_only=True)

    class Meta:
        model = GoalChange
        fields = ["id", "agreement", "employee_number", "year", "goal", "kind", "proposed", "reason", "status",
                  "requested_by", "requested_at", "decided_by", "decided_at", "decision_comment"]


class AgreementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    employee_number = serializers.CharField(source="employee.number", read_only=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    department_code = serializers.CharField(source="employee.department.code", read_only=True)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None)
    manager_signed_by = serializers.CharField(source="manager_signed_by.username", read_only=True, default=None)
    goal_count = serializers.IntegerField(read_only=True, default=None)
    pending_changes = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Agreement
        fields = ["id", "employee", "employee_number", "employee_name", "department_code", "year", "status",
                  "revision", "submitted_at", "approved_at", "approved_by", "employee_signed_at",
                  "manager_signed_at", "manager_signed_by", "return_comment", "goal_count", "pending_changes",
                  "created_at", "updated_at"]


class AgreementDetailSerializer(AgreementSerializer):
    goals = GoalSerializer(source="live_goals", many=True, read_only=True)
    steps = AgreementStepSerializer(many=True, read_only=True)
    changes = GoalChangeSerializer(many=True, read_only=True)

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "goals", "steps", "changes"]


# ------------------------------------------------------------------------------------------------ in


class CommentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ReturnSerializer(serializers.Serializer):  # type: ignore[type-arg]
    comment = serializers.CharField(max_length=4000)


class ChangeRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """`goal`: the id of the goal to edit or archive (not for "add"); `proposed`: for "edit" the fields as they
    would be (title, description, weight, period_start, period_end, threshold, target, stretch, key_results),
    for "add" the goal as a goal set item describes it."""

    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    goal = serializers.IntegerField(required=False, allow_null=True, default=None)
    proposed = serializers.DictField(required=False, default=dict)
    reason = serializers.CharField(max_length=4000)


class DecideSerializer(serializers.Serializer):  # type: ignore[type-arg]
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


# ------------------------------------------------------------------------------------------------ views


class AgreementFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices)
    employee = django_filters.CharFilter(field_name="employee__number")
    department = django_filters.CharFilter(field_name="employee__department__code")

    class Meta:
        model = Agreement
        fields: list[str] = []


def _live_goals() -> Prefetch[Any]:
    return Prefetch("goals", to_attr="live_goals", queryset=Goal.objects.filter(state=GoalState.ACTIVE)
                    .select_related("employee", "department", "agreement", "indicator_version",
                                    "indicator_version__indicator")
                    .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id")))
                    .order_by("position", "id"))


class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Goal agreements the caller may see: their own and their team's (HR and executives: everyone)."""

    selector = agreements_visible_to
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    search_fields = ["employee__number", "employee__name"]
    ordering_fields = ["id", "year", "status", "submitted_at"]

    def get_queryset(self) -> QuerySet[Agreement]:
        agreements = (super().get_queryset().select_related("approved_by", "manager_signed_by")
                      .annotate(goal_count=Count("goals", filter=Q(goals__state=GoalState.ACTIVE), distinct=True),
                                pending_changes=Count("changes", filter=Q(changes__status=ChangeStatus.PENDING),
                                                      distinct=True))
                      .order_by("-year", "employee__number"))
        if self.action != "list":
            agreements = agreements.prefetch_related(
                _live_goals(), Prefetch("steps", queryset=AgreementStep.objects.select_related("actor")),
                Prefetch("changes", queryset=GoalChange.objects.select_related(
                    "agreement__employee", "requested_by", "decided_by")))
        return agreements

    def get_serializer_class(self) -> Any:
        return AgreementSerializer if self.action == "list" else AgreementDetailSerializer

    def _answer(self, agreement: Agreement) -> Response:
        return Response(AgreementDetailSerializer(self.get_queryset().get(pk=agreement.pk)).data)

    @extend_schema(request=CommentSerializer, responses={200: AgreementDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement = agreement_submit(actor=request.user, agreement=self.get_object(), **body.validated_data)
        return self._answer(agreement)

    @extend_schema(request=ReturnSerializer, responses={200: AgreementDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        """驳回: back to the employee with a comment (required)."""
        agreement = self.get_object()
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement = agreement_return(actor=request.user, agreement=agreement, **body.validated_data)
        return self._answer(agreement)

    @extend_schema(request=CommentSerializer, responses={200: AgreementDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement = agreement_approve(actor=request.user, agreement=self.get_object(), **body.validated_data)
        return self._answer(agreement)

    @extend_schema(request=None, responses={200: AgreementDetailSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        """目标签字: the employee signs as the employee, a manager (or head, HR) as the manager."""
        agreement = agreement_sign(actor=request.user, agreement=self.get_object())
        return self._answer(agreement)

    @extend_schema(request=ChangeRequestSerializer, responses={201: GoalChangeSerializer})
    @action(detail=True, methods=["post"], url_path="request-change", url_name="request-change")
    def request_change(self, request: Request, pk: str) -> Response:
        agreement = self.get_object()
        body = ChangeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        goal = None
        if data["goal"] is not None:
            goal = goals_visible_to(request.user).filter(pk=data["goal"], agreement=agreement).first()
            if goal is None:
                message = _("Choose one of the goals of this agreement.")
                raise ServiceError(message, fields={"goal": [message]})
        change = change_request(actor=request.user, agreement=agreement, kind=data["kind"], goal=goal,
                                proposed=data["proposed"], reason=data["reason"])
        change = changes_visible_to(request.user).get(pk=change.pk)
        return Response(GoalChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class GoalChangeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ChangeStatus.choices)
    kind = django_filters.ChoiceFilter(choices=ChangeKind.choices)
    agreement = django_filters.NumberFilter()
    employee = django_filters.CharFilter(field_name="agreement__employee__number")

    class Meta:
        model = GoalChange
        fields: list[str] = []


class GoalChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Changes asked for after sign-off, and their decisions."""

    selector = changes_visible_to
    serializer_class = GoalChangeSerializer
    filterset_class = GoalChangeFilter
    ordering_fields = ["id", "requested_at"]

    @extend_schema(request=DecideSerializer, responses={200: GoalChangeSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        change = self.get_object()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change = change_decide(actor=request.user, change=change, **body.validated_data)
        return Response(GoalChangeSerializer(self.get_queryset().get(pk=change.pk)).data)


def register(router: Any) -> None:
    router.register("goal-agreements", AgreementViewSet, basename="goal-agreement")
    router.register("goal-changes", GoalChangeViewSet, basename="goal-change")


urlpatterns: list[Any] = []
