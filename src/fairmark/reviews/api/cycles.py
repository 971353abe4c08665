"""/api/v1/review-cycles/: review cycles (考核周期). Everyone signed in lists and reads them (company
configuration); HR admins create and change them, launch them (202: the reviews are created in the background,
`progress/` shows how far) and close them. Phases go in and out as {"self_review": "2026-04-10", …}; departments
by code, people by employee number, templates by template version id. `progress/` counts the reviews the caller
sees, by state and department, and the launch report's people in the caller's scope."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import django_filters
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fairmark.core.access import viewer_for
from fairmark.core.api import ScopedViewSet
from fairmark.core.errors import ServiceError
from fairmark.org.models import Company
from fairmark.org.selectors import departments_visible_to, employees_visible_to

from ..models import Cycle, CycleKind, CycleStatus
from ..permissions import manages_cycles
from ..selectors import cycles_visible_to, reviews_visible_to
from ..services.cycles import cycle_close, cycle_create, cycle_launch, cycle_update
from .serializers import CycleInSerializer, CycleProgressSerializer, CycleSerializer


class CycleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CycleStatus.choices)
    kind = django_filters.ChoiceFilter(choices=CycleKind.choices)

    class Meta:
        model = Cycle
        fields: list[str] = []


def _field_error(field: str, message: str) -> ServiceError:
    return ServiceError(message, fields={field: [message]})


def _company(user: Any, cycle: Cycle | None) -> Company | None:
    if cycle is not None:
        return cycle.company
    employee_id = viewer_for(user).employee_id
    found = employees_visible_to(user).filter(pk=employee_id).first() if employee_id else None
    return found.company if found is not None else Company.objects.order_by("pk").first()


def service_data(user: Any, data: dict[str, Any], company: Company | None) -> dict[str, Any]:
    """The request's codes and numbers → the ids the cycle services take, looked up in the caller's sight."""
    out = dict(data)
    if "departments" in out:
        codes = list(dict.fromkeys(out["departments"]))
        found = dict(departments_visible_to(user).filter(code__in=codes, company=company).values_list("code", "pk"))
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise _field_error("departments", _("No department with this code: %(codes)s") % {"codes": ", ".join(unknown)})
        out["departments"] = [found[code] for code in codes]
    if "people" in out:
        numbers = list(dict.fromkeys(out["people"]))
        people = dict(employees_visible_to(user).filter(number__in=numbers, company=company)
                      .values_list("number", "pk"))
        unknown = [number for number in numbers if number not in people]
        if unknown:
            message = _("No employee with this number in your scope: %(numbers)s") % {"numbers": ", ".join(unknown)}
            raise _field_error("people", message)
        out["people"] = [people[number] for number in numbers]
    return out


def progress_of(user: Any, cycle: Cycle) -> dict[str, Any]:
    reviews = reviews_visible_to(user).filter(cycle=cycle).order_by()
    by_state = {state: n for state, n in reviews.values_list("state").annotate(n=Count("pk"))}
    departments: dict[str, dict[str, Any]] = {}
    for code, name, state, n in (reviews.values_list("department__code", "department__name", "state")
                                 .annotate(n=Count("pk"))):
        row = departments.setdefault(code, {"code": code, "name": name, "total": 0, "by_state": defaultdict(int)})
        row["total"] += n
        row["by_state"][state] += n
    report = cycle.launch_report or {}
    excluded = list(report.get("excluded", []) or [])
    missing = list(report.get("no_template", []) or [])
    ids = {row.get("employee") for row in excluded} | set(missing)
    people = {e.pk: e for e in employees_visible_to(user).filter(pk__in=[i for i in ids if isinstance(i, int)])}
    return {
        "id": cycle.pk, "status": cycle.status, "launch_total": cycle.launch_total,
        "launch_done": cycle.launch_done, "launch_error": cycle.launch_error if manages_cycles(viewer_for(user)) else "",
        "launch_report": {
            "created": report.get("created"),
            "excluded": [{"number": people[row["employee"]].number, "name": people[row["employee"]].name,
                          "code": row.get("code")} for row in excluded if row.get("employee") in people],
            "no_template": [{"number": people[pk].number, "name": people[pk].name} for pk in missing if pk in people],
        },
        "reviews": sum(by_state.values()), "by_state": by_state,
        "by_department": [{**row, "by_state": dict(row["by_state"])}
                          for _code, row in sorted(departments.items())],
    }


class CycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    selector = cycles_visible_to
    serializer_class = CycleSerializer
    filterset_class = CycleFilter
    search_fields = ["name"]
    ordering_fields = ["id", "period_start", "name"]

    def get_queryset(self) -> QuerySet[Cycle]:
        return (super().get_queryset().prefetch_related("phases", "departments", "people", "templates")
                .order_by("-period_start", "name", "id"))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "manages": manages_cycles(viewer_for(self.request.user))}

    def _show(self, cycle: Cycle, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=cycle.pk)).data, status=code)

    @extend_schema(request=CycleInSerializer, responses={201: CycleSerializer})
    def create(self, request: Request) -> Response:
        body = CycleInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        company = _company(request.user, None)
        data = service_data(request.user, dict(body.validated_data), company)
        cycle = cycle_create(actor=request.user, company=company, data=data)  # type: ignore[arg-type]
        return self._show(cycle, status.HTTP_201_CREATED)

    @extend_schema(request=CycleInSerializer, responses={200: CycleSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        cycle = self.get_object()
        body = CycleInSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = service_data(request.user, dict(body.validated_data), _company(request.user, cycle))
        cycle = cycle_update(actor=request.user, cycle=cycle, data=data)
        return self._show(cycle)

    @extend_schema(request=None, responses={202: CycleProgressSerializer})
    @action(detail=True, methods=["post"])
    def launch(self, request: Request, pk: str) -> Response:
        """Start creating the reviews; poll `progress/` until the status is `active`."""
        cycle = cycle_launch(actor=request.user, cycle=self.get_object())
        return Response(progress_of(request.user, self.get_queryset().get(pk=cycle.pk)),
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: CycleSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._show(cycle_close(actor=request.user, cycle=self.get_object()))

    @extend_schema(responses={200: CycleProgressSerializer})
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str) -> Response:
        return Response(progress_of(request.user, self.get_object()))


def register(router: Any) -> None:
    router.register("review-cycles", CycleViewSet, basename="review-cycle")


urlpatterns: list[Any] = []
