"""(this part of the goals API is being written)"""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []


def register(router: Any) -> None:
    return None
