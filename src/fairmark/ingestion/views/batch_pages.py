"""A batch: what it brought and what became of it (its counts, who sent it, its values, its rejected rows
with their reasons, its conflicts and warnings). Readers of ingestion only; anyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.urls import URLPattern, path

from fairmark.core.scoping import ScopedDetailView

from ..models import Batch
from ..reports import subject_labels
from ..selectors import batches_visible_to, conflicts_visible_to, quarantine_visible_to, values_visible_to
from .common import (
    compact_json,
    incoming_text,
    light,
    reason,
    reason_label,
    sent_by,
    value_text,
    warning_text,
)

PAGE = 50
SHOWN = 50  # rejected rows and conflicts on the page; the rest through the filtered lists


class BatchView(ScopedDetailView):
    selector = batches_visible_to
    template_name = "ingestion/batch_detail.html"
    context_object_name = "batch"

    def get_queryset(self) -> QuerySet[Batch]:
        return super().get_queryset().select_related("received_by", "token").defer("payload")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        batch: Batch = self.object
        user = self.request.user
        values = (values_visible_to(user).filter(batch=batch).defer(*light("batch"))
                  .order_by("row_index", "version"))
        page = Paginator(values, PAGE).get_page(self.request.GET.get("page"))
        labels = subject_labels((value.subject_type, value.subject_id) for value in page)
        quarantined = quarantine_visible_to(user).filter(batch=batch).defer(*light("batch")).order_by("row_index")
        conflicts = conflicts_visible_to(user).filter(batch=batch).defer(*light("batch")).order_by("row_index")
        context.update({
            "sent_by": sent_by(batch),
            "page_obj": page, "paginator": page.paginator, "is_paginated": page.has_other_pages(),
            "values": [{"value": value, "shown": value_text(value),
                        "subject": labels[(value.subject_type, value.subject_id)]} for value in page],
            "rejected": [{"row": row, "reason": reason(row), "label": reason_label(row.code),
                          "raw": compact_json(row.raw)} for row in quarantined[:SHOWN]],
            "rejected_count": quarantined.count(),
            "conflicts": [{"conflict": c, "stored": value_text(c.stored), "incoming": incoming_text(c)}
                          for c in conflicts[:SHOWN]],
            "conflict_count": conflicts.count(),
            "warnings": [warning_text(warning) for warning in batch.warnings if isinstance(warning, dict)],
        })
        return context


urlpatterns: list[URLPattern] = [
    path("batches/<int:pk>/", BatchView.as_view(), name="batch"),
]
