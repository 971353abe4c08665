"""HR imports a cycle's 360 raters from Excel (`reviews:rater_import`): upload, read the row-by-row preview,
commit. The preview carries the rows it read (signed, so the commit adds exactly what was previewed) and the
commit checks them again (services.rater_import: all rows or none). `reviews:rater_import_template` hands out
the empty workbook with the headers and the group words. HR admins only; others 403."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fairmark.core.errors import Refused
from fairmark.core.scoping import ScopedDetailView

from ..forms.cycle_forms import RaterUploadForm
from ..models import Cycle, CycleStatus, RaterGroup
from ..selectors import cycles_visible_to
from ..services import rater_import
from .cycle_pages import may_manage

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SALT = "fairmark.reviews.rater_import"
MAX_AGE = 24 * 3600  # a preview left open overnight is read again from a new upload


class _HrCycleView(ScopedDetailView):
    selector = cycles_visible_to

    def cycle(self) -> Cycle:
        cycle: Cycle = self.get_object()
        if not may_manage(self.request.user):
            raise PermissionDenied
        return cycle


class RaterImportView(_HrCycleView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.page(self.cycle(), RaterUploadForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cycle = self.cycle()
        if "payload" in request.POST:
            return self.commit(cycle)
        form = RaterUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(cycle, form, status=400)
        upload = form.cleaned_data["file"]
        try:
            rows = rater_import.read_rows(upload.read(), upload.name)
        except rater_import.FileError as error:
            form.add_error("file", str(error))
            return self.page(cycle, form, status=400)
        report = rater_import.check_rows(cycle, rows)
        payload = signing.dumps({"cycle": cycle.pk, "file": upload.name, "rows": report.raw()}, salt=SALT,
                                compress=True)
        return self.page(cycle, RaterUploadForm(), report=report, payload=payload, filename=upload.name)

    def commit(self, cycle: Cycle) -> HttpResponse:
        request = self.request
        try:
            data = signing.loads(request.POST["payload"], salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            data = None
        if not isinstance(data, dict) or data.get("cycle") != cycle.pk:
            return self.page(cycle, RaterUploadForm(), error=_("The preview has expired; upload the file again."),
                             status=400)
        rows = [(int(n), str(ratee), str(rater), str(group)) for n, ratee, rater, group in data.get("rows", [])]
        filename = str(data.get("file", ""))
        try:
            report = rater_import.commit_rows(actor=request.user, cycle=cycle, rows=rows, filename=filename)
        except Refused as error:
            raise PermissionDenied(error.message) from error
        if report.committed:
            messages.success(request, _("%(count)d raters added.") % {"count": report.created})
            return self.page(cycle, RaterUploadForm(), report=report, filename=filename)
        messages.error(request, _("Nothing was imported: the rows have errors now. See the report below."))
        return self.page(cycle, RaterUploadForm(), report=report, filename=filename, status=400)

    def page(self, cycle: Cycle, form: RaterUploadForm, *, report: rater_import.Report | None = None,
             payload: str = "", filename: str = "", error: str = "", status: int = 200) -> HttpResponse:
        context = {"cycle": cycle, "form": form, "report": report, "payload": payload, "filename": filename,
                   "error": error,
                   "launched": cycle.status != CycleStatus.DRAFT, "tab": "cycles",
                   "groups": GROUPS, "headers": rater_import.HEADERS}
        return render(self.request, "reviews/import_raters.html", context, status=status)


GROUPS = (("peer", "同级", RaterGroup.PEER), ("subordinate", "下级", RaterGroup.SUBORDINATE),
          ("n_plus_2", "隔级", RaterGroup.N_PLUS_2), ("others", "其他", RaterGroup.OTHERS))


class RaterTemplateView(_HrCycleView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cycle = self.cycle()
        book = Workbook()
        sheet = book.active
        sheet.title = "评价关系"
        sheet.append(list(rater_import.HEADERS.values()))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in ("A", "B", "C"):
            sheet.column_dimensions[column].width = 26
        notes = book.create_sheet("说明")
        notes.append([_("Column"), _("What to write")])
        notes.append([rater_import.HEADERS["ratee"], _("Employee number of the person being reviewed.")])
        notes.append([rater_import.HEADERS["rater"], _("Employee number of the person who rates them.")])
        notes.append([rater_import.HEADERS["group"], _("The rater group, one of:")])
        for value, chinese, group in GROUPS:
            notes.append(["", f"{value} / {chinese}", str(group.label)])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="raters-cycle-{cycle.pk}.xlsx"'
        return response


urlpatterns: list[URLPattern] = [
    path("cycles/<int:pk>/raters/import/", RaterImportView.as_view(), name="rater_import"),
    path("cycles/<int:pk>/raters/template.xlsx", RaterTemplateView.as_view(), name="rater_import_template"),
]
