from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fairmark.core.access import viewer_for
from fairmark.core.api import ScopedViewSet

from . import services
from .models import ApiToken, TokenScope, User
from .selectors import tokens_visible_to


class MeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    language = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    employee = serializers.DictField(allow_null=True)
    two_factor = serializers.BooleanField()


class MeView(APIView):
    scope_exempt = "returns only the caller's own account"

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user: Any = request.user
        viewer = viewer_for(user)
        employee = getattr(user, "employee", None)
        data = {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
            "language": user.language,
            "roles": sorted(viewer.roles),
            "employee": None
            if employee is None
            else {"id": employee.pk, "number": employee.number, "name": employee.name,
                  "department": employee.department.code},
            "two_factor": user.has_totp,
        }
        return Response(MeSerializer(data).data)


class ApiTokenSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=TokenScope.choices), min_length=1)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=366, default=90)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The caller's API tokens: list, create (the token is returned once), revoke (DELETE)."""

    selector = tokens_visible_to
    serializer_class = ApiTokenSerializer

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request: Request) -> Response:
        payload = ApiTokenCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = cast(User, request.user)
        token, text = services.token_create(actor=user, user=user, **payload.validated_data)
        body = ApiTokenSerializer(token).data | {"token": text}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.token_revoke(actor=request.user, token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
