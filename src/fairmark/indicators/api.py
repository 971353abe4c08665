"""API of the indicator library and the templates (/api/v1/indicators/, /api/v1/templates/). Reads come
from the scoped selectors (an object outside the caller's scope is 404); writes call the services (never
`serializer.save()`), and an object the caller sees but may not change answers 403. Definitions are checked
by services/checks.py, so a bad one is a 400 problem+json whose `errors` carry the same field paths as the
editor ("formula", "scoring.target", "sections.0.items.1.weight")."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.urls import URLPattern, path
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fairmark.accounts.models import TokenScope
from fairmark.core.access import viewer_for
from fairmark.core.api import ScopedViewSet
from fairmark.core.errors import OutOfScope, ServiceError, problem
from fairmark.org.models import Department
from fairmark.org.selectors import departments_visible_to

from .formula import FormulaError, parse
from .models import Category, Indicator, Period, Template, VersionStatus
from .selectors import (
    can_create_configuration,
    indicator_versions_visible_to,
    indicators_editable_by,
    indicators_visible_to,
    reads_all_configuration,
    template_versions_visible_to,
    templates_editable_by,
    templates_visible_to,
)
from .serializers import (
    ArchiveSerializer,
    DuplicateSerializer,
    IndicatorCreateSerializer,
    IndicatorDefinitionSerializer,
    IndicatorSerializer,
    IndicatorUpdateSerializer,
    IndicatorValidSerializer,
    IndicatorVersionSerializer,
    RetireSerializer,
    TemplateCreateSerializer,
    TemplateDefinitionSerializer,
    TemplateSerializer,
    TemplateUpdateSerializer,
    TemplateValidSerializer,
    TemplateVersionSerializer,
    TrialSerializer,
    TrySerializer,
)
from .services import indicators as indicator_services
from .services import templates as template_services
from .services.checks import check_code, check_indicator, check_template
from .services.trying import try_indicator

PROBLEM = OpenApiResponse(description="problem+json; `errors` lists each field path with its messages; a formula "
                                      "that does not parse adds `formula_error` (code, position, column).")
DENIED = OpenApiResponse(description="problem+json: the caller may read the object but not change it.")
NOT_FOUND = OpenApiResponse(description="problem+json: no such object in the caller's scope.")
# The users named by the versions a list shows, fetched with the list rather than one query per row.
VERSION_USERS = ("head__created_by", "head__published_by", "published__created_by", "published__published_by")
CONFLICT = OpenApiResponse(description="problem+json: someone saved a newer version since `base_version`.")


def _formula_error(formula: object) -> dict[str, Any] | None:
    if not isinstance(formula, str) or not formula.strip():
        return None
    try:
        parse(formula.strip())
    except FormulaError as error:
        return error.to_dict()
    return None


def refused(error: ServiceError, formula: object = None) -> Response:
    """The problem+json of a refused write, as the exception handler shapes it, plus where a formula broke."""
    response = problem(error.status_code, gettext("The request was refused"), error.message, error.code,
                       error.fields)
    if "formula" in error.fields:
        detail = _formula_error(formula)
        if detail is not None:
            response.data["formula_error"] = detail
    return response


def invalid(fields: dict[str, list[str]], formula: object = None) -> Response:
    return refused(ServiceError(gettext("Some fields are not valid."), fields=fields), formula)


def _department(user: Any, code: str | None) -> Department | None:
    """A department by code, as the caller may see it; an unknown code is a field error, not a 404."""
    if not code:
        return None
    department = departments_visible_to(user).filter(code=code).first()
    if department is None:
        raise serializers.ValidationError({"owner_department": [gettext("No such department code: %(value)s")
                                                                % {"value": code}]})
    return department


def _require_creator(user: Any) -> None:
    if not can_create_configuration(user):
        raise PermissionDenied()


def _require_reader_of_all(user: Any) -> None:
    """The editor's tools (validate, try) are for those who read the whole library, not for employees."""
    if not reads_all_configuration(viewer_for(user)):
        raise PermissionDenied()


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


# --- indicators -----------------------------------------------------------------------------------------------


class IndicatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Code or name contains")
    category = django_filters.ChoiceFilter(choices=Category.choices, method="filter_category")
    status = django_filters.ChoiceFilter(choices=[("draft", "draft"), ("published", "published"),
                                                  ("retired", "retired")], method="filter_status")

    class Meta:
        model = Indicator
        fields = ["q", "category", "status"]

    def filter_q(self, queryset: QuerySet[Indicator], name: str, value: str) -> QuerySet[Indicator]:
        return queryset.filter(Q(code__icontains=value) | Q(head__name_zh__icontains=value)
                               | Q(head__name_en__icontains=value) | Q(published__name_zh__icontains=value)
                               | Q(published__name_en__icontains=value))

    def filter_category(self, queryset: QuerySet[Indicator], name: str, value: str) -> QuerySet[Indicator]:
        return queryset.filter(Q(head__category=value) | Q(published__category=value))

    def filter_status(self, queryset: QuerySet[Indicator], name: str, value: str) -> QuerySet[Indicator]:
        if value == "retired":
            return queryset.filter(retired=True)
        if value == "draft":
            return queryset.filter(retired=False, head__status=VersionStatus.DRAFT)
        return queryset.filter(retired=False, published__isnull=False)


class IndicatorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The indicator library (指标库), by code. Everyone who reads the library lists and reads it; HR admins
    change every indicator, HR BPs those owned by their units."""

    selector = indicators_visible_to
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering_fields = ["code", "updated_at"]
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related(*VERSION_USERS)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["editable"] = set(indicators_editable_by(self.request.user).values_list("pk", flat=True))
        return context

    def _editable_object(self) -> Indicator:
        indicator = self.get_object()  # 404 outside the read scope
        if not indicators_editable_by(self.request.user).filter(pk=indicator.pk).exists():
            raise PermissionDenied()
        return indicator

    def _show(self, indicator: Indicator, status_code: int = status.HTTP_200_OK) -> Response:
        indicator = indicators_visible_to(self.request.user).get(pk=indicator.pk)
        return Response(IndicatorSerializer(indicator, context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(request=IndicatorCreateSerializer,
                   responses={201: IndicatorSerializer, 400: PROBLEM, 403: DENIED})
    def create(self, request: Request) -> Response:
        _require_creator(request.user)
        payload = IndicatorCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.definition()
        owner = _department(request.user, payload.validated_data["owner_department"])
        try:
            indicator = indicator_services.indicator_create(
                actor=request.user, code=payload.validated_data["code"], data=data, owner_department=owner,
                publish_now=payload.validated_data["publish"])
        except ServiceError as error:
            return refused(error, data.get("formula"))
        return self._show(indicator, status.HTTP_201_CREATED)

    @extend_schema(request=IndicatorUpdateSerializer,
                   responses={200: IndicatorSerializer, 400: PROBLEM, 403: DENIED, 404: NOT_FOUND, 409: CONFLICT})
    def update(self, request: Request, code: str | None = None) -> Response:
        """Save the whole definition: into the open draft, or as the next (draft) version when the newest is
        published. Publish it with …/publish/."""
        indicator = self._editable_object()
        payload = IndicatorUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.definition()
        extra: dict[str, Any] = {}
        if "owner_department" in request.data:
            extra["owner_department"] = _department(request.user, payload.validated_data.get("owner_department"))
        try:
            indicator_services.indicator_save(actor=request.user, indicator=indicator, data=data,
                                              base_version=payload.validated_data["base_version"], **extra)
        except ServiceError as error:
            return refused(error, data.get("formula"))
        return self._show(indicator)

    @extend_schema(request=None, responses={200: IndicatorSerializer, 400: PROBLEM, 403: DENIED, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, code: str | None = None) -> Response:
        """Publish the draft; the published version before it is superseded (and stays readable)."""
        indicator = self._editable_object()
        indicator_services.indicator_publish(actor=request.user, indicator=indicator)
        return self._show(indicator)

    @extend_schema(request=None, responses={200: IndicatorSerializer, 400: PROBLEM, 403: DENIED, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, code: str | None = None) -> Response:
        """Throw the draft away; the published version becomes the newest again."""
        indicator = self._editable_object()
        indicator_services.indicator_discard_draft(actor=request.user, indicator=indicator)
        return self._show(indicator)

    @extend_schema(request=RetireSerializer, responses={200: IndicatorSerializer, 403: DENIED, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, code: str | None = None) -> Response:
        """Retire (`{"retired": true}`) or restore (`false`): a retired indicator stays readable but new
        templates cannot use it."""
        indicator = self._editable_object()
        payload = RetireSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        indicator_services.indicator_retire(actor=request.user, indicator=indicator,
                                            retired=payload.validated_data["retired"])
        return self._show(indicator)

    @extend_schema(responses=IndicatorVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def versions(self, request: Request, code: str | None = None) -> Response:
        """Every version the caller may read, newest first (an employee reads no drafts)."""
        indicator = self.get_object()
        versions = indicator_versions_visible_to(request.user).filter(indicator=indicator)
        return Response(IndicatorVersionSerializer(versions.select_related("created_by", "published_by"),
                                                   many=True).data)

    @extend_schema(responses={200: IndicatorVersionSerializer, 404: NOT_FOUND},
                   parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH)])
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]+)", filterset_class=None)
    def version(self, request: Request, code: str | None = None, number: str | None = None) -> Response:
        indicator = self.get_object()
        version = indicator_versions_visible_to(request.user).filter(indicator=indicator, number=int(number or 0)).first()
        if version is None:
            raise OutOfScope(gettext("Not found."))
        return Response(IndicatorVersionSerializer(version).data)


class IndicatorValidateView(APIView):
    """Check an indicator's definition without saving it."""

    scope_exempt = "checks the definition in the request body; reads no scoped objects"
    required_token_scope = TokenScope.READ  # nothing is written

    @extend_schema(operation_id="indicators_validate", request=IndicatorCreateSerializer,
                   responses={200: IndicatorValidSerializer, 400: PROBLEM, 403: DENIED})
    def post(self, request: Request) -> Response:
        _require_reader_of_all(request.user)
        payload = IndicatorDefinitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.definition()
        clean, errors = check_indicator(data, known_metrics=indicator_services.known_metrics())
        body = request.data if isinstance(request.data, Mapping) else {}
        if "code" in body:
            check_code(body.get("code"), errors)
        if errors:
            return invalid(errors, data.get("formula"))
        return Response({"valid": True, "metrics": clean["metrics"], "scoring": clean["scoring"]})


class IndicatorTryView(APIView):
    """Evaluate a formula on sample values and score the value: the editor's "try it" panel. Nothing is
    stored."""

    scope_exempt = "computes on the values in the request body; reads no scoped objects"
    required_token_scope = TokenScope.READ  # nothing is written

    @extend_schema(operation_id="indicators_try", request=TrySerializer,
                   responses={200: TrialSerializer, 400: PROBLEM, 403: DENIED})
    def post(self, request: Request) -> Response:
        _require_reader_of_all(request.user)
        payload = TrySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        scoring = data["scoring"] if isinstance(data["scoring"], Mapping) else {"kind": data["scoring"]}
        trial = try_indicator(formula=data["formula"] or "", aggregation=data["aggregation"] or "sum",
                              scoring=scoring, samples=data["samples"], rating=data["rating"])
        if trial.errors:
            return invalid(trial.errors, data["formula"])
        body = trial.to_dict()
        body["terms"] = [{"text": term["text"], "value": _finite(term["value"])} for term in body["terms"]]
        return Response(body)


# --- templates ------------------------------------------------------------------------------------------------


class TemplateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Code or name contains")
    period = django_filters.ChoiceFilter(choices=Period.choices, method="filter_period")
    status = django_filters.ChoiceFilter(choices=[("draft", "draft"), ("published", "published"),
                                                  ("archived", "archived")], method="filter_status")

    class Meta:
        model = Template
        fields = ["q", "period", "status"]

    def filter_q(self, queryset: QuerySet[Template], name: str, value: str) -> QuerySet[Template]:
        return queryset.filter(Q(code__icontains=value) | Q(head__name_zh__icontains=value)
                               | Q(head__name_en__icontains=value) | Q(published__name_zh__icontains=value)
                               | Q(published__name_en__icontains=value))

    def filter_period(self, queryset: QuerySet[Template], name: str, value: str) -> QuerySet[Template]:
        return queryset.filter(Q(head__period=value) | Q(published__period=value))

    def filter_status(self, queryset: QuerySet[Template], name: str, value: str) -> QuerySet[Template]:
        if value == "archived":
            return queryset.filter(archived=True)
        if value == "draft":
            return queryset.filter(archived=False, head__status=VersionStatus.DRAFT)
        return queryset.filter(archived=False, published__isnull=False)


class TemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Review templates (考核方案), by code. Readers of the library read them all; an employee reads the
    published templates that apply to them. HR admins change every template, HR BPs those of their units."""

    selector = templates_visible_to
    serializer_class = TemplateSerializer
    filterset_class = TemplateFilter
    ordering_fields = ["code", "updated_at"]
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related(*VERSION_USERS)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["editable"] = set(templates_editable_by(self.request.user).values_list("pk", flat=True))
        return context

    def _editable_object(self) -> Template:
        template = self.get_object()
        if not templates_editable_by(self.request.user).filter(pk=template.pk).exists():
            raise PermissionDenied()
        return template

    def _show(self, template: Template, status_code: int = status.HTTP_200_OK) -> Response:
        template = templates_visible_to(self.request.user).get(pk=template.pk)
        return Response(TemplateSerializer(template, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=TemplateCreateSerializer, responses={201: TemplateSerializer, 400: PROBLEM, 403: DENIED})
    def create(self, request: Request) -> Response:
        _require_creator(request.user)
        payload = TemplateCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        owner = _department(request.user, payload.validated_data["owner_department"])
        template = template_services.template_create(
            actor=request.user, code=payload.validated_data["code"], data=payload.definition(), owner_department=owner,
            publish_now=payload.validated_data["publish"])
        return self._show(template, status.HTTP_201_CREATED)

    @extend_schema(request=TemplateUpdateSerializer,
                   responses={200: TemplateSerializer, 400: PROBLEM, 403: DENIED, 404: NOT_FOUND, 409: CONFLICT})
    def update(self, request: Request, code: str | None = None) -> Response:
        """Save the whole definition: into the open draft, or as the next (draft) version when the newest is
        published."""
        template = self._editable_object()
        payload = TemplateUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        extra: dict[str, Any] = {}
        if "owner_department" in request.data:
            extra["owner_department"] = _department(request.user, payload.validated_data.get("owner_department"))
        template_services.template_save(actor=request.user, template=template, data=payload.definition(),
                                        base_version=payload.validated_data["base_version"], **extra)
        return self._show(template)

    @extend_schema(request=None, responses={200: TemplateSerializer, 400: PROBLEM, 403: DENIED, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, code: str | None = None) -> Response:
        """Publish the draft, pinning on each item the indicator version published now."""
        template = self._editable_object()
        template_services.template_publish(actor=request.user, template=template)
        return self._show(template)

    @extend_schema(request=None, responses={200: TemplateSerializer, 400: PROBLEM, 403: DENIED, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, code: str | None = None) -> Response:
        template = self._editable_object()
        template_services.template_discard_draft(actor=request.user, template=template)
        return self._show(template)

    @extend_schema(request=ArchiveSerializer, responses={200: TemplateSerializer, 403: DENIED, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, code: str | None = None) -> Response:
        """Archive (`{"archived": true}`) or restore (`false`)."""
        template = self._editable_object()
        payload = ArchiveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        template_services.template_archive(actor=request.user, template=template,
                                           archived=payload.validated_data["archived"])
        return self._show(template)

    @extend_schema(request=DuplicateSerializer,
                   responses={201: TemplateSerializer, 400: PROBLEM, 403: DENIED, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, code: str | None = None) -> Response:
        """A new template (version 1, a draft) with this one's newest definition, to adapt."""
        template = self.get_object()
        _require_creator(request.user)
        payload = DuplicateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        extra: dict[str, Any] = {}
        if "owner_department" in request.data:
            extra["owner_department"] = _department(request.user, payload.validated_data.get("owner_department"))
        copy = template_services.template_duplicate(
            actor=request.user, template=template, code=payload.validated_data["code"],
            name_zh=payload.validated_data["name_zh"], name_en=payload.validated_data["name_en"], **extra)
        return self._show(copy, status.HTTP_201_CREATED)

    @extend_schema(responses=TemplateVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def versions(self, request: Request, code: str | None = None) -> Response:
        template = self.get_object()
        versions = template_versions_visible_to(request.user).filter(template=template)
        return Response(TemplateVersionSerializer(versions.select_related("created_by", "published_by"),
                                                  many=True).data)

    @extend_schema(responses={200: TemplateVersionSerializer, 404: NOT_FOUND},
                   parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH)])
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]+)", filterset_class=None)
    def version(self, request: Request, code: str | None = None, number: str | None = None) -> Response:
        template = self.get_object()
        version = template_versions_visible_to(request.user).filter(template=template, number=int(number or 0)).first()
        if version is None:
            raise OutOfScope(gettext("Not found."))
        return Response(TemplateVersionSerializer(version).data)


class TemplateValidateView(APIView):
    """Check a template's definition (weights, items, indicators) without saving it."""

    scope_exempt = "checks the definition in the request body against the published indicators"
    required_token_scope = TokenScope.READ  # nothing is written

    @extend_schema(operation_id="templates_validate", request=TemplateCreateSerializer,
                   responses={200: TemplateValidSerializer, 400: PROBLEM, 403: DENIED})
    def post(self, request: Request) -> Response:
        _require_reader_of_all(request.user)
        payload = TemplateDefinitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        clean, errors = check_template(payload.definition(), indicators=template_services.usable_indicators())
        body = request.data if isinstance(request.data, Mapping) else {}
        if "code" in body:
            check_code(body.get("code"), errors)
        if errors:
            return invalid(errors)
        return Response({"valid": True, "definition": clean})


def register(router: Any) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("templates", TemplateViewSet, basename="template")


# Before the router's routes (config/api_urls.py), so "validate" and "try" are never taken for codes.
urlpatterns: list[URLPattern] = [
    path("indicators/validate", IndicatorValidateView.as_view(), name="indicator-validate"),
    path("indicators/try", IndicatorTryView.as_view(), name="indicator-try"),
    path("templates/validate", TemplateValidateView.as_view(), name="template-validate"),
]
