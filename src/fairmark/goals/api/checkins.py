"""/api/v1/goal-checkins/ and /api/v1/goal-blockers/: check-ins on goals (progress updates with evidence and
blockers) and the blockers they raised.

- goal-checkins: list (filter `goal`) and read the check-ins of goals the caller sees; POST a check-in as JSON
  (evidence as links) or as multipart/form-data (files in `files`, links in `links`, `key_results` as a JSON
  object). Whoever may not write the goal gets 404; bad input 400 problem+json with field errors
  (`key_results.<id>`, `confidence`, `evidence.<index>`, …).
- goal-blockers: list (filters `status`, `goal`, `mine=to-answer` for the caller's to-do, `mine=raised` for
  the ones they raised) and read; POST `{id}/respond/` with `{"response": "…"}` and `{id}/close/`.
- goal-checkins/{id}/evidence/{evidence_id}/: a file of a check-in the caller reads, as an attachment."""

from __future__ import annotations

import json
from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fairmark.core.api import ScopedViewSet
from fairmark.core.errors import ServiceError

from ..models import EVIDENCE_MAX_BYTES, Blocker, BlockerStatus, CheckIn, Evidence
from ..selectors import blockers_to_answer, blockers_visible_to, checkins_visible_to, goals_visible_to
from ..services.checkins import EvidenceIn, blocker_close, blocker_respond, checkin_create, download_headers


class EvidenceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "link", "content_type", "size", "download"]

    def get_download(self, evidence: Evidence) -> str | None:
        """Where the API gives the file (a link is given as it is: no download)."""
        if evidence.link:
            return None
        return reverse("api:goal-checkin-evidence", args=[evidence.checkin_id, evidence.pk])


class BlockerSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    goal_title = serializers.CharField(source="goal.title", read_only=True)
    raised_by = serializers.CharField(source="raised_by.username", read_only=True, default=None)
    responded_by = serializers.CharField(source="responded_by.username", read_only=True, default=None)
    assignee_number = serializers.CharField(source="assignee.number", read_only=True, default=None)
    assignee_name = serializers.CharField(source="assignee.name", read_only=True, default=None)

    class Meta:
        model = Blocker
        fields = ["id", "goal", "goal_title", "checkin", "text", "status", "raised_by", "raised_at", "assignee",
                  "assignee_number", "assignee_name", "response", "responded_by", "responded_at", "closed_at"]


class CheckInSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    author = serializers.CharField(source="author.username", read_only=True, default=None)
    evidence = EvidenceSerializer(many=True, read_only=True)
    blockers = BlockerSerializer(many=True, read_only=True)

    class Meta:
        model = CheckIn
        fields = ["id", "goal", "author", "at", "comment", "key_results", "confidence", "progress_after",
                  "evidence", "blockers"]


class EvidenceLinkSerializer(serializers.Serializer):  # type: ignore[type-arg]
    link = serializers.CharField(max_length=2000)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CheckInCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A check-in. `key_results` maps key-result ids to their new current values (OKR goals only);
    `confidence` is 0–1; `evidence` is a list of links (files go as multipart `files`)."""

    goal = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    key_results = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict)
    confidence = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    evidence = EvidenceLinkSerializer(many=True, required=False, default=list)
    blocker = serializers.CharField(required=False, allow_blank=True, default="")


class RespondSerializer(serializers.Serializer):  # type: ignore[type-arg]
    response = serializers.CharField(allow_blank=True)


class CheckInFilter(django_filters.FilterSet):
    goal = django_filters.NumberFilter()

    class Meta:
        model = CheckIn
        fields: list[str] = []


def _checkins(user: Any) -> QuerySet[CheckIn]:
    return checkins_visible_to(user).prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.defer("data").order_by("id")),
        Prefetch("blockers", queryset=Blocker.objects.select_related("goal", "raised_by", "responded_by", "assignee")
                 .order_by("id")),
    )


def _multipart_body(request: Request) -> tuple[dict[str, Any], list[EvidenceIn]]:
    """A multipart check-in: plain fields, `key_results` as a JSON object, `links` repeated, `files` repeated."""
    data: Any = request.data
    body: dict[str, Any] = {name: data.get(name) for name in ("goal", "comment", "confidence", "blocker")
                            if data.get(name) is not None}
    raw = data.get("key_results")
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            message = _("Send the key results as a JSON object of key-result id → value.")
            raise ServiceError(message, fields={"key_results": [message]})
        body["key_results"] = {str(key): "" if value is None else str(value) for key, value in parsed.items()}
    body["evidence"] = [{"link": link} for link in data.getlist("links") if link]
    files = [EvidenceIn(name=upload.name or "", content_type=upload.content_type or "",
                        data=upload.read(EVIDENCE_MAX_BYTES + 1)) for upload in request.FILES.getlist("files")]
    return body, files


class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    selector = _checkins
    serializer_class = CheckInSerializer
    filterset_class = CheckInFilter
    ordering_fields = ["id", "at"]

    def get_queryset(self) -> QuerySet[CheckIn]:
        return super().get_queryset().order_by("-at", "-id")

    @extend_schema(request=CheckInCreateSerializer, responses={201: CheckInSerializer,
                                                               404: OpenApiResponse(description="Not a goal you may check in on.")})
    def create(self, request: Request) -> Response:
        files: list[EvidenceIn] = []
        raw: Any
        if (request.content_type or "").startswith("multipart/"):
            raw, files = _multipart_body(request)
        else:
            raw = request.data
        body = CheckInCreateSerializer(data=raw)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        goal = goals_visible_to(request.user).filter(pk=data["goal"]).first()
        if goal is None:
            raise ServiceError(_("Choose a goal you can see."), fields={"goal": [_("Choose a goal you can see.")]})
        # files first, then links: `evidence.<index>` errors count in that order
        evidence = [*files, *(EvidenceIn(link=item["link"], name=item.get("name", "")) for item in data["evidence"])]
        checkin = checkin_create(actor=request.user, goal=goal, comment=data["comment"],
                                 key_results=data["key_results"], confidence=data["confidence"], evidence=evidence,
                                 blocker=data["blocker"])
        return Response(CheckInSerializer(self.get_queryset().get(pk=checkin.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<evidence_id>[0-9]+)", url_name="evidence")
    def evidence(self, request: Request, pk: str, evidence_id: str) -> HttpResponse:
        """A file of the check-in, as an attachment with its stored content type (never sniffed)."""
        checkin = self.get_object()
        item = Evidence.objects.filter(checkin=checkin, link="", data__isnull=False, pk=evidence_id).first()
        if item is None:
            raise Http404
        response = HttpResponse(bytes(item.data or b""), content_type=item.content_type or "application/octet-stream")
        for name, value in download_headers(item).items():
            response[name] = value
        return response


class BlockerFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BlockerStatus.choices)
    goal = django_filters.NumberFilter()
    mine = django_filters.ChoiceFilter(choices=[("to-answer", "to-answer"), ("raised", "raised")], method="filter_mine")

    class Meta:
        model = Blocker
        fields: list[str] = []

    def filter_mine(self, queryset: QuerySet[Blocker], name: str, value: str) -> QuerySet[Blocker]:
        user = self.request.user  # type: ignore[union-attr]
        if value == "to-answer":
            return queryset.filter(pk__in=blockers_to_answer(user).values("pk"))
        return queryset.filter(raised_by_id=user.pk)


class BlockerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    selector = blockers_visible_to
    serializer_class = BlockerSerializer
    filterset_class = BlockerFilter
    ordering_fields = ["id", "raised_at"]

    def get_queryset(self) -> QuerySet[Blocker]:
        return super().get_queryset().order_by("-raised_at", "-id")

    @extend_schema(request=RespondSerializer, responses={200: BlockerSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str) -> Response:
        blocker = self.get_object()
        body = RespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        blocker_respond(actor=request.user, blocker=blocker, response=body.validated_data["response"])
        return Response(BlockerSerializer(self.get_queryset().get(pk=blocker.pk)).data)

    @extend_schema(request=None, responses={200: BlockerSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        blocker = self.get_object()
        blocker_close(actor=request.user, blocker=blocker)
        return Response(BlockerSerializer(self.get_queryset().get(pk=blocker.pk)).data)


def register(router: Any) -> None:
    router.register("goal-checkins", CheckInViewSet, basename="goal-checkin")
    router.register("goal-blockers", BlockerViewSet, basename="goal-blocker")


urlpatterns: list[Any] = []
