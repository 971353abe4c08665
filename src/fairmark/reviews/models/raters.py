"""360 raters and every rating given in a review (self, manager, N+2 and the 360 groups).

A rating belongs to its rater; it counts once its form is submitted (`submitted`), until then it is a draft the
form autosaves. What the ratee and their manager read of the 360 groups is an anonymous aggregate
(`reviews/anonymity.py`); rater rows and per-rating scores are read by HR and the rater alone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import RaterGroup, RaterStatus
from .reviews import Review


class Rater(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="raters")
    rater = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="rater_tasks",
                              verbose_name=_("rater"))
    group = models.CharField(_("group"), max_length=16, choices=RaterGroup.choices)
    status = models.CharField(_("status"), max_length=16, choices=RaterStatus.choices,
                              default=RaterStatus.NOMINATED)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.TextField(_("reason"), blank=True, default="")
    comment = models.TextField(_("overall comment"), blank=True, default="")
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rater")
        verbose_name_plural = _("raters")
        ordering = ["review_id", "group", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "rater"], name="rater_once_per_review")]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.rater_id}:{self.group}"


class Rating(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=16, choices=RaterGroup.choices)
    item = models.CharField(max_length=96)
    rating = models.DecimalField(_("rating"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, default="")
    submitted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review_id", "item", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "rater", "group", "item"],
                                               name="rating_unique")]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.group}:{self.item}"
