"""Who may do what with goals (DESIGN.md §6), as plain checks over the viewer and the goal's owner. Services
call them before every write and the pages call them to show only the buttons that work.

- Company objectives: executives and HR admins write them; everyone signed in reads them (the strategy is
  visible all the way down).
- Department goals: also the head of the department (and of any unit above it) and the HR BPs of the unit;
  everyone reads them.
- A person's goals: the person, while their agreement is a draft or returned; their managers (direct and
  indirect, and stand-ins), the head of their department, their HR BP and HR admins; executives read them.
- Approving, returning and the manager's signature: the person's managers, department head, HR BP or HR
  admin, never the person. A change after sign-off is decided by one of them who did not ask for it."""

from __future__ import annotations

from typing import Any

from fairmark.core.access import Role, Viewer


def _covers(paths: tuple[str, ...], path: str | None) -> bool:
    return bool(path) and any(path.startswith(p) for p in paths)  # type: ignore[union-attr]


def writes_company_goals(viewer: Viewer) -> bool:
    return viewer.has(Role.EXECUTIVE, Role.HR_ADMIN)


def writes_department_goals(viewer: Viewer, department_path: str) -> bool:
    return (writes_company_goals(viewer) or _covers(viewer.head_paths, department_path)
            or _covers(viewer.hr_paths, department_path))


def leads_person(viewer: Viewer, employee_id: int, department_path: str) -> bool:
    """Manages the person (the whole chain above them), heads their department, is their HR BP or HR admin."""
    if viewer.employee_id == employee_id:
        return False  # nobody leads themself, HR admins included: their own goals are decided by their manager
    return (viewer.has(Role.HR_ADMIN) or employee_id in viewer.team_ids
            or _covers(viewer.head_paths, department_path) or _covers(viewer.hr_paths, department_path))


def is_self(viewer: Viewer, employee_id: int) -> bool:
    return viewer.employee_id is not None and viewer.employee_id == employee_id


def reads_all_goals(viewer: Viewer) -> bool:
    return viewer.reads_all_people


def writes_goal(viewer: Viewer, goal: Any) -> bool:
    """May change this goal in place (the agreement's state is checked by the service)."""
    if goal.level == "company":
        return writes_company_goals(viewer)
    if goal.level == "department":
        return writes_department_goals(viewer, goal.department.path)
    employee = goal.employee
    return is_self(viewer, employee.pk) or leads_person(viewer, employee.pk, employee.department.path)


def decides_for(viewer: Viewer, employee: Any) -> bool:
    """May approve, return and sign as the manager for this person's agreement."""
    return leads_person(viewer, employee.pk, employee.department.path)
