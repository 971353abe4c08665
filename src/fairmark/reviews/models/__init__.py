from .choices import (
    ANONYMOUS_GROUPS,
    ActorRole,
    CycleKind,
    CycleStatus,
    LeaverRule,
    Phase,
    Population,
    RaterGroup,
    RaterStatus,
    ReviewAction,
    ReviewState,
)
from .cycles import Cycle, CyclePhase
from .raters import Rater, Rating
from .reviews import Adjustment, ItemScore, ReminderSent, Review, ReviewStep

__all__ = [
    "ANONYMOUS_GROUPS",
    "ActorRole",
    "Adjustment",
    "Cycle",
    "CycleKind",
    "CyclePhase",
    "CycleStatus",
    "ItemScore",
    "LeaverRule",
    "Phase",
    "Population",
    "Rater",
    "RaterGroup",
    "RaterStatus",
    "Rating",
    "ReminderSent",
    "Review",
    "ReviewAction",
    "ReviewState",
    "ReviewStep",
]
