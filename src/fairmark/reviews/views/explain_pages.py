"""The explanation of a review's total (DESIGN.md C5, rule 6: every number can be explained), at
/reviews/<id>/explain/ (reviews:explain) for anyone who sees the review (else 404).

The page is built from selectors.explanation.explain() and from nothing else, so that what each audience may see
of the 360 ratings is decided in one place: the total and its derivation; per part (a transfer: each position
with its days and weight), per section and per item the weight, score and contribution; for an indicator its
value, the scoring rule in words and each data point as a link to its provenance; for a rated item the rater
groups as anonymous aggregates, and how many ratings were withheld. HR also reads who rated."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views import View

from ..models import RaterGroup, RaterStatus
from ..selectors.explanation import PartLine, explain
from .common import ReviewScopedMixin


class ExplainView(ReviewScopedMixin, View):
    template_name = "reviews/explain.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self.review(pk)
        explanation = explain(request.user, review)
        groups, statuses = dict(RaterGroup.choices), dict(RaterStatus.choices)
        return render(request, self.template_name, {
            "review": review, "tab": "mine", "explanation": explanation,
            "several_parts": len(explanation.parts) > 1, "parts": [_part(p, groups) for p in explanation.parts],
            "raters": [{**r, "group_label": groups.get(r["group"], r["group"]),
                        "status_label": statuses.get(r["status"], r["status"])} for r in explanation.raters],
        })


def _part(part: PartLine, groups: dict[str, Any]) -> dict[str, Any]:
    """The part with the rater groups' labels (templates cannot look a label up by key)."""
    return {"part": part, "sections": [
        {"section": section, "items": [
            {"item": item, "groups": [{"line": g, "label": groups.get(g.group, g.group)} for g in item.groups]}
            for item in section.items]}
        for section in part.sections]}


urlpatterns: list[URLPattern] = [path("<int:pk>/explain/", ExplainView.as_view(), name="explain")]
