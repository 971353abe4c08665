"""Shapes of the ingestion read API and the bodies of its few writes. Rows of a push are not here: they are
decoded by `ingestion.rows` (msgspec), see api.py."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .models import Conflict, Grain, Metric, MetricValue, QuarantinedRow, Source, SubjectType, ValueType
from .numbers import tidy_text as plain
from .rows.messages import EN, ZH, render_rejection


class MetricSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    min_value = serializers.SerializerMethodField()
    max_value = serializers.SerializerMethodField()

    class Meta:
        model = Metric
        fields = ["code", "name_zh", "name_en", "unit", "value_type", "min_value", "max_value", "grain",
                  "subject_types", "description", "active"]

    def get_min_value(self, metric: Metric) -> str | None:
        return plain(metric.min_value)

    def get_max_value(self, metric: Metric) -> str | None:
        return plain(metric.max_value)


class MetricCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(max_length=64)
    name_zh = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    unit = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    value_type = serializers.ChoiceField(choices=ValueType.choices, default=ValueType.DECIMAL)
    min_value = serializers.DecimalField(max_digits=28, decimal_places=10, required=False, allow_null=True,
                                         default=None, coerce_to_string=True)
    max_value = serializers.DecimalField(max_digits=28, decimal_places=10, required=False, allow_null=True,
                                         default=None, coerce_to_string=True)
    grain = serializers.ChoiceField(choices=Grain.choices, default=Grain.DAY)
    subject_types = serializers.ListField(child=serializers.ChoiceField(choices=SubjectType.choices),
                                          default=[SubjectType.EMPLOYEE])
    description = serializers.CharField(required=False, default="", allow_blank=True)


class SourceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    owner_department: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    metrics: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Source
        fields = ["code", "name", "kind", "owner_department", "metrics", "interval_minutes", "fresh_hours",
                  "time_zone", "enabled", "last_received_at", "next_run_at"]


class MetricValueSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    metric: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    source: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    subject = serializers.SerializerMethodField()
    value = serializers.SerializerMethodField(method_name="value_text")
    unit = serializers.SerializerMethodField()
    outlier_score = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, coerce_to_string=True)

    class Meta:
        model = MetricValue
        fields = ["id", "metric", "subject_type", "subject_id", "subject", "period", "period_start", "period_end",
                  "at", "value", "text_value", "unit", "source", "row_key", "batch", "row_index", "version", "current",
                  "received_at", "outlier_score"]

    def get_subject(self, value: MetricValue) -> str | None:
        codes: dict[tuple[str, int], str] = self.context.get("subject_codes", {})
        return codes.get((value.subject_type, value.subject_id))

    def value_text(self, value: MetricValue) -> str | None:
        return plain(value.value)

    def get_unit(self, value: MetricValue) -> str:
        return value.metric.unit


class QuarantinedRowSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    source: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    message = serializers.SerializerMethodField()
    message_zh_hans = serializers.SerializerMethodField()

    class Meta:
        model = QuarantinedRow
        fields = ["id", "batch", "source", "row_index", "row_key", "raw", "field", "code", "params", "message",
                  "message_zh_hans", "status", "resolved_at", "resolution_note", "replay_batch"]

    def get_message(self, row: QuarantinedRow) -> str:
        return render_rejection(row.code, row.field, row.params, EN)

    def get_message_zh_hans(self, row: QuarantinedRow) -> str:
        return render_rejection(row.code, row.field, row.params, ZH)


class ReplayRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    row = serializers.DictField()


class ReplaySerializer(serializers.Serializer):  # type: ignore[type-arg]
    rows = serializers.ListField(child=ReplayRowSerializer(), allow_empty=False, max_length=5_000)


class DismissSerializer(serializers.Serializer):  # type: ignore[type-arg]
    ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=5_000)
    note = serializers.CharField(max_length=500)


class ConflictSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    source: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    stored_value = serializers.SerializerMethodField()
    incoming = serializers.SerializerMethodField()

    class Meta:
        model = Conflict
        fields = ["id", "source", "batch", "row_index", "row_key", "stored", "stored_value", "incoming", "status",
                  "resolved_at", "reason", "resolution"]

    def get_stored_value(self, conflict: Conflict) -> Any:
        return plain(conflict.stored.value) if conflict.stored.value is not None else conflict.stored.text_value

    def get_incoming(self, conflict: Conflict) -> Any:
        return plain(conflict.incoming_value) if conflict.incoming_value is not None else conflict.incoming_text


class ResolveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=500)
