from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views import View

from fairmark.core.scoping import ScopedListView, scope_exempt

from . import services
from .selectors import notifications_visible_to


class NotificationCentreView(ScopedListView):
    selector = notifications_visible_to
    template_name = "notifications/centre.html"
    context_object_name = "notifications"


@scope_exempt("marks only the caller's own notifications")
class MarkReadView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
        services.mark_read(actor=request.user, notification_ids=ids)
        return redirect("notifications:centre")
