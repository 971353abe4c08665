"""The home page: each person's starting point. Later capabilities add their dashboards here."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from fairmark.core.access import Role, viewer_for
from fairmark.core.scoping import scope_exempt
from fairmark.notifications.selectors import notifications_visible_to
from fairmark.org.selectors import direct_reports


@scope_exempt("shows the caller's own record and lists from scoped selectors")
class HomeView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        viewer = viewer_for(request.user)
        employee = getattr(request.user, "employee", None)
        context = {
            "employee": employee,
            "roles": [role for role in Role if role in viewer.roles],
            "team_size": len(viewer.team_ids),
            "direct_reports": direct_reports(request.user, employee)[:20] if employee else [],
            "recent_notifications": notifications_visible_to(request.user)[:5],
        }
        return render(request, "analytics/home.html", context)
