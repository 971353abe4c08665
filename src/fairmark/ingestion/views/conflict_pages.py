"""Conflicts (DESIGN.md C3: "different value: conflict, kept for review"): a known row key sent again with
another value. The list shows the stored value against the incoming one with the batches that brought them;
the managers of a conflict's source accept the incoming value (it becomes the next version) or keep the stored
one, with a reason either way.

Readers of ingestion see every conflict; anyone else gets 404. A visible conflict of a source the viewer does
not manage answers 403 to a decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedListView
from fairmark.org.forms import add_service_errors

from ..forms import ResolveForm
from ..models import Conflict, ConflictStatus
from ..reports import subject_labels
from ..selectors import conflicts_managed_by, conflicts_visible_to, sources_managed_by, sources_visible_to
from ..services.corrections import resolve_conflict
from .common import ReadersOnly, incoming_text, light, value_text

STATUS_ALL = "all"


def _auto_id(conflict_id: int) -> str:
    """Field ids of one conflict's form, unique on a page with many (the names stay "reason", "decision")."""
    return f"id_conflict{conflict_id}_%s"


class ConflictListView(ReadersOnly, ScopedListView):
    selector = conflicts_visible_to
    template_name = "ingestion/conflict_list.html"
    context_object_name = "conflicts"

    def get_queryset(self) -> QuerySet[Conflict]:
        params = self.request.GET
        conflicts = (super().get_queryset().select_related("stored__metric", "resolved_by")
                     .defer(*light("batch")).order_by("-batch_id", "row_index"))
        status = params.get("status") or ConflictStatus.OPEN
        if status != STATUS_ALL:
            conflicts = conflicts.filter(status=status)
        if source := params.get("source", "").strip():
            conflicts = conflicts.filter(source__code=source)
        if (batch := params.get("batch", "")).isdigit():
            conflicts = conflicts.filter(batch_id=int(batch))
        return conflicts

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["ingestion/_conflict_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        managed = set(sources_managed_by(user).values_list("pk", flat=True))
        failed: dict[int, ResolveForm] = kwargs.get("failed") or {}
        shown = list(context["conflicts"])
        labels = subject_labels((c.stored.subject_type, c.stored.subject_id) for c in shown)
        rows = []
        for conflict in shown:
            decidable = conflict.source_id in managed and conflict.status == ConflictStatus.OPEN
            form = (failed.get(conflict.pk) or ResolveForm(auto_id=_auto_id(conflict.pk))) if decidable else None
            rows.append({"conflict": conflict, "stored": value_text(conflict.stored), "incoming": incoming_text(conflict),
                         "subject": labels[(conflict.stored.subject_type, conflict.stored.subject_id)], "form": form})
        status_choices = [*ConflictStatus.choices, (STATUS_ALL, _("Any status"))]
        context.update({"rows": rows, "sources": sources_visible_to(user).values_list("code", "name"),
                        "statuses": status_choices, "status": self.request.GET.get("status") or ConflictStatus.OPEN})
        return context


class ConflictResolveView(ConflictListView):
    """Accept or keep, with a reason; without one the list comes back with the error next to the field."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        conflict = get_object_or_404(conflicts_visible_to(request.user), pk=kwargs["pk"])
        if not conflicts_managed_by(request.user).filter(pk=conflict.pk).exists():
            raise PermissionDenied
        form = ResolveForm(request.POST, auto_id=_auto_id(conflict.pk))
        if form.is_valid():
            try:
                resolved = resolve_conflict(actor=request.user, conflict=conflict, accept=form.accept,
                                            reason=form.cleaned_data["reason"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                if resolved.status == ConflictStatus.ACCEPTED:
                    messages.success(request, _("The incoming value of “%(key)s” is accepted as version %(number)s.")
                                     % {"key": resolved.row_key, "number": resolved.resolution.version
                                        if resolved.resolution else "—"})
                else:
                    messages.success(request, _("The stored value of “%(key)s” is kept.") % {"key": resolved.row_key})
                query = request.GET.urlencode()
                return redirect(reverse("ingestion:conflicts") + (f"?{query}" if query else ""))
        self.object_list = self.get_queryset()
        response = self.render_to_response(self.get_context_data(failed={conflict.pk: form}))
        response.status_code = 400
        return response


urlpatterns: list[URLPattern] = [
    path("conflicts/", ConflictListView.as_view(), name="conflicts"),
    path("conflicts/<int:pk>/resolve/", ConflictResolveView.as_view(), name="conflict-resolve"),
]
