"""Stand-ins: acting managers (代理上级), who take over a manager's team for a period, and delegates
(受托人), who handle their approvals. HR names them for the people it edits; a manager for themselves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedListView

from ..forms import DelegationForm, add_service_errors
from ..selectors import delegation_principals_for, delegations_editable_by, delegations_visible_to
from ..services.delegations import delegation_create, delegation_end


class DelegationListView(ScopedListView):
    """The stand-ins the viewer can see (those of the people in their sight), and the form to name one."""

    selector = delegations_visible_to
    template_name = "org/delegations.html"
    context_object_name = "delegations"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        if "form" not in context and delegation_principals_for(user).exists():
            context["form"] = DelegationForm(user=user)
        shown = [d.pk for d in context["delegations"]]
        # "End now" for the arrangements in force today that the viewer may end and that do not end today anyway.
        context["endable"] = set(
            delegations_editable_by(user)
            .filter(pk__in=shown, valid_from__lte=today)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
            .values_list("pk", flat=True)
        )
        context["today"] = today
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not delegation_principals_for(request.user).exists():
            raise PermissionDenied  # the page shows them no form
        form = DelegationForm(request.POST, user=request.user)
        if form.has_error("principal", "invalid_choice"):
            raise Http404  # a principal out of sight, as in the API: the answer says nothing about them
        if form.is_valid():
            try:
                delegation = delegation_create(actor=request.user, **form.cleaned_data)
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(delegate)s stands in for %(principal)s from %(date)s.") % {
                    "delegate": delegation.delegate.name, "principal": delegation.principal.name,
                    "date": delegation.valid_from.isoformat()})
                return redirect("org:delegations")
        self.object_list = self.get_queryset()
        response = self.render_to_response(self.get_context_data(form=form))
        response.status_code = 400
        return response


class DelegationEndView(ScopedDetailView):
    """"End now": today is the stand-in's last day. 404 outside sight; 403 when seen but not the viewer's
    to end (the service checks again)."""

    selector = delegations_visible_to
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        delegation = self.get_object()
        if not delegations_editable_by(request.user).filter(pk=delegation.pk).exists():
            raise PermissionDenied
        try:
            delegation_end(actor=request.user, delegation=delegation, on=timezone.localdate())
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(delegate)s stands in for %(principal)s until the end of today.") % {
                "delegate": delegation.delegate.name, "principal": delegation.principal.name})
        return redirect("org:delegations")
