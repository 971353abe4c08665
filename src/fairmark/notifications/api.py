from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fairmark.core.api import ScopedReadOnlyViewSet

from . import services
from .models import Notification
from .selectors import notifications_visible_to, unread_count


class NotificationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    ids = serializers.ListField(child=serializers.IntegerField(), required=False,
                                help_text="Omit to mark all of your notifications read.")


class NotificationViewSet(ScopedReadOnlyViewSet):
    """The caller's in-app notifications."""

    selector = notifications_visible_to
    serializer_class = NotificationSerializer
    filterset_fields = ["kind"]

    @extend_schema(request=None, responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}))
    @action(detail=False, methods=["get"])
    def unread(self, request: Request) -> Response:
        return Response({"unread": unread_count(request.user)})

    @extend_schema(request=MarkReadSerializer, responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request: Request) -> Response:
        payload = MarkReadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        marked = services.mark_read(actor=request.user, notification_ids=payload.validated_data.get("ids"))
        return Response({"marked": marked})
