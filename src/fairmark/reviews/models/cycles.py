"""A review cycle (考核周期): its period, population, template rules, eligibility rules, 360 limits, phases with
deadlines and reminder rules, and the progress of its launch (launching creates every person's review in the
background, so the page reads `launch_done` of `launch_total`)."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from .choices import CycleKind, CycleStatus, LeaverRule, Phase, Population


class Cycle(TimeStampedModel):
    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("company"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=CycleKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.DRAFT)
    population = models.CharField(_("population"), max_length=16, choices=Population.choices,
                                  default=Population.COMPANY)
    departments = models.ManyToManyField("org.Department", blank=True, related_name="+",
                                         verbose_name=_("departments"))
    people = models.ManyToManyField("org.Employee", blank=True, related_name="+", verbose_name=_("people"))
    # Template versions tried in order; a person gets the first whose `applies_to` matches their position,
    # level and job family (indicators/applies.py). Empty: every published template, most specific first.
    templates = models.ManyToManyField("indicators.TemplateVersion", blank=True, related_name="+",
                                       verbose_name=_("templates"))
    default_template = models.ForeignKey("indicators.TemplateVersion", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("template for everyone else"))
    # Eligibility (reviews/proration.py EligibilityRules).
    min_tenure_days = models.PositiveIntegerField(_("minimum days employed in the period"), default=60)
    leavers = models.CharField(_("leavers"), max_length=16, choices=LeaverRule.choices, default=LeaverRule.EXCLUDE)
    include_probation = models.BooleanField(_("review people on probation"), default=False)
    # 360.
    raters_min = models.PositiveSmallIntegerField(_("minimum raters per group"), default=3)
    raters_max = models.PositiveSmallIntegerField(_("maximum raters per group"), default=8)
    anonymity_minimum = models.PositiveSmallIntegerField(_("ratings needed to show a group"), default=3)
    # Reminders (reviews/reminders.py ReminderRule as dicts); empty: the default ladder.
    reminder_rules = models.JSONField(_("reminder rules"), default=list, blank=True)
    send_at = models.TimeField(_("reminders sent at (company time)"), default=time(9, 0))
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    launch_total = models.PositiveIntegerField(default=0)
    launch_done = models.PositiveIntegerField(default=0)
    launch_error = models.TextField(blank=True, default="")
    # Who the launch left out and why: {"excluded": [{"employee": id, "code": ...}], "no_template": [ids]}.
    launch_report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="cycle_period_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def phase_list(self) -> list[str]:
        """The enabled phases in their fixed order (what reviews.workflow calls the cycle's phases)."""
        order = {value: index for index, value in enumerate(Phase.values)}
        return sorted((p.phase for p in self.phases.all()), key=order.__getitem__)


class CyclePhase(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="phases")
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    opens_on = models.DateField(_("opens"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))

    class Meta:
        verbose_name = _("cycle phase")
        verbose_name_plural = _("cycle phases")
        ordering = ["cycle_id", "deadline", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "phase"], name="cycle_phase_unique")]

    def __str__(self) -> str:
        return f"{self.cycle_id}:{self.phase}"
