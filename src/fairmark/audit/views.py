from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from fairmark.core.scoping import ScopedListView

from .forms import AuditFilterForm
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
        self.filter_form = AuditFilterForm(self.request.GET or None)
        if not self.filter_form.is_valid():
            return qs if not self.filter_form.is_bound else qs.none()
        data = self.filter_form.cleaned_data
        if data["actor"]:
            qs = qs.filter(actor_label__icontains=data["actor"].strip())
        if data["action"]:
            qs = qs.filter(action__startswith=data["action"].strip())
        if data["object_type"]:
            qs = qs.filter(object_type=data["object_type"].strip())
        # Dates are the company's (TIME_ZONE): `__date` converts the stored UTC time to it.
        if data["since"]:
            qs = qs.filter(at__date__gte=data["since"])
        if data["until"]:
            qs = qs.filter(at__date__lte=data["until"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = self.filter_form
        return context
