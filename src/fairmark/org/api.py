"""API for people and departments. Reads come from the scoped selectors; writes call services."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.utils.translation import gettext, ngettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fairmark.core.api import ScopedViewSet
from fairmark.core.errors import OutOfScope, problem

from .importing.columns import KINDS, Kind
from .importing.messages import report_lines
from .importing.readers import MAX_BYTES
from .models import Delegation, DelegationKind, Department, Employee, EmployeeStatus
from .selectors import (
    can_import_org,
    delegations_visible_to,
    departments_editable_by,
    departments_visible_to,
    employees_editable_by,
    employees_visible_to,
    levels_visible_to,
    positions_visible_to,
)
from .services import delegations as delegation_services
from .services import departments as department_services
from .services import employees as employee_services
from .services.imports import ImportResult, import_file


class EmployeeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    department_code = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    position_code = serializers.CharField(source="position.code", read_only=True, default=None)
    position_name = serializers.CharField(source="position.name", read_only=True, default=None)
    level_code = serializers.CharField(source="level.code", read_only=True, default=None)
    manager_number = serializers.CharField(source="manager.number", read_only=True, default=None)
    manager_name = serializers.CharField(source="manager.name", read_only=True, default=None)

    class Meta:
        model = Employee
        fields = [
            "id", "number", "name", "department", "department_code", "department_name", "position", "position_code",
            "position_name", "level", "level_code", "manager", "manager_number", "manager_name", "hire_date",
            "probation_end", "status", "left_on", "location", "cost_centre", "email", "phone",
        ]
        read_only_fields = fields


class EmployeeWriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Fields are looked up by code/number, in the viewer's scope, as an integration knows them."""

    number = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=100)
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    position = serializers.CharField(required=False, allow_null=True)
    level = serializers.CharField(required=False, allow_null=True)
    manager = serializers.CharField(required=False, allow_null=True, help_text="Manager's employee number")
    hire_date = serializers.DateField()
    probation_end = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE)
    location = serializers.CharField(required=False, allow_blank=True, default="")
    cost_centre = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)

    def resolve(self, user: Any) -> dict[str, Any]:
        data = dict(self.validated_data)
        errors: dict[str, list[str]] = {}
        for field, queryset, key in (
            ("position", positions_visible_to(user), "code"),
            ("level", levels_visible_to(user), "code"),
            ("manager", employees_visible_to(user), "number"),
        ):
            value = data.get(field)
            if value:
                found = queryset.filter(**{key: value}).first()
                if found is None:
                    errors[field] = [gettext("No such code or number: %(value)s") % {"value": value}]
                data[field] = found
            else:
                data[field] = None
        if errors:
            raise serializers.ValidationError(errors)
        return data


class EmployeeUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=100, required=False)
    probation_end = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=EmployeeStatus.choices, required=False)
    left_on = serializers.DateField(required=False, allow_null=True)
    location = serializers.CharField(required=False, allow_blank=True)
    cost_centre = serializers.CharField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)


class TransferSerializer(serializers.Serializer):  # type: ignore[type-arg]
    effective = serializers.DateField()
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all(), required=False)
    manager = serializers.CharField(required=False, allow_null=True, help_text="Manager's employee number")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class EmployeeFilter(django_filters.FilterSet):
    department = django_filters.CharFilter(field_name="department__code")
    within = django_filters.CharFilter(method="filter_within", label="Department code, including sub-departments")
    position = django_filters.CharFilter(field_name="position__code")
    manager = django_filters.CharFilter(field_name="manager__number")
    status = django_filters.ChoiceFilter(choices=EmployeeStatus.choices)

    class Meta:
        model = Employee
        fields = ["department", "within", "position", "manager", "status"]

    def filter_within(self, queryset: Any, name: str, value: str) -> Any:
        department = Department.objects.filter(code=value).first()
        return queryset.filter(department__path__startswith=department.path) if department else queryset.none()


class EmployeeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Employees the caller may see. HR admins and HR BPs (in their units) create, update and transfer."""

    selector = employees_visible_to
    serializer_class = EmployeeSerializer
    filterset_class = EmployeeFilter
    search_fields = ["number", "name", "email"]
    ordering_fields = ["number", "name", "hire_date"]

    @extend_schema(request=EmployeeWriteSerializer, responses={201: EmployeeSerializer})
    def create(self, request: Request) -> Response:
        payload = EmployeeWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if not departments_editable_by(request.user).filter(pk=payload.validated_data["department"].pk).exists():
            raise OutOfScope(gettext("Not found."))  # scope before lookups, so errors reveal nothing
        employee = employee_services.employee_create(actor=request.user, **payload.resolve(request.user))
        return Response(EmployeeSerializer(employee).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EmployeeUpdateSerializer, responses=EmployeeSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        employee = self._editable_object()
        payload = EmployeeUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        employee = employee_services.employee_update(actor=request.user, employee=employee, **payload.validated_data)
        return Response(EmployeeSerializer(employee).data)

    @extend_schema(request=TransferSerializer, responses=EmployeeSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str | None = None) -> Response:
        employee = self._editable_object()
        payload = TransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "manager" in data:
            number = data.pop("manager")
            data["manager"] = employees_visible_to(request.user).filter(number=number).first() if number else None
            if number and data["manager"] is None:
                raise serializers.ValidationError({"manager": [gettext("Unknown employee number.")]})
        employee = employee_services.employee_transfer(actor=request.user, employee=employee, **data)
        return Response(EmployeeSerializer(employee).data)

    def _editable_object(self) -> Employee:
        employee = self.get_object()  # 404 when out of read scope
        if not employees_editable_by(self.request.user).filter(pk=employee.pk).exists():
            # Visible but not editable (e.g. a manager looking at a report): refuse without changing anything.
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied()
        return employee


class DepartmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)
    head_name = serializers.CharField(source="head.name", read_only=True, default=None)
    company_code = serializers.CharField(source="company.code", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "code", "name", "name_en", "company_code", "parent", "parent_code", "head", "head_name",
                  "cost_centre", "depth", "active"]
        read_only_fields = fields


class DepartmentWriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    # DRF moves declared fields off the class, so shadowing Serializer.parent is safe here.
    parent = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", queryset=Department.objects.all(), allow_null=True
    )
    cost_centre = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class DepartmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The department tree. Everyone signed in reads it; HR admins and HR BPs (under their units) add."""

    selector = departments_visible_to
    serializer_class = DepartmentSerializer
    search_fields = ["code", "name", "name_en"]
    filterset_fields = ["active", "depth"]

    @extend_schema(request=DepartmentWriteSerializer, responses={201: DepartmentSerializer})
    def create(self, request: Request) -> Response:
        payload = DepartmentWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        parent = data["parent"]
        if parent is None:
            company = departments_visible_to(request.user).filter(parent__isnull=True).first()
            if company is None:
                raise OutOfScope(gettext("Not found."))
            data["company"] = company.company
        else:
            data["company"] = parent.company
        department = department_services.department_create(actor=request.user, **data)
        return Response(DepartmentSerializer(department).data, status=status.HTTP_201_CREATED)


class DelegationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    principal_number = serializers.CharField(source="principal.number", read_only=True)
    delegate_number = serializers.CharField(source="delegate.number", read_only=True)

    class Meta:
        model = Delegation
        fields = ["id", "principal", "principal_number", "delegate", "delegate_number", "kind", "valid_from",
                  "valid_to", "reason"]
        read_only_fields = fields


class DelegationWriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    principal = serializers.CharField(help_text="Employee number of the manager being stood in for")
    delegate = serializers.CharField(help_text="Employee number of the stand-in")
    kind = serializers.ChoiceField(choices=DelegationKind.choices)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DelegationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Acting managers and delegates. HR sets up any; a manager names their own delegate."""

    selector = delegations_visible_to
    serializer_class = DelegationSerializer

    @extend_schema(request=DelegationWriteSerializer, responses={201: DelegationSerializer})
    def create(self, request: Request) -> Response:
        payload = DelegationWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        visible = employees_visible_to(request.user)
        for field in ("principal", "delegate"):
            # The stand-in may sit outside the caller's scope (a peer manager), so look them up company-wide,
            # but the principal must be visible: the service then decides whether the caller may delegate.
            source = visible if field == "principal" else Employee.objects.exclude(status=EmployeeStatus.LEFT)
            data[field] = source.filter(number=data[field]).first()
            if data[field] is None:
                raise OutOfScope(gettext("Not found."))
        delegation = delegation_services.delegation_create(actor=request.user, **data)
        return Response(DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)


# --- imports -----------------------------------------------------------------------------------


def _report_body(result: ImportResult, dry_run: bool) -> dict[str, Any]:
    report = result.report
    return {
        "kind": report.kind,
        "dry_run": dry_run,
        "committed": result.committed,
        "counts": report.counts(),
        "errors": [
            {"row": line.row, "column": line.column, "field": line.field, "code": line.code, "messages": [line.message]}
            for line in report_lines(report)
        ],
    }


class ImportApiView(APIView):
    """POST a .xlsx or .csv as multipart field `file`; `?dry_run=1` checks without writing."""

    scope_exempt = "writes go through the import service, which checks the caller's scope row by row"
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="imports_create",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS)),
                    OpenApiParameter("dry_run", bool, description="Check and count only; write nothing.")],
        request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                                         "required": ["file"]}},
        responses={200: OpenApiResponse(description="The report; `committed` says whether the rows were written."),
                   400: OpenApiResponse(description="problem+json; `errors` lists row, column, field, code, messages.")},
    )
    def post(self, request: Request, kind: str) -> Response:
        if kind not in KINDS or not can_import_org(request.user):
            raise OutOfScope(gettext("Not found."))
        upload = request.FILES.get("file")
        if upload is None:
            return problem(400, gettext("Invalid input"), gettext("Send the file as the multipart field “file”."), "invalid",
                           {"file": [gettext("This field is required.")]})
        if upload.size is not None and upload.size > MAX_BYTES:
            return problem(400, gettext("Invalid input"), gettext("The file is larger than %(max_mb)s MB.")
                           % {"max_mb": MAX_BYTES // (1024 * 1024)}, "invalid")
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        result = import_file(actor=request.user, kind=cast(Kind, kind), content=upload.read(), dry_run=dry_run,
                             source=upload.name or "")
        body = _report_body(result, dry_run)
        if not result.report.ok:
            response = problem(400, gettext("The file has errors"),
                               ngettext(
                                   "Nothing was imported: %(count)d problem in the file.",
                                   "Nothing was imported: %(count)d problems in the file.",
                                   len(result.report.issues),
                               )
                               % {"count": len(result.report.issues)},
                               "import_invalid")
            response.data.update(errors=body["errors"], counts=body["counts"], dry_run=dry_run, committed=False)
            return response
        return Response(body)
