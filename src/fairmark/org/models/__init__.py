from fairmark.core.access import Role

from .imports import ImportJob, ImportKind, ImportStatus
from .people import Assignment, Delegation, DelegationKind, Employee, EmployeeStatus
from .roles import RoleGrant
from .structure import Company, Department, JobFamily, Level, Position

__all__ = [
    "Assignment",
    "Company",
    "Delegation",
    "DelegationKind",
    "Department",
    "Employee",
    "EmployeeStatus",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "JobFamily",
    "Level",
    "Position",
    "Role",
    "RoleGrant",
]
