"""Scoped access, rules 1 and 2 of DESIGN.md §5.

Every page and API view that shows objects derives from a class here and names a *selector*: a
function `selector(viewer) -> QuerySet` from the app's `selectors.py`. The class takes its objects
only from that queryset, so a view cannot forget the scope, and an object outside it is a 404.
A system check (core/checks.py) refuses to start if a URL points at a view that is neither scoped
nor explicitly marked `scope_exempt` with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.views.generic import DetailView, ListView

from .errors import OutOfScope

Selector = Callable[[Any], QuerySet[Any]]


class ScopedQueryMixin:
    """Objects come from `selector(request.user)` and from nowhere else."""

    selector: ClassVar[Selector | None] = None
    request: Any

    def get_queryset(self) -> QuerySet[Any]:
        selector = type(self).selector
        if selector is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must name a selector")
        if getattr(self, "queryset", None) is not None:
            raise ImproperlyConfigured(f"{type(self).__name__}: use a selector, not a queryset attribute")
        return selector(self.request.user)


class ScopedListView(LoginRequiredMixin, ScopedQueryMixin, ListView):  # type: ignore[type-arg]
    paginate_by: int | None = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """Adds the current filters, and the query string without `page` for the pager's links."""
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["filters"] = self.request.GET
        context["query_string"] = query.urlencode()
        return context


class ScopedDetailView(LoginRequiredMixin, ScopedQueryMixin, DetailView):  # type: ignore[type-arg]
    pass


def scope_exempt(reason: str) -> Callable[[Any], Any]:
    """Mark a view that shows no scoped objects (login, health, the caller's own profile)."""

    def mark(view: Any) -> Any:
        view.scope_exempt = reason
        return view

    return mark


def ensure_in_scope(queryset: QuerySet[Any], obj: Model) -> None:
    """Re-check after a write, inside the transaction: if the write moved the object out of what the
    actor may change, raise so the transaction rolls back (DESIGN.md §5 rule 2)."""
    if not queryset.filter(pk=obj.pk).exists():
        raise OutOfScope(_not_found_message())


def _not_found_message() -> str:
    from django.utils.translation import gettext

    return gettext("Not found.")
