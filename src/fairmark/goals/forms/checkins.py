"""Forms of the check-in pages: the check-in (key-result values of an OKR, confidence, comment, evidence files
and a link, a blocker) and the manager's response to a blocker. They check the input's shape; the services
(goals/services/checkins.py) decide what is allowed and keep the rules, and their field errors come back onto
these fields through `field_for`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fairmark.core.errors import ServiceError
from fairmark.org.forms import BootstrapForm

from ..models import EVIDENCE_MAX_BYTES, Goal, GoalKind
from ..services.checkins import MAX_BLOCKER, MAX_COMMENT, MAX_EVIDENCE, MAX_LINK, MAX_RESPONSE, plain_number

CONFIDENCE_STEPS = 10  # the form's 1–10 scale; stored as 0.1–1.0


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleaned to a list, empty when none."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def kr_field(kr_id: int) -> str:
    return f"kr_{kr_id}"


class CheckInForm(BootstrapForm):
    confidence = forms.ChoiceField(
        label=_("Confidence"), required=False,
        choices=[("", "—"), *((str(step), str(step)) for step in range(1, CONFIDENCE_STEPS + 1))],
        help_text=_("How sure you are of reaching the targets, from 1 (hardly) to 10 (certain)."),
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=MAX_COMMENT,
                              widget=forms.Textarea(attrs={"rows": 3, "data-testid": "checkin-comment"}))
    attachments = MultipleFileField(label=_("Evidence files"), required=False)
    link = forms.CharField(label=_("Evidence link"), required=False, max_length=MAX_LINK,
                           widget=forms.URLInput(attrs={"placeholder": "https://", "data-testid": "checkin-link"}))
    blocker = forms.CharField(
        label=_("Blocker"), required=False, max_length=MAX_BLOCKER,
        help_text=_("Something in the way, e.g. “equipment failure on line 3”: it goes to your manager's to-do."),
        widget=forms.Textarea(attrs={"rows": 2, "data-testid": "checkin-blocker"}),
    )

    def __init__(self, *args: Any, goal: Goal, **kwargs: Any) -> None:
        self.goal = goal
        self.key_results = list(goal.key_results.all()) if goal.kind == GoalKind.OKR else []
        super().__init__(*args, **kwargs)
        kr_fields: dict[str, forms.Field] = {}
        for kr in self.key_results:
            field = forms.CharField(
                label=kr.title, required=False,
                initial=plain_number(kr.current) if kr.current is not None else "",
                widget=forms.NumberInput(attrs={"step": "any", "class": "form-control",
                                                "data-testid": f"checkin-kr-{kr.pk}"}),
            )
            kr_fields[kr_field(kr.pk)] = field
        # the key results first, in their order
        self.fields = {**kr_fields, **self.fields}  # type: ignore[assignment]
        self.fields["confidence"].widget.attrs["data-testid"] = "checkin-confidence"
        self.fields["attachments"].widget.attrs["data-testid"] = "checkin-files"
        self.fields["attachments"].help_text = gettext(
            "Up to %(count)s files or links, at most %(mb)s MB each; programs and scripts are refused."
        ) % {"count": MAX_EVIDENCE, "mb": EVIDENCE_MAX_BYTES // (1024 * 1024)}

    def kr_rows(self) -> list[tuple[Any, Any]]:
        """(key result, bound field) pairs for the template."""
        return [(kr, self[kr_field(kr.pk)]) for kr in self.key_results]

    def key_result_values(self) -> dict[int, str]:
        """The values that differ from the stored ones (a value left as it was is no update)."""
        out: dict[int, str] = {}
        for kr in self.key_results:
            raw = (self.cleaned_data.get(kr_field(kr.pk)) or "").strip()
            if not raw:
                continue
            try:
                same = kr.current is not None and Decimal(raw) == kr.current
            except ArithmeticError:
                same = False
            if not same:
                out[kr.pk] = raw
        return out

    def confidence_value(self) -> Decimal | None:
        step = self.cleaned_data.get("confidence") or ""
        return Decimal(step) / CONFIDENCE_STEPS if step else None

    def field_for(self, name: str, evidence_kinds: Sequence[str] = ()) -> str | None:
        """The form field a service error about `name` belongs to: `key_results.<id>` → that key result's
        input, `evidence.<index>` → the attachments or the link input, whichever that piece of evidence came from."""
        if name.startswith("key_results."):
            candidate = "kr_" + name.split(".", 1)[1]
            return candidate if candidate in self.fields else None
        if name.startswith("evidence."):
            try:
                kind = evidence_kinds[int(name.split(".", 1)[1])]
            except (ValueError, IndexError):
                return "attachments"
            return kind
        if name == "evidence":
            return "attachments"
        return name if name in self.fields else None

    def add_service_errors(self, error: ServiceError, evidence_kinds: Sequence[str] = ()) -> None:
        self.add_error(None, error.message)
        for name, messages in error.fields.items():
            target = self.field_for(name, evidence_kinds)
            for message in messages:
                if target is None or message not in self.errors.get(target, []):
                    self.add_error(target, message)


class BlockerResponseForm(BootstrapForm):
    response = forms.CharField(
        label=_("Response"), max_length=MAX_RESPONSE,
        widget=forms.Textarea(attrs={"rows": 2, "data-testid": "blocker-response"}),
    )
