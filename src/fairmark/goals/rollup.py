"""Progress of a goal tree (DESIGN.md C4): a parent's progress is the weighted mean of its children's, by their
weights, not a plain average. Pure: no Django.

    tree = {1: Node(parent=None), 2: Node(parent=1, weight=1, progress=Decimal("0.5")),
            3: Node(parent=1, weight=3, progress=Decimal(1))}
    rollup(tree)[1]          # Decimal('0.875'): (0.5 × 1 + 1 × 3) / 4

Progress is a fraction (0.875 is 87.5 %), kept exact as Decimal and never clamped here (a goal over its
target may be above 1; the scoring rule caps it). A leaf has its own progress (from data or check-ins); a
node with children takes theirs and ignores its own. Archived children drop out of the rollup (their weight
is not counted), and a parent whose children are all archived or weightless, or have no progress yet, has no
progress (None), as has a leaf without one. Moving a child is a change of `parent`: computing again gives both
parents their new values. A cycle or a parent that is not in the tree is refused with RollupError."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
_ZERO = Decimal(0)


class RollupError(ValueError):
    """The tree is not a tree: `code` is "cycle", "unknown_parent" or "negative_weight"; `node` the culprit."""

    def __init__(self, code: str, node: object) -> None:
        super().__init__(f"{code}: {node!r}")
        self.code = code
        self.node = node


@dataclass(frozen=True, slots=True)
class Node(Generic[K]):
    parent: K | None = None
    weight: Decimal = Decimal(1)
    progress: Decimal | None = None
    archived: bool = False


def _children(tree: Mapping[K, Node[K]]) -> dict[K, list[K]]:
    children: dict[K, list[K]] = {key: [] for key in tree}
    for key, node in tree.items():
        if node.weight < _ZERO:
            raise RollupError("negative_weight", key)
        if node.parent is not None:
            if node.parent not in tree:
                raise RollupError("unknown_parent", key)
            children[node.parent].append(key)
    return children


def rollup(tree: Mapping[K, Node[K]]) -> dict[K, Decimal | None]:
    """Every node's progress: a leaf's own, a parent's the weighted mean over its live children that have
    progress. Iterative (deep trees are fine); O(nodes)."""
    children = _children(tree)
    result: dict[K, Decimal | None] = {}
    state: dict[K, int] = {}  # 1: being computed, 2: done
    for root in tree:
        if state.get(root) == 2:
            continue
        stack: list[tuple[K, bool]] = [(root, False)]
        while stack:
            key, expanded = stack.pop()
            if expanded:
                result[key] = _combine(tree, children[key], result, tree[key])
                state[key] = 2
                continue
            if state.get(key) == 2:
                continue
            if state.get(key) == 1:
                raise RollupError("cycle", key)
            state[key] = 1
            stack.append((key, True))
            for child in children[key]:
                if state.get(child) == 1:
                    raise RollupError("cycle", child)
                if state.get(child) != 2:
                    stack.append((child, False))
    return result


def _combine(tree: Mapping[K, Node[K]], kids: list[K], result: Mapping[K, Decimal | None], node: Node[K]
             ) -> Decimal | None:
    if not kids:
        return node.progress
    total = weights = _ZERO
    for child in kids:
        entry = tree[child]
        value = result[child]
        if entry.archived or value is None or entry.weight == _ZERO:
            continue
        total += entry.weight * value
        weights += entry.weight
    return total / weights if weights else None
