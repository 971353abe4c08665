"""The ingestion API beyond pushing (api.py): metrics, sources, stored values with their provenance, and the
rows to correct (quarantine, conflicts). Reads come from the scoped selectors (404 outside them); writes
call the services, and a reader who may not change an object gets 403."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from fairmark.core.access import Role, viewer_for
from fairmark.core.api import ScopedViewSet
from fairmark.core.errors import OutOfScope

from .models import Conflict, MetricValue, SubjectType
from .selectors import (
    conflicts_managed_by,
    conflicts_visible_to,
    metrics_visible_to,
    quarantine_managed_by,
    quarantine_visible_to,
    reads_ingestion,
    sources_visible_to,
    subject_codes,
    values_visible_to,
)
from .serializers import (
    ConflictSerializer,
    DismissSerializer,
    MetricCreateSerializer,
    MetricSerializer,
    MetricValueSerializer,
    QuarantinedRowSerializer,
    ReplaySerializer,
    ResolveSerializer,
    SourceSerializer,
)
from .services.corrections import dismiss_quarantined, replay_quarantined, resolve_conflict
from .services.metrics import metric_create
from .services.subjects import resolve_subjects


class MetricViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Metrics: read by HR, executives, managers and heads; created by HR admins and system admins."""

    selector = metrics_visible_to
    serializer_class = MetricSerializer
    lookup_field = "code"
    filterset_fields = ["active", "grain", "value_type"]
    search_fields = ["code", "name_zh", "name_en"]

    @extend_schema(request=MetricCreateSerializer, responses={201: MetricSerializer})
    def create(self, request: Request) -> Response:
        if not viewer_for(request.user).has(Role.HR_ADMIN, Role.SYSADMIN):
            raise PermissionDenied
        body = MetricCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        metric = metric_create(actor=request.user, **body.validated_data)
        return Response(MetricSerializer(metric).data, status=status.HTTP_201_CREATED)


class SourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    selector = sources_visible_to
    serializer_class = SourceSerializer
    lookup_field = "code"
    filterset_fields = ["kind", "enabled"]
    search_fields = ["code", "name"]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("owner_department").prefetch_related("metrics")


class MetricValueFilter(django_filters.FilterSet):
    metric = django_filters.CharFilter(field_name="metric__code")
    source = django_filters.CharFilter(field_name="source__code")
    subject_type = django_filters.ChoiceFilter(choices=SubjectType.choices)
    subject = django_filters.CharFilter(method="filter_subject", label="subject code (employee number, line code…)")
    period = django_filters.CharFilter()
    period_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")
    current = django_filters.BooleanFilter()
    batch = django_filters.NumberFilter()

    class Meta:
        model = MetricValue
        fields: list[str] = []

    def filter_subject(self, queryset: QuerySet[MetricValue], name: str, value: str) -> QuerySet[MetricValue]:
        kind = self.data.get("subject_type") or SubjectType.EMPLOYEE
        ident = resolve_subjects([(kind, value)]).get((kind, value))
        return queryset.filter(subject_type=kind, subject_id=ident) if ident is not None else queryset.none()


class MetricValueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Stored values with their provenance: HR and executives read all, a manager their team's, an employee
    their own. A value's page adds its raw row as sent and every version of its row key."""

    selector = values_visible_to
    serializer_class = MetricValueSerializer
    filterset_class = MetricValueFilter
    ordering_fields = ["period_start", "received_at", "id"]

    def get_queryset(self) -> Any:
        return super().get_queryset().defer("batch__payload", "batch__unchanged_keys").order_by("id")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["subject_codes"] = getattr(self, "_codes", {})
        return context

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        self._codes = subject_codes((value.subject_type, value.subject_id) for value in page or [])
        return page

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        value: MetricValue = self.get_object()
        self._codes = subject_codes([(value.subject_type, value.subject_id)])
        data = dict(self.get_serializer(value).data)
        row, record = value.batch.raw_row(value.row_index)
        data["raw_row"], data["record"] = row, record
        data["versions"] = [
            {"id": v.pk, "version": v.version, "value": MetricValueSerializer().value_text(v), "current": v.current,
             "batch": v.batch_id, "received_at": v.received_at}
            for v in values_visible_to(request.user).filter(source=value.source_id, row_key=value.row_key)
            .defer("batch__payload", "batch__unchanged_keys").order_by("version")]
        data["sent_by"] = {"user": value.batch.received_by.get_username() if value.batch.received_by else None,
                           "key": value.batch.token.prefix if value.batch.token else None,
                           "channel": value.batch.channel} if reads_ingestion(viewer_for(request.user)) else None
        return Response(data)


class QuarantineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    selector = quarantine_visible_to
    serializer_class = QuarantinedRowSerializer
    filterset_fields = ["status", "code", "batch"]

    def get_queryset(self) -> Any:
        queryset = super().get_queryset().defer("batch__payload", "batch__unchanged_keys").order_by("id")
        source = self.request.query_params.get("source")
        return queryset.filter(source__code=source) if source else queryset

    def _managed(self, ids: list[int]) -> None:
        visible = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        if visible != set(ids):
            raise OutOfScope(gettext("Not found."))  # a row outside the caller's scope is not there
        if quarantine_managed_by(self.request.user).filter(pk__in=ids).count() != len(set(ids)):
            raise PermissionDenied

    @extend_schema(request=ReplaySerializer)
    @action(detail=False, methods=["post"])
    def replay(self, request: Request) -> Response:
        """Corrected rows (quarantined row id → the row's fields) through validation again, as one batch."""
        body = ReplaySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        corrections = {item["id"]: item["row"] for item in body.validated_data["rows"]}
        self._managed(list(corrections))
        outcome = replay_quarantined(actor=request.user, corrections=corrections)
        return Response(outcome.as_json(), status=status.HTTP_201_CREATED)

    @extend_schema(request=DismissSerializer)
    @action(detail=False, methods=["post"])
    def dismiss(self, request: Request) -> Response:
        body = DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self._managed(body.validated_data["ids"])
        count = dismiss_quarantined(actor=request.user, ids=body.validated_data["ids"], note=body.validated_data["note"])
        return Response({"dismissed": count})


class ConflictViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    selector = conflicts_visible_to
    serializer_class = ConflictSerializer
    filterset_fields = ["status", "batch"]

    def get_queryset(self) -> Any:
        queryset = super().get_queryset().defer("batch__payload", "batch__unchanged_keys").order_by("id")
        source = self.request.query_params.get("source")
        return queryset.filter(source__code=source) if source else queryset

    @extend_schema(request=ResolveSerializer, responses={200: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        conflict: Conflict = self.get_object()
        if not conflicts_managed_by(request.user).filter(pk=conflict.pk).exists():
            raise PermissionDenied
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        resolved = resolve_conflict(actor=request.user, conflict=conflict, **body.validated_data)
        return Response(ConflictSerializer(resolved).data)


def register(router: Any) -> None:
    """Register the read API's viewsets on the /api/v1/ router."""
    router.register("metrics", MetricViewSet, basename="metric")
    router.register("metric-values", MetricValueViewSet, basename="metric-value")
    router.register("ingest/sources", SourceViewSet, basename="ingest-source")
    router.register("ingest/quarantine", QuarantineViewSet, basename="ingest-quarantine")
    router.register("ingest/conflicts", ConflictViewSet, basename="ingest-conflict")

