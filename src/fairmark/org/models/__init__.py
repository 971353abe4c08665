from .people import Assignment, Delegation, DelegationKind, Employee, EmployeeStatus
from .roles import Role, RoleGrant
from .structure import Company, Department, JobFamily, Level, Position

__all__ = [
    "Assignment",
    "Company",
    "Delegation",
    "DelegationKind",
    "Department",
    "Employee",
    "EmployeeStatus",
    "JobFamily",
    "Level",
    "Position",
    "Role",
    "RoleGrant",
]
