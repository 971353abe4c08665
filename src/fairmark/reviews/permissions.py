"""Who acts on a review in which workflow role (DESIGN.md §6 and reviews.workflow.ROLES), as plain checks over the
viewer and the review. Services call them before every write, pages to show only the buttons that work.

- employee: the reviewed person. manager: the review's reviewing manager (set at launch from the reporting
  line), n2: the manager's manager; a delegate takes over the role the review's owner had when the task was
  delegated. hr: HR admins, and the HR BPs of the person's unit. executive: reads, never moves a review.
- Nobody holds a leading role on their own review: an HR admin's own review is decided by their manager.
- Raters are not a role on the review's page: they reach their own rating form only (services/ratings.py)."""

from __future__ import annotations

from typing import Any

from fairmark.core.access import Role, Viewer

from .workflow import OWNER

ROLE_ORDER = ("employee", "manager", "n2", "hr", "executive")


def _covers(paths: tuple[str, ...], path: str | None) -> bool:
    return bool(path) and any(path.startswith(p) for p in paths)  # type: ignore[union-attr]


def is_hr_for(viewer: Viewer, department_path: str) -> bool:
    return viewer.has(Role.HR_ADMIN) or _covers(viewer.hr_paths, department_path)


def manages_cycles(viewer: Viewer) -> bool:
    """Creates, launches and changes cycles: HR admins (HR BPs run them for their units in a later version)."""
    return viewer.has(Role.HR_ADMIN)


def roles_on(viewer: Viewer, review: Any) -> list[str]:
    """The workflow roles the viewer holds on this review, in ROLE_ORDER."""
    me = viewer.employee_id
    if me is None and not viewer.has(Role.HR_ADMIN, Role.EXECUTIVE):
        return []
    roles: set[str] = set()
    own = me is not None and me == review.employee_id
    if own:
        roles.add("employee")
    else:
        if me is not None and me == review.manager_id:
            roles.add("manager")
        if me is not None and me == review.n2_id:
            roles.add("n2")
        if me is not None and me == review.delegate_id:
            owner = OWNER.get(review.state)
            if owner in ("manager", "n2", "hr"):
                roles.add(owner)
        if is_hr_for(viewer, review.department.path):
            roles.add("hr")
        if viewer.has(Role.EXECUTIVE):
            roles.add("executive")
    return [role for role in ROLE_ORDER if role in roles]


def sees_raters(viewer: Viewer, review: Any) -> bool:
    """The rater list (who rated) is for HR (DESIGN.md §6: HR BP and HR admin), never the ratee or manager."""
    return viewer.employee_id != review.employee_id and is_hr_for(viewer, review.department.path)


def nominates_for(viewer: Viewer, review: Any) -> bool:
    """The employee nominates their raters; the manager (and HR) nominate and approve."""
    return bool({"employee", "manager", "hr"} & set(roles_on(viewer, review)))


def approves_raters(viewer: Viewer, review: Any) -> bool:
    return bool({"manager", "hr"} & set(roles_on(viewer, review)))
