"""Goal set pages (目标模板包) and bulk assignment.

- `goals:goal_sets`, `goals:goal_set`, `goals:goal_set_create`, `goals:goal_set_edit`: goal sets, their goals
  edited as rows.
- `goals:bulk_assign`: choose people of a department and/or position with checkboxes (or all of them) and
  give them every goal of the set in one submit; the result says how many people and goals, and who was
  skipped.

Scope as everywhere (DESIGN.md §5): a set the viewer cannot see is 404; one they see but may not edit or assign
is 403; bad input comes back on the page with status 400."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, Refused, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedListView, scope_exempt
from fairmark.org.forms import add_service_errors
from fairmark.org.models import Department, Employee
from fairmark.org.selectors import positions_visible_to

from ..forms.agreement import GoalSetForm, GoalSetItemForm, GoalSetItemFormSet
from ..models import Agreement, AgreementStatus, Goal, GoalKind, GoalLevel, GoalSet, GoalState
from ..selectors import goal_sets_visible_to, live_goals_visible_to
from ..services.goal_sets import (
    assignable_people,
    goal_set_assign,
    goal_set_create,
    goal_set_update,
    may_keep_sets,
    may_manage_department,
    set_departments_for,
)
from .common import year_of

ANY = "all"


def _parent_choices(user: Any) -> list[tuple[str, str]]:
    """Company and department goals to align a set's goals to, newest year first."""
    goals = (live_goals_visible_to(user).exclude(level=GoalLevel.PERSON).prefetch_related(None)
             .select_related("department").order_by("-year", "level", "position", "id")[:500])
    return [(str(g.pk), f"{g.year} · {g.department.code + ' · ' if g.department else ''}{g.title}") for g in goals]


class GoalSetListView(ScopedListView):
    selector = goal_sets_visible_to
    template_name = "goals/goal_set_list.html"
    context_object_name = "goal_sets"

    def get_queryset(self) -> QuerySet[GoalSet]:
        sets = (super().get_queryset().select_related("department", "created_by")
                .annotate(item_count=Count("items", distinct=True),
                          people=Count("goals__employee", filter=Q(goals__state=GoalState.ACTIVE), distinct=True))
                .order_by("-year", "name", "id"))
        if (year := year_of(self.request.GET.get("year", ""))) is not None:
            sets = sets.filter(year=year)
        return sets

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_create"] = may_keep_sets(self.request.user)
        return context


def _item_rows(goal_set: GoalSet) -> list[dict[str, Any]]:
    specs = [item.spec for item in goal_set.items.all()]
    parents = {g.pk: g for g in Goal.objects.filter(pk__in=[s.get("parent") for s in specs if s.get("parent")])}
    return [{"spec": spec, "parent": parents.get(spec.get("parent")), "is_kpi": spec.get("kind") == GoalKind.KPI}
            for spec in specs]


class GoalSetView(ScopedDetailView):
    selector = goal_sets_visible_to
    template_name = "goals/goal_set_detail.html"
    context_object_name = "goal_set"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        goal_set: GoalSet = context["goal_set"]
        context.update({
            "items": _item_rows(goal_set),
            "people": (Employee.objects.filter(goals__goal_set=goal_set, goals__state=GoalState.ACTIVE).distinct()
                       .select_related("department").order_by("number")),
            "may_edit": may_manage_department(viewer_for(self.request.user), goal_set.department),
        })
        return context


class _SetEditing:
    """The set form and its goal rows, saved through the services."""

    request: HttpRequest

    def forms(self, data: Any = None, goal_set: GoalSet | None = None) -> tuple[GoalSetForm, Any]:
        user = self.request.user
        departments = list(set_departments_for(user))
        if goal_set is not None and goal_set.department not in departments:
            departments.append(goal_set.department)
        initial = ({"name": goal_set.name, "year": goal_set.year, "department": str(goal_set.department_id)}
                   if goal_set is not None else {"year": year_of(self.request.GET.get("year", "")) or _this_year()})
        header = GoalSetForm(data, departments=departments, initial=initial)
        rows_initial = ([GoalSetItemForm.initial_from(item.spec) for item in goal_set.items.all()]
                        if goal_set is not None else None)
        rows = GoalSetItemFormSet(data, prefix="items", parents=_parent_choices(user),  # type: ignore[call-arg]
                                  initial=rows_initial)
        return header, rows

    def save(self, goal_set: GoalSet | None) -> HttpResponse:
        header, rows = self.forms(self.request.POST, goal_set)
        if header.is_valid() and rows.is_valid():
            items = [form.spec() for form in rows.filled()]
            department: Department = header.chosen_department()
            try:
                if goal_set is None:
                    goal_set = goal_set_create(actor=self.request.user, name=header.cleaned_data["name"],
                                               year=header.cleaned_data["year"], department=department, items=items)
                    messages.success(self.request, _("The goal set is saved."))
                else:
                    goal_set_update(actor=self.request.user, goal_set=goal_set, name=header.cleaned_data["name"],
                                    year=header.cleaned_data["year"], department=department, items=items)
                    messages.success(self.request, _("The goal set is saved."))
            except Refused as error:
                raise PermissionDenied(error.message) from error
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                rows.add_service_errors(error)
                header_error = ServiceError(error.message, fields={k: v for k, v in error.fields.items()
                                                                   if not k.startswith("items.")})
                add_service_errors(header, header_error)
            else:
                return redirect("goals:goal_set", pk=goal_set.pk)
        return self.page(header, rows, goal_set, status=400)

    def page(self, header: GoalSetForm, rows: Any, goal_set: GoalSet | None, status: int = 200) -> HttpResponse:
        return render(self.request, "goals/goal_set_form.html",
                      {"form": header, "rows": rows, "goal_set": goal_set}, status=status)


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


@scope_exempt("creates a goal set: shows no stored set, only the departments and goals the viewer may choose")
class GoalSetCreateView(LoginRequiredMixin, _SetEditing, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not may_keep_sets(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        header, rows = self.forms()
        return self.page(header, rows, None)

    def post(self, request: HttpRequest) -> HttpResponse:
        return self.save(None)


class GoalSetEditView(_SetEditing, ScopedDetailView):
    selector = goal_sets_visible_to

    def _set(self) -> GoalSet:
        goal_set: GoalSet = self.get_object()
        if not may_manage_department(viewer_for(self.request.user), goal_set.department):
            raise PermissionDenied
        return goal_set

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        goal_set = self._set()
        header, rows = self.forms(goal_set=goal_set)
        return self.page(header, rows, goal_set)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.save(self._set())


class BulkAssignView(ScopedDetailView):
    """Choose people (by department and/or position, with checkboxes or "select all") and assign the set."""

    selector = goal_sets_visible_to
    template_name = "goals/bulk_assign.html"
    context_object_name = "goal_set"

    def people(self, goal_set: GoalSet) -> QuerySet[Employee]:
        params = self.request.GET
        people = assignable_people(self.request.user)
        department_id = params.get("department", str(goal_set.department_id))
        if department_id.isdigit():
            department = Department.objects.filter(pk=int(department_id)).first()
            people = people.filter(department__path__startswith=department.path) if department else people.none()
        if (position := params.get("position", "")).isdigit():
            people = people.filter(position_id=int(position))
        return people.order_by("department__path", "number")

    def rows(self, goal_set: GoalSet, chosen: set[int]) -> list[dict[str, Any]]:
        people = list(self.people(goal_set)[:2000])
        ids = [p.pk for p in people]
        statuses = dict(Agreement.objects.filter(employee_id__in=ids, year=goal_set.year)
                        .values_list("employee_id", "status"))
        holding = set(Goal.objects.filter(goal_set=goal_set, employee_id__in=ids, state=GoalState.ACTIVE)
                      .values_list("employee_id", flat=True))
        labels = dict(AgreementStatus.choices)
        return [{"person": p, "status": statuses.get(p.pk), "status_label": labels.get(statuses.get(p.pk, ""), ""),
                 "holds": p.pk in holding, "checked": p.pk in chosen,
                 "locked": statuses.get(p.pk) in (AgreementStatus.SUBMITTED, AgreementStatus.APPROVED,
                                                  AgreementStatus.SIGNED)}
                for p in people]

    def page(self, goal_set: GoalSet, chosen: set[int], error: ServiceError | None = None,
             status: int = 200) -> HttpResponse:
        rows = self.rows(goal_set, chosen)
        user = self.request.user
        position_ids = assignable_people(user).exclude(position=None).values("position_id")
        context = {
            "goal_set": goal_set, "rows": rows, "error": error,
            "departments": set_departments_for(user),
            "positions": positions_visible_to(user).filter(pk__in=position_ids).order_by("code"),
            "department": self.request.GET.get("department", str(goal_set.department_id)),
            "position": self.request.GET.get("position", ""),
            "item_count": goal_set.items.count(), "query": self.request.GET.urlencode(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        goal_set = self.get_object()
        chosen: set[int] = set()
        if request.GET.get("select") == ANY:
            chosen = {row["person"].pk for row in self.rows(goal_set, set())}
        return self.page(goal_set, chosen)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        goal_set = self.get_object()
        chosen = {int(pk) for pk in request.POST.getlist("employees") if pk.isdigit()}
        people = list(assignable_people(request.user).filter(pk__in=chosen))
        try:
            if len(people) != len(chosen):
                raise ServiceError(_("Choose among the people listed."), fields={"employees": []})
            result = goal_set_assign(actor=request.user, goal_set=goal_set, employees=people)
        except Refused as error:
            raise PermissionDenied(error.message) from error
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            return self.page(goal_set, chosen, error=error, status=400)
        return render(request, "goals/bulk_assign_result.html", {"goal_set": goal_set, "result": result})


urlpatterns: list[URLPattern] = [
    path("sets/", GoalSetListView.as_view(), name="goal_sets"),
    path("sets/new/", GoalSetCreateView.as_view(), name="goal_set_create"),
    path("sets/<int:pk>/", GoalSetView.as_view(), name="goal_set"),
    path("sets/<int:pk>/edit/", GoalSetEditView.as_view(), name="goal_set_edit"),
    path("sets/<int:pk>/assign/", BulkAssignView.as_view(), name="bulk_assign"),
]
