from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.access import forget_viewer, viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ensure_in_scope

from ..models import Company, Department, Employee
from ..selectors import departments_editable_by
from .hierarchy import creates_loop
from .snapshots import department_snapshot


def _require_edit(actor: Any, parent: Department | None) -> None:
    if viewer_for(actor).edits_all_org:
        return
    if parent is not None and departments_editable_by(actor).filter(pk=parent.pk).exists():
        return
    raise OutOfScope(_("Not found."))


def _set_path(department: Department) -> None:
    parent = department.parent
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    department.depth = parent.depth + 1 if parent else 0


@transaction.atomic
def department_create(
    *, actor: Any, company: Company, code: str, name: str, parent: Department | None = None,
    name_en: str = "", head: Employee | None = None, cost_centre: str = "",
) -> Department:
    _require_edit(actor, parent)
    if Department.objects.filter(code=code).exists():
        raise ServiceError(_("A department with this code exists."), fields={"code": [_("Already used.")]})
    department = Department.objects.create(
        company=company, code=code, name=name, name_en=name_en, parent=parent, head=head, cost_centre=cost_centre
    )
    _set_path(department)
    department.save(update_fields=["path", "depth"])
    audit.record(actor=actor, action="department.create", obj=department, after=department_snapshot(department),
                 scope=department.path)
    ensure_in_scope(departments_editable_by(actor), department)
    return department


@transaction.atomic
def department_update(
    *, actor: Any, department: Department, name: str | None = None, name_en: str | None = None,
    head: Employee | Any | None = ..., cost_centre: str | None = None, active: bool | None = None,
) -> Department:
    ensure_in_scope(departments_editable_by(actor), department)
    before = department_snapshot(department)
    if name is not None:
        department.name = name
    if name_en is not None:
        department.name_en = name_en
    if head is not ...:
        department.head = head
    if cost_centre is not None:
        department.cost_centre = cost_centre
    if active is not None:
        if not active and Employee.objects.filter(department=department).exclude(status="left").exists():
            raise ServiceError(_("The department still has employees; move them first."))
        department.active = active
    department.save()
    old, new = audit.diff(before, department_snapshot(department))
    audit.record(actor=actor, action="department.update", obj=department, before=old, after=new, scope=department.path)
    forget_viewer(actor)
    return department


@transaction.atomic
def department_move(*, actor: Any, department: Department, new_parent: Department | None) -> Department:
    """Re-hang a department (and its subtree) under another parent. The actor must be able to change
    both the department and the new parent: an HR BP cannot carry a unit out of their units, nor
    re-hang the unit they were granted (which would take their grant elsewhere in the tree)."""
    ensure_in_scope(departments_editable_by(actor), department)
    _require_edit(actor, new_parent)
    if not viewer_for(actor).edits_all_org and department.path in viewer_for(actor).hr_paths:
        raise OutOfScope(_("Not found."))
    parent_of = dict(Department.objects.values_list("id", "parent_id"))
    if new_parent is not None and creates_loop(parent_of, department.pk, new_parent.pk):
        raise ServiceError(_("A department cannot be moved under itself."), fields={"parent": [_("Creates a loop.")]})
    before = department_snapshot(department)
    old_path = department.path
    department.parent = new_parent
    _set_path(department)
    department.save(update_fields=["parent", "path", "depth"])
    shift = department.depth - before_depth(old_path)
    for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk):
        child.path = department.path + child.path[len(old_path):]
        child.depth = child.depth + shift
        child.save(update_fields=["path", "depth"])
    old, new = audit.diff(before, department_snapshot(department))
    audit.record(actor=actor, action="department.move", obj=department, before=old, after=new, scope=department.path)
    forget_viewer(actor)
    ensure_in_scope(departments_editable_by(actor), department)
    return department


def before_depth(path: str) -> int:
    return path.strip("/").count("/")
