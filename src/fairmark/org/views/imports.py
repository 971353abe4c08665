"""Import and export of departments and employees: choose, upload, read the report or the preview,
commit; the template; the export; and the API endpoint for integrations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.scoping import ScopedDetailView, ScopedListView, scope_exempt

from ..importing.columns import Kind
from ..importing.messages import report_lines
from ..importing.readers import MAX_BYTES
from ..importing.report import Report
from ..importing.workbooks import CSV_TYPE, EXPORT_FIELDS, XLSX_TYPE, export_csv, export_xlsx, template_workbook
from ..models import ImportKind, ImportStatus
from ..selectors import (
    can_import_org,
    departments_editable_by,
    departments_visible_to,
    employees_visible_to,
    import_jobs_visible_to,
    levels_visible_to,
    positions_visible_to,
)
from ..services.imports import import_job_commit, import_job_create

REPORT_LINES_SHOWN = 1000  # a file that is wrong throughout is better fixed from its first errors


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"), choices=ImportKind.choices,
                             widget=forms.RadioSelect, initial=ImportKind.EMPLOYEES)
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max_mb)s MB.") % {"max_mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _kind(value: str) -> Kind:
    if value == "departments":
        return "departments"
    if value == "employees":
        return "employees"
    raise Http404


@scope_exempt("shows the upload form and the user's own uploads; the import service checks scope row by row")
class ImportView(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_import_org(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, UploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, form, status=400)
        upload = form.cleaned_data["file"]
        job = import_job_create(actor=request.user, kind=_kind(form.cleaned_data["kind"]), filename=upload.name,
                                content=upload.read())
        return redirect("org:import_job", pk=job.pk)

    def _page(self, request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
        jobs = import_jobs_visible_to(request.user).defer("content", "report")[:10]
        return render(request, "org/import.html", {"form": form, "jobs": jobs, "kinds": ImportKind.choices},
                      status=status)


class ImportJobView(ScopedDetailView):
    """The report of an upload (row, column, message, worded now in the reader's language), or the
    preview with counts and the Commit button."""

    selector = import_jobs_visible_to
    template_name = "org/import_job.html"
    context_object_name = "job"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report = Report.from_json(self.object.report or {"kind": self.object.kind})
        lines = report_lines(report)
        context.update(
            report=report,
            counts=report.counts(),
            lines=lines[:REPORT_LINES_SHOWN],
            lines_hidden=max(0, len(lines) - REPORT_LINES_SHOWN),
            can_commit=self.object.status == ImportStatus.READY,
        )
        return context


class ImportCommitView(ScopedDetailView):
    selector = import_jobs_visible_to
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.get_object()
        result = import_job_commit(actor=request.user, job=job)
        if result.committed:
            messages.success(request, _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                             % result.report.counts())
        else:
            messages.error(request, _("Nothing was imported: the file has errors now. See the report below."))
        return redirect("org:import_job", pk=job.pk)


@scope_exempt("a blank template; the codes it lists are the departments the user may import into")
class ImportTemplateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        if not can_import_org(request.user):
            raise Http404
        chosen = _kind(kind)
        user = request.user
        english = (get_language() or "").startswith("en")
        codes = {
            "departments": [(d.code, d.display_name) for d in departments_editable_by(user).order_by("path")],
            "positions": [(p.code, p.name_en if english and p.name_en else p.name)
                          for p in positions_visible_to(user).order_by("code")],
            "levels": [(lv.code, lv.name) for lv in levels_visible_to(user)],
        }
        content = template_workbook(chosen, language=get_language() or "", codes=codes)
        return _download(content, XLSX_TYPE, f"fairmark-{chosen}-template.xlsx")


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _ExportView(ScopedListView):
    kind: Kind

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fields = EXPORT_FIELDS[self.kind]
        rows = self.get_queryset().values_list(*fields).iterator(chunk_size=2000)
        language = get_language() or ""
        stamp = timezone.localdate().strftime("%Y%m%d")
        if kwargs.get("fmt") == "xlsx":
            return _download(export_xlsx(self.kind, rows, language=language), XLSX_TYPE, f"{self.kind}-{stamp}.xlsx")
        if kwargs.get("fmt") == "csv":
            return _download(export_csv(self.kind, rows, language=language), CSV_TYPE, f"{self.kind}-{stamp}.csv")
        raise Http404


class EmployeeExportView(_ExportView):
    """The people the viewer may see, in the template's columns (re-importable after editing)."""

    kind: Kind = "employees"
    selector = employees_visible_to


class DepartmentExportView(_ExportView):
    kind: Kind = "departments"
    selector = departments_visible_to
