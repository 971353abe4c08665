from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core import crypto
from fairmark.core.errors import ServiceError
from fairmark.core.scoping import scope_exempt

from . import selectors, services, totp
from .forms import CodeForm, LoginForm, TokenForm
from .models import User

PENDING_KEY = "fairmark_pending_2fa_user"
PENDING_TRIES = "fairmark_pending_2fa_tries"
MAX_CODE_TRIES = 5


def _me(request: HttpRequest) -> User:
    """The signed-in user (the views below are behind LoginRequiredMixin)."""
    return cast(User, request.user)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


@scope_exempt("sign-in shows no organisation data")
class LoginView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("core:home")
        return render(request, "accounts/login.html", {"form": LoginForm(), "next": _next_url(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LoginForm(request.POST)
        if form.is_valid():
            user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
            if getattr(request, "axes_locked_out", False):
                return render(request, "accounts/locked_out.html", status=429)
            if user is not None:
                if user.has_totp:
                    request.session[PENDING_KEY] = user.pk
                    request.session[PENDING_TRIES] = 0
                    return redirect(f"/accounts/2fa/?next={_next_url(request)}")
                login(request, user)
                return redirect(_next_url(request))
            form.add_error(None, _("The username or password is wrong."))
        return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=400)


@scope_exempt("second step of sign-in")
class TotpVerifyView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if PENDING_KEY not in request.session:
            return redirect("accounts:login")
        return render(request, "accounts/totp_verify.html", {"form": CodeForm(), "next": _next_url(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        user_id = request.session.get(PENDING_KEY)
        if user_id is None:
            return redirect("accounts:login")
        user = get_object_or_404(User, pk=user_id, is_active=True)
        form = CodeForm(request.POST)
        if form.is_valid() and services.totp_check(user=user, code=form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_next_url(request))
        tries = request.session.get(PENDING_TRIES, 0) + 1
        request.session[PENDING_TRIES] = tries
        if tries >= MAX_CODE_TRIES:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("accounts:login")
        form.add_error("code", _("The code is not valid."))
        return render(request, "accounts/totp_verify.html", {"form": form, "next": _next_url(request)}, status=400)


@scope_exempt("the caller's own second factor")
class TotpSetupView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if _me(request).has_totp:
            # Re-enrolling would switch the confirmed factor off until confirmed again.
            messages.info(request, _("Two-factor authentication is already on."))
            return redirect("accounts:profile")
        secret = services.totp_begin_enrolment(actor=_me(request))
        return self._page(request, secret, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if _me(request).has_totp:
            return redirect("accounts:profile")
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                services.totp_confirm(actor=_me(request), code=form.cleaned_data["code"])
            except ServiceError as error:
                form.add_error("code", error.message)
            else:
                messages.success(request, _("Two-factor authentication is on."))
                return redirect("accounts:profile")
        user = _me(request)
        secret = crypto.decrypt(user.totp_secret_encrypted) if user.totp_secret_encrypted else ""
        return self._page(request, secret, form, status=400)

    def _page(self, request: HttpRequest, secret: str, form: CodeForm, status: int = 200) -> HttpResponse:
        uri = totp.provisioning_uri(secret, request.user.username)
        return render(request, "accounts/totp_setup.html",
                      {"form": form, "secret": secret, "qr": totp.qr_svg(uri)}, status=status)


@scope_exempt("signs the caller out")
class LogoutView(View):
    def post(self, request: HttpRequest) -> HttpResponse:
        logout(request)
        return redirect("accounts:login")


@scope_exempt("the caller's own profile and tokens")
class ProfileView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, TokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TokenForm(request.POST)
        new_token = None
        if form.is_valid():
            try:
                _row, new_token = services.token_create(
                    actor=_me(request), user=_me(request), name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"], expires_in_days=form.cleaned_data["expires_in_days"],
                )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                form = TokenForm()
        return self._page(request, form, new_token=new_token)

    def _page(self, request: HttpRequest, form: TokenForm, new_token: str | None = None,
              password_form: PasswordChangeForm | None = None, status: int = 200) -> HttpResponse:
        context: dict[str, Any] = {
            "form": form,
            "password_form": password_form or PasswordChangeForm(_me(request)),
            "new_token": new_token,
            "tokens": selectors.tokens_visible_to(request.user).filter(user=_me(request)),
            "employee": getattr(request.user, "employee", None),
        }
        return render(request, "accounts/profile.html", context, status=status)


@scope_exempt("changes the caller's own password")
class PasswordChangeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        # Django's form checks the current password, that the two new ones match, and the validators.
        form = PasswordChangeForm(_me(request), request.POST)
        if not form.is_valid():
            return ProfileView()._page(request, TokenForm(), password_form=form, status=400)
        services.password_change(actor=_me(request), new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, _me(request))  # stay signed in on this device
        messages.success(request, _("Your password is changed."))
        return redirect("accounts:profile")


@scope_exempt("revokes one of the caller's own tokens, looked up through the scoped selector")
class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = get_object_or_404(selectors.tokens_visible_to(request.user), pk=pk)
        services.token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token was revoked."))
        return redirect("accounts:profile")
