"""The closed vocabularies of goals: levels of the tree, kinds, the agreement's life cycle, blockers and alerts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class GoalLevel(models.TextChoices):
    COMPANY = "company", pgettext_lazy("goal level", "Company")
    DEPARTMENT = "department", pgettext_lazy("goal level", "Department")
    PERSON = "person", pgettext_lazy("goal level", "Person")


class GoalKind(models.TextChoices):
    KPI = "kpi", _("KPI goal")
    OKR = "okr", _("OKR")


class GoalState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("goal state", "Active")
    ARCHIVED = "archived", pgettext_lazy("goal state", "Archived")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("agreement", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("agreement", "Submitted")
    RETURNED = "returned", pgettext_lazy("agreement", "Returned")
    APPROVED = "approved", pgettext_lazy("agreement", "Approved")
    SIGNED = "signed", pgettext_lazy("agreement", "Signed off")


class AgreementAction(models.TextChoices):
    ASSIGN = "assign", _("Assigned")
    SUBMIT = "submit", _("Submitted")
    RETURN = "return", _("Returned")
    APPROVE = "approve", _("Approved")
    SIGN_EMPLOYEE = "sign_employee", _("Signed by the employee")
    SIGN_MANAGER = "sign_manager", _("Signed by the manager")
    CHANGE_REQUEST = "change_request", _("Change requested")
    CHANGE_APPROVE = "change_approve", _("Change approved")
    CHANGE_REJECT = "change_reject", _("Change rejected")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("change", "Pending")
    APPROVED = "approved", pgettext_lazy("change", "Approved")
    REJECTED = "rejected", pgettext_lazy("change", "Rejected")


class ChangeKind(models.TextChoices):
    EDIT = "edit", pgettext_lazy("change", "Edit a goal")
    ADD = "add", pgettext_lazy("change", "Add a goal")
    ARCHIVE = "archive", pgettext_lazy("change", "Archive a goal")


class BlockerStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("blocker", "Open")
    ANSWERED = "answered", pgettext_lazy("blocker", "Answered")
    CLOSED = "closed", pgettext_lazy("blocker", "Closed")


class AlertKind(models.TextChoices):
    THRESHOLD = "threshold", _("Indicator threshold")
    PACE = "pace", _("Behind pace")
    STALE = "stale", _("No recent data")


class AlertLevel(models.TextChoices):
    OK = "ok", pgettext_lazy("alert level", "OK")
    WARNING = "warning", pgettext_lazy("alert level", "Warning")
    CRITICAL = "critical", pgettext_lazy("alert level", "Critical")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert", "Acknowledged")
    RESOLVED = "resolved", pgettext_lazy("alert", "Resolved")


class AlertDirection(models.TextChoices):
    ABOVE = "above", _("Worse when above")
    BELOW = "below", _("Worse when below")
