"""/api/v1/goal-alert-rules/ and /api/v1/goal-alerts/: alert rules on goals and the alerts they raise.

Rules: everyone signed in lists and reads the rules on indicators (company configuration) and the rules on the
goals they may see; HR admins and executives write rules on indicators, whoever may write a goal writes the
rules on it. A rule the caller sees but may not change answers 403; one they do not see, 404; bad bounds, 400
problem+json with field errors. Alerts: listed and read within the caller's goal scope (filters: status,
level, goal, employee number, rule, kind), each with its events; the owner, their managers and HR acknowledge
an open alert (POST {id}/acknowledge/)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fairmark.core.api import ScopedViewSet
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.indicators.models import Indicator

from ..models import Alert, AlertDirection, AlertEvent, AlertKind, AlertLevel, AlertRule, AlertStatus
from ..selectors import alert_rules_visible_to, alerts_visible_to, goals_visible_to
from ..services.alert_rules import alert_rule_create, alert_rule_delete, alert_rule_update
from ..services.alerts import alert_acknowledge


class AlertRuleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    indicator = serializers.CharField(source="indicator.code", read_only=True, default=None)
    goal_title = serializers.CharField(source="goal.title", read_only=True, default=None)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = AlertRule
        fields = ["id", "name", "kind", "indicator", "goal", "goal_title", "direction", "warning", "critical",
                  "active", "created_by", "created_at", "updated_at"]


class AlertRuleCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A rule on an indicator (`indicator`: its code) or on one goal (`goal`: its id), never both. Threshold:
    `warning` and optional `critical` bounds on the indicator's value, `direction` above (worse when higher;
    the default where lower is better) or below. Pace: fractions 0–1 of the way behind. Stale: whole days."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    indicator = serializers.CharField(required=False, allow_null=True, default=None)
    goal = serializers.IntegerField(required=False, allow_null=True, default=None)
    direction = serializers.ChoiceField(choices=AlertDirection.choices, required=False, allow_null=True,
                                        default=None)
    warning = serializers.DecimalField(max_digits=28, decimal_places=10)
    critical = serializers.DecimalField(required=False, allow_null=True, default=None, max_digits=28, decimal_places=10)
    active = serializers.BooleanField(required=False, default=True)


class AlertRuleUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=200, required=False)
    direction = serializers.ChoiceField(choices=AlertDirection.choices, required=False)
    warning = serializers.DecimalField(required=False, max_digits=28, decimal_places=10)
    critical = serializers.DecimalField(required=False, allow_null=True, max_digits=28, decimal_places=10)
    active = serializers.BooleanField(required=False)


class AlertEventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AlertEvent
        fields = ["id", "kind", "level", "previous", "value", "period", "at"]


class AlertSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    kind = serializers.CharField(source="rule.kind", read_only=True)
    goal_title = serializers.CharField(source="goal.title", read_only=True)
    employee_number = serializers.CharField(source="goal.employee.number", read_only=True, default=None)
    department_code = serializers.CharField(source="goal.department.code", read_only=True, default=None)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", read_only=True, default=None)

    class Meta:
        model = Alert
        fields = ["id", "rule", "rule_name", "kind", "goal", "goal_title", "employee_number", "department_code",
                  "level", "status", "value", "period", "opened_at", "changed_at", "acknowledged_at",
                  "acknowledged_by", "resolved_at"]


class AlertDetailSerializer(AlertSerializer):
    events = AlertEventSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "events"]


class AlertRuleFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices)
    indicator = django_filters.CharFilter(field_name="indicator__code")
    goal = django_filters.NumberFilter()
    active = django_filters.BooleanFilter()

    class Meta:
        model = AlertRule
        fields: list[str] = []


class AlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    level = django_filters.ChoiceFilter(choices=AlertLevel.choices)
    goal = django_filters.NumberFilter()
    rule = django_filters.NumberFilter()
    kind = django_filters.ChoiceFilter(field_name="rule__kind", choices=AlertKind.choices)
    employee = django_filters.CharFilter(field_name="goal__employee__number")

    class Meta:
        model = Alert
        fields: list[str] = []


def _field_error(field: str, message: str) -> ServiceError:
    return ServiceError(message, fields={field: [message]})


class AlertRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    selector = alert_rules_visible_to
    serializer_class = AlertRuleSerializer
    filterset_class = AlertRuleFilter
    search_fields = ["name"]
    ordering_fields = ["id", "name", "created_at"]

    def get_queryset(self) -> QuerySet[AlertRule]:
        return super().get_queryset().select_related("created_by").order_by("name", "id")

    def _show(self, rule: AlertRule, code: int = status.HTTP_200_OK) -> Response:
        return Response(AlertRuleSerializer(self.get_queryset().get(pk=rule.pk)).data, status=code)

    @extend_schema(request=AlertRuleCreateSerializer, responses={201: AlertRuleSerializer})
    def create(self, request: Request) -> Response:
        body = AlertRuleCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        indicator = goal = None
        code = data.pop("indicator")
        if code:
            indicator = Indicator.objects.filter(code=code).first()
            if indicator is None:
                raise _field_error("indicator", _("No indicator with this code."))
        goal_id = data.pop("goal")
        if goal_id is not None:
            goal = goals_visible_to(request.user).filter(pk=goal_id).first()
            if goal is None:
                raise OutOfScope(_("Not found."))
        rule = alert_rule_create(actor=request.user, indicator=indicator, goal=goal, **data)
        return self._show(rule, status.HTTP_201_CREATED)

    @extend_schema(request=AlertRuleUpdateSerializer, responses={200: AlertRuleSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        rule = self.get_object()
        body = AlertRuleUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        alert_rule_update(actor=request.user, rule=rule, changes=dict(body.validated_data))
        return self._show(rule)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        alert_rule_delete(actor=request.user, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    selector = alerts_visible_to
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["id", "changed_at", "opened_at", "level"]

    def get_queryset(self) -> QuerySet[Alert]:
        alerts = super().get_queryset().select_related("acknowledged_by")
        if self.action != "list":
            alerts = alerts.prefetch_related(Prefetch("events", queryset=AlertEvent.objects.order_by("at", "id")))
        return alerts.order_by("-changed_at", "-id")

    def get_serializer_class(self) -> Any:
        return AlertSerializer if self.action == "list" else AlertDetailSerializer

    @extend_schema(request=None, responses={200: AlertDetailSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        alert = alert_acknowledge(actor=request.user, alert=self.get_object())
        return Response(AlertDetailSerializer(self.get_queryset().get(pk=alert.pk)).data)


def register(router: Any) -> None:
    router.register("goal-alert-rules", AlertRuleViewSet, basename="goal-alert-rule")
    router.register("goal-alerts", AlertViewSet, basename="goal-alert")


urlpatterns: list[Any] = []
