"""Create a goal (a company objective, a department goal, a person's goal; "cascade" is creating one with a
parent), edit it, align it elsewhere, archive it. The services decide who may: a refused write answers 404
like any object outside the viewer's scope, and bad input comes back on the form, field by field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import scope_exempt
from fairmark.indicators.models import Indicator
from fairmark.org.forms import add_service_errors
from fairmark.org.models import Department
from fairmark.org.selectors import employees_visible_to

from ..forms.goals import GoalForm, MoveForm, key_results_text
from ..models import Goal, GoalKind, GoalLevel
from ..selectors import goals_visible_to
from ..services.agreement import goal_assigned
from ..services.tree import goal_archive, goal_create, goal_move, goal_update
from .common import (
    can_edit_in_place,
    indicator_choices,
    parent_choices,
    person_choices,
    writable_departments,
)


def _goal(request: HttpRequest, pk: int) -> Goal:
    return get_object_or_404(goals_visible_to(request.user), pk=pk)


def _initial(request: HttpRequest) -> dict[str, Any]:
    params = request.GET
    year = params.get("year", "")
    initial: dict[str, Any] = {"year": int(year) if year.isdigit() else timezone.localdate().year, "weight": 1,
                               "kind": params.get("kind", GoalKind.OKR)}
    parent_id = params.get("parent", "")
    if parent_id.isdigit():
        parent = goals_visible_to(request.user).filter(pk=int(parent_id)).first()
        if parent is not None:
            initial.update(parent=str(parent.pk), year=parent.year)
            # Cascading goes one level down: company → department → person.
            initial["level"] = GoalLevel.DEPARTMENT if parent.level == GoalLevel.COMPANY else GoalLevel.PERSON
            initial["title"] = parent.title
    for name in ("level", "employee", "department"):
        if params.get(name):
            initial[name] = params[name]
    return initial


@scope_exempt("the form offers only goals, people and departments from the viewer's selectors")
class GoalCreateView(LoginRequiredMixin, View):
    template_name = "goals/goal_form.html"

    def _form(self, request: HttpRequest, data: Any = None, year: int | None = None) -> GoalForm:
        initial = _initial(request)
        return GoalForm(data, initial=initial, departments=writable_departments(request.user),
                        people=person_choices(request.user),
                        parents=parent_choices(request.user, year or initial["year"]), indicators=indicator_choices())

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self._form(request), "creating": True})

    def post(self, request: HttpRequest) -> HttpResponse:
        year = request.POST.get("year", "")
        form = self._form(request, request.POST, int(year) if year.isdigit() else None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    goal = goal_create(actor=request.user, **self._fields(request, data))
                    goal_assigned(actor=request.user, goal=goal)
            except OutOfScope:
                form.add_error(None, _("You may not set goals at this level for this department or person."))
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Goal saved."))
                return redirect("goals:goal", pk=goal.pk)
        return render(request, self.template_name, {"form": form, "creating": True}, status=400)

    def _fields(self, request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
        indicator = None
        if data.get("indicator"):
            indicator = Indicator.objects.filter(code=data["indicator"]).select_related("published").first()
        return {
            "level": data["level"], "kind": data["kind"], "title": data["title"], "year": data["year"],
            "description": data.get("description") or "",
            "department": Department.objects.filter(pk=data["department"]).first() if data.get("department") else None,
            "employee": (employees_visible_to(request.user).filter(pk=data["employee"]).first()
                         if data.get("employee") else None),
            "parent": goals_visible_to(request.user).filter(pk=data["parent"]).first() if data.get("parent") else None,
            "weight": data["weight"], "period_start": data.get("period_start"), "period_end": data.get("period_end"),
            "indicator_version": indicator.published if indicator else None,
            "threshold": data.get("threshold"), "target": data.get("target"), "stretch": data.get("stretch"),
            "key_results": data.get("key_results") or [],
        }


@scope_exempt("the goal comes from goals_visible_to; the service checks the right to change it")
class GoalEditView(LoginRequiredMixin, View):
    template_name = "goals/goal_form.html"

    def _form(self, goal: Goal, data: Any = None) -> GoalForm:
        initial = {"title": goal.title, "description": goal.description, "weight": goal.weight,
                   "period_start": goal.period_start, "period_end": goal.period_end, "threshold": goal.threshold,
                   "target": goal.target, "stretch": goal.stretch, "key_results": key_results_text(goal)}
        return GoalForm(data, initial=initial, departments=[], people=[], parents=[], indicators=[], editing=True)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        goal = _goal(request, pk)
        if not can_edit_in_place(request.user, goal):
            raise Http404
        return render(request, self.template_name, {"form": self._form(goal), "goal": goal})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        goal = _goal(request, pk)
        form = self._form(goal, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            changes = {name: data.get(name) for name in ("title", "description", "weight", "period_start",
                                                          "period_end")}
            if goal.kind == GoalKind.KPI:
                changes.update({name: data.get(name) for name in ("threshold", "target", "stretch")})
            else:
                changes["key_results"] = data.get("key_results") or []
            try:
                goal_update(actor=request.user, goal=goal, changes=changes)
            except OutOfScope:
                raise Http404 from None
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Goal saved."))
                return redirect("goals:goal", pk=goal.pk)
        return render(request, self.template_name, {"form": form, "goal": goal}, status=400)


@scope_exempt("the goal comes from goals_visible_to; the service checks the right to change it")
class GoalMoveView(LoginRequiredMixin, View):
    template_name = "goals/goal_move.html"

    def _form(self, request: HttpRequest, goal: Goal, data: Any = None) -> MoveForm:
        return MoveForm(data, initial={"parent": str(goal.parent_id or ""), "weight": goal.weight},
                        parents=parent_choices(request.user, goal.year, exclude=goal))

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        goal = _goal(request, pk)
        if not can_edit_in_place(request.user, goal):
            raise Http404
        return render(request, self.template_name, {"form": self._form(request, goal), "goal": goal})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        goal = _goal(request, pk)
        form = self._form(request, goal, request.POST)
        if form.is_valid():
            parent_id = form.cleaned_data.get("parent")
            parent = goals_visible_to(request.user).filter(pk=parent_id).first() if parent_id else None
            try:
                goal_move(actor=request.user, goal=goal, parent=parent, weight=form.cleaned_data["weight"])
            except OutOfScope:
                raise Http404 from None
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Goal aligned."))
                return redirect("goals:goal", pk=goal.pk)
        return render(request, self.template_name, {"form": form, "goal": goal}, status=400)


@scope_exempt("the goal comes from goals_visible_to; the service checks the right to change it")
class GoalArchiveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        goal = _goal(request, pk)
        try:
            goal_archive(actor=request.user, goal=goal)
        except OutOfScope:
            raise Http404 from None
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Goal archived: it no longer counts in its parent's progress."))
        return redirect(reverse("goals:goal", args=[goal.pk]))


urlpatterns: list[URLPattern] = [
    path("new/", GoalCreateView.as_view(), name="goal_create"),
    path("<int:pk>/edit/", GoalEditView.as_view(), name="goal_edit"),
    path("<int:pk>/move/", GoalMoveView.as_view(), name="goal_move"),
    path("<int:pk>/archive/", GoalArchiveView.as_view(), name="goal_archive"),
]
