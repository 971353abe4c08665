"""The goals API under /api/v1/goals/…, one module per part of the pipeline folder: goals (the tree, KPI and
OKR goals, key results), agreement (agreements, steps, changes), goal_sets (goal sets and bulk assignment),
checkins (check-ins, evidence, blockers), alerts (rules, alerts)."""

from __future__ import annotations

from typing import Any

from . import agreement, alerts, checkins, goal_sets, goals


def register(router: Any) -> None:
    for part in (goals, agreement, goal_sets, checkins, alerts):
        part.register(router)


urlpatterns = [
    *goals.urlpatterns, *agreement.urlpatterns, *goal_sets.urlpatterns, *checkins.urlpatterns, *alerts.urlpatterns,
]
