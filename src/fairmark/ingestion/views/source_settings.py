"""Setting a source up: create and edit (connection, mapping, secrets), test the connection, pull now, and
issue a push key (shown once). HR admins and system admins manage every source, an HR BP those of their units;
readers who may not manage a source get 403 on these pages, everyone else 404."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView, scope_exempt
from fairmark.org.forms import add_service_errors

from ..models import RunStatus, Source
from ..selectors import can_create_sources, sources_managed_by, sources_visible_to
from ..services.pulling import check_source_connection, pull_source
from ..services.sources import source_create, source_key_issue, source_update
from ..source_forms import EXAMPLE_MAPPING, SourceForm
from .common import language


class ManagedSource(ScopedDetailView):
    """The source from `sources_visible_to` (404 outside it), then 403 unless the viewer manages it."""

    selector = sources_visible_to
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "source"

    def managed(self) -> Source:
        source: Source = self.get_object()
        if not sources_managed_by(self.request.user).filter(pk=source.pk).exists():
            raise PermissionDenied
        self.object = source
        return source


@scope_exempt("creates a source; who may is checked by can_create_sources and the service")
class SourceCreateView(LoginRequiredMixin, View):
    template_name = "ingestion/source_form.html"

    def _allowed(self, request: HttpRequest) -> None:
        if not can_create_sources(request.user):
            raise Http404

    def get(self, request: HttpRequest) -> HttpResponse:
        self._allowed(request)
        form = SourceForm(initial={"mapping_json": json.dumps(EXAMPLE_MAPPING, indent=2)})
        return render(request, self.template_name, {"form": form, "creating": True})

    def post(self, request: HttpRequest) -> HttpResponse:
        self._allowed(request)
        form = SourceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                source = source_create(
                    actor=request.user, code=data["code"], name=data["name"], kind=data["kind"],
                    metrics=data["metrics"], owner_department=data["owner_department"], mapping=data["mapping"],
                    settings=form.settings_value(), secrets=form.secrets_value(),
                    interval_minutes=data["interval_minutes"], fresh_hours=data["fresh_hours"],
                    time_zone=data["time_zone"], enabled=data["enabled"])
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Source “%(code)s” created.") % {"code": source.code})
                return redirect("ingestion:source", code=source.code)
        return render(request, self.template_name, {"form": form, "creating": True}, status=400)


class SourceEditView(ManagedSource):
    template_name = "ingestion/source_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        source = self.managed()
        return render(request, self.template_name, {"form": SourceForm(source=source), "source": source})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        source = self.managed()
        form = SourceForm(request.POST, source=source)
        if form.is_valid():
            data = form.cleaned_data
            try:
                source_update(actor=request.user, source=source, metrics=data["metrics"], secrets=form.secrets_value(),
                              name=data["name"], owner_department=data["owner_department"], mapping=data["mapping"],
                              settings=form.settings_value(), interval_minutes=data["interval_minutes"],
                              fresh_hours=data["fresh_hours"], time_zone=data["time_zone"], enabled=data["enabled"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Source “%(code)s” saved.") % {"code": source.code})
                return redirect("ingestion:source", code=source.code)
        return render(request, self.template_name, {"form": form, "source": source}, status=400)


class SourceTestView(ManagedSource):
    """Connect with the stored settings and say what happened; stores nothing."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        source = self.managed()
        result = check_source_connection(source=source)
        return render(request, "ingestion/_source_test.html",
                      {"source": source, "ok": result.ok, "message": result.message(language())})


class SourcePullView(ManagedSource):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        source = self.managed()
        run = pull_source(actor=request.user, source=source)
        if run.status == RunStatus.SUCCEEDED:
            messages.success(request, _("Pulled %(records)s records.") % {"records": run.records})
        else:
            messages.error(request, _("The pull failed: see the run history."))
        return redirect("ingestion:source", code=source.code)


class SourceKeyView(ManagedSource):
    """Issue a push key bound to this source; its text is shown on this answer only."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        source = self.managed()
        token, text = source_key_issue(actor=request.user, source=source)
        return render(request, "ingestion/source_key.html", {"source": source, "token": token, "text": text})


urlpatterns: list[URLPattern] = [
    path("new-source/", SourceCreateView.as_view(), name="source-new"),
    path("sources/<slug:code>/settings/", SourceEditView.as_view(), name="source-edit"),
    path("sources/<slug:code>/test/", SourceTestView.as_view(), name="source-test"),
    path("sources/<slug:code>/pull/", SourcePullView.as_view(), name="source-pull"),
    path("sources/<slug:code>/keys/", SourceKeyView.as_view(), name="source-key"),
]
