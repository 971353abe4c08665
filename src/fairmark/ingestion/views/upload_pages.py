"""The Excel/CSV upload pages (DESIGN.md C3): upload a file for a source, map its columns, see the first rows
and every row's error before anything is written, then commit the valid rows (the others are quarantined).

Who: the managers of a source (HR admins and system admins: every source; an HR BP: the sources their units
own). The list answers 403 to anyone who may not manage sources at all (like the template import); an upload
of a source the viewer does not manage is a 404. A committed or discarded upload is read-only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedListView

from ..models import Metric, Upload, UploadStatus
from ..selectors import batches_visible_to, can_create_sources, sources_managed_by
from ..services.outcome import Outcome
from ..services.uploading import (
    PREVIEW_ROWS,
    UploadPreview,
    upload_commit,
    upload_create,
    upload_discard,
    upload_preview,
    upload_set_mapping,
    upload_table,
)
from ..upload_forms import COLUMN_FIELDS, ROW_FIELD_LABELS, MappingForm, UploadForm, reader_language
from ..uploads import MAX_BYTES, Table, header_name

ERRORS_PER_PAGE = 100  # a file wrong throughout lists thousands of errors: shown a page at a time


def uploads_managed_by(user: Any) -> QuerySet[Upload]:
    # A selector, here until ingestion/selectors.py gains it: uploads are as private as their source's management.
    return Upload.objects.filter(source__in=sources_managed_by(user)).select_related("source", "uploaded_by")


def batch_url(batch_id: int | None) -> str:
    """The batch's page, once the data-quality pages provide it."""
    if batch_id is None:
        return ""
    try:
        return reverse("ingestion:batch", args=[batch_id])
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class ErrorLine:
    row: int  # as the spreadsheet numbers it
    column: str  # the header the bad cell is under, else the field's name
    metric: str
    message: str
    code: str


def _source_metrics(upload: Upload) -> list[Metric]:
    return list(upload.source.metrics.filter(active=True).order_by("code"))


def _mapping_form(upload: Upload, table: Table, data: Any = None) -> MappingForm:
    return MappingForm(data, headers=table.headers, sheets=table.sheets, sheet=table.sheet,
                       metrics=_source_metrics(upload), mapping=upload.mapping)


def _column_of(field: str, metric: Any, mapping: dict[str, Any]) -> str:
    values = mapping.get("values") or {}
    column = values.get(metric) if field == "value" and values else mapping.get(field)
    return column if isinstance(column, str) and column else str(ROW_FIELD_LABELS.get(field, field))


def error_lines(preview: UploadPreview, mapping: dict[str, Any], language: str) -> list[ErrorLine]:
    lines = []
    for problem in preview.rejected:
        row = preview.rows[problem.index]
        lines.append(ErrorLine(preview.row_numbers[problem.index], _column_of(problem.field, row.get("metric"), mapping),
                               str(row.get("metric") or ""), problem.message(language), problem.code))
    return sorted(lines, key=lambda line: line.row)


def _header_roles(mapping: dict[str, Any]) -> dict[str, list[str]]:
    """What each mapped header feeds, for the badges above the first rows."""
    roles: dict[str, list[str]] = {}
    for name in (*COLUMN_FIELDS, "subject_type", "metric"):
        if isinstance(column := mapping.get(name), str) and column:
            roles.setdefault(column, []).append(str(ROW_FIELD_LABELS[name]))
    for code, column in (mapping.get("values") or {}).items():
        roles.setdefault(column, []).append(code)
    return roles


def _file_notes(table: Table, language: str) -> list[str]:
    notes = [warning.message(language) for warning in table.warnings]
    if table.skipped_blank:
        notes.append(ngettext("%(count)s blank row between the data rows was skipped.",
                              "%(count)s blank rows between the data rows were skipped.",
                              table.skipped_blank) % {"count": table.skipped_blank})
    return notes


def workspace(request: HttpRequest, upload: Upload, form: MappingForm | None = None) -> dict[str, Any]:
    """The mapping and what it makes of the file: for a draft the live preview, else the outcome kept."""
    language = reader_language()
    preview = upload_preview(upload) if upload.status == UploadStatus.DRAFT else None
    table = preview.table if preview else upload_table(upload)
    form = form or _mapping_form(upload, table)
    placed, general = form.place(preview.problems if preview else [], language)
    lines = error_lines(preview, upload.mapping, language) if preview else []
    bad_rows = {line.row for line in lines}
    roles = _header_roles(upload.mapping)
    context: dict[str, Any] = {
        "upload": upload, "form": form, "preview": preview, "table": table, "general_problems": general,
        "sheet_field": form["sheet"] if "sheet" in form.fields else None,
        "long_fields": [(field, placed.get(field.name, [])) for field in form.long_fields()],
        "wide_fields": [(field, placed.get(field.name, [])) for field in form.wide_fields()],
        "headers": [(header, roles.get(header, [])) for header in table.headers],
        "first_rows": [(record.row_number, [header_name(record.values[h]) for h in table.headers],
                        record.row_number in bad_rows) for record in table.records[:PREVIEW_ROWS]],
        "preview_rows": PREVIEW_ROWS, "file_notes": _file_notes(table, language),
        "errors_page": Paginator(lines, ERRORS_PER_PAGE).get_page(request.GET.get("page")),
        "error_count": len(lines), "batch_url": batch_url(upload.batch_id),
        # the counts only: a batch's payload holds every row sent
        "batch": batches_visible_to(request.user).defer("payload", "unchanged_keys").filter(pk=upload.batch_id).first()
        if upload.batch_id else None,
    }
    if preview:
        context["valid"] = preview.new + preview.unchanged + preview.conflicts
    return context


class UploadListView(ScopedListView):
    """Recent uploads of the sources the viewer manages, and the form to upload a file."""

    selector = uploads_managed_by
    template_name = "ingestion/upload_list.html"
    context_object_name = "uploads"
    paginate_by = 20

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_create_sources(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Upload]:
        return super().get_queryset().defer("content", "mapping")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.setdefault("form", UploadForm(user=self.request.user))
        context["has_sources"] = form.has_sources()
        context["rows"] = [(upload, batch_url(upload.batch_id)) for upload in context["uploads"]]
        context["max_mb"] = MAX_BYTES // (1024 * 1024)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            file = form.cleaned_data["file"]
            try:
                upload = upload_create(actor=request.user, source=form.cleaned_data["source"],
                                       file_name=file.name or "upload.xlsx", data=file.read(),
                                       sheet=form.cleaned_data["sheet"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                form.add_error("sheet" if error.code == "no_such_sheet" else "file", error.message)
            else:
                return redirect("ingestion:upload", pk=upload.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class UploadView(ScopedDetailView):
    """The mapping, the counts, the first rows and every error; Commit and Discard."""

    selector = uploads_managed_by
    template_name = "ingestion/upload_detail.html"
    context_object_name = "upload"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(workspace(self.request, self.object))
        return context


class UploadMapView(ScopedDetailView):
    """A changed mapping or sheet: stored, then the preview again (the workspace alone for htmx)."""

    selector = uploads_managed_by
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = self.object = self.get_object()
        htmx = bool(getattr(request, "htmx", False))
        form = _mapping_form(upload, upload_table(upload), request.POST)
        if form.is_valid():
            try:
                upload = upload_set_mapping(actor=request.user, upload=upload, mapping=form.to_mapping(),
                                            sheet=form.cleaned_data.get("sheet") or None)
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:  # committed or discarded meanwhile (in another tab): the page again
                messages.error(request, error.message)
                url = reverse("ingestion:upload", args=[upload.pk])
                return HttpResponseClientRedirect(url) if htmx else redirect(url)
            if not htmx:
                return redirect("ingestion:upload", pk=upload.pk)
            return render(request, "ingestion/upload_workspace.html", workspace(request, upload))
        # A posted column the sheet no longer has (another tab changed the sheet): shown beside the field.
        # htmx swaps only successful answers, so its answer is 200.
        template = "ingestion/upload_workspace.html" if htmx else "ingestion/upload_detail.html"
        return render(request, template, workspace(request, upload, form), status=200 if htmx else 400)


def _committed(outcome: Outcome) -> str:
    counts = outcome.counts()
    parts = [ngettext("%(count)s value committed.", "%(count)s values committed.", counts["accepted"])
             % {"count": counts["accepted"]},
             ngettext("%(count)s row quarantined.", "%(count)s rows quarantined.", counts["rejected"])
             % {"count": counts["rejected"]}]
    if counts["conflicts"]:
        parts.append(ngettext("%(count)s conflict kept for review.", "%(count)s conflicts kept for review.",
                              counts["conflicts"]) % {"count": counts["conflicts"]})
    return " ".join(parts)


class UploadCommitView(ScopedDetailView):
    selector = uploads_managed_by
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = self.object = self.get_object()
        try:
            outcome = upload_commit(actor=request.user, upload=upload)
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("ingestion:upload", pk=upload.pk)
        if outcome.repeated:  # a second click, or the back button: nothing was written again
            messages.info(request, _("This upload was committed already; nothing was written again."))
        else:
            messages.success(request, _committed(outcome))
        return redirect(batch_url(outcome.batch.pk) or reverse("ingestion:upload", args=[upload.pk]))


class UploadDiscardView(ScopedDetailView):
    selector = uploads_managed_by
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = self.object = self.get_object()
        try:
            upload_discard(actor=request.user, upload=upload)
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("ingestion:upload", pk=upload.pk)
        messages.success(request, _("The upload %(file)s was discarded; nothing was written.")
                         % {"file": upload.file_name})
        return redirect("ingestion:uploads")


urlpatterns: list[URLPattern] = [
    path("uploads/", UploadListView.as_view(), name="uploads"),
    path("uploads/<int:pk>/", UploadView.as_view(), name="upload"),
    path("uploads/<int:pk>/mapping/", UploadMapView.as_view(), name="upload-map"),
    path("uploads/<int:pk>/commit/", UploadCommitView.as_view(), name="upload-commit"),
    path("uploads/<int:pk>/discard/", UploadDiscardView.as_view(), name="upload-discard"),
]
