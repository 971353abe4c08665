"""The closed vocabularies of indicators and templates. The values are the ones of the shipped library
(indicators/library) and of the pure modules, so a row and a library entry compare as they are."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    QUANTITY = "quantity", _("Quantity")
    QUALITY = "quality", _("Quality")
    COST = "cost", _("Cost")
    TIMELINESS = "timeliness", _("Timeliness")
    SERVICE = "service", _("Service")
    BEHAVIOUR = "behaviour", _("Behaviour")
    INNOVATION = "innovation", _("Innovation")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVG = "avg", _("Average")
    LAST = "last", _("Last value")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")
    COUNT = "count", _("Count")
    RATIO_OF_SUMS = "ratio_of_sums", _("Ratio of sums")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class Period(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF_YEAR = "half_year", _("Half-yearly")
    YEAR = "year", _("Yearly")


class MissingRule(models.TextChoices):
    REWEIGHT = "reweight", _("Re-weight over the parts present")
    ZERO = "zero", _("Count a missing part as zero")


class ItemKind(models.TextChoices):
    INDICATOR = "indicator", _("Indicator (from data)")
    RATED = "rated", _("Rated item (anchored scale)")
    OKR = "okr", _("OKR slot")
    ADJUSTMENT = "adjustment", _("± adjustment")
    VETO = "veto", _("Veto")


class RaterGroup(models.TextChoices):
    SELF = "self", pgettext_lazy("rater group", "Self")
    MANAGER = "manager", pgettext_lazy("rater group", "Manager")
    PEER = "peer", pgettext_lazy("rater group", "Peers")
    SUBORDINATE = "subordinate", pgettext_lazy("rater group", "Subordinates")
    N_PLUS_2 = "n_plus_2", pgettext_lazy("rater group", "N+2")
