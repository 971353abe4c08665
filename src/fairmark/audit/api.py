from __future__ import annotations

import django_filters
from rest_framework import serializers

from fairmark.core.api import ScopedReadOnlyViewSet

from .models import AuditEvent
from .selectors import audit_events_visible_to


class AuditEventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AuditEvent
        fields = ["seq", "at", "actor_label", "action", "object_type", "object_id", "object_repr", "before", "after",
                  "ip", "user_agent", "hash"]
        read_only_fields = fields


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label")
    action = django_filters.CharFilter(field_name="action", lookup_expr="startswith")
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "since", "until"]


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """The audit log, newest first, within the caller's scope (DESIGN.md §6): HR admins and system
    admins everything, HR BPs their units and their own actions, everyone else their own actions.
    Read-only: there is no way to change it."""

    selector = audit_events_visible_to
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    lookup_field = "seq"
