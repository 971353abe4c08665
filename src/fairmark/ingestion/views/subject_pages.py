"""Subjects that are not people or departments (production lines, machines, projects, teams) and their dated
mappings to people (DESIGN.md C3: "line → the operators on its shifts, project → its members"): the list with
how many people each carries its values to today, a subject's page with its mappings, and the forms to
register a subject, map a person to it and end a mapping.

Readers of metrics (HR admins, HR BPs, executives, system admins, managers and department heads) open the
pages; anyone else gets 404. A subject's mappings are reached only through a visible subject; readers of
ingestion see all of them, a manager or head those about the people they see (org's people scope), and is told
how many others there are. HR admins and system admins register subjects and add and end mappings; a reader
who may not gets 403, anyone else 404 (also for a mapping about someone they do not see)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedListView
from fairmark.org.forms import add_service_errors

from ..models import Subject, SubjectMapping
from ..reports import company_today
from ..selectors import mappings_visible_to, reads_ingestion, subjects_visible_to
from ..services.subjects import subject_create, subject_mapping_add, subject_mapping_end
from ..subject_forms import MappingEndForm, MappingForm, SubjectForm, registered_type_choices
from .metric_pages import MetricReadersOnly, configures_metrics, require_configures


def current_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": today}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today}))


def mapping_state(mapping: SubjectMapping, today: dt.date) -> str:
    if mapping.valid_from > today:
        return "future"
    if mapping.valid_to is not None and mapping.valid_to < today:
        return "ended"
    return "current"


class SubjectListView(MetricReadersOnly, ScopedListView):
    """Every visible subject with the number of people mapped to it today (one annotation): the page costs the
    same queries however many subjects it shows."""

    selector = subjects_visible_to
    template_name = "ingestion/subject_list.html"
    context_object_name = "subjects"

    def get_queryset(self) -> QuerySet[Subject]:
        params = self.request.GET
        subjects = super().get_queryset().select_related("department")
        if (kind := params.get("type", "")) in dict(registered_type_choices()):
            subjects = subjects.filter(type=kind)
        if text := params.get("q", "").strip():
            subjects = subjects.filter(Q(code__icontains=text) | Q(name_zh__icontains=text) | Q(name_en__icontains=text))
        return subjects.annotate(
            people_now=Count("mappings__employee", filter=current_q(company_today(), "mappings__"), distinct=True),
        ).order_by("type", "code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_create = configures_metrics(user)
        form = context.get("form")
        if form is None and can_create:
            form = SubjectForm(user=user)
        context.update({
            "can_create": can_create,
            "form": form,
            "types": registered_type_choices(),
            "reads_sources": reads_ingestion(viewer_for(user)),
        })
        return context


class SubjectCreateView(SubjectListView):
    """Register a subject; on an error the list comes back with the form and the messages next to its fields."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_configures(request.user)
        form = SubjectForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                subject = subject_create(actor=request.user, type=data["type"], code=data["code"],
                                         name_zh=data["name_zh"], name_en=data["name_en"],
                                         department=data["department"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Subject “%(code)s” registered.") % {"code": subject.code})
                return redirect("ingestion:subject", pk=subject.pk)
        self.object_list = self.get_queryset()
        response = self.render_to_response(self.get_context_data(form=form))
        response.status_code = 400
        return response


def subject_page(request: HttpRequest, subject: Subject, *, add_form: MappingForm | None = None,
                 end_form: MappingEndForm | None = None, status: int = 200) -> HttpResponse:
    """A subject's page; with a bound form (add or end) when a post came back with errors."""
    user = request.user
    today = company_today()
    can_change = configures_metrics(user)
    mappings = mappings_visible_to(user).filter(subject=subject).order_by("-valid_from", "employee__number")
    rows = []
    for mapping in mappings:
        state = mapping_state(mapping, today)
        form = None
        if can_change and state != "ended":
            bound = end_form is not None and end_form.prefix == end_prefix(mapping)
            form = end_form if bound else MappingEndForm(prefix=end_prefix(mapping), today=today)
        rows.append({"mapping": mapping, "state": state, "end_form": form})
    # counts over all of the subject's mappings, as the list shows; the rows are those about people one sees
    hidden = subject.mappings.count() - len(rows)
    if add_form is None and can_change:
        add_form = MappingForm(user=user, today=today)
    context = {
        "subject": subject,
        "rows": rows,
        "hidden": hidden,
        "people_now": subject.mappings.filter(current_q(today)).values("employee").distinct().count(),
        "can_change": can_change,
        "form": add_form,
        "today": today,
    }
    return render(request, "ingestion/subject_detail.html", context, status=status)


def end_prefix(mapping: SubjectMapping) -> str:
    return f"end-{mapping.pk}"


class SubjectDetailView(MetricReadersOnly, ScopedDetailView):
    selector = subjects_visible_to
    context_object_name = "subject"

    def get_queryset(self) -> QuerySet[Subject]:
        return super().get_queryset().select_related("department")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return subject_page(request, self.get_object())


class MappingAddView(SubjectDetailView):
    """Map a person (by employee number) to the subject from a date; on an error the subject's page comes
    back with the form and its messages."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        subject: Subject = self.get_object()
        require_configures(request.user)
        form = MappingForm(request.POST, user=request.user, today=company_today())
        if form.is_valid():
            data = form.cleaned_data
            try:
                mapping = subject_mapping_add(actor=request.user, subject=subject, employee=data["employee"],
                                              valid_from=data["valid_from"], valid_to=data["valid_to"],
                                              role=data["role"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s (%(number)s) is mapped to %(subject)s from %(date)s.") % {
                    "name": mapping.employee.name, "number": mapping.employee.number, "subject": subject.code,
                    "date": mapping.valid_from.isoformat()})
                return redirect("ingestion:subject", pk=subject.pk)
        return subject_page(request, subject, add_form=form, status=400)


class MappingEndView(MetricReadersOnly, ScopedDetailView):
    """End a mapping on a day (kept, not deleted: past values still reach the people who were on the subject
    then). The mapping comes only through a visible subject (mappings_visible_to)."""

    selector = mappings_visible_to
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        mapping: SubjectMapping = self.get_object()
        require_configures(request.user)
        form = MappingEndForm(request.POST, prefix=end_prefix(mapping), today=company_today())
        if form.is_valid():
            try:
                subject_mapping_end(actor=request.user, mapping=mapping, valid_to=form.cleaned_data["valid_to"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The mapping of %(name)s (%(number)s) ends on %(date)s.") % {
                    "name": mapping.employee.name, "number": mapping.employee.number,
                    "date": form.cleaned_data["valid_to"].isoformat()})
                return redirect("ingestion:subject", pk=mapping.subject_id)
        return subject_page(request, mapping.subject, end_form=form, status=400)


urlpatterns: list[URLPattern] = [
    path("subjects/", SubjectListView.as_view(), name="subjects"),
    path("new-subject/", SubjectCreateView.as_view(), name="subject-new"),
    path("subjects/<int:pk>/", SubjectDetailView.as_view(), name="subject"),
    path("subjects/<int:pk>/mappings/", MappingAddView.as_view(), name="subject-mapping-add"),
    path("mappings/<int:pk>/end/", MappingEndView.as_view(), name="subject-mapping-end"),
]
