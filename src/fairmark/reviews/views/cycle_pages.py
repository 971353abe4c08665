"""HR's pages of review cycles (DESIGN.md C5).

- `reviews:cycles`: every cycle (everyone signed in reads cycles: company configuration), with its launch
  progress and the number of reviews the viewer may see; HR admins get "New cycle".
- `reviews:cycle_new`, `reviews:cycle_edit`: the setup form (services.cycles); after launch the service
  refuses all but the name, deadlines and reminder settings, and its refusal shows next to the field.
- `reviews:cycle`: settings, phases, Launch (HR, draft), the launch progress (`reviews:cycle_progress`, an htmx
  fragment polled every second while launching), the launch report, and reviews per department × state for
  the reviews the viewer may see, aggregated in the database (a fixed number of queries).
- `reviews:cycle_launch`, `reviews:cycle_close`: POST, HR admins.

A cycle that does not exist is 404; a step the viewer may not take is 403."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, Refused, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedListView, scope_exempt
from fairmark.org.models import Company, Department
from fairmark.org.selectors import employees_visible_to

from ..forms.cycle_forms import CycleForm
from ..models import Cycle, CycleStatus, Phase, ReviewState
from ..permissions import manages_cycles
from ..selectors import cycles_visible_to, reviews_visible_to
from ..services.cycles import cycle_close, cycle_create, cycle_launch, cycle_update

EXCLUSION_REASONS = {
    "not_yet_hired": gettext_lazy("Hired after the period"),
    "left_before_cycle": gettext_lazy("Left before the period"),
    "leaver_excluded": gettext_lazy("Left during the period (leavers are left out)"),
    "on_probation": gettext_lazy("On probation (left to the probation review)"),
    "on_leave": gettext_lazy("On leave"),
    "tenure_below_minimum": gettext_lazy("Too few days employed in the period"),
}
REPORT_PEOPLE_SHOWN = 500


def may_manage(user: Any) -> bool:
    return manages_cycles(viewer_for(user))


def progress_of(cycle: Cycle) -> dict[str, Any]:
    total, done = cycle.launch_total, cycle.launch_done
    if total:
        percent = round(done * 100 / total)
    else:  # a launch that found nobody is complete all the same
        percent = 100 if cycle.status in (CycleStatus.ACTIVE, CycleStatus.CLOSED) else 0
    return {"done": done, "total": total, "percent": max(0, min(100, percent)),
            "polling": cycle.status == CycleStatus.LAUNCHING}


class CycleListView(ScopedListView):
    selector = cycles_visible_to
    template_name = "reviews/cycle_list.html"
    context_object_name = "cycles"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cycles = list(context["cycles"])
        counts = dict(reviews_visible_to(self.request.user).filter(cycle__in=[c.pk for c in cycles]).order_by()
                      .values("cycle_id").annotate(n=Count("pk")).values_list("cycle_id", "n"))
        context.update({
            "rows": [{"cycle": c, "reviews": counts.get(c.pk, 0), "progress": progress_of(c)} for c in cycles],
            "may_create": may_manage(self.request.user), "tab": "cycles",
        })
        return context


def department_counts(user: Any, cycle: Cycle) -> dict[str, Any]:
    """Reviews per department (rows) and state (columns) with totals, of the reviews the viewer may see."""
    grouped = (reviews_visible_to(user).filter(cycle=cycle).order_by()
               .values("department_id", "state").annotate(n=Count("pk")))
    cells: dict[int, dict[str, int]] = defaultdict(dict)
    for row in grouped:
        cells[row["department_id"]][row["state"]] = row["n"]
    present = {state for by_state in cells.values() for state in by_state}
    states = [(value, label) for value, label in ReviewState.choices if value in present]
    departments = Department.objects.filter(pk__in=list(cells)).order_by("path")
    rows = [(d, [cells[d.pk].get(s, 0) for s, _label in states]) for d in departments]
    totals = [sum(counts[i] for _d, counts in rows) for i in range(len(states))]
    return {"states": states, "totals": totals, "total": sum(totals),
            "rows": [{"department": d, "counts": counts, "total": sum(counts)} for d, counts in rows]}


def launch_report(user: Any, cycle: Cycle) -> dict[str, Any]:
    """Who the launch left out and why, and who found no template: the people in the viewer's scope only."""
    report = cycle.launch_report or {}
    excluded = [row for row in report.get("excluded", []) if isinstance(row, dict)]
    no_template = [pk for pk in report.get("no_template", []) if isinstance(pk, int)]
    wanted = {row["employee"] for row in excluded if isinstance(row.get("employee"), int)} | set(no_template)
    people = {p.pk: p for p in employees_visible_to(user).filter(pk__in=wanted).select_related(None)
              .only("pk", "number", "name")}
    shown_excluded = [{"person": people[row["employee"]], "code": row.get("code", ""),
                       "reason": EXCLUSION_REASONS.get(row.get("code", ""), row.get("code", ""))}
                      for row in excluded if row.get("employee") in people]
    shown_missing = [people[pk] for pk in no_template if pk in people]
    hidden = len(excluded) + len(no_template) - len(shown_excluded) - len(shown_missing)
    return {"excluded": shown_excluded[:REPORT_PEOPLE_SHOWN], "no_template": shown_missing[:REPORT_PEOPLE_SHOWN],
            "hidden": hidden, "created": report.get("created"), "any": bool(report)}


class CycleView(ScopedDetailView):
    selector = cycles_visible_to
    template_name = "reviews/cycle_detail.html"
    context_object_name = "cycle"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cycle: Cycle = self.object
        order = {value: index for index, value in enumerate(Phase.values)}
        launched = cycle.status in (CycleStatus.ACTIVE, CycleStatus.CLOSED)
        context.update({
            "phases": sorted(cycle.phases.all(), key=lambda p: order[p.phase]),
            "departments": list(cycle.departments.order_by("path")),
            "templates": list(cycle.templates.select_related("template")),
            "people_count": cycle.people.count(),
            "progress": progress_of(cycle),
            "report": launch_report(self.request.user, cycle) if cycle.status != CycleStatus.DRAFT else None,
            "counts": department_counts(self.request.user, cycle) if launched else None,
            "may_manage": may_manage(self.request.user), "tab": "cycles",
        })
        return context


class CycleProgressView(ScopedDetailView):
    """The progress fragment. Once the launch is over, an htmx poll gets HX-Refresh so the page reloads with
    the launch report and the counts."""

    selector = cycles_visible_to
    template_name = "reviews/cycle_progress.html"
    context_object_name = "cycle"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["progress"] = progress_of(self.object)
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if self.request.headers.get("HX-Request") and self.object.status != CycleStatus.LAUNCHING:
            response["HX-Refresh"] = "true"
        return response


def _company_for(user: Any) -> Company:
    employee_id = viewer_for(user).employee_id
    company = (Company.objects.filter(employees__pk=employee_id).first()
               if employee_id else None)
    company = company or Company.objects.filter(parent__isnull=True).order_by("pk").first()
    if company is None:
        raise Http404
    return company


def _form_page(request: HttpRequest, form: CycleForm, cycle: Cycle | None, status: int = 200) -> HttpResponse:
    return render(request, "reviews/cycle_form.html", {"form": form, "cycle": cycle, "tab": "cycles"},
                  status=status)


@scope_exempt("creates a cycle: shows no stored cycle, only the departments and templates HR may choose")
class CycleCreateView(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not may_manage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return _form_page(request, CycleForm(user=request.user, company=_company_for(request.user)), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        company = _company_for(request.user)
        form = CycleForm(request.POST, user=request.user, company=company)
        if form.is_valid():
            try:
                cycle = cycle_create(actor=request.user, company=company, data=form.service_data())
            except Refused as error:
                raise PermissionDenied(error.message) from error
            except ServiceError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The cycle is saved as a draft."))
                return redirect("reviews:cycle", pk=cycle.pk)
        return _form_page(request, form, None, status=400)


class CycleEditView(ScopedDetailView):
    selector = cycles_visible_to

    def _cycle(self) -> Cycle:
        cycle: Cycle = self.get_object()
        if not may_manage(self.request.user):
            raise PermissionDenied
        return cycle

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cycle = self._cycle()
        return _form_page(request, CycleForm(user=request.user, company=cycle.company, cycle=cycle), cycle)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cycle = self._cycle()
        form = CycleForm(request.POST, user=request.user, company=cycle.company, cycle=cycle)
        if form.is_valid():
            try:
                cycle_update(actor=request.user, cycle=cycle, data=form.service_data())
            except Refused as error:
                raise PermissionDenied(error.message) from error
            except ServiceError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The cycle is saved."))
                return redirect("reviews:cycle", pk=cycle.pk)
        return _form_page(request, form, cycle, status=400)


class _CycleStep(ScopedDetailView):
    """A button on the cycle page: POST, HR admins; a refusal comes back as a message on the page."""

    selector = cycles_visible_to
    http_method_names = ["post"]
    done_message: Any = ""

    def step(self, cycle: Cycle) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cycle: Cycle = self.get_object()
        if not may_manage(request.user):
            raise PermissionDenied
        try:
            self.step(cycle)
        except Refused as error:
            raise PermissionDenied(error.message) from error
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, str(self.done_message))
        return redirect("reviews:cycle", pk=cycle.pk)


class CycleLaunchView(_CycleStep):
    done_message = gettext_lazy("The cycle is launching: the reviews are being created.")

    def step(self, cycle: Cycle) -> None:
        cycle_launch(actor=self.request.user, cycle=cycle)


class CycleCloseView(_CycleStep):
    done_message = gettext_lazy("The cycle is closed.")

    def step(self, cycle: Cycle) -> None:
        cycle_close(actor=self.request.user, cycle=cycle)


urlpatterns: list[URLPattern] = [
    path("cycles/", CycleListView.as_view(), name="cycles"),
    path("cycles/new/", CycleCreateView.as_view(), name="cycle_new"),
    path("cycles/<int:pk>/", CycleView.as_view(), name="cycle"),
    path("cycles/<int:pk>/edit/", CycleEditView.as_view(), name="cycle_edit"),
    path("cycles/<int:pk>/launch/", CycleLaunchView.as_view(), name="cycle_launch"),
    path("cycles/<int:pk>/progress/", CycleProgressView.as_view(), name="cycle_progress"),
    path("cycles/<int:pk>/close/", CycleCloseView.as_view(), name="cycle_close"),
]
