from .agreement import Agreement, AgreementStep, GoalChange, GoalSet, GoalSetItem
from .alerts import Alert, AlertEvent, AlertRule, AlertWatermark
from .checkins import EVIDENCE_MAX_BYTES, Blocker, CheckIn, Evidence
from .choices import (
    AgreementAction,
    AgreementStatus,
    AlertDirection,
    AlertKind,
    AlertLevel,
    AlertStatus,
    BlockerStatus,
    ChangeKind,
    ChangeStatus,
    GoalKind,
    GoalLevel,
    GoalState,
)
from .goals import Goal, KeyResult

__all__ = [
    "EVIDENCE_MAX_BYTES",
    "Agreement",
    "AgreementAction",
    "AgreementStatus",
    "AgreementStep",
    "Alert",
    "AlertDirection",
    "AlertEvent",
    "AlertKind",
    "AlertLevel",
    "AlertRule",
    "AlertStatus",
    "AlertWatermark",
    "Blocker",
    "BlockerStatus",
    "ChangeKind",
    "ChangeStatus",
    "CheckIn",
    "Evidence",
    "Goal",
    "GoalChange",
    "GoalKind",
    "GoalLevel",
    "GoalSet",
    "GoalSetItem",
    "GoalState",
    "KeyResult",
]
