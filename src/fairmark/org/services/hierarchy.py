"""Loop checks for the two trees (departments, reporting lines). Pure: they take a parent map."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def creates_loop(parent_of: Mapping[K, K | None], node: K, new_parent: K | None) -> bool:
    """Would making `new_parent` the parent of `node` close a cycle?"""
    seen: set[K] = {node}
    current = new_parent
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


def nodes_in_loops(parent_of: Mapping[K, K | None]) -> set[K]:
    """Every node that sits on a cycle of the parent map (each walk is linear; results are shared)."""
    state: dict[K, int] = {}  # 1 = on the current walk, 2 = settled
    in_loop: set[K] = set()
    for start in parent_of:
        if state.get(start):
            continue
        walk: list[K] = []
        node: K | None = start
        while node is not None and node in parent_of and not state.get(node):
            state[node] = 1
            walk.append(node)
            node = parent_of.get(node)
        if node is not None and state.get(node) == 1:
            in_loop.update(walk[walk.index(node):])
        for visited in walk:
            state[visited] = 2
    return in_loop
