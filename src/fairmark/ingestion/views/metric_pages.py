"""Metrics (数据项, DESIGN.md C3): the list, with what each metric is (unit, value type, range, grain, the
subject types a value may be about), which sources may send it and how many current values are stored, and
the forms to define a metric and to change one.

Readers of metrics (HR admins, HR BPs, executives, system admins, managers and department heads) open the
list; anyone else gets 404. HR admins and system admins define and change metrics; a reader of metrics who may
not gets 403 on the forms, anyone else 404. The code, value type and grain never change once created."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedListView, scope_exempt
from fairmark.org.forms import add_service_errors

from ..metric_forms import MetricForm, plain_number
from ..models import Metric, SubjectType
from ..selectors import (
    MANAGES_ALL,
    READS_METRICS,
    metrics_visible_to,
    reads_ingestion,
    sources_visible_to,
    values_visible_to,
)
from ..services.metrics import metric_create, metric_update

ACTIVE_CHOICES = ("yes", "no")  # the list's filter; empty: all


def reads_metrics(user: Any) -> bool:
    return viewer_for(user).has(*READS_METRICS)


def configures_metrics(user: Any) -> bool:
    """Who may define and change metrics and subjects: services.common.may_configure's roles."""
    return viewer_for(user).has(*MANAGES_ALL)


class MetricReadersOnly:
    """Whoever reads no metrics gets 404, before anything else is said about the page (its methods either)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not reads_metrics(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def require_configures(user: Any) -> None:
    """A reader of metrics who may not change them: 403 (they see the metric, so it exists)."""
    if not configures_metrics(user):
        raise PermissionDenied


def range_text(metric: Metric) -> tuple[str | None, str | None]:
    low = plain_number(metric.min_value) if metric.min_value is not None else None
    high = plain_number(metric.max_value) if metric.max_value is not None else None
    return low, high


SUBJECT_LABELS = dict(SubjectType.choices)


class MetricListView(MetricReadersOnly, ScopedListView):
    """Every visible metric with its sources (one prefetch) and its count of current values (one subquery in
    the list's query): the page costs the same queries for 3 metrics or 50 (tests/ingestion/test_pages_metrics.py
    counts them). The count is of the values the reader sees: all for readers of ingestion, a manager's or
    head's about their team."""

    selector = metrics_visible_to
    template_name = "ingestion/metric_list.html"
    context_object_name = "metrics"

    def get_queryset(self) -> QuerySet[Metric]:
        user = self.request.user
        params = self.request.GET
        metrics = super().get_queryset()
        if text := params.get("q", "").strip():
            metrics = metrics.filter(Q(code__icontains=text) | Q(name_zh__icontains=text) | Q(name_en__icontains=text))
        active = params.get("active", "")
        if active in ACTIVE_CHOICES:
            metrics = metrics.filter(active=active == "yes")
        current = (values_visible_to(user).filter(metric=OuterRef("pk"), current=True).order_by()
                   .values("metric").annotate(n=Count("pk")).values("n"))
        sources = sources_visible_to(user).only("pk", "code", "name", "enabled").order_by("code")
        return (metrics.annotate(current_values=Coalesce(Subquery(current, output_field=IntegerField()), 0))
                .prefetch_related(Prefetch("sources", queryset=sources, to_attr="senders"))
                .order_by("code"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        rows = []
        for metric in context["metrics"]:
            low, high = range_text(metric)
            rows.append({"metric": metric, "min": low, "max": high,
                         "subject_types": [SUBJECT_LABELS.get(kind, kind) for kind in metric.subject_types or []]})
        context.update({
            "rows": rows,
            "can_create": configures_metrics(user),
            "reads_sources": reads_ingestion(viewer_for(user)),
            "active_choices": [("", _("Active and inactive")), ("yes", _("Active only")), ("no", _("Inactive only"))],
        })
        return context


@scope_exempt("creates a metric; readers of metrics are checked here, who may create by the service")
class MetricCreateView(LoginRequiredMixin, MetricReadersOnly, View):
    template_name = "ingestion/metric_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        require_configures(request.user)
        return render(request, self.template_name, {"form": MetricForm(), "creating": True})

    def post(self, request: HttpRequest) -> HttpResponse:
        require_configures(request.user)
        form = MetricForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                metric = metric_create(
                    actor=request.user, code=data["code"].strip(), name_zh=data["name_zh"], name_en=data["name_en"],
                    unit=data["unit"].strip(), value_type=data["value_type"], min_value=data["min_value"],
                    max_value=data["max_value"], grain=data["grain"], subject_types=data["subject_types"],
                    description=data["description"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Metric “%(code)s” created.") % {"code": metric.code})
                return redirect("ingestion:metrics")
        return render(request, self.template_name, {"form": form, "creating": True}, status=400)


class MetricEditView(MetricReadersOnly, ScopedDetailView):
    """The metric from `metrics_visible_to` (404 outside it), then 403 unless the viewer may change metrics."""

    selector = metrics_visible_to
    template_name = "ingestion/metric_form.html"
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "metric"

    def editable(self) -> Metric:
        metric: Metric = self.get_object()
        require_configures(self.request.user)
        self.object = metric
        return metric

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        metric = self.editable()
        return render(request, self.template_name, {"form": MetricForm(metric=metric), "metric": metric})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        metric = self.editable()
        form = MetricForm(request.POST, metric=metric)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, _("Nothing changed."))
                return redirect("ingestion:metrics")
            try:
                metric_update(actor=request.user, metric=metric, **changes)
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Metric “%(code)s” saved.") % {"code": metric.code})
                return redirect("ingestion:metrics")
        return render(request, self.template_name, {"form": form, "metric": metric}, status=400)

urlpatterns: list[URLPattern] = [
    path("metrics/", MetricListView.as_view(), name="metrics"),
    path("new-metric/", MetricCreateView.as_view(), name="metric-new"),
    path("metrics/<slug:code>/", MetricEditView.as_view(), name="metric-edit"),
]
