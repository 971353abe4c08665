"""Navigation by role, and the unread-notification badge, for every page. It lives in config
because it composes the menus of all apps."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fairmark.core.access import Role, viewer_for
from fairmark.ingestion.selectors import reads_ingestion
from fairmark.notifications.selectors import unread_count


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    viewer = viewer_for(user)
    sees_people = viewer.reads_all_people or viewer.has(Role.MANAGER, Role.DEPT_HEAD, Role.HR_BP)
    items: list[tuple[str, Any, str]] = [("core:home", _("Home"), "bi-house")]
    if sees_people:
        items.append(("org:people", _("People"), "bi-people"))
    items.append(("org:departments", _("Departments"), "bi-diagram-3"))
    items.append(("org:chart", _("Org chart"), "bi-diagram-2"))
    # Everyone signed in sees the company's goal map and their own goals (DESIGN.md C4).
    items.append(("goals:map", _("Goals"), "bi-bullseye"))
    # Everyone has reviews of their own and to-dos in others' (self-review, ratings, reviews to write).
    items.append(("reviews:mine", _("Reviews"), "bi-clipboard-check"))
    # Everyone reads indicators and templates; a plain employee those that apply to them (DESIGN.md §6).
    items.append(("indicators:list", _("Indicators"), "bi-rulers"))
    items.append(("indicators:templates", _("Templates"), "bi-ui-checks-grid"))
    # Sources, batches, rejected rows and conflicts: operational data for HR, executives and system admins.
    if reads_ingestion(viewer):
        items.append(("ingestion:sources", pgettext_lazy("menu", "Data"), "bi-database-check"))
    if viewer.has(Role.HR_ADMIN, Role.HR_BP):
        items.append(("org:import", _("Import"), "bi-upload"))
    if viewer.has(Role.MANAGER, Role.HR_ADMIN, Role.HR_BP):
        items.append(("org:delegations", _("Stand-ins"), "bi-person-check"))
    if viewer.has(Role.HR_ADMIN, Role.SYSADMIN, Role.HR_BP):
        items.append(("audit:events", _("Audit log"), "bi-shield-check"))
    if viewer.has(Role.SYSADMIN):
        items.append(("notifications:outbox", _("Outbox"), "bi-send"))
        items.append(("org:users", _("Users"), "bi-person-gear"))
    current = request.path
    nav = [
        {"url": reverse(name), "label": label, "icon": icon, "active": (current.startswith(reverse(name)) and name != "core:home")
         or (name == "core:home" and current == "/")}
        for name, label, icon in items
    ]
    return {"nav_items": nav, "viewer": viewer, "unread_notifications": unread_count(user)}
