"""Authorization cases for the org's editing pages: edit and transfer an employee, and stand-ins
(acting managers and delegates). Out of sight is 404; seen but not editable is 403 (as the API);
a write the service refuses for scope (an HR BP moving someone out of their units) is 404."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.authz.matrix import Case

SIGNED_IN = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
# Who sees, and who edits, each employee (tests/world.py): HR admin edits everyone, the HR BP QA.
EMPLOYEE_SEEN_NOT_EDITED = {"employee": 403, "manager": 403, "head": 403, "exec": 403, "admin": 403}
OTHER_SEEN_NOT_EDITED = {"head": 403, "exec": 403, "admin": 403}
QA_SEEN_NOT_EDITED = {"exec": 403, "admin": 403}
# The form to name a stand-in is for HR and for people who lead someone; the others are refused.
NO_FORM = {"employee": 403, "admin": 403}


def _page(key: str, suffix: str):  # type: ignore[no-untyped-def]
    return lambda w: f"/org/people/{w.people[key].pk}/{suffix}"


def _edit(w):  # type: ignore[no-untyped-def]
    person = w.people["employee"]
    return {"name": person.name, "level": person.level_id, "status": "active", "location": "溧阳基地",
            "email": person.email, "phone": "13800000000"}


def _edit_qa(w):  # type: ignore[no-untyped-def]
    person = w.people["qa_engineer"]
    return {"name": person.name, "level": person.level_id, "status": "active", "location": "溧阳基地",
            "email": person.email}


def _transfer(dept: str, manager: str | None):  # type: ignore[no-untyped-def]
    return lambda w: {"effective": timezone.localdate().isoformat(), "department": w.depts[dept].pk, "position": "",
                      "manager": w.people[manager].number if manager else "", "reason": "调岗"}


def _delegation(principal: str, delegate: str):  # type: ignore[no-untyped-def]
    """A stand-in in force since last year, made (once) when the case builds its URL."""

    def make(w):  # type: ignore[no-untyped-def]
        from fairmark.org.models import Delegation

        found = Delegation.objects.filter(principal=w.people[principal], delegate=w.people[delegate]).first()
        found = found or Delegation.objects.create(principal=w.people[principal], delegate=w.people[delegate],
                                                   kind="acting", valid_from=dt.date(2025, 6, 1))
        return f"/org/delegations/{found.pk}/end/"

    return make


def _new_delegation(principal: str, delegate: str):  # type: ignore[no-untyped-def]
    return lambda w: {"principal": w.people[principal].pk, "delegate": w.people[delegate].number,
                      "kind": "delegate", "valid_from": "2026-12-01", "valid_to": "2026-12-31", "reason": "休假"}


CASES = [
    # Edit
    Case("edit page, line 1 employee", "org:employee_edit", _page("employee", "edit/"),
         expect={"hr": 200, **EMPLOYEE_SEEN_NOT_EDITED}),
    Case("edit page, line 2 employee", "org:employee_edit", _page("other", "edit/"),
         expect={"hr": 200, **OTHER_SEEN_NOT_EDITED}),
    Case("edit page, quality engineer", "org:employee_edit", _page("qa_engineer", "edit/"),
         expect={"hr": 200, "hrbp": 200, **QA_SEEN_NOT_EDITED}),
    Case("edit, line 1 employee", "org:employee_edit", _page("employee", "edit/"), method="POST", data=_edit,
         writes=True, expect={"hr": 302, **EMPLOYEE_SEEN_NOT_EDITED}),
    Case("edit, quality engineer", "org:employee_edit", _page("qa_engineer", "edit/"), method="POST",
         data=_edit_qa, writes=True, expect={"hr": 302, "hrbp": 302, **QA_SEEN_NOT_EDITED}),
    # Transfer
    Case("transfer page, line 1 employee", "org:employee_transfer", _page("employee", "transfer/"),
         expect={"hr": 200, **EMPLOYEE_SEEN_NOT_EDITED}),
    Case("transfer page, quality engineer", "org:employee_transfer", _page("qa_engineer", "transfer/"),
         expect={"hr": 200, "hrbp": 200, **QA_SEEN_NOT_EDITED}),
    Case("transfer, line 1 to line 2", "org:employee_transfer", _page("employee", "transfer/"), method="POST",
         data=_transfer("LINE2", "l2_leader"), writes=True, expect={"hr": 302, **EMPLOYEE_SEEN_NOT_EDITED}),
    Case("transfer, within quality", "org:employee_transfer", _page("qa_engineer", "transfer/"), method="POST",
         data=_transfer("QA", "hr_person"), writes=True, expect={"hr": 302, "hrbp": 302, **QA_SEEN_NOT_EDITED}),
    # The HR BP may open the page but not move the engineer out of their units: the service says 404.
    # (No manager: a manager's number the HR BP cannot see would be a form error first.)
    Case("transfer, quality to line 1", "org:employee_transfer", _page("qa_engineer", "transfer/"), method="POST",
         data=_transfer("LINE1", None), writes=True, expect={"hr": 302, **QA_SEEN_NOT_EDITED}),
    # Stand-ins
    Case("stand-ins page", "org:delegations", lambda w: "/org/delegations/", expect={r: 200 for r in SIGNED_IN}),
    # A manager names their own stand-in, HR anyone's it edits; a principal seen but not theirs is 404, as in the API.
    Case("name a stand-in for the line 1 manager", "org:delegations", lambda w: "/org/delegations/", method="POST",
         data=_new_delegation("manager", "l2_leader"), writes=True, expect={"manager": 302, "hr": 302, **NO_FORM}),
    Case("name a stand-in for the quality head", "org:delegations", lambda w: "/org/delegations/", method="POST",
         data=_new_delegation("qa_head", "qa_engineer"), writes=True, expect={"hrbp": 302, "hr": 302, **NO_FORM}),
    Case("end the line 1 manager's stand-in", "org:delegation_end", _delegation("manager", "peer"), method="POST",
         writes=True, expect={"manager": 302, "hr": 302, "head": 403, "exec": 403, "admin": 403}),
    Case("end the line 2 leader's stand-in", "org:delegation_end", _delegation("l2_leader", "other"), method="POST",
         writes=True, expect={"hr": 302, "head": 403, "exec": 403, "admin": 403}),
    Case("end the quality head's stand-in", "org:delegation_end", _delegation("qa_head", "qa_engineer"),
         method="POST", writes=True, expect={"hrbp": 302, "hr": 302, "exec": 403, "admin": 403}),
    Case("end no one's stand-in", "org:delegation_end", lambda w: "/org/delegations/987654/end/", method="POST",
         writes=True),
]
