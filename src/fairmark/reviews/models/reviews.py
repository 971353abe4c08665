"""A person's review in a cycle, its computed scores and its history.

The total is never typed in: `reviews/services/scoring.py` computes it from data and ratings with the pure
`reviews/computation.py` and stores the total, the item scores and the derivation (the explanation page reads
them back). `parts` holds the positions the person held in the period with their days and weights when they
transferred (pro rata); a review without a transfer has one part."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from .choices import ActorRole, ReviewAction, ReviewState
from .cycles import Cycle


class Review(TimeStampedModel):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reviews")
    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="reviews",
                                 verbose_name=_("employee"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    template_version = models.ForeignKey("indicators.TemplateVersion", on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("template"))
    template_overridden = models.BooleanField(_("template chosen by hand"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=ReviewState.choices)
    # Where a resubmission goes straight back to after a return (驳回), as workflow.Transition says.
    resume_at = models.CharField(max_length=16, blank=True, default="")
    manager = models.ForeignKey("org.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("reviewing manager"))
    n2 = models.ForeignKey("org.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name=_("N+2 manager"))
    # A manager's, N+2's or HR's task handed to someone else (委托): they act in that role until it moves on.
    delegate = models.ForeignKey("org.Employee", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("delegated to"))
    parts = models.JSONField(default=list, blank=True)
    total = models.DecimalField(_("total"), null=True, blank=True, max_digits=7, decimal_places=2)
    subtotal = models.DecimalField(null=True, blank=True, max_digits=7, decimal_places=2)
    forced_grade = models.CharField(max_length=8, blank=True, default="")
    derivation = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    self_summary = models.TextField(_("self-review summary"), blank=True, default="")
    manager_summary = models.TextField(_("manager's summary"), blank=True, default="")
    n2_summary = models.TextField(_("N+2 comment"), blank=True, default="")

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["cycle_id", "employee__number"]
        constraints = [models.UniqueConstraint(fields=["cycle", "employee"], name="review_one_per_cycle")]
        indexes = [models.Index(fields=["cycle", "state"]), models.Index(fields=["cycle", "department"])]

    def __str__(self) -> str:
        return f"{self.cycle_id}:{self.employee_id}"


class ItemScore(models.Model):
    """One item's result in one part of a review, as last computed: what the lists, calibration and the
    explanation page read without recomputing."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="item_scores")
    part = models.PositiveSmallIntegerField(default=0)
    section = models.CharField(max_length=64)
    item = models.CharField(max_length=96)
    kind = models.CharField(max_length=16)
    weight = models.DecimalField(max_digits=7, decimal_places=2)
    value = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    score = models.DecimalField(null=True, blank=True, max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["review_id", "part", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "part", "item"], name="item_score_unique")]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.part}:{self.item}"


class Adjustment(models.Model):
    """The manager's ± points (加减分) on an adjustment item of the template, with the required reason."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="adjustments")
    item = models.CharField(max_length=96)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"))
    author = models.ForeignKey("org.Employee", null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="adjustment_unique")]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.item}:{self.points}"


class ReviewStep(models.Model):
    """A transition of the review (also an audit event): the history the review page shows."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=16, choices=ReviewAction.choices)
    role = models.CharField(max_length=16, choices=ActorRole.choices)
    from_state = models.CharField(max_length=16, blank=True, default="")
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    reason = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.action}:{self.to_state}"


class ReminderSent(models.Model):
    """A reminder the worker sent (key = review:phase:rule), so that each is sent exactly once."""

    key = models.CharField(max_length=120, unique=True)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
