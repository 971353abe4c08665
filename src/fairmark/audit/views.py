from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from fairmark.core.scoping import ScopedListView

from .models import AuditEvent
from .selectors import audit_events_visible_to, can_use_audit_page


class AuditEventListView(ScopedListView):
    """The audit log for HR admins, system admins and HR BPs (their units), with filters."""

    selector = audit_events_visible_to
    template_name = "audit/event_list.html"
    context_object_name = "events"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_use_audit_page(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AuditEvent]:
        qs = super().get_queryset().order_by("-seq")
        params = self.request.GET
        if actor := params.get("actor", "").strip():
            qs = qs.filter(actor_label__icontains=actor)
        if action := params.get("action", "").strip():
            qs = qs.filter(action__startswith=action)
        if object_type := params.get("object_type", "").strip():
            qs = qs.filter(object_type=object_type)
        if since := params.get("since"):
            qs = qs.filter(at__date__gte=since)
        if until := params.get("until"):
            qs = qs.filter(at__date__lte=until)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filters"] = self.request.GET
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context
