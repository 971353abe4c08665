from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.errors import ServiceError
from fairmark.core.scoping import ScopedListView, ScopedQueryMixin, scope_exempt

from . import services
from .models import OutboxMessage, OutboxStatus
from .selectors import can_use_outbox_page, notifications_visible_to, outbox_visible_to


class NotificationCentreView(ScopedListView):
    selector = notifications_visible_to
    template_name = "notifications/centre.html"
    context_object_name = "notifications"


@scope_exempt("marks only the caller's own notifications")
class MarkReadView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.getlist("id")
        # No ids means "all"; ids that are all invalid mean "none", not "all".
        ids = [int(i) for i in raw if i.isdigit()] if raw else None
        services.mark_read(actor=request.user, notification_ids=ids)
        return redirect("notifications:centre")


class SysadminPageMixin:
    """Pages for system admins only: anyone else signed in gets 404, as for an object out of scope."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_use_outbox_page(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class OutboxListView(SysadminPageMixin, ScopedListView):
    """Delivery state of email and other external messages, newest first, filterable by status."""

    selector = outbox_visible_to
    template_name = "notifications/outbox.html"
    # Not "messages": that name belongs to django.contrib.messages in every template.
    context_object_name = "outbox"

    def _status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in OutboxStatus.values else ""

    def get_queryset(self) -> QuerySet[OutboxMessage]:
        qs = super().get_queryset().order_by("-id")
        if status := self._status():
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        counts = dict(outbox_visible_to(self.request.user).values_list("status").annotate(n=Count("id")))
        context["status"] = self._status()
        context["statuses"] = [(value, label, counts.get(value, 0)) for value, label in OutboxStatus.choices]
        return context


class OutboxRetryView(SysadminPageMixin, LoginRequiredMixin, ScopedQueryMixin, View):
    """Send a failed message again (POST only)."""

    selector = outbox_visible_to

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.outbox_retry(actor=request.user, message=message)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The message will be sent again shortly."))
        status = request.POST.get("status", "")
        query = f"?{urlencode({'status': status})}" if status in OutboxStatus.values else ""
        return redirect(reverse("notifications:outbox") + query)
