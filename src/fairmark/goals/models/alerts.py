"""Alert rules and alerts on goals (DESIGN.md C4). A rule is on an indicator (every KPI goal bound to any
version of it: "defect rate above 5 % warns, above 8 % is critical"), or on one goal; it watches the
indicator's value per data period (threshold), progress against the expected value for the date (pace), or
days without data (stale). An alert is one rule on one goal: it opens, moves between warning and critical,
may be acknowledged, and resolves when the value is back in range; each change is an AlertEvent and one
notification to the employee and the manager (goals/alerts.py is the pure life cycle)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from .choices import AlertDirection, AlertKind, AlertLevel, AlertStatus


class AlertRule(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=AlertKind.choices)
    indicator = models.ForeignKey("indicators.Indicator", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+", verbose_name=_("indicator"))
    goal = models.ForeignKey("goals.Goal", null=True, blank=True, on_delete=models.CASCADE, related_name="rules",
                             verbose_name=_("goal"))
    direction = models.CharField(_("direction"), max_length=8, choices=AlertDirection.choices,
                                 default=AlertDirection.ABOVE)
    # threshold: bounds on the indicator's value; pace: how far behind (fraction of the way) warns/is critical;
    # stale: days without data.
    warning = models.DecimalField(_("warning at"), max_digits=28, decimal_places=10)
    critical = models.DecimalField(_("critical at"), null=True, blank=True, max_digits=28, decimal_places=10)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(indicator__isnull=False) | Q(goal__isnull=False), name="alert_rule_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    goal = models.ForeignKey("goals.Goal", on_delete=models.CASCADE, related_name="alerts")
    level = models.CharField(_("level"), max_length=10, choices=AlertLevel.choices)
    status = models.CharField(_("status"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    value = models.DecimalField(_("value"), null=True, blank=True, max_digits=28, decimal_places=10)
    # The data period the value is of (threshold rules read each new period once, in order).
    period = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "goal"], condition=~Q(status="resolved"),
                                    name="alert_one_live_per_rule_goal"),
        ]


    def __str__(self) -> str:
        return f"{self.rule_id}/{self.goal_id} {self.level}"

class AlertEvent(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)  # opened, raised, lowered, resolved, acknowledged
    level = models.CharField(max_length=10, choices=AlertLevel.choices)
    previous = models.CharField(max_length=10, choices=AlertLevel.choices)
    value = models.DecimalField(null=True, blank=True, max_digits=28, decimal_places=10)
    period = models.DateField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind}"

class AlertWatermark(models.Model):
    """The last data period a threshold rule has read for a goal, kept even while no alert is live, so that
    data sent again or a batch of older days raises nothing twice."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey("goals.Goal", on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    level = models.CharField(max_length=10, choices=AlertLevel.choices, default=AlertLevel.OK)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "goal"], name="alert_watermark_unique")]


    def __str__(self) -> str:
        return f"{self.rule_id}/{self.goal_id} {self.period}"
