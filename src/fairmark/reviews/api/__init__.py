"""The reviews API under /api/v1/, one module per part: cycles (review cycles: setup, launch, progress), reviews
(a person's review: workflow steps, forms, adjustments, template, explanation), raters (360 nominations and
the caller's rating tasks). Inputs and outputs: serializers.py."""

from __future__ import annotations

from typing import Any

from . import cycles, raters, reviews


def register(router: Any) -> None:
    for part in (cycles, reviews, raters):
        part.register(router)


urlpatterns = [*cycles.urlpatterns, *reviews.urlpatterns, *raters.urlpatterns]
