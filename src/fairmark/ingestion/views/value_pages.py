"""A value's provenance (DESIGN.md C3): what it is about, every version of the same (source, row key) with the
batch that brought each, the raw row exactly as it was sent (and the record it was mapped from), and who sent
it when. Whoever values_visible_to lets see the value sees this page (an employee their own values); the links
to the batch and the source are only shown to those who can open them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, path

from fairmark.core.scoping import ScopedDetailView

from ..models import MetricValue
from ..reports import subject_labels
from ..selectors import batches_visible_to, conflicts_visible_to, sources_visible_to, values_visible_to
from .common import light, pretty_json, sent_by, value_text


class ValueView(ScopedDetailView):
    selector = values_visible_to
    template_name = "ingestion/value_detail.html"
    context_object_name = "value"

    def get_queryset(self) -> QuerySet[MetricValue]:
        # the payload is read once, for the raw row
        return super().get_queryset().select_related("batch__received_by", "batch__token")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        value: MetricValue = self.object
        user = self.request.user
        batch = value.batch
        row, record = batch.raw_row(value.row_index)
        versions = (values_visible_to(user).filter(source_id=value.source_id, row_key=value.row_key)
                    .defer(*light("batch")).order_by("version"))
        context.update({
            "shown": value_text(value),
            "subject": subject_labels([(value.subject_type, value.subject_id)])[(value.subject_type, value.subject_id)],
            "versions": [{"value": version, "shown": value_text(version)} for version in versions],
            "batch_link": batches_visible_to(user).filter(pk=batch.pk).exists(),
            "source_link": sources_visible_to(user).filter(pk=value.source_id).exists(),
            "raw": pretty_json(row) if row is not None else "",
            "record": pretty_json(record) if record is not None else "",
            "sent_by": sent_by(batch),
            "decision": conflicts_visible_to(user).filter(resolution=value).select_related("resolved_by").first(),
        })
        return context


urlpatterns: list[URLPattern] = [
    path("values/<int:pk>/", ValueView.as_view(), name="value"),
]
