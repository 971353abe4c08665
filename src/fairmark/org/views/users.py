"""User and role administration for system admins (DESIGN.md §2): the list of accounts, a new account
linked to its employee, and one account's page with its employee link, roles, activity, second factor
and password. The pages live in org because they combine accounts with org role grants and the employee
link, and org is above accounts in the layering."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fairmark.accounts import services as account_services
from fairmark.accounts.models import User
from fairmark.accounts.selectors import can_manage_users, users_visible_to
from fairmark.core.access import GRANTABLE_ROLES, Role
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedListView, scope_exempt

from ..forms import BootstrapForm
from ..models import Department, Employee, RoleGrant
from ..selectors import departments_visible_to, employees_visible_to
from ..services import roles as role_services
from ..services.users import user_create_for_employee, user_link_employee

NBSP = "\u00a0"
ROLE_CHOICES = [(role.value, role.label) for role in GRANTABLE_ROLES]


class _EmployeeNumberMixin(BootstrapForm):
    """An employee chosen by number, looked up among the employees the viewer may see."""

    employees: QuerySet[Employee]

    def clean_employee(self) -> Employee | None:
        number = self.cleaned_data.get("employee", "").strip()
        if not number:
            return None
        employee = self.employees.filter(number=number).first()
        if employee is None:
            raise forms.ValidationError(_("No employee has this number."))
        return employee


class UserCreateForm(_EmployeeNumberMixin):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150, validators=[UnicodeUsernameValidator()])
    email = forms.EmailField(label=gettext_lazy("Email"), required=False,
                             help_text=gettext_lazy("Leave empty to use the employee's email."))
    password = forms.CharField(
        label=gettext_lazy("Initial password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Optional. Without one the account cannot sign in until a password is set."),
    )
    employee = forms.CharField(label=gettext_lazy("Employee number"), required=False, max_length=32)

    def __init__(self, *args: Any, employees: QuerySet[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.employees = employees


class LinkForm(_EmployeeNumberMixin):
    employee = forms.CharField(label=gettext_lazy("Employee number"), max_length=32)

    def __init__(self, *args: Any, employees: QuerySet[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.employees = employees


class DepartmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # Indented by depth with no-break spaces (HTML collapses plain ones), so the list reads as the tree.
        return f"{NBSP * 3 * obj.depth}{obj.display_name} ({obj.code})"


class GrantForm(BootstrapForm):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)
    departments = DepartmentChoiceField(
        label=gettext_lazy("Org units (HR BP)"), queryset=Department.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("An HR BP covers these units and everything below them."),
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments  # type: ignore[attr-defined]


class RevokeForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


class PasswordForm(BootstrapForm):
    password = forms.CharField(label=gettext_lazy("New password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


def _show_service_error(form: forms.Form, error: ServiceError) -> None:
    """A service's field errors on the form's fields; the rest, and the message, above the form."""
    placed = False
    for name, errors in error.fields.items():
        if name in form.fields:
            form.add_error(name, list(errors))
            placed = True
    if not placed:
        form.add_error(None, error.message)


class UserListView(ScopedListView):
    """Accounts with their employee, roles, second factor, state and last sign-in; search by username,
    email, employee name or number."""

    selector = users_visible_to
    template_name = "org/users_list.html"
    context_object_name = "accounts"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # An empty list would still tell others the page exists; administration is 404 to them.
        if request.user.is_authenticated and not can_manage_users(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[User]:
        qs = super().get_queryset().select_related("employee", "employee__department").prefetch_related("role_grants")
        if q := self.request.GET.get("q", "").strip():
            qs = qs.filter(Q(username__icontains=q) | Q(email__icontains=q) | Q(employee__name__icontains=q)
                           | Q(employee__number__icontains=q))
        return qs

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["org/users_rows.html"]
        return [self.template_name]


@scope_exempt("a blank form shown to system admins only; the service checks the actor again")
class UserCreateView(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_manage_users(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, UserCreateForm(employees=employees_visible_to(request.user)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UserCreateForm(request.POST, employees=employees_visible_to(request.user))
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = user_create_for_employee(actor=request.user, username=data["username"], email=data["email"],
                                                   password=data["password"] or None, employee=data["employee"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, _("The account %(username)s was created.") % {"username": account.username})
                return redirect("org:user", pk=account.pk)
        return self._page(request, form, status=400)

    def _page(self, request: HttpRequest, form: UserCreateForm, status: int = 200) -> HttpResponse:
        return render(request, "org/users_new.html", {"form": form}, status=status)


class UserDetailView(ScopedDetailView):
    selector = users_visible_to
    template_name = "org/users_detail.html"
    # Not "user": that name is the signed-in user in every template.
    context_object_name = "account"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        account: User = self.object
        viewer_user = self.request.user
        context.setdefault("link_form", LinkForm(employees=employees_visible_to(viewer_user)))
        context.setdefault("grant_form", GrantForm(departments=departments_visible_to(viewer_user)))
        context.setdefault("password_form", PasswordForm())
        context.setdefault("active_form", ActiveForm())
        context.update(
            employee=employees_visible_to(viewer_user).filter(user=account).first(),
            grants=RoleGrant.objects.filter(user=account).prefetch_related("departments").order_by("role"),
            is_self=account.pk == viewer_user.pk,
            hr_bp=Role.HR_BP.value,
        )
        return context


class _UserActionView(UserDetailView):
    """One change to the account, posted from its page: on success back to the page with a message; on a
    form or service error the page again with the errors at the form that was sent (400)."""

    http_method_names = ["post"]
    form_name = ""

    def make_form(self, data: Any) -> forms.Form:
        return forms.Form(data)

    def act(self, account: User, form: forms.Form) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = account = self.get_object()
        form = self.make_form(request.POST)
        refused = ""
        if form.is_valid():
            try:
                message = self.act(account, form)
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                _show_service_error(form, error)
                refused = error.message
            else:
                messages.success(request, message)
                return redirect("org:user", pk=account.pk)
        if self.form_name:
            return self.render_to_response(self.get_context_data(**{self.form_name: form}), status=400)
        # A button without fields (deactivate, reset, revoke): the reason goes above the page.
        context = self.get_context_data(action_error=refused or _("The request was not valid."))
        return self.render_to_response(context, status=400)


class UserLinkView(_UserActionView):
    form_name = "link_form"

    def make_form(self, data: Any) -> forms.Form:
        return LinkForm(data, employees=employees_visible_to(self.request.user))

    def act(self, account: User, form: forms.Form) -> str:
        employee = form.cleaned_data["employee"]
        user_link_employee(actor=self.request.user, user=account, employee=employee)
        return _("The account is linked to %(employee)s.") % {"employee": employee}


class UserUnlinkView(_UserActionView):
    def act(self, account: User, form: forms.Form) -> str:
        user_link_employee(actor=self.request.user, user=account, employee=None)
        return _("The account is no longer linked to an employee.")


class UserGrantView(_UserActionView):
    form_name = "grant_form"

    def make_form(self, data: Any) -> forms.Form:
        return GrantForm(data, departments=departments_visible_to(self.request.user))

    def act(self, account: User, form: forms.Form) -> str:
        role = form.cleaned_data["role"]
        # Units mean something for an HR BP only; other roles are company-wide.
        units = form.cleaned_data["departments"] if role == Role.HR_BP else []
        role_services.role_grant(actor=self.request.user, user=account, role=role, departments=units)
        return _("Granted: %(role)s.") % {"role": Role(role).label}


class UserRevokeView(_UserActionView):
    def make_form(self, data: Any) -> forms.Form:
        return RevokeForm(data)

    def act(self, account: User, form: forms.Form) -> str:
        role = form.cleaned_data["role"]
        role_services.role_revoke(actor=self.request.user, user=account, role=role)
        return _("Revoked: %(role)s.") % {"role": Role(role).label}


class UserActiveView(_UserActionView):
    def make_form(self, data: Any) -> forms.Form:
        return ActiveForm(data)

    def act(self, account: User, form: forms.Form) -> str:
        active = form.cleaned_data["active"]
        account_services.user_set_active(actor=self.request.user, user=account, active=active)
        return _("The account is active.") if active else _("The account is deactivated.")


class UserTotpResetView(_UserActionView):
    def act(self, account: User, form: forms.Form) -> str:
        account_services.totp_reset(actor=self.request.user, user=account)
        return _("Two-factor authentication was reset. The user sets it up again at their next sign-in.")


class UserPasswordView(_UserActionView):
    form_name = "password_form"

    def make_form(self, data: Any) -> forms.Form:
        return PasswordForm(data)

    def act(self, account: User, form: forms.Form) -> str:
        account_services.password_set(actor=self.request.user, user=account, password=form.cleaned_data["password"])
        if account.pk == self.request.user.pk:
            # Setting one's own password here would otherwise sign the admin out of this session.
            update_session_auth_hash(self.request, account)
        return _("The password was set.")
