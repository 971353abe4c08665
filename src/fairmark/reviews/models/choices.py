"""The choices of review cycles and reviews. The workflow's states, phases and actions are those of the pure
`reviews.workflow` table; the choices here give them their translated labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CycleKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF_YEAR = "half_year", _("Half-year")
    YEAR = "year", _("Annual")
    PROBATION = "probation", _("Probation (转正)")
    PROJECT = "project", _("Project")


class CycleStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("cycle", "Draft")
    LAUNCHING = "launching", _("Launching")
    ACTIVE = "active", pgettext_lazy("cycle", "Running")
    CLOSED = "closed", pgettext_lazy("cycle", "Closed")


class Population(models.TextChoices):
    COMPANY = "company", _("The whole company")
    DEPARTMENTS = "departments", _("Chosen departments (pilot)")
    LIST = "list", _("A list of people")


class LeaverRule(models.TextChoices):
    EXCLUDE = "exclude", _("Leave out people who left during the cycle")
    PRO_RATA = "pro_rata", _("Review people who left during the cycle on their days")


class Phase(models.TextChoices):
    GOAL_SETTING = "goal_setting", _("Goal setting")
    IN_PROGRESS = "in_progress", _("In progress (mid-period check)")
    SELF_REVIEW = "self_review", _("Self-review")
    RATING_360 = "rating_360", _("360 ratings")
    MANAGER_REVIEW = "manager_review", _("Manager review")
    N2_REVIEW = "n2_review", _("N+2 review")
    CALIBRATION = "calibration", _("Calibration")
    PUBLISHED = "published", _("Published (acknowledge or appeal)")
    INTERVIEW = "interview", _("Interview")


class ReviewState(models.TextChoices):
    GOAL_SETTING = "goal_setting", _("Goal setting")
    IN_PROGRESS = "in_progress", _("In progress")
    SELF_REVIEW = "self_review", _("Self-review")
    RATING_360 = "rating_360", _("360 ratings")
    MANAGER_REVIEW = "manager_review", _("Manager review")
    N2_REVIEW = "n2_review", _("N+2 review")
    CALIBRATION = "calibration", _("Calibration")
    PUBLISHED = "published", pgettext_lazy("review", "Published")
    APPEALED = "appealed", _("Appealed")
    INTERVIEW = "interview", _("Interview")
    CLOSED = "closed", pgettext_lazy("review", "Closed")
    VOIDED = "voided", _("Voided (作废)")


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    RETURN = "return", _("Return (驳回)")
    VOID = "void", _("Void (作废)")
    REOPEN = "reopen", _("Reopen")
    DELEGATE = "delegate", pgettext_lazy("review action", "Delegate")
    DECLINE = "decline", _("Decline")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge (确认)")
    APPEAL = "appeal", _("Appeal (申诉)")
    DECIDE_APPEAL = "decide_appeal", _("Decide the appeal")
    CLOSE = "close", _("Close")
    SKIP_PHASE = "skip_phase", _("Skip the phase")
    LAUNCH = "launch", _("Launched")


class ActorRole(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    RATER = "rater", _("Rater")
    MANAGER = "manager", pgettext_lazy("role", "Manager")
    N2 = "n2", _("N+2 manager")
    HR = "hr", _("HR")
    EXECUTIVE = "executive", _("Executive")
    SYSTEM = "system", _("System")


class RaterGroup(models.TextChoices):
    SELF = "self", _("Self")
    MANAGER = "manager", pgettext_lazy("rater group", "Manager")
    PEER = "peer", _("Peers")
    SUBORDINATE = "subordinate", _("Subordinates")
    N_PLUS_2 = "n_plus_2", _("N+2")
    OTHERS = "others", _("Others")


ANONYMOUS_GROUPS = (RaterGroup.PEER, RaterGroup.SUBORDINATE, RaterGroup.N_PLUS_2, RaterGroup.OTHERS)


class RaterStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    DECLINED = "declined", _("Declined")
    SUBMITTED = "submitted", _("Rated")
