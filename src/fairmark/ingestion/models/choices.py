"""The closed vocabularies of ingestion. The codes match the pure modules (`rows.validate`, `periods`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SubjectType(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    TEAM = "team", _("Team")
    DEPARTMENT = "department", _("Department")
    LINE = "line", _("Production line")
    MACHINE = "machine", _("Machine")
    PROJECT = "project", _("Project")


# The types that live in ingestion's own Subject table; employees and departments are the org's.
REGISTERED_SUBJECT_TYPES = (SubjectType.TEAM, SubjectType.LINE, SubjectType.MACHINE, SubjectType.PROJECT)


class ValueType(models.TextChoices):
    DECIMAL = "decimal", _("Decimal number")
    INTEGER = "integer", _("Whole number")
    BOOLEAN = "boolean", _("Yes / no")
    TEXT = "text", _("Text")


class Grain(models.TextChoices):
    DAY = "day", pgettext_lazy("grain", "Day")
    WEEK = "week", pgettext_lazy("grain", "Week")
    MONTH = "month", pgettext_lazy("grain", "Month")
    QUARTER = "quarter", pgettext_lazy("grain", "Quarter")
    HALF_YEAR = "half_year", pgettext_lazy("grain", "Half-year")
    YEAR = "year", pgettext_lazy("grain", "Year")
    INSTANT = "instant", pgettext_lazy("grain", "Timestamp")


class SourceKind(models.TextChoices):
    PUSH = "push", _("Push API")
    UPLOAD = "upload", _("Excel/CSV upload")
    SQL = "sql", _("SQL pull")
    REST = "rest", _("REST pull")


class Channel(models.TextChoices):
    """How a batch arrived; a source's batches can come through several (a push source also gets replays)."""

    API = "api", _("Push API")
    UPLOAD = "upload", _("Upload")
    PULL = "pull", _("Scheduled pull")
    REPLAY = "replay", _("Replay of corrected rows")
    RESOLUTION = "resolution", _("Conflict resolution")


class QuarantineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REPLAYED = "replayed", _("Replayed")
    DISMISSED = "dismissed", _("Dismissed")


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("To review")
    ACCEPTED = "accepted", _("New value accepted")
    REJECTED = "rejected", _("Stored value kept")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    MANUAL = "manual", _("Started by hand")
