"""What a viewer may see of one review (DESIGN.md C5 explanation and §6): the total and how it was made, item by
item, down to the data values with links to their provenance, and the 360 ratings only as the anonymous
aggregates of reviews/anonymity.py. One function for the pages and the API, so that no response can carry a
rater's identity to the ratee or the manager by forgetting a rule in one place.

Audiences: the person themself ("ratee"); the reviewing manager, N+2, the managers up the line, the head of the
department and executives ("manager": aggregates and comments, no names); HR BPs of the unit and HR admins
("hr": aggregates plus the list of who rated). Drafts (unsubmitted ratings) are shown to nobody but their writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from django.urls import reverse
from django.utils.translation import get_language

from fairmark.core.access import viewer_for
from fairmark.indicators.scoring import Explanation, normalise_language

from .. import anonymity
from ..computation import item_key
from ..models import Rater, RaterStatus, Rating, Review
from ..permissions import is_hr_for
from . import pinned_versions

Audience = Literal["ratee", "manager", "hr"]


def audience_of(user: Any, review: Review) -> Audience:
    viewer = viewer_for(user)
    if viewer.employee_id is not None and viewer.employee_id == review.employee_id:
        return "ratee"
    return "hr" if is_hr_for(viewer, review.department.path) else "manager"


@dataclass(frozen=True)
class Source:
    id: int
    url: str


@dataclass(frozen=True)
class GroupLine:
    group: str
    count: int
    mean: Decimal | None
    weight: Decimal | None
    comments: tuple[str, ...] = ()
    known: bool = False


@dataclass(frozen=True)
class ItemLine:
    key: str
    label: str
    kind: str
    weight: Decimal
    score: Decimal | None
    contribution: Decimal | None
    value: Decimal | None = None
    unit: str = ""
    rule_text: str = ""
    sources: tuple[Source, ...] = ()
    groups: tuple[GroupLine, ...] = ()
    withheld: int = 0
    goal_line: bool = False


@dataclass(frozen=True)
class SectionLine:
    key: str
    label: str
    weight: Decimal
    score: Decimal | None
    contribution: Decimal | None
    items: tuple[ItemLine, ...]


@dataclass(frozen=True)
class PartLine:
    key: int
    start: str
    end: str
    days: int
    weight: Decimal
    position: str
    total: Decimal | None
    subtotal: Decimal | None
    sections: tuple[SectionLine, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ReviewExplanation:
    audience: Audience
    total: Decimal | None
    forced_grade: str
    computed_at: Any
    parts: tuple[PartLine, ...]
    lines: tuple[str, ...]
    raters: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # HR only: who rated, in which group
    # The 360 round is still open: the ratee and the manager see no anonymous group and no number that depends on
    # one (rated items, their sections, the total) until it closes, so that a rating given at a known moment cannot
    # be read off the change it makes.
    pending_360: bool = False


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _labels(review: Review, language: str) -> dict[str, str]:
    """Item and section labels in the reader's language, from the template (the derivation was written in the
    language of whoever triggered the computation)."""
    english = language.startswith("en")
    versions = list(pinned_versions([review.template_version])[review.template_version_id].values())
    names = {v.indicator.code: (v.name_en if english and v.name_en else v.name_zh) for v in versions}
    out: dict[str, str] = {f"unit:{v.indicator.code}": v.unit for v in versions}
    for section in review.template_version.sections:
        out[f"section:{section.get('key')}"] = str(section.get("name_en") if english and section.get("name_en")
                                                   else section.get("name_zh", section.get("key", "")))
        for index, item in enumerate(section.get("items", [])):
            key = item_key(section, index, item)
            own = item.get("name_en") if english and item.get("name_en") else item.get("name_zh")
            out[key] = str(own or names.get(item.get("indicator", ""), key))
    return out


def _comments(review: Review, audience: Audience, minimum: int) -> dict[tuple[str, str], tuple[str, ...]]:
    ratings = [anonymity.Rating(rater, group, item, Decimal(rating), comment or None)  # type: ignore[arg-type]
               for rater, group, item, rating, comment in Rating.objects.filter(
                   review=review, submitted=True, rating__isnull=False).values_list(
                   "rater_id", "group", "item", "rating", "comment")]
    if not ratings:
        return {}
    view = anonymity.aggregate(ratings, audience="hr" if audience == "hr" else audience, minimum=minimum)
    return {(item.item, group.group): group.comments for item in view.items for group in item.groups}


def _item(data: Mapping[str, Any], labels: Mapping[str, str], comments: Mapping[tuple[str, str], tuple[str, ...]],
          language: str) -> ItemLine:
    explanation = data.get("explanation") or {}
    key = str(data.get("key"))
    rule_text = ""
    sources: tuple[Source, ...] = ()
    groups: tuple[GroupLine, ...] = ()
    if isinstance(explanation, Mapping):
        inner = explanation.get("explanation")
        if isinstance(inner, Mapping) and inner.get("code"):
            try:
                rule_text = Explanation.from_dict(inner).text(language)
            except (KeyError, ValueError):
                rule_text = ""
        sources = tuple(Source(int(pk), reverse("ingestion:value", kwargs={"pk": int(pk)}))
                        for pk in explanation.get("sources", []) or [])
        groups = tuple(GroupLine(str(g.get("group")), int(g.get("count", 0)), _decimal(g.get("mean")),
                                 _decimal(g.get("weight")), comments.get((key, str(g.get("group"))), ()),
                                 str(g.get("group")) in ("self", "manager"))
                       for g in explanation.get("groups", []) or [] if int(g.get("count", 0) or 0) > 0)
    code = explanation.get("indicator") if isinstance(explanation, Mapping) else None
    return ItemLine(key=key, label=labels.get(key, str(data.get("label", key))), kind=str(data.get("kind", "")),
                    unit=labels.get(f"unit:{code}", "") if code else "",
                    weight=Decimal(str(data.get("weight", "0"))), score=_decimal(data.get("score")),
                    contribution=_decimal(data.get("contribution")),
                    value=_decimal(explanation.get("value")) if isinstance(explanation, Mapping) else None,
                    rule_text=rule_text, sources=sources, groups=groups,
                    withheld=int(explanation.get("withheld", 0) or 0) if isinstance(explanation, Mapping) else 0,
                    goal_line=bool(explanation.get("goal_line")) if isinstance(explanation, Mapping) else False)


def _step_lines(steps: Any, language: str, labels: Mapping[str, str]) -> tuple[str, ...]:
    """The stored derivation in the reader's language: the stored labels are those of whoever triggered the
    computation, so each line's item or section label is replaced by the template's label in this language."""
    from ..computation import step_from_json

    out: list[str] = []
    for step in steps or []:
        params = dict(step.get("params") or {})
        if "label" in params:
            if params.get("item") in labels:
                params["label"] = labels[params["item"]]
            elif f"section:{params.get('section')}" in labels:
                params["label"] = labels[f"section:{params.get('section')}"]
        try:
            out.append(step_from_json({**step, "params": params}).text(language))
        except (KeyError, ValueError, TypeError):
            continue
    return tuple(out)


def explain(user: Any, review: Review) -> ReviewExplanation:
    """The review's explanation for this viewer (the caller has already found the review in their scope)."""
    language = normalise_language(get_language() or "zh-hans")
    audience = audience_of(user, review)
    labels = _labels(review, language)
    comments = _comments(review, audience, review.cycle.anonymity_minimum)
    derivation = review.derivation or {}
    positions = {i: str(p.get("position", "")) for i, p in enumerate(review.parts or [])}
    parts: list[PartLine] = []
    for part in derivation.get("parts", []) or []:
        total = part.get("total") or {}
        sections = tuple(SectionLine(
            key=str(s.get("key")), label=labels.get(f"section:{s.get('key')}", str(s.get("label", ""))),
            weight=Decimal(str(s.get("weight", "0"))), score=_decimal(s.get("score")),
            contribution=_decimal(s.get("contribution")),
            items=tuple(_item(i, labels, comments, language) for i in s.get("items", []) or []),
        ) for s in total.get("sections", []) or [])
        key = int(part.get("key", 0))
        parts.append(PartLine(key=key, start=str(part.get("start", "")), end=str(part.get("end", "")),
                              days=int(part.get("days", 0)), weight=Decimal(str(part.get("weight", "1"))),
                              position=positions.get(key, ""), total=_decimal(total.get("value")),
                              subtotal=_decimal(total.get("subtotal")), sections=sections,
                              lines=_step_lines(total.get("derivation"), language, labels)))
    raters: tuple[dict[str, Any], ...] = ()
    if audience == "hr":
        raters = tuple({"rater": r.rater.name, "number": r.rater.number, "group": r.group, "status": r.status}
                       for r in Rater.objects.filter(review=review).exclude(status=RaterStatus.REJECTED)
                       .select_related("rater").order_by("group", "rater__number"))
    result = ReviewExplanation(audience=audience, total=review.total, forced_grade=review.forced_grade,
                               computed_at=review.computed_at, parts=tuple(parts),
                               lines=(_step_lines(derivation.get("derivation"), language, labels)
                                      if derivation.get("derivation") is not None
                                      else parts[0].lines if len(parts) == 1 else ()), raters=raters)
    if audience != "hr" and review.state in ROUND_OPEN:
        return _held_back(result)
    return result


ROUND_OPEN = ("goal_setting", "in_progress", "self_review", "rating_360")


def shows_total(user: Any, review: Review) -> bool:
    """Whether lists may show this review's stored total to the viewer (the same rule as `explain`)."""
    return review.state not in ROUND_OPEN or audience_of(user, review) == "hr"


def visible_total(user: Any, review: Review) -> Decimal | None:
    return review.total if shows_total(user, review) else None


def _held_back(result: ReviewExplanation) -> ReviewExplanation:
    """The explanation without the 360 groups and what depends on them, while the round is open."""
    parts: list[PartLine] = []
    for part in result.parts:
        sections: list[SectionLine] = []
        for section in part.sections:
            rated = any(item.kind == "rated" for item in section.items)
            items = tuple(replace(item, score=None, contribution=None, withheld=0,
                                  groups=tuple(g for g in item.groups if g.known)) if item.kind == "rated" else item
                          for item in section.items)
            sections.append(replace(section, items=items, score=None if rated else section.score,
                                    contribution=None if rated else section.contribution))
        parts.append(replace(part, sections=tuple(sections), total=None, subtotal=None, lines=()))
    return replace(result, total=None, parts=tuple(parts), lines=(), pending_360=True)
