"""The sources and their data quality (DESIGN.md C3): the list with each source's freshness and last 30 days,
and a source's page: runs, batches, rejected rows by reason, conflicts to resolve, gaps and outliers.

Readers of ingestion (HR admins, HR BPs, executives, system admins) see every source; anyone else gets 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, path
from django.utils import timezone

from fairmark.core.scoping import ScopedDetailView, ScopedListView

from ..models import ConflictStatus, Source, SourceKind
from ..reports import WINDOW_DAYS, company_today, freshness, rejected_by_reason, source_gaps, sources_overview
from ..selectors import (
    batches_visible_to,
    can_create_sources,
    conflicts_visible_to,
    quarantine_visible_to,
    runs_visible_to,
    sources_managed_by,
    sources_visible_to,
    values_visible_to,
)
from .common import (
    HEAVY_BATCH_FIELDS,
    ReadersOnly,
    incoming_text,
    language,
    light,
    reason,
    reason_label,
    run_error,
    value_text,
)

PULLED = (SourceKind.SQL, SourceKind.REST)
SHOWN = 20  # runs, batches, conflicts and outliers shown on a source's page


class SourceListView(ReadersOnly, ScopedListView):
    """Every visible source with its figures: one query for the page however many sources there are
    (tests/ingestion/test_pages_sources.py counts them)."""

    selector = sources_visible_to
    template_name = "ingestion/source_list.html"
    context_object_name = "sources"

    def get_queryset(self) -> QuerySet[Source]:
        return sources_overview(super().get_queryset(), self.request.user, timezone.now())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["rows"] = [{"source": source, "freshness": freshness(source, now), "pulled": source.kind in PULLED}
                           for source in context["sources"]]
        context["window_days"] = WINDOW_DAYS
        context["can_create"] = can_create_sources(self.request.user)
        return context


class SourceQualityView(ScopedDetailView):
    selector = sources_visible_to
    template_name = "ingestion/source_detail.html"
    context_object_name = "source"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self) -> QuerySet[Source]:
        return super().get_queryset().select_related("owner_department", "owner").prefetch_related("metrics")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        source: Source = self.object
        user = self.request.user
        now = timezone.now()
        runs = list(runs_visible_to(user).filter(source=source)[:SHOWN])
        conflicts = (conflicts_visible_to(user).filter(source=source, status=ConflictStatus.OPEN)
                     .defer(*light("batch")).order_by("-batch__received_at", "row_index"))
        outliers = (values_visible_to(user)
                    .filter(source=source, outlier_score__isnull=False,
                            received_at__gte=now - timedelta(days=WINDOW_DAYS))
                    .defer(*light("batch")).order_by("-received_at", "row_index"))
        words = language()
        # the window ends yesterday: today's data is still arriving, and every line would miss "today" each morning
        yesterday = company_today() - timedelta(days=1)
        quarantined = quarantine_visible_to(user).filter(source=source).defer(*light("batch"))
        context.update({
            "manages": sources_managed_by(user).filter(pk=source.pk).exists(),
            "freshness": freshness(source, now),
            "pulled": source.kind in PULLED,
            "runs": [{"run": run, "duration": run.finished_at - run.started_at if run.finished_at else None,
                      "watermark": (run.watermark_after or {}).get("value") if isinstance(run.watermark_after, dict)
                      else run.watermark_after,
                      "error": run_error(run.error_code, run.error_params)} for run in runs],
            "batches": batches_visible_to(user).filter(source=source).defer(*HEAVY_BATCH_FIELDS)[:SHOWN],
            "reasons": [{"group": group, "label": reason_label(group.code), "example": reason(group.example)}
                        for group in rejected_by_reason(quarantined)],
            "conflicts": [{"conflict": c, "stored": value_text(c.stored), "incoming": incoming_text(c)}
                          for c in conflicts[:SHOWN]],
            "conflict_count": conflicts.count(),
            "gaps": [{"report": report, "summary": report.completeness.message(words),
                      "gaps": report.completeness.gaps}
                     for report in source_gaps(values_visible_to(user), source, yesterday)],
            "outliers": [{"value": value, "shown": value_text(value)} for value in outliers[:SHOWN]],
            "outlier_count": outliers.count(),
            "window_days": WINDOW_DAYS,
        })
        return context


urlpatterns: list[URLPattern] = [
    path("sources/", SourceListView.as_view(), name="sources"),
    path("sources/<slug:code>/", SourceQualityView.as_view(), name="source"),
]
