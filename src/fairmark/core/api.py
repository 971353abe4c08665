"""API base classes: the scoped viewsets every API view derives from."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets

from .scoping import ScopedQueryMixin


class ScopedReadOnlyViewSet(ScopedQueryMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """List and retrieve from the selector; anything outside it is 404."""

    def get_queryset(self) -> Any:
        return ScopedQueryMixin.get_queryset(self)


class ScopedViewSet(ScopedQueryMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """For viewsets that add write actions: each action calls a service, never `serializer.save()`."""

    def get_queryset(self) -> Any:
        return ScopedQueryMixin.get_queryset(self)
