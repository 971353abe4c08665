"""Forms of the alert pages: an alert rule to create (on an indicator or on one goal) and to edit. They check
the input's shape; the service decides who may write the rule and whether its bounds make sense."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fairmark.org.forms import BootstrapForm

from ..models import AlertDirection, AlertKind, AlertRule


def _bounds_help() -> Any:
    return _("Threshold: a value of the indicator (defect rate above 5 warns). Behind pace: a fraction of the way, "
             "0.2 is 20 % behind the progress expected for the date. No recent data: whole days.")


class AlertRuleEditForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    direction = forms.ChoiceField(label=_("Worse when"), required=False,
                                  choices=[("", _("As the indicator says")), *AlertDirection.choices],
                                  help_text=_("Thresholds only: whether values above or below the bounds are bad."))
    warning = forms.DecimalField(label=_("Warning at"), help_text=_bounds_help(), max_digits=28, decimal_places=10,
                                 widget=forms.NumberInput(attrs={"step": "any"}))
    critical = forms.DecimalField(label=_("Critical at"), required=False,
                                  help_text=_("Optional; beyond the warning in the same direction."), max_digits=28,
                                  decimal_places=10, widget=forms.NumberInput(attrs={"step": "any"}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                help_text=_("A rule turned off resolves its open alerts without notifying anyone."))

    def __init__(self, *args: Any, rule: AlertRule | None = None, **kwargs: Any) -> None:
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": rule.name, "direction": rule.direction, "warning": rule.warning.normalize(),
                                 "critical": None if rule.critical is None else rule.critical.normalize(),
                                 "active": rule.active}
        super().__init__(*args, **kwargs)
        self.rule = rule

    def changes(self) -> dict[str, Any]:
        """The fields that differ from the rule (all of them when there is no rule yet)."""
        data = self.cleaned_data
        wanted = {"name": data["name"], "warning": data["warning"], "critical": data["critical"],
                  "active": data["active"]}
        if data.get("direction"):
            wanted["direction"] = data["direction"]
        if self.rule is None:
            return wanted
        return {name: value for name, value in wanted.items() if getattr(self.rule, name) != value}


class AlertRuleCreateForm(AlertRuleEditForm):
    """Create: what the rule watches, and its subject (an indicator, for HR admins and executives, or one goal
    the viewer may write; `?goal=<id>` chooses the goal)."""

    kind = forms.ChoiceField(label=_("Watches"), choices=AlertKind.choices)
    indicator = forms.ChoiceField(label=_("Indicator"), required=False,
                                  help_text=_("The rule applies to every KPI goal measured by this indicator."))
    goal = forms.ChoiceField(label=_("Goal"), required=False, help_text=_("Or one goal only."))

    field_order = ["name", "kind", "indicator", "goal", "direction", "warning", "critical", "active"]

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], goals: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—"), *indicators]  # type: ignore[attr-defined]
        self.fields["goal"].choices = [("", "—"), *goals]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("indicator")) == bool(data.get("goal")):
            self.add_error("goal", _("Choose an indicator or one goal."))
        return data
