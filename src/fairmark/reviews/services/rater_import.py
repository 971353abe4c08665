"""HR imports 360 raters from Excel (评价关系表): one row per (ratee number, rater number, group).

`read_rows` reads the workbook; `check_rows` says row by row, in a fixed number of queries, what would happen
(ok, error with every reason, or skipped: already a rater); `commit_rows` adds the raters. The commit is all or
nothing: a file with any error adds nobody, so HR fixes the file and uploads it again, and a second upload of
the same file adds nobody twice (rows already done are "already a rater" and skipped). Each row goes through
services.raters.nominate as the HR actor, which re-checks the rules, approves, audits the rater and tells them;
one more audit event per review records the import."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import viewer_for
from fairmark.core.errors import Refused, ServiceError
from fairmark.org.importing.readers import ReadError, read_table
from fairmark.org.models import Employee, EmployeeStatus

from ..models import Cycle, Rater, RaterGroup, Review
from ..permissions import manages_cycles
from . import raters as rater_service

HEADERS = {"ratee": "被评人工号 / Ratee number", "rater": "评价人工号 / Rater number", "group": "评价关系 / Group"}
# Tried in this order on each header cell: "被评人" before "评价人", "ratee" before "rater".
_HEADER_WORDS = (("ratee", ("被评人", "ratee")), ("rater", ("评价人", "rater")),
                 ("group", ("评价关系", "关系", "group", "relation")))
GROUP_WORDS = {
    "peer": RaterGroup.PEER, "peers": RaterGroup.PEER, "同级": RaterGroup.PEER, "同事": RaterGroup.PEER,
    "subordinate": RaterGroup.SUBORDINATE, "subordinates": RaterGroup.SUBORDINATE, "下级": RaterGroup.SUBORDINATE,
    "n_plus_2": RaterGroup.N_PLUS_2, "n+2": RaterGroup.N_PLUS_2, "隔级": RaterGroup.N_PLUS_2,
    "others": RaterGroup.OTHERS, "other": RaterGroup.OTHERS, "其他": RaterGroup.OTHERS,
}

RawRow = tuple[int, str, str, str]  # spreadsheet row number, ratee number, rater number, group as written


class FileError(ValueError):
    """The file as a whole cannot be read (not a workbook, no header); the message is for the page."""


@dataclass
class RowResult:
    row: int
    ratee: str
    rater: str
    group_text: str
    status: str = "ok"  # ok | error | skipped
    messages: list[str] = field(default_factory=list)
    review: Review | None = None
    rater_person: Employee | None = None
    group: str = ""

    def fail(self, message: str) -> None:
        self.status = "error"
        self.messages.append(message)


@dataclass
class Report:
    rows: list[RowResult]
    committed: bool = False
    created: int = 0

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in ("ok", "error", "skipped")}

    @property
    def has_errors(self) -> bool:
        return any(row.status == "error" for row in self.rows)

    @property
    def can_commit(self) -> bool:
        return not self.has_errors and self.count("ok") > 0

    def raw(self) -> list[RawRow]:
        return [(row.row, row.ratee, row.rater, row.group_text) for row in self.rows]


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores a typed-in number 10004 as 10004.0
    return "" if value is None else str(value).strip()


def _columns(header: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        text = _text(cell).lower()
        for key, words in _HEADER_WORDS:
            if key not in found and any(word in text for word in words):
                found[key] = position
                break
    return found


def read_rows(data: bytes, filename: str = "") -> list[RawRow]:
    try:
        table = read_table(data, filename)
    except ReadError as error:
        raise FileError(_("The file cannot be read as a workbook (%(code)s); save it as .xlsx and try again.")
                        % {"code": error.code}) from error
    columns = _columns(table.header)
    missing = [HEADERS[key] for key in HEADERS if key not in columns]
    if missing:
        raise FileError(_("The first row must name the columns; missing: %(columns)s")
                        % {"columns": "、".join(missing)})
    return [(row.number, _text(row.get(columns["ratee"])), _text(row.get(columns["rater"])),
             _text(row.get(columns["group"]))) for row in table.rows]


def check_rows(cycle: Cycle, rows: Iterable[RawRow]) -> Report:
    """Each row's fate if committed now. Queries: people, reviews, existing raters — however many rows."""
    results = [RowResult(row=n, ratee=ratee, rater=rater, group_text=group) for n, ratee, rater, group in rows]
    numbers = {r.ratee for r in results} | {r.rater for r in results}
    people = {p.number: p for p in Employee.objects.filter(company=cycle.company, number__in=numbers - {""})}
    reviews = {r.employee_id: r for r in Review.objects.filter(
        cycle=cycle, employee__in=[p.pk for p in people.values()]).select_related(
        "cycle", "employee", "template_version")}
    existing: set[tuple[int, int]] = set()
    counts: Counter[tuple[int, str]] = Counter()
    for review_id, rater_id, group, status in Rater.objects.filter(review__in=[r.pk for r in reviews.values()]
                                                                  ).values_list("review_id", "rater_id", "group",
                                                                                "status"):
        existing.add((review_id, rater_id))
        if status in rater_service.COUNTED:
            counts[(review_id, group)] += 1
    groups_of: dict[int, set[str]] = {}
    seen: dict[tuple[int, int], int] = {}
    for result in results:
        _check_one(cycle, result, people, reviews, groups_of)
        if result.status == "error" or result.review is None or result.rater_person is None:
            continue
        pair = (result.review.pk, result.rater_person.pk)
        if pair in seen:
            result.fail(_("The same rater for the same person as row %(row)d.") % {"row": seen[pair]})
            continue
        seen[pair] = result.row
        if pair in existing:
            result.status = "skipped"
            result.messages.append(_("Already a rater of this review; skipped."))
            continue
        key = (result.review.pk, result.group)
        if counts[key] >= cycle.raters_max:
            result.fail(_("Over the cycle's maximum of %(max)d raters in this group.") % {"max": cycle.raters_max})
            continue
        counts[key] += 1
    return Report(results)


def _check_one(cycle: Cycle, result: RowResult, people: dict[str, Employee], reviews: dict[int, Review],
               groups_of: dict[int, set[str]]) -> None:
    ratee = people.get(result.ratee)
    review = reviews.get(ratee.pk) if ratee is not None else None
    if not result.ratee:
        result.fail(_("The ratee's employee number is missing."))
    elif ratee is None:
        result.fail(_("Unknown ratee number."))
    elif review is None:
        result.fail(_("This person has no review in this cycle."))
    elif review.state not in rater_service.OPEN_FOR_NOMINATION:
        result.fail(_("This review's 360 round is over; raters can no longer be added."))
    rater = people.get(result.rater)
    if not result.rater:
        result.fail(_("The rater's employee number is missing."))
    elif rater is None or rater.status == EmployeeStatus.LEFT:
        result.fail(_("Unknown rater number (or the person has left)."))
    elif ratee is not None and rater.pk == ratee.pk:
        result.fail(_("The rater is the ratee: the self-review is their own rating."))
    elif review is not None and rater.pk == review.manager_id:
        result.fail(_("The rater is the reviewing manager, who rates in the manager review."))
    group = GROUP_WORDS.get(result.group_text.strip().lower())
    if group is None:
        result.fail(_("Unknown group “%(group)s”: write peer, subordinate, n_plus_2 or others (同级、下级、隔级、其他).")
                    % {"group": result.group_text})
    elif review is not None:
        if review.pk not in groups_of:
            groups_of[review.pk] = rater_service.template_groups(review)
        if group not in groups_of[review.pk]:
            result.fail(_("This person's template has no “%(group)s” rater group.") % {"group": group.label})
    result.review, result.rater_person, result.group = review, rater, group or ""


class _RollBack(Exception):
    pass


def commit_rows(*, actor: Any, cycle: Cycle, rows: Iterable[RawRow], filename: str = "") -> Report:
    """Check again (things may have moved since the preview), then add every ok row or none."""
    if not manages_cycles(viewer_for(actor)):
        raise Refused(_("Only HR imports raters."))
    report = check_rows(cycle, rows)
    if not report.can_commit:
        return report
    try:
        with transaction.atomic():
            added: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for row in report.rows:
                if row.status != "ok" or row.review is None or row.rater_person is None:
                    continue
                try:
                    rater_service.nominate(actor=actor, review=row.review.pk, rater=row.rater_person.pk,
                                           group=row.group)
                except ServiceError as error:
                    row.fail(error.message)
                    continue
                added[row.review.pk].append({"rater": row.rater_person.pk, "group": row.group, "row": row.row})
            if report.has_errors:
                raise _RollBack
            for review in {row.review.pk: row.review for row in report.rows if row.review is not None}.values():
                if added.get(review.pk):
                    record(actor=actor, action="review.rater.import", obj=review,
                           after={"file": filename[:200], "raters": added[review.pk]})
    except _RollBack:
        return report
    report.committed = True
    report.created = sum(len(rows) for rows in added.values())
    return report
