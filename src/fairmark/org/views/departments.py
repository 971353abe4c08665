"""The department editor pages for HR admins (every department) and HR BPs (inside their units): add a
department, edit one, move one (with its subtree) under another parent. Every write goes through
services.departments, which checks the actor's scope, keeps the tree's paths right and audits.

The tree is public inside the company, so a department that does not exist is 404 and one the viewer
may not change is 403, on GET and on POST; a write the service refuses for scope (an HR BP putting a
department outside their units) is rolled back and shown as 404, and its other refusals are shown on
the form with status 400."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedQueryMixin

from ..forms import DepartmentCreateForm, DepartmentEditForm, DepartmentMoveForm, add_service_errors
from ..models import Department
from ..selectors import departments_editable_by, departments_visible_to
from ..services.departments import department_create, department_move, department_update
from .editing import ObjectFormView, render_form


class DepartmentCreateView(LoginRequiredMixin, ScopedQueryMixin, TemplateView):
    """`?parent=<id>` preselects the parent: 404 if there is no such department, 403 if the viewer may
    not add under it. A viewer who may change no department at all gets 403."""

    selector = departments_visible_to
    template_name = "org/department_new.html"

    def _check(self) -> Department | None:
        user = self.request.user
        raw = self.request.GET.get("parent", "")
        parent = None
        if raw:
            if not raw.isdigit():
                raise Http404
            parent = get_object_or_404(self.get_queryset(), pk=raw)
            if not departments_editable_by(user).filter(pk=parent.pk).exists():
                raise PermissionDenied
        elif not (viewer_for(user).edits_all_org or departments_editable_by(user).exists()):
            raise PermissionDenied
        return parent

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parent = self._check()
        return render_form(self, DepartmentCreateForm(user=request.user, parent=parent))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parent = self._check()
        form = DepartmentCreateForm(request.POST, user=request.user, parent=parent)
        if form.is_valid():
            data = form.cleaned_data
            try:
                department = department_create(
                    actor=request.user, company=data["company"], code=data["code"], name=data["name"],
                    parent=data["parent"], name_en=data["name_en"], head=data["head"], cost_centre=data["cost_centre"],
                )
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The department %(name)s is added.") % {"name": department.display_name})
                return redirect("org:departments")
        return render_form(self, form, status=400)


class _DepartmentFormView(ObjectFormView):
    """A form page about one department (see editing.py for the status codes)."""

    selector = departments_visible_to
    editable_selector = departments_editable_by
    context_object_name = "department"
    form_object_kwarg = "department"

    def success_url(self) -> str:
        return reverse("org:departments")


class DepartmentEditView(_DepartmentFormView):
    template_name = "org/department_edit.html"
    form_class = DepartmentEditForm

    def save(self, form: DepartmentEditForm) -> None:
        changes = form.changes()
        if not changes:
            messages.info(self.request, _("Nothing was changed."))
            return
        department_update(actor=self.request.user, department=self.object, **changes)
        messages.success(self.request, _("The changes to %(name)s are saved.") % {"name": self.object.display_name})


class DepartmentMoveView(_DepartmentFormView):
    template_name = "org/department_move.html"
    form_class = DepartmentMoveForm

    def save(self, form: DepartmentMoveForm) -> None:
        department_move(actor=self.request.user, department=self.object, new_parent=form.cleaned_data["parent"])
        messages.success(self.request, _("%(name)s is moved, with its sub-departments.")
                         % {"name": self.object.display_name})
