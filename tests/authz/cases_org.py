"""Authorization cases for the org pages and API (people, departments, org chart)."""

from __future__ import annotations

from tests.authz.matrix import Case

SIGNED_IN = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
ALL_OK = {role: 200 for role in SIGNED_IN}
# Who may read which employee (DESIGN.md §6): self, managers up the line, the department head,
# HR BPs of the unit, HR admin, executives and system admins.
SEES_EMPLOYEE = {"employee": 200, "manager": 200, "head": 200, "hr": 200, "exec": 200, "admin": 200}
SEES_OTHER = {"head": 200, "hr": 200, "exec": 200, "admin": 200}
SEES_QA = {"hrbp": 200, "hr": 200, "exec": 200, "admin": 200}


def _days_ago(days: int) -> str:
    import datetime as dt

    from django.utils import timezone

    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def _emp(key: str):  # type: ignore[no-untyped-def]
    return lambda w: f"/org/people/{w.people[key].pk}/"


def _api_emp(key: str, suffix: str = ""):  # type: ignore[no-untyped-def]
    return lambda w: f"/api/v1/employees/{w.people[key].pk}/{suffix}"


def _new_employee(dept: str):  # type: ignore[no-untyped-def]
    return lambda w: {"number": "N9001", "name": "新员工", "department": dept, "hire_date": "2026-01-05",
                      "manager": w.people["manager"].number if dept == "LINE1" else None}


CASES = [
    # pages
    Case("people list", "org:people", lambda w: "/org/people/", expect=ALL_OK),
    Case("employee page, self of employee", "org:employee", _emp("employee"), expect=SEES_EMPLOYEE),
    Case("employee page, another line", "org:employee", _emp("other"), expect=SEES_OTHER),
    Case("employee page, quality", "org:employee", _emp("qa_engineer"), expect=SEES_QA),
    Case("department tree", "org:departments", lambda w: "/org/departments/", expect=ALL_OK),
    Case("org chart", "org:chart", lambda w: "/org/chart/", expect=ALL_OK),
    Case("org chart data", "org:chart_data", lambda w: "/org/chart/data/", expect=ALL_OK),
    # API: employees
    Case("api employees list", "api:employee-list", lambda w: "/api/v1/employees/", api=True, expect=ALL_OK),
    Case("api employee, in scope of the line", "api:employee-detail", _api_emp("employee"), api=True,
         expect=SEES_EMPLOYEE),
    Case("api employee, another line", "api:employee-detail", _api_emp("other"), api=True, expect=SEES_OTHER),
    Case("api employee, quality", "api:employee-detail", _api_emp("qa_engineer"), api=True, expect=SEES_QA),
    Case("api create employee on a line", "api:employee-list", lambda w: "/api/v1/employees/", method="POST",
         api=True, data=_new_employee("LINE1"), writes=True, expect={"hr": 201}),
    Case("api create employee in quality", "api:employee-list", lambda w: "/api/v1/employees/", method="POST",
         api=True, data=_new_employee("QA"), writes=True, expect={"hr": 201, "hrbp": 201}),
    # Visible but not editable → 403 (the caller already knows it exists); invisible → 404.
    Case("api update employee", "api:employee-detail", _api_emp("employee"), method="PATCH", api=True,
         data=lambda w: {"location": "溧阳基地"}, writes=True,
         expect={"hr": 200, "employee": 403, "manager": 403, "head": 403, "exec": 403, "admin": 403}),
    Case("api update quality employee", "api:employee-detail", _api_emp("qa_engineer"), method="PATCH", api=True,
         data=lambda w: {"location": "溧阳基地"}, writes=True, expect={"hr": 200, "hrbp": 200, "exec": 403, "admin": 403}),
    Case("api transfer employee", "api:employee-transfer", _api_emp("employee", "transfer/"), method="POST",
         api=True, data=lambda w: {"effective": _days_ago(10), "department": "LINE2",
                                   "manager": w.people["l2_leader"].number},
         writes=True, expect={"hr": 200, "employee": 403, "manager": 403, "head": 403, "exec": 403, "admin": 403}),
    # API: departments
    Case("api departments list", "api:department-list", lambda w: "/api/v1/departments/", api=True, expect=ALL_OK),
    Case("api department", "api:department-detail", lambda w: f"/api/v1/departments/{w.depts['QA'].pk}/",
         api=True, expect=ALL_OK),
    Case("api create department under quality", "api:department-list", lambda w: "/api/v1/departments/",
         method="POST", api=True, writes=True, data=lambda w: {"code": "IQC", "name": "来料检验", "parent": "QA"},
         expect={"hr": 201, "hrbp": 201}),
    Case("api create department under manufacturing", "api:department-list", lambda w: "/api/v1/departments/",
         method="POST", api=True, writes=True, data=lambda w: {"code": "LINE3", "name": "电芯三线", "parent": "PROD"},
         expect={"hr": 201}),
]


def _delegation(w):  # type: ignore[no-untyped-def]
    import datetime as dt

    from fairmark.org.models import Delegation

    found = Delegation.objects.filter(principal=w.people["l2_leader"]).first()
    return found or Delegation.objects.create(principal=w.people["l2_leader"], delegate=w.people["other"],
                                              kind="acting", valid_from=dt.date(2026, 1, 1))


CASES += [
    Case("api delegations", "api:delegation-list", lambda w: "/api/v1/delegations/", api=True, expect=ALL_OK),
    # Line 2's stand-in arrangement is visible to those who see line 2 (head, HR, exec, admin).
    Case("api delegation on line 2", "api:delegation-detail", lambda w: f"/api/v1/delegations/{_delegation(w).pk}/",
         api=True, expect=SEES_OTHER),
    # A manager names their own delegate; HR names anyone's; others are refused.
    Case("api manager delegates own approvals", "api:delegation-list", lambda w: "/api/v1/delegations/",
         method="POST", api=True, writes=True,
         data=lambda w: {"principal": w.people["manager"].number, "delegate": w.people["l2_leader"].number,
                         "kind": "delegate", "valid_from": "2026-12-01"},
         expect={"manager": 201, "hr": 201}),
]
