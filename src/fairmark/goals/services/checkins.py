"""Check-ins (进展更新) and blockers. A check-in records progress on a live goal: an OKR's key-result values
(and the owner's confidence), a comment, evidence (files kept in the database, or links) and optionally a
blocker. The key results change in place, the goal's progress and its parents' rollup follow
(progress.recompute), and the check-in keeps the progress it led to. A KPI goal's value comes from its data,
so a check-in on it is a comment, evidence and blockers only.

A blocker becomes the to-do of the goal owner's manager (a department goal's: the department head), who is
notified; their response is recorded and the raiser notified; the raiser or a responder closes it.

Who checks in: whoever may write the goal (permissions.writes_goal: the person and whoever leads them for a
person goal, the department's goal writers for a department goal, executives and HR admins for a company
goal), whatever the agreement's status: a check-in is progress, not the agreement."""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import Viewer, user_or_none, viewer_for
from fairmark.core.errors import ServiceError, not_found
from fairmark.notifications.services import notify
from fairmark.org.models import Employee

from ..models import (
    EVIDENCE_MAX_BYTES,
    Blocker,
    BlockerStatus,
    CheckIn,
    Evidence,
    Goal,
    GoalKind,
    GoalLevel,
    GoalState,
    KeyResult,
)
from ..permissions import decides_for, writes_company_goals, writes_department_goals, writes_goal
from ..selectors import blockers_visible_to, goal_scope_q
from .common import decimal_or_none
from .progress import recompute
from .tree import lock

MAX_EVIDENCE = 5  # files and links together, per check-in
FORBIDDEN_EXTENSIONS = frozenset({".exe", ".bat", ".cmd", ".js", ".sh", ".ps1"})
MAX_COMMENT = 5000
MAX_BLOCKER = 2000
MAX_RESPONSE = 5000
MAX_NAME = 200
MAX_LINK = 200  # Evidence.link is a URLField of 200 characters
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}$")
_LINK_CHECK = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class EvidenceIn:
    """A piece of evidence as it arrives: a file (`name`, `content_type`, `data`) or a link (`link`, and a
    `name` to show, the address itself by default)."""

    name: str = ""
    content_type: str = ""
    data: bytes | None = None
    link: str = ""

    @property
    def is_file(self) -> bool:
        return self.data is not None


class _Errors:
    """Field errors gathered over the whole input, so a form shows every problem at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def check(self, condition: bool, field: str, message: str) -> None:
        if not condition:
            self.add(field, message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ServiceError(first, fields=self.fields)


def plain_number(value: Decimal) -> str:
    """70.0000000000 → "70", 1E+2 → "100": how a key-result value is kept in the check-in."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def download_headers(evidence: Evidence) -> dict[str, str]:
    """How a stored file is served (page and API alike): always an attachment under its own name, with the
    content type it was stored with, never sniffed by the browser, rendered, or kept in a shared cache."""
    return {
        "Content-Disposition": content_disposition_header(True, evidence.name or "evidence") or "attachment",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }


def may_check_in(viewer: Viewer, goal: Goal) -> bool:
    return writes_goal(viewer, goal)


def may_answer(viewer: Viewer, blocker: Blocker) -> bool:
    """The assignee, or whoever decides for the goal's owner (a person's managers, department head, HR BP, HR
    admin; a department goal's writers; a company goal's writers), never the one who raised it."""
    if viewer.user_id is not None and viewer.user_id == blocker.raised_by_id:
        return False
    if viewer.employee_id is not None and viewer.employee_id == blocker.assignee_id:
        return True
    goal = blocker.goal
    if goal.level == GoalLevel.PERSON:
        return decides_for(viewer, goal.employee)
    if goal.level == GoalLevel.DEPARTMENT:
        return writes_department_goals(viewer, goal.department.path)  # type: ignore[union-attr]
    return writes_company_goals(viewer)


def may_close(viewer: Viewer, blocker: Blocker) -> bool:
    return (viewer.user_id is not None and viewer.user_id == blocker.raised_by_id) or may_answer(viewer, blocker)


def _key_result_values(goal: Goal, key_results: Mapping[Any, Any], errors: _Errors) -> dict[int, Decimal]:
    if goal.kind == GoalKind.KPI:
        errors.check(not key_results, "key_results",
                     _("A KPI goal's value comes from its data: a check-in on it has no key-result values."))
        return {}
    own = {kr.pk for kr in goal.key_results.all()}
    values: dict[int, Decimal] = {}
    for key, raw in key_results.items():
        field = f"key_results.{key}"
        try:
            kr_id = int(key)
        except (TypeError, ValueError):
            errors.add(field, _("This is not a key result of this goal."))
            continue
        if kr_id not in own:
            errors.add(field, _("This is not a key result of this goal."))
            continue
        try:
            value = decimal_or_none(raw, field)
        except ServiceError as error:
            errors.add(field, error.message)
            continue
        if value is not None:
            values[kr_id] = value
    return values


def _confidence(value: Any, errors: _Errors) -> Decimal | None:
    try:
        confidence = decimal_or_none(value, "confidence")
    except ServiceError as error:
        errors.add("confidence", error.message)
        return None
    if confidence is None:
        return None
    if not Decimal(0) <= confidence <= Decimal(1):
        errors.add("confidence", _("Confidence is between 0 and 1."))
        return None
    return confidence.quantize(Decimal("0.01"))


def _file_name(name: str) -> str:
    """The file's own name, without any folder a browser or client sent with it."""
    base = posixpath.basename((name or "").replace("\\", "/")).strip().replace("\x00", "")
    return base[-MAX_NAME:] if len(base) > MAX_NAME else base


def _content_type(given: str, name: str) -> str:
    given = (given or "").split(";")[0].strip().lower()
    if _CONTENT_TYPE.match(given):
        return given
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _evidence(items: Sequence[EvidenceIn], errors: _Errors) -> list[Evidence]:
    errors.check(len(items) <= MAX_EVIDENCE, "evidence",
                 _("At most %(max)s pieces of evidence (files and links) per check-in.") % {"max": MAX_EVIDENCE})
    out: list[Evidence] = []
    for index, item in enumerate(items):
        field = f"evidence.{index}"
        if item.is_file:
            data = bytes(item.data or b"")
            name = _file_name(item.name)
            extension = posixpath.splitext(name)[1].lower()
            if not name:
                errors.add(field, _("The file has no name."))
            elif extension in FORBIDDEN_EXTENSIONS or name.lower().rstrip(". ").endswith(tuple(FORBIDDEN_EXTENSIONS)):
                errors.add(field, _("“%(name)s”: programs and scripts (%(extensions)s) cannot be attached.")
                           % {"name": name, "extensions": " ".join(sorted(FORBIDDEN_EXTENSIONS))})
            elif not data:
                errors.add(field, _("“%(name)s” is empty.") % {"name": name})
            elif len(data) > EVIDENCE_MAX_BYTES:
                errors.add(field, _("“%(name)s” is larger than %(max_mb)s MB.")
                           % {"name": name, "max_mb": EVIDENCE_MAX_BYTES // (1024 * 1024)})
            else:
                out.append(Evidence(name=name, content_type=_content_type(item.content_type, name), size=len(data),
                                    data=data))
        else:
            link = (item.link or "").strip()
            try:
                if not link or len(link) > MAX_LINK:
                    raise ValidationError("")
                _LINK_CHECK(link)
            except ValidationError:
                errors.add(field, _("Enter a web address starting with http:// or https:// (at most %(max)s "
                                    "characters).") % {"max": MAX_LINK})
                continue
            name = (item.name or "").strip()[:MAX_NAME] or link[:MAX_NAME]
            out.append(Evidence(name=name, link=link))
    return out


def _assignee(goal: Goal, raiser_employee_id: int | None) -> Employee | None:
    """The goal owner's manager (a department goal: the department's head; a company objective: the person who
    set it); should that be the raiser themself, the next one up, so that a blocker never lands on the desk of
    the person who raised it."""
    if goal.level == GoalLevel.PERSON:
        candidate = goal.employee.manager  # type: ignore[union-attr]
    elif goal.level == GoalLevel.DEPARTMENT:
        candidate = goal.department.head  # type: ignore[union-attr]
    else:
        candidate = Employee.objects.filter(user_id=goal.created_by_id).exclude(status="left").first() \
            if goal.created_by_id else None
    seen: set[int] = set()
    while candidate is not None and candidate.pk == raiser_employee_id and candidate.pk not in seen:
        seen.add(candidate.pk)
        candidate = candidate.manager
    return candidate


def todo_link() -> str:
    return reverse("goals:todo")


def _owner_label(goal: Goal) -> str:
    if goal.employee is not None:
        return goal.employee.name
    if goal.department is not None:
        return goal.department.name
    return _("the company")


def _notify_raised(blocker: Blocker, goal: Goal, actor: Any) -> None:
    assignee = blocker.assignee
    user = getattr(assignee, "user", None) if assignee is not None else None
    if user is None or user.pk == getattr(actor, "pk", None):
        return
    with translation.override(user.language or "zh-hans"):
        title = _("Blocker on “%(goal)s”") % {"goal": goal.title}
        body = _("%(owner)s: %(text)s") % {"owner": _owner_label(goal), "text": blocker.text}
    notify(recipients=[user], kind="goal.blocker", title=title, body=body, link=todo_link(),
           event_key=f"goal-blocker:{blocker.pk}:raised")


def _notify_answered(blocker: Blocker, actor: Any) -> None:
    user = blocker.raised_by
    if user is None or user.pk == getattr(actor, "pk", None):
        return
    with translation.override(user.language or "zh-hans"):
        title = _("Your blocker on “%(goal)s” was answered") % {"goal": blocker.goal.title}
        body = blocker.response
    notify(recipients=[user], kind="goal.blocker", title=title, body=body, link=todo_link(),
           event_key=f"goal-blocker:{blocker.pk}:answered")


def _key_result_state(krs: Sequence[KeyResult]) -> dict[str, Any]:
    return {str(kr.pk): {"current": kr.current, "confidence": kr.confidence} for kr in krs}


@transaction.atomic
def checkin_create(*, actor: Any, goal: Goal, comment: str = "", key_results: Mapping[Any, Any] | None = None,
                   confidence: Any = None, evidence: Sequence[EvidenceIn] = (), blocker: str = "") -> CheckIn:
    """Record progress on a goal; see the module's docstring. Field errors: `key_results.<id>`,
    `confidence`, `comment`, `evidence` / `evidence.<index>` (the index in `evidence`), `blocker`."""
    if not Goal.objects.filter(goal_scope_q(actor)).filter(pk=goal.pk).exists():
        raise not_found()
    goal = lock(goal)
    viewer = viewer_for(actor)
    if not may_check_in(viewer, goal):
        raise not_found()
    if goal.state != GoalState.ACTIVE:
        raise ServiceError(_("An archived goal takes no check-ins."), code="goal_archived")
    errors = _Errors()
    comment = (comment or "").strip()
    blocker_text = (blocker or "").strip()
    errors.check(len(comment) <= MAX_COMMENT, "comment", _("At most %(max)s characters.") % {"max": MAX_COMMENT})
    errors.check(len(blocker_text) <= MAX_BLOCKER, "blocker", _("At most %(max)s characters.") % {"max": MAX_BLOCKER})
    values = _key_result_values(goal, key_results or {}, errors)
    conf = _confidence(confidence, errors)
    items = _evidence(list(evidence), errors)
    errors.raise_if_any()
    if not (comment or values or items or blocker_text):
        message = _("Write a comment, update a key result, add evidence or name a blocker.")
        raise ServiceError(message, fields={"comment": [message]}, code="empty_checkin")

    krs = list(goal.key_results.order_by("position", "id")) if goal.kind == GoalKind.OKR else []
    before = {"progress": goal.progress, "key_results": _key_result_state(krs)}
    now = timezone.now()
    changed: list[KeyResult] = []
    for kr in krs:
        new_current = values.get(kr.pk, kr.current)
        new_confidence = conf if conf is not None else kr.confidence
        if (new_current, new_confidence) != (kr.current, kr.confidence):
            kr.current, kr.confidence, kr.updated_at = new_current, new_confidence, now
            changed.append(kr)
    if changed:
        KeyResult.objects.bulk_update(changed, ["current", "confidence", "updated_at"])
    recompute([goal.pk])
    progress_after = Goal.objects.values_list("progress", flat=True).get(pk=goal.pk)

    checkin = CheckIn.objects.create(
        goal=goal, author=user_or_none(actor), comment=comment, confidence=conf, progress_after=progress_after,
        key_results={str(kr_id): plain_number(value) for kr_id, value in values.items()},
    )
    for item in items:
        item.checkin = checkin
    Evidence.objects.bulk_create(items)
    record(actor=actor, action="goal.checkin", obj=checkin, before=before, after={
        "goal": goal.pk, "comment": comment, "key_results": checkin.key_results, "confidence": conf,
        "evidence": [{"name": e.name, "link": e.link, "size": e.size, "content_type": e.content_type} for e in items],
        "blocker": blocker_text, "progress": progress_after,
        "key_result_state": _key_result_state(krs),
    })
    if blocker_text:
        raised = Blocker.objects.create(goal=goal, checkin=checkin, text=blocker_text, raised_by=user_or_none(actor),
                                        assignee=_assignee(goal, viewer.employee_id))
        raised = Blocker.objects.select_related("assignee", "assignee__user").get(pk=raised.pk)
        record(actor=actor, action="goal.blocker.raise", obj=raised, after=_blocker_state(raised))
        _notify_raised(raised, goal, actor)
    return checkin


def _blocker_state(blocker: Blocker) -> dict[str, Any]:
    return {"goal": blocker.goal_id, "checkin": blocker.checkin_id, "text": blocker.text, "status": blocker.status,
            "assignee": blocker.assignee_id, "response": blocker.response, "responded_by": blocker.responded_by_id,
            "responded_at": blocker.responded_at, "closed_at": blocker.closed_at}


def _locked_blocker(actor: Any, blocker: Blocker) -> Blocker:
    """The blocker, locked, if the actor sees it (404 otherwise)."""
    if not blockers_visible_to(actor).filter(pk=blocker.pk).exists():
        raise not_found()
    return (Blocker.objects.select_for_update(of=("self",))
            .select_related("goal", "goal__employee", "goal__employee__department", "goal__department", "raised_by")
            .get(pk=blocker.pk))


@transaction.atomic
def blocker_respond(*, actor: Any, blocker: Blocker, response: str) -> Blocker:
    """The manager's answer: an open blocker becomes answered and its raiser is notified."""
    blocker = _locked_blocker(actor, blocker)
    if not may_answer(viewer_for(actor), blocker):
        raise not_found()
    response = (response or "").strip()
    if not response:
        raise ServiceError(_("Write your response."), fields={"response": [_("Write your response.")]})
    if len(response) > MAX_RESPONSE:
        message = _("At most %(max)s characters.") % {"max": MAX_RESPONSE}
        raise ServiceError(message, fields={"response": [message]})
    if blocker.status != BlockerStatus.OPEN:
        message = (_("This blocker has already been answered.") if blocker.status == BlockerStatus.ANSWERED
                   else _("This blocker is closed."))
        raise ServiceError(message, fields={"response": [message]}, code="blocker_not_open")
    before = _blocker_state(blocker)
    blocker.status = BlockerStatus.ANSWERED
    blocker.response = response
    blocker.responded_by = user_or_none(actor)
    blocker.responded_at = timezone.now()
    blocker.save(update_fields=["status", "response", "responded_by", "responded_at"])
    record(actor=actor, action="goal.blocker.respond", obj=blocker, before=before, after=_blocker_state(blocker))
    _notify_answered(blocker, actor)
    return blocker


@transaction.atomic
def blocker_close(*, actor: Any, blocker: Blocker) -> Blocker:
    """The raiser (or whoever may answer it) closes the blocker, answered or not."""
    blocker = _locked_blocker(actor, blocker)
    if not may_close(viewer_for(actor), blocker):
        raise not_found()
    if blocker.status == BlockerStatus.CLOSED:
        raise ServiceError(_("This blocker is closed."), code="blocker_closed")
    before = _blocker_state(blocker)
    blocker.status = BlockerStatus.CLOSED
    blocker.closed_at = timezone.now()
    blocker.save(update_fields=["status", "closed_at"])
    record(actor=actor, action="goal.blocker.close", obj=blocker, before=before, after=_blocker_state(blocker))
    return blocker


__all__ = [
    "EVIDENCE_MAX_BYTES",
    "FORBIDDEN_EXTENSIONS",
    "MAX_EVIDENCE",
    "EvidenceIn",
    "blocker_close",
    "blocker_respond",
    "checkin_create",
    "download_headers",
    "may_answer",
    "may_check_in",
    "may_close",
]
