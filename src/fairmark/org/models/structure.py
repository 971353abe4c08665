"""Companies, the department tree, job families, levels and positions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel


class BilingualName:
    """Shows `name_en` in the English interface when it is filled, `name` otherwise."""

    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Company(BilingualName, TimeStampedModel):
    """A legal entity or branch. A branch names its parent company."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True, default="")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="branches")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name


class Department(BilingualName, TimeStampedModel):
    """A node of the department tree. `path` is the materialised chain of ids ("/1/4/9/") so that a
    subtree is one indexed prefix query; services keep it right when a department moves."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="departments")
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True, default="")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    head = models.ForeignKey(
        "org.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
        verbose_name=_("head"),
    )
    cost_centre = models.CharField(_("cost centre"), max_length=32, blank=True, default="")
    path = models.CharField(max_length=255, db_index=True, editable=False, default="/")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.display_name


class JobFamily(BilingualName, TimeStampedModel):
    """序列: production, technical, management, sales, support..."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("job family")
        verbose_name_plural = _("job families")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name


class Level(TimeStampedModel):
    """职级, e.g. P1–P8 or M1–M5; `rank` orders levels across families."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.code


class Position(BilingualName, TimeStampedModel):
    """岗位: a role in the organisation that review templates are assigned by."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, default="")
    job_family = models.ForeignKey(
        JobFamily, null=True, blank=True, on_delete=models.PROTECT, related_name="positions", verbose_name=_("job family")
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name
