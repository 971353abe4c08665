from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, JsonResponse

from fairmark.core.access import viewer_for
from fairmark.core.scoping import ScopedListView

from ..models import Department
from ..selectors import departments_editable_by, departments_visible_to


class DepartmentTreeView(ScopedListView):
    selector = departments_visible_to
    template_name = "org/department_tree.html"
    context_object_name = "departments"
    paginate_by = None

    def get_queryset(self) -> QuerySet[Department]:
        return super().get_queryset().annotate(people=Count("employees", filter=~Q(employees__status="left")))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The ids the viewer may change, in one query whatever the number of rows, for the per-row links."""
        context = super().get_context_data(**kwargs)
        user = self.request.user
        editable = set(departments_editable_by(user).values_list("pk", flat=True))
        context["editable_ids"] = editable
        context["can_add"] = viewer_for(user).edits_all_org or bool(editable)
        return context


class OrgChartView(ScopedListView):
    selector = departments_visible_to
    template_name = "org/org_chart.html"
    paginate_by = None


class OrgChartDataView(ScopedListView):
    """The department tree as nested JSON for the ECharts tree on the org chart page."""

    selector = departments_visible_to

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        nodes: dict[int, dict[str, Any]] = {}
        roots: list[dict[str, Any]] = []
        for dept in self.get_queryset():
            node = {
                "name": dept.display_name,
                "value": dept.head.name if dept.head else "",
                "code": dept.code,
                "children": [],
            }
            nodes[dept.pk] = node
            parent = nodes.get(dept.parent_id) if dept.parent_id else None
            (parent["children"] if parent else roots).append(node)
        return JsonResponse({"roots": roots})
