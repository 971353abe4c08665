"""Alert pages under /goals/: the live alerts the viewer may see (level, goal, person, value, acknowledge), one
alert with its history, and the alert rules (list; create, edit and delete for those who may).

Everyone signed in opens the lists: alerts are filtered to the viewer's goal scope, rules on indicators are
company configuration read by all. An alert or rule outside the viewer's scope is 404; one they see but may
not change (acknowledge, edit, delete) is 403. Rules on an indicator are written by HR admins and executives,
rules on one goal by whoever may write the goal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedListView, scope_exempt
from fairmark.indicators.models import Indicator
from fairmark.ingestion.numbers import tidy_text
from fairmark.org.forms import add_service_errors

from ..forms.alerts import AlertRuleCreateForm, AlertRuleEditForm
from ..models import Alert, AlertEvent, AlertKind, AlertLevel, AlertRule, AlertStatus, Goal, GoalLevel
from ..permissions import writes_goal
from ..selectors import alert_rules_visible_to, alerts_visible_to, goals_visible_to, live_goals_visible_to
from ..services.alert_rules import (
    alert_rule_create,
    alert_rule_delete,
    alert_rule_update,
    writes_indicator_rules,
    writes_rule,
)
from ..services.alerts import acknowledges, alert_acknowledge, goal_link

MAX_GOAL_CHOICES = 300
STATUS_FILTERS = ("live", "open", "acknowledged", "resolved", "all")


def number(value: Decimal | None) -> str:
    return tidy_text(value) or "—"


def value_text(alert: Alert) -> str:
    """What the alert's value is, as a reader says it: the indicator's value with its unit, progress in
    percent, or days without data."""
    if alert.value is None:
        return "—"
    if alert.rule.kind == AlertKind.PACE:
        return f"{number((alert.value * 100).quantize(Decimal('0.1')))} %"
    if alert.rule.kind == AlertKind.STALE:
        return _("%(days)s days without data") % {"days": number(alert.value)}
    version = alert.goal.indicator_version
    unit = version.unit if version is not None else ""
    return f"{number(alert.value)} {unit}".strip()


def bounds_text(rule: AlertRule) -> str:
    critical = number(rule.critical) if rule.critical is not None else None
    if rule.kind == AlertKind.THRESHOLD:
        sign = ">" if rule.direction == "above" else "<"
        text = _("warning %(sign)s %(value)s") % {"sign": sign, "value": number(rule.warning)}
        if critical:
            text += " · " + _("critical %(sign)s %(value)s") % {"sign": sign, "value": critical}
        return text
    if rule.kind == AlertKind.PACE:
        text = _("warning when %(value)s %% behind") % {"value": number(rule.warning * 100)}
        if rule.critical is not None:
            text += " · " + _("critical when %(value)s %% behind") % {"value": number(rule.critical * 100)}
        return text
    text = _("warning after %(value)s days") % {"value": number(rule.warning)}
    if critical:
        text += " · " + _("critical after %(value)s days") % {"value": critical}
    return text


def owner_text(goal: Goal) -> str:
    if goal.level == GoalLevel.PERSON and goal.employee is not None:
        return f"{goal.employee.name} ({goal.employee.number})"
    if goal.level == GoalLevel.DEPARTMENT and goal.department is not None:
        return goal.department.display_name
    return str(GoalLevel(goal.level).label)


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return default


# --- alerts -------------------------------------------------------------------------------------------------------


class AlertListView(ScopedListView):
    """Live alerts by default (open and acknowledged); the filters show resolved ones or a level. The viewer's
    permissions are computed once; each row costs no query (the rows' goals, people and rules come joined)."""

    selector = alerts_visible_to
    template_name = "goals/alert_list.html"
    context_object_name = "alerts"

    def get_queryset(self) -> QuerySet[Alert]:
        params = self.request.GET
        alerts = super().get_queryset().select_related("goal__employee__department", "goal__indicator_version",
                                                       "acknowledged_by")
        wanted = params.get("status", "live")
        if wanted == "live" or wanted not in STATUS_FILTERS:
            alerts = alerts.exclude(status=AlertStatus.RESOLVED)
        elif wanted != "all":
            alerts = alerts.filter(status=wanted)
        if params.get("level") in (AlertLevel.WARNING, AlertLevel.CRITICAL):
            alerts = alerts.filter(level=params["level"])
        if employee := params.get("employee", "").strip():
            alerts = alerts.filter(goal__employee__number=employee)
        return alerts.order_by("-changed_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        viewer = viewer_for(self.request.user)
        context.update({
            "rows": [{"alert": alert, "value": value_text(alert), "owner": owner_text(alert.goal),
                      "link": goal_link(alert.goal),
                      "can_acknowledge": alert.status == AlertStatus.OPEN and acknowledges(viewer, alert.goal)}
                     for alert in context["alerts"]],
            "status_choices": [("live", _("Open and acknowledged")), ("open", _("Open")),
                               ("acknowledged", _("Acknowledged")), ("resolved", _("Resolved")), ("all", _("All"))],
            "level_choices": [("", _("Any level")), (AlertLevel.WARNING, AlertLevel.WARNING.label),
                              (AlertLevel.CRITICAL, AlertLevel.CRITICAL.label)],
            "current_status": self.request.GET.get("status", "live"),
        })
        return context


class AlertDetailView(ScopedDetailView):
    selector = alerts_visible_to
    template_name = "goals/alert_detail.html"
    context_object_name = "alert"

    def get_queryset(self) -> QuerySet[Alert]:
        return (super().get_queryset()
                .select_related("goal__employee__department", "goal__indicator_version", "acknowledged_by",
                                "rule__indicator")
                .prefetch_related(Prefetch("events", queryset=AlertEvent.objects.order_by("at", "id"))))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        alert: Alert = self.object
        viewer = viewer_for(self.request.user)
        context.update({
            "value": value_text(alert), "owner": owner_text(alert.goal), "link": goal_link(alert.goal),
            "bounds": bounds_text(alert.rule), "events": list(alert.events.all()),
            "can_acknowledge": alert.status == AlertStatus.OPEN and acknowledges(viewer, alert.goal),
        })
        return context


class AlertAcknowledgeView(ScopedDetailView):
    """POST: acknowledge an open alert (404 outside the viewer's scope, 403 for one they see but may not)."""

    selector = alerts_visible_to
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        alert: Alert = self.get_object()
        try:
            alert_acknowledge(actor=request.user, alert=alert)
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Alert acknowledged: it stays open and silent until its level changes."))
        return redirect(_back(request, reverse("goals:alerts")))


# --- rules --------------------------------------------------------------------------------------------------------


def _rules(user: Any) -> QuerySet[AlertRule]:
    return alert_rules_visible_to(user).select_related(
        "goal__employee__department", "goal__department", "indicator__published", "created_by")


class AlertRuleListView(ScopedListView):
    selector = alert_rules_visible_to
    template_name = "goals/alert_rule_list.html"
    context_object_name = "rules"

    def get_queryset(self) -> QuerySet[AlertRule]:
        rules = _rules(self.request.user)
        kind = self.request.GET.get("kind", "")
        if kind in AlertKind.values:
            rules = rules.filter(kind=kind)
        return rules.order_by("name", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        viewer = viewer_for(self.request.user)
        context.update({
            "rows": [{"rule": rule, "bounds": bounds_text(rule), "subject": _subject_text(rule),
                      "link": goal_link(rule.goal) if rule.goal is not None else "",
                      "can_edit": writes_rule(viewer, rule)}
                     for rule in context["rules"]],
            "kind_choices": [("", _("Any kind")), *AlertKind.choices],
        })
        return context


def _subject_text(rule: AlertRule) -> str:
    if rule.goal is not None:
        return rule.goal.title
    indicator = rule.indicator
    if indicator is None:
        return "—"
    name = indicator.published.display_name if indicator.published is not None else ""
    return f"{indicator.code} · {name}" if name else indicator.code


def indicator_choices() -> list[tuple[str, str]]:
    return [(i.code, f"{i.code} · {i.published.display_name}" if i.published else i.code)
            for i in Indicator.objects.filter(retired=False, published__isnull=False).select_related("published")
            .order_by("code")]


def writable_goals(user: Any) -> list[tuple[str, str]]:
    """Live goals of this year and later the viewer may write (their own, their team's, their departments'),
    bounded: a rule on any other goal starts from that goal's page (?goal=<id>)."""
    viewer = viewer_for(user)
    year = timezone.localdate().year
    goals = (live_goals_visible_to(user).prefetch_related(None).filter(year__gte=year - 1)
             .order_by("-year", "level", "employee__number", "position", "id"))[:2000]
    labels = dict(GoalLevel.choices)
    out: list[tuple[str, str]] = []
    for goal in goals:
        if writes_goal(viewer, goal):
            who = f" · {goal.employee.name}" if goal.employee is not None else ""
            out.append((str(goal.pk), f"{goal.year} · {labels[goal.level]}{who} · {goal.title}"))
            if len(out) >= MAX_GOAL_CHOICES:
                break
    return out


@scope_exempt("creates a rule; the goal comes from goals_visible_to and the service checks who may write")
class AlertRuleCreateView(LoginRequiredMixin, View):
    template_name = "goals/alert_rule_form.html"

    def _setup(self, request: HttpRequest) -> tuple[list[tuple[str, str]], list[tuple[str, str]], Goal | None]:
        viewer = viewer_for(request.user)
        chosen: Goal | None = None
        wanted = request.GET.get("goal", "")
        if wanted:
            chosen = goals_visible_to(request.user).filter(pk=int(wanted) if wanted.isdigit() else 0).first()
            if chosen is None:
                raise Http404
            if not writes_goal(viewer, chosen):
                raise PermissionDenied
        goals = writable_goals(request.user)
        if chosen is not None and str(chosen.pk) not in {pk for pk, _label in goals}:
            goals.insert(0, (str(chosen.pk), chosen.title))
        indicators = indicator_choices() if writes_indicator_rules(viewer) or request.method == "POST" else []
        if not goals and not writes_indicator_rules(viewer):
            raise PermissionDenied  # nothing this viewer may put a rule on
        return indicators, goals, chosen

    def _render(self, request: HttpRequest, form: AlertRuleCreateForm, status: int = 200) -> HttpResponse:
        return render(request, self.template_name, {
            "form": form, "creating": True, "indicator_rules": writes_indicator_rules(viewer_for(request.user))},
            status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        indicators, goals, chosen = self._setup(request)
        initial: dict[str, Any] = {"active": True, "kind": request.GET.get("kind", AlertKind.THRESHOLD)}
        if chosen is not None:
            initial["goal"] = str(chosen.pk)
        elif request.GET.get("indicator"):
            initial["indicator"] = request.GET["indicator"]
        return self._render(request, AlertRuleCreateForm(initial=initial, indicators=indicators, goals=goals))

    def post(self, request: HttpRequest) -> HttpResponse:
        indicators, goals, _chosen = self._setup(request)
        form = AlertRuleCreateForm(request.POST, indicators=indicators, goals=goals)
        if form.is_valid():
            data = form.cleaned_data
            indicator = Indicator.objects.filter(code=data["indicator"]).first() if data["indicator"] else None
            goal = goals_visible_to(request.user).filter(pk=int(data["goal"])).first() if data["goal"] else None
            try:
                rule = alert_rule_create(actor=request.user, name=data["name"], kind=data["kind"],
                                         indicator=indicator, goal=goal, direction=data["direction"] or None,
                                         warning=data["warning"], critical=data["critical"], active=data["active"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Alert rule “%(name)s” created.") % {"name": rule.name})
                return redirect("goals:alert_rules")
        return self._render(request, form, status=400)


class AlertRuleEditView(ScopedDetailView):
    """The rule from alert_rules_visible_to (404 outside it), then 403 unless the viewer may change it."""

    selector = alert_rules_visible_to
    template_name = "goals/alert_rule_form.html"
    context_object_name = "rule"

    def get_queryset(self) -> QuerySet[AlertRule]:
        return _rules(self.request.user)

    def editable(self) -> AlertRule:
        rule: AlertRule = self.get_object()
        if not writes_rule(viewer_for(self.request.user), rule):
            raise PermissionDenied
        self.object = rule
        return rule

    def _render(self, form: AlertRuleEditForm, rule: AlertRule, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {
            "form": form, "rule": rule, "subject": _subject_text(rule), "threshold": rule.kind == AlertKind.THRESHOLD}, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rule = self.editable()
        return self._render(AlertRuleEditForm(rule=rule), rule)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rule = self.editable()
        form = AlertRuleEditForm(request.POST, rule=rule)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, _("Nothing changed."))
                return redirect("goals:alert_rules")
            try:
                alert_rule_update(actor=request.user, rule=rule, changes=changes)
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Alert rule “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
                return redirect("goals:alert_rules")
        return self._render(form, rule, status=400)


class AlertRuleDeleteView(ScopedDetailView):
    selector = alert_rules_visible_to
    http_method_names = ["post"]

    def get_queryset(self) -> QuerySet[AlertRule]:
        return _rules(self.request.user)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rule: AlertRule = self.get_object()
        name = rule.name
        try:
            alert_rule_delete(actor=request.user, rule=rule)
        except OutOfScope as error:
            raise Http404 from error
        messages.success(request, _("Alert rule “%(name)s” deleted with its alerts.") % {"name": name})
        return redirect("goals:alert_rules")


urlpatterns: list[URLPattern] = [
    path("alerts/", AlertListView.as_view(), name="alerts"),
    path("alerts/<int:pk>/", AlertDetailView.as_view(), name="alert"),
    path("alerts/<int:pk>/acknowledge/", AlertAcknowledgeView.as_view(), name="alert_acknowledge"),
    path("alert-rules/", AlertRuleListView.as_view(), name="alert_rules"),
    path("alert-rules/new/", AlertRuleCreateView.as_view(), name="alert_rule_create"),
    path("alert-rules/<int:pk>/", AlertRuleEditView.as_view(), name="alert_rule_edit"),
    path("alert-rules/<int:pk>/delete/", AlertRuleDeleteView.as_view(), name="alert_rule_delete"),
]
