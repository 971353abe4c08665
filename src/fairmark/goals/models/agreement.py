"""The goal agreement (目标协议): one per person and year, holding the person's goals through drafting or
assignment, submission, approval or return (驳回), and sign-off by both (目标签字). After sign-off the goals
change only through a GoalChange that the manager approves. Every step is also an AgreementStep, the history
the agreement page shows (the audit log holds the same steps with before/after)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from .choices import AgreementAction, AgreementStatus, ChangeKind, ChangeStatus


class Agreement(TimeStampedModel):
    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="goal_agreements",
                                 verbose_name=_("employee"))
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=16, choices=AgreementStatus.choices,
                              default=AgreementStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    employee_signed_at = models.DateTimeField(_("signed by the employee"), null=True, blank=True)
    manager_signed_at = models.DateTimeField(_("signed by the manager"), null=True, blank=True)
    manager_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    # The comment of the last return, shown to the employee until they submit again.
    return_comment = models.TextField(_("return comment"), blank=True, default="")
    # Bumped by every approved change after sign-off: "version 3 of the agreement".
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("goal agreement")
        verbose_name_plural = _("goal agreements")
        ordering = ["-year", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="agreement_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.year}"

    @property
    def locked(self) -> bool:
        """Goals of a submitted or signed agreement do not change in place."""
        return self.status in (AgreementStatus.SUBMITTED, AgreementStatus.SIGNED)


class AgreementStep(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=16, choices=AgreementAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    comment = models.TextField(_("comment"), blank=True, default="")
    status_after = models.CharField(max_length=16, choices=AgreementStatus.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


    def __str__(self) -> str:
        return f"{self.agreement_id} {self.action}"

class GoalChange(models.Model):
    """A change asked for after sign-off: applied only when the manager approves it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="changes")
    goal = models.ForeignKey("goals.Goal", null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("change"), max_length=8, choices=ChangeKind.choices)
    # The goal's fields as they would be: {"title": ..., "weight": "2", "target": "95"}; for an added goal,
    # everything goal_create takes.
    proposed = models.JSONField(_("proposed"), default=dict)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True, default="")

    class Meta:
        verbose_name = _("goal change")
        verbose_name_plural = _("goal changes")
        ordering = ["-requested_at", "-id"]


    def __str__(self) -> str:
        return f"{self.kind} {self.goal_id or ''}".strip()

class GoalSet(TimeStampedModel):
    """A named set of goals a manager assigns in one action to many people (30 goals to 70 operators)."""

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("goal set")
        verbose_name_plural = _("goal sets")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class GoalSetItem(models.Model):
    """One goal of a set, as each person will get it. `spec` holds what goal_create takes (kind, title,
    indicator version, threshold/target/stretch, key results, weight, parent, period)."""

    goal_set = models.ForeignKey(GoalSet, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    spec = models.JSONField()

    class Meta:
        ordering = ["position", "id"]


    def __str__(self) -> str:
        return f"{self.goal_set_id}#{self.position}"
