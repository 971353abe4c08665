"""Authorization cases for user and role administration (/org/users/...): system admins only, everyone
else 404. There is no in-scope / out-of-scope target here; each write is tried on the admin's own
account and on another user's."""

from __future__ import annotations

from tests.authz.matrix import Case

ADMIN_OK = {"admin": 200}
ADMIN_DONE = {"admin": 302}
STRONG = "Vivid-Harbour-Lantern-81"


def _user(key: str):  # type: ignore[no-untyped-def]
    return lambda w: f"/org/users/{w.users[key].pk}/"


def _action(key: str, action: str):  # type: ignore[no-untyped-def]
    return lambda w: f"/org/users/{w.users[key].pk}/{action}/"


def _units(*codes: str):  # type: ignore[no-untyped-def]
    return lambda w: {"role": "hr_bp", "departments": [w.depts[code].pk for code in codes]}


CASES = [
    Case("users list", "org:users", lambda w: "/org/users/", expect=ADMIN_OK),
    Case("users list, search", "org:users", lambda w: "/org/users/?q=E0004", expect=ADMIN_OK),
    Case("new user page", "org:user_new", lambda w: "/org/users/new/", expect=ADMIN_OK),
    Case("create user linked to an employee", "org:user_new", lambda w: "/org/users/new/", method="POST",
         writes=True, data=lambda w: {"username": "newbie", "password": STRONG, "employee": "E0005"}, expect=ADMIN_DONE),
    Case("create user with a weak password", "org:user_new", lambda w: "/org/users/new/", method="POST",
         data=lambda w: {"username": "newbie", "password": "123"}, expect={"admin": 400}),
    Case("user page, own", "org:user", _user("admin"), expect=ADMIN_OK),
    Case("user page, another", "org:user", _user("employee"), expect=ADMIN_OK),
    # Linking moves the employee user's account to their peer; the admin has no employee yet.
    Case("link employee, own", "org:user_link", _action("admin", "link"), method="POST", writes=True,
         data=lambda w: {"employee": "E0005"}, expect=ADMIN_DONE),
    Case("link employee, another", "org:user_link", _action("employee", "link"), method="POST", writes=True,
         data=lambda w: {"employee": "E0005"}, expect=ADMIN_DONE),
    Case("link to an employee who has an account", "org:user_link", _action("admin", "link"), method="POST",
         data=lambda w: {"employee": "E0004"}, expect={"admin": 400}),
    Case("unlink employee, own", "org:user_unlink", _action("admin", "unlink"), method="POST", writes=True,
         expect=ADMIN_DONE),
    Case("unlink employee, another", "org:user_unlink", _action("employee", "unlink"), method="POST", writes=True,
         expect=ADMIN_DONE),
    Case("grant role, own", "org:user_grant", _action("admin", "roles"), method="POST", writes=True,
         data=lambda w: {"role": "executive"}, expect=ADMIN_DONE),
    Case("grant HR BP with units, another", "org:user_grant", _action("employee", "roles"), method="POST",
         writes=True, data=_units("QA", "LINE2"), expect=ADMIN_DONE),
    Case("grant HR BP without units", "org:user_grant", _action("employee", "roles"), method="POST",
         data=_units(), expect={"admin": 400}),
    # Revoking one's own system-admin role is refused (nobody may be left to give it back).
    Case("revoke role, own", "org:user_revoke", _action("admin", "roles/revoke"), method="POST",
         data=lambda w: {"role": "sysadmin"}, expect={"admin": 400}),
    Case("revoke role, another", "org:user_revoke", _action("hrbp", "roles/revoke"), method="POST", writes=True,
         data=lambda w: {"role": "hr_bp"}, expect=ADMIN_DONE),
    Case("deactivate, own", "org:user_active", _action("admin", "active"), method="POST",
         data=lambda w: {"active": "0"}, expect={"admin": 400}),
    Case("deactivate, another", "org:user_active", _action("employee", "active"), method="POST", writes=True,
         data=lambda w: {"active": "0"}, expect=ADMIN_DONE),
    Case("reset two-factor, own", "org:user_totp_reset", _action("admin", "2fa/reset"), method="POST", writes=True,
         expect=ADMIN_DONE),
    Case("reset two-factor, another", "org:user_totp_reset", _action("employee", "2fa/reset"), method="POST",
         writes=True, expect=ADMIN_DONE),
    Case("set password, own", "org:user_password", _action("admin", "password"), method="POST", writes=True,
         data=lambda w: {"password": STRONG}, expect=ADMIN_DONE),
    Case("set password, another", "org:user_password", _action("employee", "password"), method="POST", writes=True,
         data=lambda w: {"password": STRONG}, expect=ADMIN_DONE),
    Case("set a weak password", "org:user_password", _action("employee", "password"), method="POST",
         data=lambda w: {"password": "123"}, expect={"admin": 400}),
]
