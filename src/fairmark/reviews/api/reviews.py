"""/api/v1/reviews/: each person's review in a cycle, as the caller may see it (the person, their managers up
the line, the head of the unit, HR, executives; anyone else: 404).

- list (filters `cycle`, `state`, `employee` number, `department` code; `search` by name or number) and read:
  the basics, the total, the state, the workflow actions the caller may take now, and the explanation, which
  is selectors.explanation.explain() serialised (360 groups only as anonymous aggregates).
- POST `{id}/act/` {action, reason, to, delegate}: a workflow step (403 for a role that may not take it, 400
  with code `illegal_transition` for one not possible now).
- GET/PUT/PATCH `{id}/form/`: the caller's own form (self-review or manager review) with the scale anchors and
  their draft ratings; PUT saves a draft (`submit: true` also hands it on), POST `{id}/form/submit/` too.
- PUT `{id}/adjustments/` {item, points, reason}: the manager's ± points. PUT `{id}/template/`: HR's choice of
  template. GET `{id}/explanation/`. The raters of a review: api/raters.py."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fairmark.core.access import viewer_for
from fairmark.core.errors import Refused, ServiceError
from fairmark.org.selectors import stand_in_candidates

from .. import workflow
from ..models import RaterGroup, Review, ReviewState
from ..permissions import approves_raters, nominates_for, roles_on, sees_raters
from ..selectors import ratings_by, reviews_visible_to, steps_of
from ..services.cycles import review_set_template
from ..services.forms import adjustment_items, form_items, save_adjustment, save_review_form, writer_group
from ..services.transitions import review_act
from .raters import ReviewRaterActions
from .serializers import (
    ActSerializer,
    AdjustmentInSerializer,
    AdjustmentSerializer,
    FormInSerializer,
    ReviewSerializer,
    TemplateInSerializer,
    explanation_data,
    form_item_data,
    language,
)

WRITING_STATE: dict[str, str] = {RaterGroup.SELF: ReviewState.SELF_REVIEW, RaterGroup.MANAGER: ReviewState.MANAGER_REVIEW}
_ORDER: dict[str, int] = {phase: index for index, phase in enumerate(workflow.PHASES)}
_PHASE_OF: dict[str, str] = {state: phase for state, phase in workflow.PHASE_OF.items()}


def _after(state: str, phase: str) -> bool:
    """Whether the review has moved past the phase (closed and voided come after every phase)."""
    current = _PHASE_OF.get(state)
    return (_ORDER[current] if current else len(_ORDER)) > _ORDER[phase]


def allowed_actions(user: Any, review: Review) -> list[str]:
    phases = review.cycle.phase_list()
    found: set[str] = set()
    for role in roles_on(viewer_for(user), review):
        try:
            found.update(workflow.allowed(review.state, role, phases))
        except workflow.IllegalTransition:
            continue
    return [a for a in workflow.ACTIONS if a in found]


class ReviewDetailSerializer(ReviewSerializer):
    """A review for the caller: `actions` they may take now, `form` ("self", "manager" or null: the form they
    write now), what they may do about raters, the summaries whose phase is over (or that they write), the
    history and the explanation."""

    actions = serializers.SerializerMethodField()
    form = serializers.SerializerMethodField()
    raters = serializers.SerializerMethodField()
    summaries = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "actions", "form", "raters", "summaries", "steps", "explanation"]

    def _user(self) -> Any:
        return self.context["request"].user

    def get_actions(self, review: Review) -> list[str]:
        return allowed_actions(self._user(), review)

    def get_form(self, review: Review) -> str | None:
        try:
            return writer_group(self._user(), review)
        except Refused:
            return None

    def get_raters(self, review: Review) -> dict[str, bool]:
        viewer = viewer_for(self._user())
        return {"nominate": nominates_for(viewer, review), "approve": approves_raters(viewer, review),
                "names": sees_raters(viewer, review)}

    def get_summaries(self, review: Review) -> dict[str, str | None]:
        roles = roles_on(viewer_for(self._user()), review)
        return {
            "self": review.self_summary if "employee" in roles or _after(review.state, "self_review") else None,
            "manager": review.manager_summary if "manager" in roles or _after(review.state, "manager_review")
            else None,
            "n2": review.n2_summary if "n2" in roles or _after(review.state, "n2_review") else None,
        }

    def get_steps(self, review: Review) -> list[dict[str, Any]]:
        return [{"action": s.action, "role": s.role, "from_state": s.from_state, "to_state": s.to_state,
                 "actor": s.actor.username if s.actor else None, "reason": s.reason, "at": s.at.isoformat()}
                for s in steps_of(review).order_by("at", "id")]

    def get_explanation(self, review: Review) -> dict[str, Any]:
        return explanation_data(self._user(), review)


class ReviewFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter()
    state = django_filters.ChoiceFilter(choices=ReviewState.choices)
    employee = django_filters.CharFilter(field_name="employee__number")
    department = django_filters.CharFilter(field_name="department__code")

    class Meta:
        model = Review
        fields: list[str] = []


def form_data(user: Any, review: Review) -> dict[str, Any]:
    """The caller's own form on the review now, with their drafts (403 when they write none now)."""
    group = writer_group(user, review)
    writer = review.employee_id if group == RaterGroup.SELF else review.manager_id
    drafts = {r.item: r for r in ratings_by(user, review, writer, group)} if writer else {}
    items = []
    for item in form_items(review, group, language()):
        draft = drafts.get(item.key)
        items.append(form_item_data(item, draft.rating if draft else None, draft.comment if draft else ""))
    return {"review": review.pk, "group": group, "state": review.state,
            "summary": review.self_summary if group == RaterGroup.SELF else review.manager_summary,
            "items": items, "missing": [i["key"] for i in items if i["rating"] is None],
            "adjustments": adjustments_data(review) if group == RaterGroup.MANAGER else []}


def adjustments_data(review: Review) -> list[dict[str, Any]]:
    given = {a.item: a for a in review.adjustments.all()}
    return [{"item": item.key, "label": item.label, "cap": str(item.cap),
             "points": str(given[item.key].points) if item.key in given else None,
             "reason": given[item.key].reason if item.key in given else ""}
            for item in adjustment_items(review, language())]


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReviewRaterActions):
    selector = reviews_visible_to
    serializer_class = ReviewDetailSerializer
    filterset_class = ReviewFilter
    search_fields = ["employee__name", "employee__number"]
    ordering_fields = ["id", "employee__number", "state", "total", "updated_at"]

    def get_queryset(self) -> QuerySet[Review]:
        return super().get_queryset().order_by("-cycle__period_start", "cycle_id", "employee__number", "id")

    def get_serializer_class(self) -> Any:
        return ReviewSerializer if self.action == "list" else ReviewDetailSerializer

    def _show(self, review: Review) -> Response:
        found = self.get_queryset().filter(pk=review.pk).first()
        if found is None:  # the step took the review out of the caller's sight
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ReviewDetailSerializer(found, context=self.get_serializer_context()).data)

    @extend_schema(request=ActSerializer, responses={200: ReviewDetailSerializer})
    @action(detail=True, methods=["post"])
    def act(self, request: Request, pk: str) -> Response:
        review = self.get_object()
        body = ActSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        delegate = None
        if data.get("delegate"):
            person = stand_in_candidates(request.user).filter(
                number=data["delegate"], company_id=review.employee.company_id).first()
            if person is None:
                message = _("No colleague with this employee number.")
                raise ServiceError(message, fields={"delegate": [message]})
            delegate = person.pk
        review_act(actor=request.user, review=review, action=data["action"], reason=data.get("reason") or None,
                   to=data.get("to") or None, delegate=delegate)
        return self._show(review)

    @extend_schema(methods=["GET"], responses={200: OpenApiTypes.OBJECT})
    @extend_schema(methods=["PUT", "PATCH"], request=FormInSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get", "put", "patch"])
    def form(self, request: Request, pk: str) -> Response:
        """GET: the form; PUT/PATCH: save the draft (the entries given), and with `submit: true` hand it on,
        all or nothing: then the answer is the review, as after `form/submit/`."""
        review = self.get_object()
        if request.method == "GET":
            return Response(form_data(request.user, review))
        body = FormInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["submit"]:
            return self._submit(request, review, body.validated_data)
        save_review_form(actor=request.user, review=review, entries=body.validated_data["entries"],
                         summary=body.validated_data.get("summary"))
        return Response(form_data(request.user, self.get_object()))

    @extend_schema(request=FormInSerializer, responses={200: ReviewDetailSerializer})
    @action(detail=True, methods=["post"], url_path="form/submit", url_name="form-submit")
    def form_submit(self, request: Request, pk: str) -> Response:
        review = self.get_object()
        body = FormInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._submit(request, review, body.validated_data)

    def _submit(self, request: Request, review: Review, data: dict[str, Any]) -> Response:
        # Submitting a form hands on the form's own phase; the manager's "submit" during the 360 round closes
        # the round instead, which is `act/`, not this.
        if review.state != WRITING_STATE[writer_group(request.user, review)]:
            message = _("This form is handed on in its own phase; until then it is saved as a draft.")
            raise ServiceError(message, code="illegal_transition")
        with transaction.atomic():
            if data["entries"] or data.get("summary") is not None:
                save_review_form(actor=request.user, review=review, entries=data["entries"],
                                 summary=data.get("summary"))
            review_act(actor=request.user, review=review, action="submit")
        return self._show(review)

    @extend_schema(request=AdjustmentInSerializer, responses={200: AdjustmentSerializer(many=True)})
    @action(detail=True, methods=["put"])
    def adjustments(self, request: Request, pk: str) -> Response:
        review = self.get_object()
        body = AdjustmentInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        save_adjustment(actor=request.user, review=review, item=data["item"], points=data["points"],
                        reason=data["reason"])
        return Response(adjustments_data(self.get_object()))

    @extend_schema(request=TemplateInSerializer, responses={200: ReviewDetailSerializer})
    @action(detail=True, methods=["put"])
    def template(self, request: Request, pk: str) -> Response:
        review = self.get_object()
        body = TemplateInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review_set_template(actor=request.user, review=review, template_id=body.validated_data["template"])
        return self._show(review)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def explanation(self, request: Request, pk: str) -> Response:
        """Each number of the total and where it came from; 360 groups as anonymous aggregates (HR also reads
        who rated)."""
        return Response(explanation_data(request.user, self.get_object()))


def register(router: Any) -> None:
    router.register("reviews", ReviewViewSet, basename="review")


urlpatterns: list[Any] = []
