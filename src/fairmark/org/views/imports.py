"""Import and export of departments and employees. (Placeholder page: the import service and its
pages are being built; see org/importing/.)"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from fairmark.core.scoping import scope_exempt

from ..selectors import can_import_org


@scope_exempt("shows only the upload form; writes go through the import service, which checks scope")
class ImportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can_import_org(request.user):
            raise Http404
        return render(request, "org/import.html", {})
