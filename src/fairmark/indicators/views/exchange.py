"""Excel export and import of a review template (考核方案).

- `templates/<code>/export.xlsx`: the template as a workbook, for anyone who may see it (`?version=N`).
- `template-import/`: HR admins and HR BPs upload a workbook, see what was read and every problem (the file's
  own, located by sheet, row and column, and the definition's, worded "section 2, item 3, weight"), and confirm:
  a new code creates the template, an existing one saves a new draft version of it. The uploaded bytes travel
  to the confirmation in a signed hidden field, not on disk, and are read and checked again on commit.
- `template-import/example.xlsx`: an example workbook to fill in.

(The paths are `template-import/...`, not `templates/import/`, so they never meet the template pages'
`templates/<code>/`.)"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fairmark.core.access import Role, viewer_for
from fairmark.core.errors import ConflictError, ServiceError
from fairmark.core.scoping import ScopedDetailView, scope_exempt
from fairmark.org.models import Department
from fairmark.org.selectors import departments_editable_by

from .. import library
from ..exchange import MAX_BYTES, Reading, column_label, describe_path, read_workbook, sheet_name, write_template
from ..exchange.layout import KINDS, RATER_GROUPS
from ..models import MissingRule, Period, Template, TemplateVersion
from ..selectors import (
    can_create_configuration,
    indicators_visible_to,
    template_versions_visible_to,
    templates_editable_by,
    templates_visible_to,
)
from ..services.checks import check_code, check_template
from ..services.templates import definition_of, template_create, template_save, usable_indicators
from .common import language as reader_language

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SALT = "fairmark.indicators.template-import"
PAYLOAD_MAX_AGE = 2 * 3600  # seconds between the preview and the confirmation


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _indicator_names(user: Any, codes: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for indicator in indicators_visible_to(user).filter(code__in=sorted(codes)):
        version = indicator.published or indicator.head
        if version is not None:
            names[indicator.code] = version.display_name
    return names


def _codes_of(definition: dict[str, Any]) -> set[str]:
    return {item["indicator"] for section in definition.get("sections", []) for item in section.get("items", [])
            if isinstance(item.get("indicator"), str) and item["indicator"]}


# --- export ---------------------------------------------------------------------------------------------------


class TemplateExportView(ScopedDetailView):
    """A template version as .xlsx: the newest for those who may edit it, else the published one."""

    selector = templates_visible_to
    slug_field = "code"
    slug_url_kwarg = "code"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        template: Template = self.get_object()
        versions = template_versions_visible_to(request.user).filter(template=template)
        wanted = request.GET.get("version", "")
        version: TemplateVersion | None
        if wanted:
            if not wanted.isdigit():
                raise Http404
            version = versions.filter(number=int(wanted)).first()
        else:
            editable = templates_editable_by(request.user).filter(pk=template.pk).exists()
            shown = template.head if editable else (template.published or template.head)
            version = versions.filter(pk=shown.pk).first() if shown is not None else None
        if version is None:
            raise Http404
        definition = definition_of(version)
        content = write_template(definition, reader_language(),
                                 indicator_names=_indicator_names(request.user, _codes_of(definition)))
        return _download(content, f"{template.code}-v{version.number}.xlsx")


# --- import ---------------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Template workbook (.xlsx)"))
    owner_department = forms.ModelChoiceField(
        label=gettext_lazy("Owning unit of a new template"), queryset=Department.objects.none(), required=False,
        help_text=gettext_lazy("Used when the file's code is new; an existing template keeps its owner."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner_department"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = departments_editable_by(user).order_by("path")
        if viewer_for(user).has(Role.HR_ADMIN):
            owner.empty_label = _("Company-wide")
        else:
            owner.required = True
            owner.empty_label = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(max_kb)s KB.") % {"max_kb": MAX_BYTES // 1024})
        return upload


@dataclass(frozen=True)
class Line:
    """One problem as the page shows it."""

    sheet: str
    row: int
    column: str
    where: str  # the definition path in words ("section 2, item 3, weight"); "" for a problem of the file
    message: str
    code: str = ""


@dataclass
class Preview:
    reading: Reading
    definition: dict[str, Any]
    lines: list[Line] = field(default_factory=list)
    existing: Template | None = None
    base_version: int | None = None
    owner: Department | None = None

    @property
    def ok(self) -> bool:
        return not self.lines

    @property
    def creates(self) -> bool:
        return self.existing is None

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        language = reader_language()
        for path_, texts in errors.items():
            place = self.reading.place(path_)
            sheet, row, column = place if place else ("", 0, "")
            label = column_label(sheet, column, language) if sheet and column else ""
            for text in texts:
                self.lines.append(Line(sheet_name(sheet, language) if sheet else "", row, label,
                                       describe_path(path_, language), str(text)))


def _data(definition: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in definition.items() if key != "code"}


def build_preview(user: Any, content: bytes, owner: Department | None) -> Preview:
    """Read the workbook and check it exactly as the commit will."""
    language = reader_language()
    reading = read_workbook(content)
    preview = Preview(reading=reading, definition=reading.definition, owner=owner)
    for problem in reading.problems:
        sheet, column = problem.location(language)
        preview.lines.append(Line(sheet, problem.row, column, "", problem.message(language), problem.code))
    if any(problem.sheet == "" for problem in reading.problems):
        return preview  # the file could not be read as a template at all
    code = str(preview.definition.get("code") or "")
    errors: dict[str, list[str]] = {}
    if code:
        preview.existing = Template.objects.select_related("head", "owner_department").filter(code=code).first()
        if preview.existing is None:
            check_code(code, errors)
        elif not templates_editable_by(user).filter(pk=preview.existing.pk).exists():
            errors["code"] = [_("A template with this code exists and you may not change it; use a new code.")]
        elif preview.existing.head is not None:
            preview.base_version = preview.existing.head.number
    if preview.existing is None and owner is None and not viewer_for(user).has(Role.HR_ADMIN):
        errors["owner_department"] = [_("Choose one of your units as the owner.")]
    _clean, field_errors = check_template(_data(preview.definition), indicators=usable_indicators())
    for key, texts in field_errors.items():
        errors.setdefault(key, []).extend(texts)
    preview.add_errors(errors)
    return preview


def _sections_shown(user: Any, definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The sections and items read, with names and labels for the preview table."""
    language = reader_language()
    names = _indicator_names(user, _codes_of(definition))
    shown = []
    for section in definition.get("sections", []):
        items = []
        for item in section.get("items", []):
            kind = KINDS.get(str(item.get("kind")))
            groups = "; ".join(
                f"{RATER_GROUPS[g['group']].text(language) if g.get('group') in RATER_GROUPS else g.get('group')} "
                f"{g.get('weight')}%" for g in item.get("rater_groups") or [])
            trigger = item.get("trigger") or {}
            veto = ""
            if item.get("kind") == "veto" and trigger:
                veto = f"{trigger.get('op', '')} {trigger.get('bound', '')} → {item.get('grade') or item.get('effect', '')}"
            items.append({
                "kind": kind.text(language) if kind else item.get("kind"),
                "indicator": item.get("indicator", ""),
                "indicator_name": names.get(str(item.get("indicator", "")), ""),
                "name": (item.get("name_en") if language.startswith("en") and item.get("name_en")
                         else item.get("name_zh", "")),
                "weight": item.get("weight", ""),
                "rater_groups": groups,
                "cap": item.get("cap", ""),
                "veto": veto,
            })
        shown.append({"key": section.get("key"), "name_zh": section.get("name_zh"), "name_en": section.get("name_en"),
                      "weight": section.get("weight"), "items": items})
    return shown


def _label(choices: list[tuple[str, Any]], value: object) -> str:
    return str(dict(choices).get(str(value or ""), value or ""))


def _payload(content: bytes, filename: str, owner: Department | None, base_version: int | None) -> str:
    return signing.dumps({"file": base64.b64encode(content).decode("ascii"), "name": filename,
                          "owner": owner.pk if owner else None, "base": base_version}, salt=SALT, compress=True)


@scope_exempt("an upload form and a preview of the uploaded file; the template services check scope on commit")
class TemplateImportView(LoginRequiredMixin, View):
    """Upload → preview with every problem → confirm. HR admins and HR BPs only."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_create_configuration(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._form_page(request, UploadForm(user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        if "payload" in request.POST:
            return self._commit(request)
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self._form_page(request, form, status=400)
        upload = form.cleaned_data["file"]
        content = upload.read()
        owner = form.cleaned_data["owner_department"]
        preview = build_preview(request.user, content, owner)
        return self._preview_page(request, preview, content, upload.name or "template.xlsx")

    def _form_page(self, request: HttpRequest, form: UploadForm, status: int = 200, error: str = "") -> HttpResponse:
        return render(request, "indicators/template_import.html",
                      {"form": form, "max_kb": MAX_BYTES // 1024, "error": error}, status=status)

    def _preview_page(self, request: HttpRequest, preview: Preview, content: bytes, filename: str,
                      status: int = 200) -> HttpResponse:
        definition = preview.definition
        context = {
            "preview": preview,
            "definition": definition,
            "sections": _sections_shown(request.user, definition),
            "lines": preview.lines,
            "filename": filename,
            "payload": _payload(content, filename, preview.owner, preview.base_version) if preview.ok else "",
            "period": _label(Period.choices, definition.get("period")),
            "missing_rule": _label(MissingRule.choices, definition.get("missing_rule")),
            "next_version": (preview.base_version or 0) + 1 if preview.existing else 1,
            "draft_open": bool(preview.existing and preview.existing.head
                               and preview.existing.head.status == "draft"),
        }
        return render(request, "indicators/template_import_preview.html", context, status=status)

    def _commit(self, request: HttpRequest) -> HttpResponse:
        try:
            payload = signing.loads(request.POST.get("payload", ""), salt=SALT, max_age=PAYLOAD_MAX_AGE)
            content = base64.b64decode(payload["file"], validate=True)
            filename = str(payload.get("name") or "template.xlsx")
        except (signing.BadSignature, KeyError, TypeError, ValueError, binascii.Error):
            return self._form_page(request, UploadForm(user=request.user), status=400,
                                   error=_("The confirmation has expired or is not valid; upload the file again."))
        owner = None
        if payload.get("owner") is not None:
            owner = departments_editable_by(request.user).filter(pk=payload["owner"]).first()
            if owner is None:
                raise PermissionDenied
        preview = build_preview(request.user, content, owner)
        if preview.ok and preview.existing is not None and payload.get("base") != preview.base_version:
            preview.lines.append(Line("", 0, "", "", _("Someone saved version %(number)s of this template meanwhile; "
                                                       "check the file again.") % {"number": preview.base_version}))
        if not preview.ok:
            return self._preview_page(request, preview, content, filename, status=400)
        code = str(preview.definition["code"])
        try:
            if preview.existing is None:
                template = template_create(actor=request.user, code=code, data=_data(preview.definition),
                                           owner_department=owner)
                assert template.head is not None
                number = template.head.number
            else:
                version = template_save(actor=request.user, template=preview.existing, data=_data(preview.definition),
                                        base_version=preview.base_version)
                number = version.number
        except ConflictError as error:
            preview.lines.append(Line("", 0, "", "", error.message))
            return self._preview_page(request, preview, content, filename, status=409)
        except ServiceError as error:
            preview.add_errors(error.fields or {"": [error.message]})
            return self._preview_page(request, preview, content, filename, status=400)
        messages.success(request, _("Template %(code)s saved as draft version %(number)s. Publish it to use it.")
                         % {"code": code, "number": number})
        try:  # the template's own page, where it is published
            return redirect(reverse("indicators:template", args=[code]))
        except NoReverseMatch:
            return redirect("indicators:template_import")


@scope_exempt("an example workbook built from the shipped library; it shows no scoped objects")
class TemplateImportExampleView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can_create_configuration(request.user):
            raise PermissionDenied
        example = next(t for t in library.load_templates() if t["code"] == "production_operator")
        example.update(code="my_template", name_zh="示例方案", name_en="Example template", note="")
        names = _indicator_names(request.user, _codes_of(example))
        return _download(write_template(example, reader_language(), indicator_names=names), "template-example.xlsx")


urlpatterns: list[URLPattern] = [
    path("templates/<slug:code>/export.xlsx", TemplateExportView.as_view(), name="template_export"),
    path("template-import/", TemplateImportView.as_view(), name="template_import"),
    path("template-import/example.xlsx", TemplateImportExampleView.as_view(), name="template_import_example"),
]
