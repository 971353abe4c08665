"""Stored progress, kept current: a goal without live children has its own progress (a KPI goal's
achievement from its value, an OKR's score from its key results); a goal with live children has their
rollup by weight (goals/rollup.py). `recompute(ids)` computes the given goals, then their parents, up to
the roots, a level at a time (stopping where nothing changed): a few queries per level whatever the number
of goals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from ..kpi import achievement
from ..models import Goal, GoalKind, GoalState, KeyResult
from ..okr import KeyResult as PureKeyResult
from ..okr import objective_score
from ..rollup import Node, rollup

MAX_DEPTH = 64  # far beyond any real tree; a guard should a cycle ever reach the database
PLACES = Decimal("0.000001")


def own_progress(goal: Goal) -> Decimal | None:
    if goal.kind == GoalKind.KPI:
        version = goal.indicator_version
        if version is None:
            return None
        return achievement(goal.value, threshold=goal.threshold, target=goal.target, stretch=goal.stretch,
                           direction=version.direction, scoring=version.scoring)
    return objective_score([PureKeyResult(start=kr.start, target=kr.target, current=kr.current, weight=kr.weight)
                            for kr in goal.key_results.all()])


def _quantised(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(PLACES)


def recompute(goal_ids: Iterable[int]) -> set[int]:
    """Compute the goals and everything above them; returns the ids whose progress changed."""
    pending = set(goal_ids)
    changed: set[int] = set()
    now = timezone.now()
    for level in range(MAX_DEPTH):
        if not pending:
            break
        goals = list(Goal.objects.filter(pk__in=pending).select_related("indicator_version")
                     .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("position"))))
        children: dict[int, list[tuple[int, Decimal, Decimal | None]]] = defaultdict(list)
        for child_id, parent_id, weight, progress in Goal.objects.filter(
                parent_id__in=pending, state=GoalState.ACTIVE).values_list("pk", "parent_id", "weight", "progress"):
            children[parent_id].append((child_id, weight, progress))
        updates: list[Goal] = []
        for goal in goals:
            kids = children.get(goal.pk)
            if kids:
                tree: dict[object, Node[object]] = {goal.pk: Node()}
                for child_id, weight, progress in kids:
                    tree[child_id] = Node(parent=goal.pk, weight=weight, progress=progress)
                value = rollup(tree)[goal.pk]
            else:
                value = own_progress(goal)
            value = _quantised(value)
            if value != goal.progress:
                goal.progress = value
                goal.computed_at = now
                updates.append(goal)
                changed.add(goal.pk)
        if updates:
            Goal.objects.bulk_update(updates, ["progress", "computed_at"], batch_size=500)
        # The first level's parents always (a moved or archived child changes its parent's children, not
        # its own progress); above that only where something changed.
        moved = goals if level == 0 else updates
        pending = {goal.parent_id for goal in moved if goal.parent_id is not None}
    return changed
