from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fairmark.core.scoping import ScopedDetailView, ScopedListView

from ..models import Employee, EmployeeStatus
from ..selectors import (
    assignments_of,
    departments_visible_to,
    direct_reports,
    employees_editable_by,
    employees_visible_to,
)


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
        context["history"] = assignments_of(user, person).order_by("-valid_from")
        context["reports"] = direct_reports(user, person)
        context["can_edit"] = employees_editable_by(user).filter(pk=person.pk).exists()
        return context
