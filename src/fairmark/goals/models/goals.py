"""Goals (目标) and OKR key results. One table holds the whole tree: the company's objectives for a year, the
departments' goals cascaded from them, and every person's goals; `parent` is the goal a goal contributes to,
in its own department or in another one (a cross-department project is a goal whose children belong to
several departments). `weight` is the goal's weight among its siblings for the rollup and, for a person's
goals, in their set.

Progress is stored, not computed on read: data, check-ins and changes of the tree write it (services/
progress.py), so the team and map pages read one column and their query count stays flat."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from .choices import GoalKind, GoalLevel, GoalState


class Goal(TimeStampedModel):
    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=16, choices=GoalLevel.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=GoalKind.choices, default=GoalKind.OKR)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    # A department goal's department; a person goal's department when it was set (scoping uses the person's
    # current department through `employee`).
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("department"),
    )
    employee = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="goals",
        verbose_name=_("employee"),
    )
    agreement = models.ForeignKey(
        "goals.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="goals",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("aligned to"),
    )
    weight = models.DecimalField(
        _("weight"), max_digits=7, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)],
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    state = models.CharField(_("state"), max_length=16, choices=GoalState.choices, default=GoalState.ACTIVE)
    position = models.PositiveIntegerField(default=0)

    # KPI goals: the pinned indicator version and the goal's own threshold/target/stretch for the period.
    indicator_version = models.ForeignKey(
        "indicators.IndicatorVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("indicator"),
    )
    threshold = models.DecimalField(_("threshold"), null=True, blank=True, max_digits=28, decimal_places=10)
    target = models.DecimalField(_("target"), null=True, blank=True, max_digits=28, decimal_places=10)
    stretch = models.DecimalField(_("stretch"), null=True, blank=True, max_digits=28, decimal_places=10)

    # Written by services/progress.py. `progress` is a fraction (1 = 100 %): a KPI goal's achievement
    # (score / 100 on its threshold/target/stretch line), an OKR's score, or for a goal with children their
    # rollup by weight.
    value = models.DecimalField(_("current value"), null=True, blank=True, max_digits=28, decimal_places=10)
    value_on = models.DateField(_("latest data"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=9, decimal_places=2, null=True, blank=True)
    progress = models.DecimalField(_("progress"), max_digits=12, decimal_places=6, null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    goal_set = models.ForeignKey(
        "goals.GoalSet", null=True, blank=True, on_delete=models.SET_NULL, related_name="goals",
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["year", "level"], name="goal_year_level"),
            models.Index(fields=["employee", "year"], name="goal_employee_year"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="goal_not_own_parent"),
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="goal_period_order"),
            models.CheckConstraint(
                condition=~Q(level="person") | Q(employee__isnull=False), name="goal_person_has_employee",
            ),
            models.CheckConstraint(
                condition=~Q(level="department") | Q(department__isnull=False), name="goal_department_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(kind="kpi") | Q(indicator_version__isnull=False), name="goal_kpi_has_indicator",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_kpi(self) -> bool:
        return self.kind == GoalKind.KPI

    @property
    def progress_percent(self) -> Decimal | None:
        return None if self.progress is None else self.progress * 100


class KeyResult(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(_("title"), max_length=200)
    unit = models.CharField(_("unit"), max_length=32, blank=True, default="")
    start = models.DecimalField(_("start"), max_digits=28, decimal_places=10)
    target = models.DecimalField(_("target"), max_digits=28, decimal_places=10)
    current = models.DecimalField(_("current value"), null=True, blank=True, max_digits=28, decimal_places=10)
    # 0.0–1.0: how sure the owner is of reaching the target (the usual OKR confidence).
    confidence = models.DecimalField(
        _("confidence"), max_digits=3, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=2, default=Decimal(1))
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("key result")
        verbose_name_plural = _("key results")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title
