"""Rejected rows (DESIGN.md C3: "invalid rows are quarantined with their reasons and can be corrected and
replayed"): the list with filters, each row with its reason in the reader's language and the row as sent; for
the managers of a row's source, ticking rows to dismiss them with a note or to correct and replay them.

Readers of ingestion see every quarantined row; anyone else gets 404. Ticked rows the viewer can see but whose
source they do not manage answer 403 (an HR BP manages the sources their units own)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedListView

from ..forms import DismissForm, ids_in
from ..models import QuarantinedRow, QuarantineStatus
from ..selectors import quarantine_visible_to, sources_managed_by, sources_visible_to
from ..services.corrections import dismiss_quarantined
from .common import ReadersOnly, compact_json, light, reason, reason_label
from .correction_page import chosen_rows

STATUS_ALL = "all"


def status_choices() -> list[tuple[str, Any]]:
    return [*QuarantineStatus.choices, (STATUS_ALL, _("Any status"))]


class QuarantineListView(ReadersOnly, ScopedListView):
    selector = quarantine_visible_to
    template_name = "ingestion/quarantine_list.html"
    context_object_name = "quarantined"

    def get_queryset(self) -> QuerySet[QuarantinedRow]:
        params = self.request.GET
        rows = super().get_queryset().defer(*light("batch")).order_by("-batch_id", "row_index")
        status = params.get("status") or QuarantineStatus.OPEN
        if status != STATUS_ALL:
            rows = rows.filter(status=status)
        if source := params.get("source", "").strip():
            rows = rows.filter(source__code=source)
        if code := params.get("code", "").strip():
            rows = rows.filter(code=code)
        if (batch := params.get("batch", "")).isdigit():
            rows = rows.filter(batch_id=int(batch))
        return rows

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["ingestion/_quarantine_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        managed = set(sources_managed_by(user).values_list("pk", flat=True))
        form = context.get("form") or DismissForm()
        ticked = set(ids_in(form.data)) if form.is_bound else set()
        context.update({
            "rows": [{"row": row, "reason": reason(row), "label": reason_label(row.code), "raw": compact_json(row.raw),
                      "managed": row.source_id in managed and row.status == QuarantineStatus.OPEN,
                      "ticked": row.pk in ticked} for row in context["quarantined"]],
            "can_manage": bool(managed),
            "form": form,
            "sources": sources_visible_to(user).values_list("code", "name"),
            "codes": [(code, reason_label(code)) for code in quarantine_visible_to(user).order_by("code")
                      .values_list("code", flat=True).distinct()],
            "statuses": status_choices(),
            "status": self.request.GET.get("status") or QuarantineStatus.OPEN,
        })
        return context


class QuarantineDismissView(QuarantineListView):
    """Dismiss the ticked rows with a note; without a note the list comes back with the error and nothing
    changes."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        chosen_rows(request.user, ids_in(request.POST))
        form = DismissForm(request.POST)
        if form.is_valid():
            try:
                count = dismiss_quarantined(actor=request.user, ids=form.cleaned_data["ids"],
                                            note=form.cleaned_data["note"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, ngettext("%(count)d row is dismissed.", "%(count)d rows are dismissed.",
                                                   count) % {"count": count})
                query = request.GET.urlencode()
                return redirect(reverse("ingestion:quarantine") + (f"?{query}" if query else ""))
        self.object_list = self.get_queryset()
        response = self.render_to_response(self.get_context_data(form=form))
        response.status_code = 400
        return response


urlpatterns: list[URLPattern] = [
    path("quarantine/", QuarantineListView.as_view(), name="quarantine"),
    path("quarantine/dismiss/", QuarantineDismissView.as_view(), name="quarantine-dismiss"),
]
