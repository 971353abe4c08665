from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.core.scoping import ScopedDetailView, ScopedListView

from ..forms import EmployeeEditForm, TransferForm
from ..models import Employee, EmployeeStatus
from ..selectors import (
    assignments_of,
    delegations_visible_to,
    departments_visible_to,
    direct_reports,
    employees_editable_by,
    employees_visible_to,
    manager_candidates,
)
from ..services.employees import employee_transfer, employee_update
from .editing import ObjectFormView

MANAGER_SUGGESTIONS = 1000  # a hint list; any visible employee's number is accepted


class PeopleListView(ScopedListView):
    """People the viewer may see, with search and filters. The query count does not depend on the
    number of rows (select_related in the selector; test in tests/org/test_query_counts.py)."""

    selector = employees_visible_to
    template_name = "org/people_list.html"
    context_object_name = "people"

    def get_queryset(self) -> QuerySet[Employee]:
        qs = super().get_queryset()
        params = self.request.GET
        if q := params.get("q", "").strip():
            qs = qs.filter(Q(name__icontains=q) | Q(number__icontains=q) | Q(email__icontains=q))
        if dept := params.get("department"):
            department = departments_visible_to(self.request.user).filter(pk=dept).first() if dept.isdigit() else None
            qs = qs.filter(department__path__startswith=department.path) if department else qs.none()
        if status := params.get("status"):
            qs = qs.filter(status=status)
        return qs

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["org/_people_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["departments"] = (
            departments_visible_to(self.request.user).select_related(None).only("id", "name", "name_en", "depth")
        )
        context["statuses"] = EmployeeStatus.choices
        return context


class EmployeeDetailView(ScopedDetailView):
    selector = employees_visible_to
    template_name = "org/employee_detail.html"
    context_object_name = "person"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        person = self.object
        user = self.request.user
        today = timezone.localdate()
        context["history"] = assignments_of(user, person).order_by("-valid_from")
        context["reports"] = direct_reports(user, person)
        context["can_edit"] = employees_editable_by(user).filter(pk=person.pk).exists()
        context["stand_ins"] = (
            delegations_visible_to(user)
            .filter(principal=person, valid_from__lte=today)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        )
        return context


class _EmployeeFormView(ObjectFormView):
    """A form page about one employee; the service checks the scope again (see editing.py)."""

    selector = employees_visible_to
    editable_selector = employees_editable_by
    context_object_name = "person"
    form_object_kwarg = "employee"

    def success_url(self) -> str:
        return reverse("org:employee", kwargs={"pk": self.object.pk})


class EmployeeEditView(_EmployeeFormView):
    template_name = "org/employee_edit.html"
    form_class = EmployeeEditForm

    def save(self, form: EmployeeEditForm) -> None:
        changes = form.changes()
        if not changes:
            messages.info(self.request, _("Nothing was changed."))
            return
        employee_update(actor=self.request.user, employee=self.object, **changes)
        messages.success(self.request, _("The changes to %(name)s are saved.") % {"name": self.object.name})


class EmployeeTransferView(_EmployeeFormView):
    template_name = "org/employee_transfer.html"
    form_class = TransferForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["manager_options"] = (
            manager_candidates(self.request.user)
            .exclude(pk=self.object.pk)
            .select_related(None)
            .select_related("department")
            .only("number", "name", "department__name", "department__name_en")[:MANAGER_SUGGESTIONS]
        )
        return context

    def save(self, form: TransferForm) -> None:
        data = form.cleaned_data
        employee_transfer(
            actor=self.request.user, employee=self.object, effective=data["effective"], department=data["department"],
            position=data["position"], manager=data["manager"], reason=data["reason"],
        )
        messages.success(self.request, _("%(name)s is transferred from %(date)s.")
                         % {"name": self.object.name, "date": data["effective"].isoformat()})
