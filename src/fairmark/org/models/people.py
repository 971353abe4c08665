"""Employees, their assignment history and acting managers / delegates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel


class EmployeeStatus(models.TextChoices):
    PROBATION = "probation", _("On probation")
    ACTIVE = "active", _("Active")
    LEAVE = "leave", _("On leave")
    LEFT = "left", _("Left")


class Employee(TimeStampedModel):
    """An employee. department, position and manager are the *current* values; the history over time
    is in Assignment, which org services keep in step with these fields."""

    number = models.CharField(_("employee number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee"
    )
    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="employees", verbose_name=_("company"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="employees", verbose_name=_("department")
    )
    position = models.ForeignKey(
        "org.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="employees", verbose_name=_("position")
    )
    level = models.ForeignKey(
        "org.Level", null=True, blank=True, on_delete=models.PROTECT, related_name="employees", verbose_name=_("level")
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", verbose_name=_("manager")
    )
    hire_date = models.DateField(_("hire date"))
    probation_end = models.DateField(_("probation end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True, default="")
    cost_centre = models.CharField(_("cost centre"), max_length=32, blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=~Q(manager=models.F("id")), name="employee_not_own_manager"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class Assignment(models.Model):
    """Where an employee sat and to whom they reported, from `valid_from` to `valid_to` (inclusive;
    open when null). A transfer closes the current row and opens a new one, so a review can score
    a person pro rata by days in each position."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey("org.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["employee_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee"], condition=Q(valid_to__isnull=True), name="one_open_assignment_per_employee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.department_id} from {self.valid_from}"


class DelegationKind(models.TextChoices):
    ACTING = "acting", _("Acting manager")
    DELEGATE = "delegate", _("Delegate")


class Delegation(TimeStampedModel):
    """Someone standing in for a manager for a period. An acting manager takes over the principal's
    team (sees and reviews it); a delegate handles the principal's approvals."""

    principal = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="delegations_given", verbose_name=_("stood in for"))
    delegate = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="delegations_held", verbose_name=_("stand-in"))
    kind = models.CharField(_("kind"), max_length=16, choices=DelegationKind.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(condition=~Q(principal=models.F("delegate")), name="delegation_not_to_self"),
        ]
