"""360 raters through the API: nominations on a review, deciding and removing them, and the caller's own rating
tasks. Who reads what (DESIGN.md §6): HR reads every rater of the review with their status; the manager reads
the nominations with names (they approve them) but never whether someone rated or declined; the person reviewed
reads only the nominations they made. Nobody but the rater reads a rater's ratings.

- GET/POST `/api/v1/reviews/{id}/raters/` ({rater: employee number, group}), POST `…/raters/approve-all/`.
- POST `/api/v1/review-raters/{id}/decide/` {approve, reason}; DELETE `/api/v1/review-raters/{id}/`.
- `/api/v1/rating-tasks/`: the caller's own 360 tasks; each shows the person rated, the items with their
  anchors and the caller's own draft ratings; PUT `{id}/save/` {entries, comment}, POST `{id}/submit/`
  (optionally with entries and comment, saved first), POST `{id}/decline/` {reason}."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fairmark.core.access import viewer_for
from fairmark.core.api import ScopedViewSet
from fairmark.core.errors import Refused, ServiceError
from fairmark.org.selectors import stand_in_candidates

from ..models import Phase, Rater, RaterStatus, Review
from ..permissions import approves_raters, roles_on, sees_raters
from ..selectors import rater_tasks_for, raters_of, ratings_by, reviews_visible_to
from ..services.forms import form_items, rater_decline, rater_save, rater_submit
from ..services.raters import approve_all, decide, nominate, remove
from .serializers import (
    DeclineSerializer,
    NominateSerializer,
    RaterDecideSerializer,
    RaterRowSerializer,
    TaskInSerializer,
    form_item_data,
    language,
)

# What the manager and the person reviewed read of a nomination: rated and declined look like approved.
SHOWN_STATUS = {RaterStatus.NOMINATED: RaterStatus.NOMINATED, RaterStatus.REJECTED: RaterStatus.REJECTED}


def _row(rater: Rater, full: bool) -> dict[str, Any]:
    if full:
        return {"id": rater.pk, "number": rater.rater.number, "name": rater.rater.name, "group": rater.group,
                "status": rater.status, "reason": rater.reason,
                "nominated_by": rater.nominated_by.username if rater.nominated_by else None,
                "submitted_at": rater.submitted_at.isoformat() if rater.submitted_at else None}
    shown = SHOWN_STATUS.get(rater.status, RaterStatus.APPROVED)  # type: ignore[call-overload]
    return {"id": rater.pk, "number": rater.rater.number, "name": rater.rater.name, "group": rater.group,
            "status": str(shown), "reason": rater.reason if shown == RaterStatus.REJECTED else ""}


def rater_rows(user: Any, review: Review, only: int | None = None) -> list[dict[str, Any]]:
    viewer = viewer_for(user)
    rows = raters_of(user, review).select_related("nominated_by").order_by("group", "rater__number", "pk")
    if only is not None:
        rows = rows.filter(pk=only)
    if sees_raters(viewer, review):
        return [_row(r, full=True) for r in rows]
    if approves_raters(viewer, review):
        return [_row(r, full=False) for r in rows]
    if "employee" in roles_on(viewer, review):
        return [_row(r, full=False) for r in rows.filter(nominated_by_id=getattr(user, "pk", None))]
    raise Refused(_("The list of raters is for HR, the manager and the nominations of the person reviewed."))


def _one(user: Any, rater: Rater) -> dict[str, Any]:
    found = rater_rows(user, rater.review, only=rater.pk)
    return found[0] if found else {"id": rater.pk}


class ReviewRaterActions(ScopedViewSet):
    """The raters' routes of /api/v1/reviews/{id}/ (ReviewViewSet derives from this)."""

    @extend_schema(methods=["GET"], responses={200: RaterRowSerializer(many=True)})
    @extend_schema(methods=["POST"], request=NominateSerializer, responses={201: RaterRowSerializer})
    @action(detail=True, methods=["get", "post"])
    def raters(self, request: Request, pk: str) -> Response:
        review = self.get_object()
        if request.method == "GET":
            return Response(rater_rows(request.user, review))
        body = NominateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = stand_in_candidates(request.user).filter(
            number=body.validated_data["rater"], company_id=review.employee.company_id).first()
        if person is None:
            message = _("No colleague with this employee number.")
            raise ServiceError(message, fields={"rater": [message]})
        row = nominate(actor=request.user, review=review, rater=person.pk, group=body.validated_data["group"])
        return Response(_one(request.user, row), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RaterRowSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="raters/approve-all", url_name="raters-approve-all")
    def approve_all(self, request: Request, pk: str) -> Response:
        review = self.get_object()
        approve_all(actor=request.user, review=review)
        return Response(rater_rows(request.user, review))


def raters_in_scope(user: Any) -> QuerySet[Rater]:
    """Nominations on the reviews the caller sees (what they may do with one, the services decide)."""
    return Rater.objects.filter(review__in=reviews_visible_to(user)).select_related("review", "rater")


class RaterViewSet(ScopedViewSet):
    selector = raters_in_scope
    serializer_class = RaterRowSerializer

    @extend_schema(request=RaterDecideSerializer, responses={200: RaterRowSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        rater = self.get_object()
        body = RaterDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decide(actor=request.user, rater=rater, approve=body.validated_data["approve"],
               reason=body.validated_data["reason"])
        return Response(_one(request.user, self.get_object()))

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        remove(actor=request.user, rater=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------------------------ rating tasks


class RatingTaskSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    cycle = serializers.IntegerField(source="review.cycle_id", read_only=True)
    cycle_name = serializers.CharField(source="review.cycle.name", read_only=True)
    employee_number = serializers.CharField(source="review.employee.number", read_only=True)
    employee_name = serializers.CharField(source="review.employee.name", read_only=True)
    review_state = serializers.CharField(source="review.state", read_only=True)
    deadline = serializers.SerializerMethodField()

    class Meta:
        model = Rater
        fields = ["id", "cycle", "cycle_name", "employee_number", "employee_name", "group", "status",
                  "review_state", "deadline", "comment", "submitted_at"]

    def get_deadline(self, task: Rater) -> str | None:
        found = [p.deadline for p in task.review.cycle.phases.all() if p.phase == Phase.RATING_360]
        return found[0].isoformat() if found else None


class RatingTaskDetailSerializer(RatingTaskSerializer):
    """With the items to rate, their anchors and the caller's own ratings (drafts until submitted)."""

    items = serializers.SerializerMethodField()

    class Meta(RatingTaskSerializer.Meta):
        fields = [*RatingTaskSerializer.Meta.fields, "items"]

    def get_items(self, task: Rater) -> list[dict[str, Any]]:
        user = self.context["request"].user
        mine = {r.item: r for r in ratings_by(user, task.review, task.rater_id, task.group)}
        return [form_item_data(item, mine[item.key].rating if item.key in mine else None,
                               mine[item.key].comment if item.key in mine else "")
                for item in form_items(task.review, task.group, language())]


class RatingTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    selector = rater_tasks_for
    serializer_class = RatingTaskDetailSerializer
    ordering_fields = ["id", "created_at"]

    def get_queryset(self) -> QuerySet[Rater]:
        return (super().get_queryset().select_related("review__department")
                .prefetch_related("review__cycle__phases").order_by("-created_at", "-id"))

    def get_serializer_class(self) -> Any:
        return RatingTaskSerializer if self.action == "list" else RatingTaskDetailSerializer

    def _show(self, task: Rater) -> Response:
        return Response(RatingTaskDetailSerializer(self.get_queryset().get(pk=task.pk),
                                                   context=self.get_serializer_context()).data)

    @extend_schema(request=TaskInSerializer, responses={200: RatingTaskDetailSerializer})
    @action(detail=True, methods=["put"])
    def save(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        body = TaskInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rater_save(actor=request.user, rater=task, entries=body.validated_data["entries"],
                   comment=body.validated_data.get("comment"))
        return self._show(task)

    @extend_schema(request=TaskInSerializer, responses={200: RatingTaskDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        body = TaskInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            if body.validated_data["entries"] or body.validated_data.get("comment") is not None:
                rater_save(actor=request.user, rater=task, entries=body.validated_data["entries"],
                           comment=body.validated_data.get("comment"))
            rater_submit(actor=request.user, rater=task)
        return self._show(task)

    @extend_schema(request=DeclineSerializer, responses={200: RatingTaskDetailSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        body = DeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rater_decline(actor=request.user, rater=task, reason=body.validated_data["reason"])
        return self._show(task)


def register(router: Any) -> None:
    router.register("review-raters", RaterViewSet, basename="review-rater")
    router.register("rating-tasks", RatingTaskViewSet, basename="rating-task")


urlpatterns: list[Any] = []
