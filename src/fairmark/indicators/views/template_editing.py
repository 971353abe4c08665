"""The review-template editor (new and edit, with htmx live validation and structure edits), the actions on a
template (publish / discard / archive) and duplicate. Their routes are listed in template_pages.py, where the
fixed paths (`templates/new/` & co.) must come before `templates/<code>/`.

Scope as everywhere (DESIGN.md §5): a template the viewer cannot see is 404; one they see but may not change
is 403 on the editing pages and actions; the service's scope refusal after its rollback is 404 and its other
refusals are shown on the form with status 400 (409 when someone saved meanwhile). Every write goes through
services.templates, which checks the actor's scope again and audits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fairmark.core.access import Role, viewer_for
from fairmark.core.errors import ConflictError, OutOfScope, ServiceError
from fairmark.core.scoping import scope_exempt
from fairmark.org.forms import BootstrapForm, add_service_errors
from fairmark.org.models import Department
from fairmark.org.selectors import (
    departments_editable_by,
    departments_visible_to,
    job_families_visible_to,
    levels_visible_to,
    positions_visible_to,
)

from ..models import IndicatorVersion, ItemKind, MissingRule, Period, RaterGroup, Template, VersionStatus
from ..selectors import can_create_configuration
from ..services.checks import check_code, check_template
from ..services.templates import (
    definition_of,
    template_archive,
    template_create,
    template_discard_draft,
    template_duplicate,
    template_publish,
    template_save,
    usable_indicators,
)
from . import template_editor as editor
from .common import ActionView, TemplateObject, template_editable

HEADER_SLOTS = ("code", "name_zh", "name_en", "period", "missing_rule", "note", "applies_to", "owner_department")
POSITION_HINTS = 300


def _owner_choices(user: Any, current: Department | None) -> list[editor.Choice]:
    choices = []
    if viewer_for(user).has(Role.HR_ADMIN):
        choices.append(editor.Choice("", _("Company-wide"), current is None))
    for department in departments_editable_by(user).select_related(None).order_by("path").only("id", "name", "name_en", "depth"):
        label = "\u00a0\u00a0" * department.depth + department.display_name
        choices.append(editor.Choice(str(department.pk), label, current is not None and department.pk == current.pk))
    return choices


def _owner_from(user: Any, raw: str) -> Department | None:
    """The unit chosen as owner: "" is company-wide; the service decides whether the actor may choose it."""
    raw = (raw or "").strip()
    if not raw:
        return None
    department: Department | None = (
        departments_visible_to(user).filter(pk=raw).first() if raw.isdigit() else None)
    if department is None:
        raise ServiceError(_("Choose one of the offered units."),
                           fields={"owner_department": [_("Choose one of the offered units.")]})
    return department


def _check(data: Mapping[str, Any], definition: Mapping[str, Any],
           indicators: Mapping[str, IndicatorVersion]) -> dict[str, list[str]]:
    """What the services would refuse in the posted editor, without saving: the template's checks, and the
    code's when the editor creates one."""
    errors = check_template(definition, indicators=indicators)[1]
    if "code" in data:
        code_errors: dict[str, list[str]] = {}
        code = check_code(definition.get("code", ""), code_errors)
        if not code_errors and Template.objects.filter(code=code).exists():
            code_errors["code"] = [_("A template with this code exists.")]
        errors.update(code_errors)
    return errors


def editor_context(request: HttpRequest, definition: Mapping[str, Any], errors: Mapping[str, list[str]],
                   indicators: Mapping[str, IndicatorVersion] | None = None) -> dict[str, Any]:
    """What the editor's templates render: the header fields, the sections with their rows and errors, the
    running sums, and the error slots (for the live check's out-of-band swaps)."""
    indicators = usable_indicators() if indicators is None else indicators
    rows = editor.editor_sections(
        definition, errors, indicators, kind_labels={value: str(label) for value, label in ItemKind.choices},
        group_labels={value: str(label) for value, label in RaterGroup.choices},
        missing_label=_("not a published indicator"))
    by_field = editor.errors_by_field(errors)
    slots: list[tuple[str, list[str]]] = []
    for section in rows:
        slots += [(section.prefix + name, section.errors[name]) for name in editor.SECTION_SLOTS]
        for item in section.items:
            visible = ["kind", *editor.item_fields(item.kind)]
            if item.kind == ItemKind.RATED:
                visible.append("rater_groups")
            slots += [(item.prefix + name, item.errors.get(name, [])) for name in visible]
    placed = {name for name, _messages in slots} | set(HEADER_SLOTS) | {"sections"}
    sums = editor.weight_sums(definition)
    return {
        "fields": editor.fields_from_definition(definition),
        "header_errors": {name: by_field.get(name, []) for name in HEADER_SLOTS},
        "rows": rows, "slots": slots, "sums": sums,
        "sections_errors": by_field.get("sections", []),
        "unplaced": [(name, message) for name, messages_ in by_field.items() if name not in placed
                     for message in messages_],
        "error_count": sum(len(messages_) for messages_ in by_field.values()),
        "periods": Period.choices, "missing_rules": MissingRule.choices,
    }


class _EditorPage:
    """The editor page, for a new template and for an existing one."""

    request: HttpRequest
    template_name = "indicators/template_edit.html"

    def owner(self) -> Department | None:
        raise NotImplementedError

    def page_context(self) -> dict[str, Any]:
        return {}

    def render_editor(self, definition: Mapping[str, Any], errors: Mapping[str, list[str]], *, status: int = 200,
                      owner: Department | Any | None = ..., form_error: str = "", conflict: str = "",
                      show_errors: bool = True) -> HttpResponse:
        user = self.request.user
        context = editor_context(self.request, definition, errors if show_errors else {})
        context.update(self.page_context())
        if owner is ...:
            owner = self.owner()
        context.update(
            owner_choices=_owner_choices(user, owner if isinstance(owner, Department) else None),
            form_error=form_error, conflict=conflict,
            known_positions=positions_visible_to(user).select_related(None).order_by("code").only("code", "name")[
                :POSITION_HINTS],
            known_levels=levels_visible_to(user).order_by("code").only("code"),
            known_families=job_families_visible_to(user).order_by("code").only("code"),
        )
        return render(self.request, self.template_name, context, status=status)

    def action_response(self) -> HttpResponse | None:
        """A structure change posted without JavaScript (the button's `editor_action`): the page again with
        the section or item added or removed, nothing saved."""
        action = self.request.POST.get("editor_action", "")
        if not action:
            return None
        definition = editor.apply_action(editor.definition_from_fields(self.request.POST), action)
        try:
            chosen = _owner_from(self.request.user, self.request.POST.get("owner_department", ""))
        except ServiceError:
            chosen = None
        errors = _check(self.request.POST, definition, usable_indicators())
        return self.render_editor(definition, errors, owner=chosen)


@scope_exempt("creates a template: shows no stored template, only the published indicators every editor reads")
class TemplateNewView(LoginRequiredMixin, _EditorPage, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not can_create_configuration(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def owner(self) -> Department | None:
        if viewer_for(self.request.user).has(Role.HR_ADMIN):
            return None
        first: Department | None = departments_editable_by(self.request.user).order_by("path").first()
        return first

    def page_context(self) -> dict[str, Any]:
        return {"mode": "create", "form_action": reverse("indicators:template_new")}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_editor(editor.empty_definition(), {}, show_errors=False)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (response := self.action_response()) is not None:
            return response
        definition = editor.definition_from_fields(request.POST)
        owner: Department | Any | None = None
        try:
            owner = _owner_from(request.user, request.POST.get("owner_department", ""))
            with transaction.atomic():
                template = template_create(actor=request.user, code=definition.get("code", ""), data=definition,
                                           owner_department=owner, publish_now=bool(request.POST.get("publish")))
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            return self.render_editor(definition, error.fields, status=400, owner=owner, form_error=error.message)
        if template.published_id:
            messages.success(request, _("The template %(code)s is saved and published.") % {"code": template.code})
        else:
            messages.success(request, _("The template %(code)s is saved as a draft.") % {"code": template.code})
        return redirect("indicators:template", code=template.code)


class _EditableTemplate(TemplateObject):
    """A template the viewer may change: 404 when they cannot see it, 403 when they only read it."""

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        template = super().get_object(queryset)
        if not template_editable(self.request.user, template):
            raise PermissionDenied
        return template


class TemplateEditView(_EditorPage, _EditableTemplate):
    """The editor on the newest version. Saving a published version opens the next version as a draft;
    saving a draft changes it. `base_version` is the version the editor was opened on: if someone saved
    another meanwhile, the save is refused (409) and the page says so."""

    template_name = "indicators/template_edit.html"

    def owner(self) -> Department | None:
        return self.object.owner_department

    def page_context(self) -> dict[str, Any]:
        template = self.object
        head = template.head
        return {"mode": "edit", "template": template, "head": head,
                "form_action": reverse("indicators:template_edit", kwargs={"code": template.code}),
                "base_version": self.request.POST.get("base_version") or (head.number if head else "")}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        head = self.object.head
        if head is None:
            raise Http404
        return self.render_editor(definition_of(head), {})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = template = self.get_object()
        if (response := self.action_response()) is not None:
            return response
        definition = editor.definition_from_fields(request.POST)
        raw_base = request.POST.get("base_version", "")
        owner: Department | Any | None = template.owner_department
        try:
            owner = _owner_from(request.user, request.POST.get("owner_department", ""))
            with transaction.atomic():
                version = template_save(actor=request.user, template=template, data=definition,
                                        base_version=int(raw_base) if raw_base.isdigit() else None,
                                        owner_department=owner)
                if request.POST.get("publish"):
                    version = template_publish(actor=request.user, template=template)
        except OutOfScope as error:
            raise Http404 from error
        except ConflictError as error:
            self.object.refresh_from_db()
            return self.render_editor(definition, error.fields, status=409, owner=owner, conflict=error.message)
        except ServiceError as error:
            self.object.refresh_from_db()
            return self.render_editor(definition, error.fields, status=400, owner=owner, form_error=error.message)
        if version.status == VersionStatus.PUBLISHED:
            messages.success(request, _("Version %(number)s of %(code)s is published.")
                             % {"number": version.number, "code": template.code})
        else:
            messages.success(request, _("Version %(number)s of %(code)s is saved as a draft.")
                             % {"number": version.number, "code": template.code})
        return redirect("indicators:template", code=template.code)


class _EditorFragment(LoginRequiredMixin, View):
    """An htmx endpoint of the editor: reads the whole posted editor, saves nothing. For editors only."""

    http_method_names = ["post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not can_create_configuration(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


@scope_exempt("validates the posted editor fields; shows no stored template")
class TemplateCheckView(_EditorFragment):
    """Live validation: the running weight sums and the errors, with every error slot of the editor swapped
    out of band so that each message appears next to its field."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        definition = editor.definition_from_fields(request.POST)
        indicators = usable_indicators()
        errors = _check(request.POST, definition, indicators)
        context = editor_context(request, definition, errors, indicators)
        context["oob"] = True
        # The owner is checked only when saving: its slot keeps what the last save said.
        context["header_slots"] = [(name, context["header_errors"][name]) for name in HEADER_SLOTS
                                   if name != "owner_department" and (name in request.POST or name == "applies_to")]
        return render(request, "indicators/_template_check.html", context)


@scope_exempt("re-renders the posted editor fields with a section or item added or removed; saves nothing")
class TemplateEditorView(_EditorFragment):
    """Add or remove a section or an item (`editor_action`), or re-render after an item's kind changed:
    the sections block again, from the posted fields, with the checks' errors."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        definition = editor.apply_action(editor.definition_from_fields(request.POST),
                                         request.POST.get("editor_action", "refresh"))
        indicators = usable_indicators()
        errors = _check(request.POST, definition, indicators)
        return render(request, "indicators/_template_sections.html",
                      editor_context(request, definition, errors, indicators))


# --- actions ------------------------------------------------------------------------------------------------


class _TemplateAction(ActionView, _EditableTemplate):
    """A change to a template's life cycle."""

    page = "indicators:template"


class TemplatePublishView(_TemplateAction):
    def act(self, template: Template) -> str:
        version = template_publish(actor=self.request.user, template=template)
        return _("Version %(number)s of %(code)s is published.") % {"number": version.number, "code": template.code}


class TemplateDiscardView(_TemplateAction):
    def act(self, template: Template) -> str:
        template_discard_draft(actor=self.request.user, template=template)
        return _("The draft of %(code)s is discarded.") % {"code": template.code}


class TemplateArchiveView(_TemplateAction):
    def act(self, template: Template) -> str:
        archived = self.request.POST.get("archived", "1") != "0"
        template_archive(actor=self.request.user, template=template, archived=archived)
        if archived:
            return _("%(code)s is archived: no new cycle can use it.") % {"code": template.code}
        return _("%(code)s is restored.") % {"code": template.code}


class DuplicateForm(BootstrapForm):
    code = forms.CharField(label=gettext_lazy("New code"), max_length=64,
                           help_text=gettext_lazy("Lower-case English letters, digits and _, starting with a letter."))
    name_zh = forms.CharField(label=gettext_lazy("Chinese name"), max_length=200, required=False,
                              help_text=gettext_lazy("Empty: the original's name with “(copy)”."))
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=200, required=False)
    owner_department = forms.ChoiceField(label=gettext_lazy("Owning unit"), required=False)

    def __init__(self, *args: Any, user: Any, template: Template, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _owner_choices(user, template.owner_department)
        owner = self.fields["owner_department"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [(choice.value, choice.label) for choice in choices]
        selected = [choice.value for choice in choices if choice.selected]
        self.initial.setdefault("owner_department", selected[0] if selected else (choices[0].value if choices else ""))


class TemplateDuplicateView(TemplateObject):
    """Copy a template the viewer sees into a new one (version 1, a draft) to adapt: for HR admins and HR BPs
    (who must choose one of their units as the owner). Then on to the new template's editor."""

    template_name = "indicators/template_duplicate.html"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        template = super().get_object(queryset)
        if not can_create_configuration(self.request.user):
            raise PermissionDenied
        return template

    def _form(self, data: Any = None) -> DuplicateForm:
        return DuplicateForm(data, user=self.request.user, template=self.object)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return render(request, self.template_name, self.get_context_data(form=self._form()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = template = self.get_object()
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                owner = _owner_from(request.user, data["owner_department"])
                copy = template_duplicate(actor=request.user, template=template, code=data["code"],
                                          name_zh=data["name_zh"], name_en=data["name_en"], owner_department=owner)
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(code)s is a copy of %(source)s; adapt it and publish it.")
                                 % {"code": copy.code, "source": template.code})
                return redirect("indicators:template_edit", code=copy.code)
        return render(request, self.template_name, self.get_context_data(form=form), status=400)
