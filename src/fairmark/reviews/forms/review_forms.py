"""Forms of a person's review pages: a workflow step, a 360 nomination and its decision, a rater's decline, and
the entries of the rating forms (self-review, manager review, 360). They check the input's shape and turn an
employee number into the person; the services (reviews/services/) decide what is allowed and keep the rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fairmark.org.forms import BootstrapForm
from fairmark.org.models import Employee

from ..models import Phase, RaterGroup, Review, ReviewAction

MAX_TEXT = 4000


def rating_name(key: str) -> str:
    return f"rating:{key}"


def comment_name(key: str) -> str:
    return f"comment:{key}"


def points_name(key: str) -> str:
    return f"points:{key}"


def reason_name(key: str) -> str:
    return f"reason:{key}"


def _person(review: Review, number: str) -> int | None:
    """A colleague of the review's company by employee number (the service checks the rest)."""
    return (Employee.objects.filter(company_id=review.employee.company_id, number=number.strip())
            .values_list("pk", flat=True).first())


class ActForm(BootstrapForm):
    action = forms.ChoiceField(choices=ReviewAction.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 2}))
    to = forms.ChoiceField(label=_("Reopen at"), required=False, choices=[("", "—"), *Phase.choices])
    delegate = forms.CharField(label=_("Employee number of the person to delegate to"), required=False,
                               max_length=32)

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        self.review = review
        super().__init__(*args, **kwargs)

    def clean_delegate(self) -> int | None:
        number = (self.cleaned_data.get("delegate") or "").strip()
        if not number:
            return None
        found = _person(self.review, number)
        if found is None:
            raise forms.ValidationError(_("Unknown employee number."))
        return found


class NominateForm(BootstrapForm):
    rater = forms.CharField(label=_("Employee number"), max_length=32)
    group = forms.ChoiceField(label=_("Rater group"), choices=())

    def __init__(self, *args: Any, review: Review, groups: Iterable[str], **kwargs: Any) -> None:
        self.review = review
        super().__init__(*args, **kwargs)
        labels = dict(RaterGroup.choices)
        order = {value: index for index, value in enumerate(RaterGroup.values)}
        self.fields["group"].choices = [(g, labels.get(g, g)) for g in sorted(groups, key=order.__getitem__)]  # type: ignore[attr-defined]

    def clean_rater(self) -> int:
        found = _person(self.review, self.cleaned_data.get("rater") or "")
        if found is None:
            raise forms.ValidationError(_("Unknown employee number."))
        return found


class DecideForm(BootstrapForm):
    approve = forms.ChoiceField(choices=[("1", _("Approve")), ("0", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=MAX_TEXT)


class DeclineForm(BootstrapForm):
    reason = forms.CharField(label=_("Why you decline"), max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 2}))


def rating_entries(data: Mapping[str, Any], keys: Sequence[str]) -> dict[str, dict[str, str]]:
    """The items the post carries (an item left out of a partial post keeps what was saved)."""
    out: dict[str, dict[str, str]] = {}
    for key in keys:
        if rating_name(key) in data or comment_name(key) in data:
            out[key] = {"rating": str(data.get(rating_name(key), "")).strip(),
                        "comment": str(data.get(comment_name(key), ""))}
    return out


def adjustment_entries(data: Mapping[str, Any], keys: Sequence[str],
                       saved: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The adjustments that changed from what is saved, as (points, reason); emptied points remove one."""
    out: dict[str, tuple[str, str]] = {}
    for key in keys:
        if points_name(key) not in data:
            continue
        points = str(data.get(points_name(key), "")).strip()
        reason = str(data.get(reason_name(key), "")).strip()
        before = saved.get(key)
        if not points:
            if before is not None:
                out[key] = ("0", reason)
            continue
        if before is None or not _same_number(before[0], points) or before[1] != reason:
            out[key] = (points, reason)
    return out


def _same_number(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return a == b


def item_errors(fields: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """`items.<key>.rating` / `items.<key>.comment` / `items.<key>` service errors, by item key."""
    out: dict[str, list[str]] = {}
    for name, messages in fields.items():
        if not name.startswith("items."):
            continue
        key = name[len("items."):]
        for suffix in (".rating", ".comment"):
            if key.endswith(suffix):
                key = key[: -len(suffix)]
                break
        out.setdefault(key, []).extend(str(m) for m in messages)
    return out
