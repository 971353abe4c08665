"""Authorization cases for the department editor pages: add, edit, move. The tree is public inside the
company, so a department that does not exist is 404 and one the viewer may not change is 403 (GET and
POST). HR admins change every department, the HR BP those of quality (tests/world.py); a write the
service refuses for scope (the HR BP putting a department outside quality) is 404."""

from __future__ import annotations

from tests.authz.matrix import Case

# Signed in but changing no department (or not this one).
NOT_EDITOR = {"employee": 403, "manager": 403, "head": 403, "exec": 403, "admin": 403}
NOT_EDITORS = {**NOT_EDITOR, "hrbp": 403}
QUALITY = {"hr": 200, "hrbp": 200, **NOT_EDITOR}
MANUFACTURING = {"hr": 200, **NOT_EDITORS}


def _sub(code: str, parent: str):  # type: ignore[no-untyped-def]
    """A department made (once) under `parent` when the case builds its URL or payload."""

    def make(w):  # type: ignore[no-untyped-def]
        from fairmark.org.models import Department

        found = Department.objects.filter(code=code).first()
        if found is None:
            up = w.depts[parent]
            found = Department.objects.create(company=w.company, code=code, name=code, parent=up)
            Department.objects.filter(pk=found.pk).update(path=f"{up.path}{found.pk}/", depth=up.depth + 1)
        return found

    return make


def _page(dept: str, suffix: str):  # type: ignore[no-untyped-def]
    return lambda w: f"/org/departments/{w.depts[dept].pk}/{suffix}"


def _sub_page(code: str, parent: str, suffix: str):  # type: ignore[no-untyped-def]
    return lambda w: f"/org/departments/{_sub(code, parent)(w).pk}/{suffix}"


def _new(code: str, parent: str | None):  # type: ignore[no-untyped-def]
    return lambda w: {"code": code, "name": "新部门", "name_en": "New", "parent": w.depts[parent].pk if parent else "",
                      "head": "", "cost_centre": "CC1"}


def _edit(dept: str):  # type: ignore[no-untyped-def]
    return lambda w: {"name": w.depts[dept].name, "name_en": "Renamed", "head": "", "cost_centre": "CC9",
                      "active": "on"}


def _move_to(parent: str):  # type: ignore[no-untyped-def]
    """The parent is a world department or a sub-department made under QA."""
    return lambda w: {"parent": w.depts[parent].pk if parent in w.depts else _sub(parent, "QA")(w).pk}


NEW = "/org/departments/new/"

CASES = [
    # Add
    Case("new department page", "org:department_new", lambda w: NEW, expect={"hr": 200, "hrbp": 200, **NOT_EDITOR}),
    Case("new department page under quality", "org:department_new", lambda w: f"{NEW}?parent={w.depts['QA'].pk}",
         expect=QUALITY),
    Case("new department page under manufacturing", "org:department_new",
         lambda w: f"{NEW}?parent={w.depts['PROD'].pk}", expect=MANUFACTURING),
    Case("new department page under no such department", "org:department_new", lambda w: f"{NEW}?parent=987654"),
    Case("add a department under quality", "org:department_new", lambda w: NEW, method="POST",
         data=_new("IQC", "QA"), writes=True, expect={"hr": 302, "hrbp": 302, **NOT_EDITOR}),
    Case("add a department under manufacturing", "org:department_new", lambda w: NEW, method="POST",
         data=_new("LINE3", "PROD"), writes=True, expect={"hr": 302, "hrbp": 404, **NOT_EDITOR}),
    Case("add a top-level department", "org:department_new", lambda w: NEW, method="POST",
         data=_new("BRANCH", None), writes=True, expect={"hr": 302, "hrbp": 404, **NOT_EDITOR}),
    # Edit
    Case("edit page, quality", "org:department_edit", _page("QA", "edit/"), expect=QUALITY),
    Case("edit page, manufacturing", "org:department_edit", _page("PROD", "edit/"), expect=MANUFACTURING),
    Case("edit page, no such department", "org:department_edit", lambda w: "/org/departments/987654/edit/"),
    Case("edit quality", "org:department_edit", _page("QA", "edit/"), method="POST", data=_edit("QA"), writes=True,
         expect={"hr": 302, "hrbp": 302, **NOT_EDITOR}),
    Case("edit manufacturing", "org:department_edit", _page("PROD", "edit/"), method="POST", data=_edit("PROD"),
         writes=True, expect={"hr": 302, **NOT_EDITORS}),
    Case("edit no such department", "org:department_edit", lambda w: "/org/departments/987654/edit/",
         method="POST", data=_edit("QA"), writes=True),
    # Move
    Case("move page, quality sub-department", "org:department_move", _sub_page("IQC", "QA", "move/"),
         expect=QUALITY),
    Case("move page, line 2", "org:department_move", _page("LINE2", "move/"), expect=MANUFACTURING),
    Case("move page, no such department", "org:department_move", lambda w: "/org/departments/987654/move/"),
    Case("move within quality", "org:department_move", _sub_page("IQC", "QA", "move/"), method="POST",
         data=_move_to("OQC"), writes=True, expect={"hr": 302, "hrbp": 302, **NOT_EDITOR}),
    # The HR BP may change the sub-department but not take it out of quality: the service rolls back, 404.
    Case("move a quality sub-department to manufacturing", "org:department_move", _sub_page("IQC", "QA", "move/"),
         method="POST", data=_move_to("PROD"), writes=True, expect={"hr": 302, "hrbp": 404, **NOT_EDITOR}),
    Case("move line 2 under line 1", "org:department_move", _page("LINE2", "move/"), method="POST",
         data=_move_to("LINE1"), writes=True, expect={"hr": 302, **NOT_EDITORS}),
    Case("move no such department", "org:department_move", lambda w: "/org/departments/987654/move/",
         method="POST", data=_move_to("QA"), writes=True),
]
