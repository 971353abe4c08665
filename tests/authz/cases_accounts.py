"""Authorization cases for sign-in, profile, tokens, /me, health, schema and language."""

from __future__ import annotations

from tests.authz.matrix import Case

SIGNED_IN = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
ALL_OK = {role: 200 for role in SIGNED_IN}
EVERYONE = ("anonymous", *SIGNED_IN)


def _employee_token_id(w):  # type: ignore[no-untyped-def]
    from fairmark.accounts.models import ApiToken

    token = ApiToken.objects.filter(user=w.users["employee"], name="matrix").first()
    if token is None:
        from fairmark.accounts.tokens import new_token

        _text, prefix, digest = new_token()
        token = ApiToken.objects.create(user=w.users["employee"], name="matrix", prefix=prefix, secret_hash=digest,
                                        scopes=["read"])
    return token.pk


CASES = [
    Case("login page", "accounts:login", lambda w: "/accounts/login/", expect={"anonymous": 200}, default=302),
    Case("login post, wrong password", "accounts:login", lambda w: "/accounts/login/", method="POST",
         data=lambda w: {"username": "employee", "password": "wrong"}, expect={"anonymous": 400}, default=400),
    Case("logout", "accounts:logout", lambda w: "/accounts/logout/", method="POST", expect={r: 302 for r in EVERYONE}),
    Case("second factor without a pending sign-in", "accounts:totp_verify", lambda w: "/accounts/2fa/",
         expect={r: 302 for r in EVERYONE}),
    # Starting enrolment stores a new secret (a write); admin already has a factor and is sent to the profile.
    Case("second factor set-up", "accounts:totp_setup", lambda w: "/accounts/2fa/setup/", writes=True,
         expect={**ALL_OK, "admin": 302}),
    Case("profile", "accounts:profile", lambda w: "/accounts/profile/", expect=ALL_OK),
    Case("create token on profile", "accounts:profile", lambda w: "/accounts/profile/", method="POST", writes=True,
         data=lambda w: {"name": "ci", "scopes": ["read"], "expires_in_days": 30}, expect=ALL_OK),
    Case("revoke employee's token", "accounts:token_revoke",
         lambda w: f"/accounts/tokens/{_employee_token_id(w)}/revoke/", method="POST", writes=True,
         expect={"employee": 302, "admin": 302}),
    Case("api me", "api:me", lambda w: "/api/v1/me", api=True, expect=ALL_OK),
    Case("api health", "api:health", lambda w: "/api/v1/health", api=True, expect={r: 200 for r in EVERYONE}),
    Case("api tokens", "api:token-list", lambda w: "/api/v1/tokens/", api=True, expect=ALL_OK),
    Case("api create token", "api:token-list", lambda w: "/api/v1/tokens/", method="POST", api=True, writes=True,
         data=lambda w: {"name": "ci", "scopes": ["read"]}, expect={r: 201 for r in SIGNED_IN}),
    Case("api employee's token", "api:token-detail", lambda w: f"/api/v1/tokens/{_employee_token_id(w)}/", api=True,
         expect={"employee": 200, "admin": 200}),
    Case("api revoke employee's token", "api:token-detail", lambda w: f"/api/v1/tokens/{_employee_token_id(w)}/",
         method="DELETE", api=True, writes=True, expect={"employee": 204, "admin": 204}),
    Case("openapi schema", "schema", lambda w: "/api/schema/", expect={r: 200 for r in EVERYONE}),
    Case("swagger ui", "swagger-ui", lambda w: "/api/docs/", expect={r: 200 for r in EVERYONE}),
    Case("language switch", "set_language", lambda w: "/i18n/setlang/", method="POST",
         data=lambda w: {"language": "en", "next": "/"}, expect={r: 302 for r in EVERYONE}),
    Case("javascript catalogue", "javascript-catalog", lambda w: "/i18n/js/", expect={r: 200 for r in EVERYONE}),
    Case("home", "core:home", lambda w: "/", expect=ALL_OK),
]

# A wrong current password: refused for everyone signed in, nothing changes (the success path is tested in
# tests/accounts/test_login.py).
CASES.append(Case("change password, wrong current", "accounts:password_change", lambda w: "/accounts/password/",
                  method="POST", data=lambda w: {"old_password": "wrong", "new_password1": "Batt3ry-Line-42",
                                                 "new_password2": "Batt3ry-Line-42"},
                  expect={r: 400 for r in SIGNED_IN}))
