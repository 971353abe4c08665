"""The per-person review workflow (DESIGN.md C5, issue 6 item 2): one table of state × role × action → where the
review goes, and the one function that applies it. Pure: no Django; the service records every Transition it
returns as an audit event (`transition.event`, `transition.audit()`) and words refusals from their codes.

    phases = ("self_review", "rating_360", "manager_review", "published")     # this cycle has no N+2 review
    transition("self_review", "employee", "submit", phases).next_state       # 'rating_360'
    transition("manager_review", "manager", "return", phases, reason="太简单").next_state   # 'self_review'
    transition("manager_review", "employee", "submit", phases)               # IllegalTransition: wrong_role

States are the cycle's phases in their fixed order (PHASES: goal setting → in progress → self-review → 360 →
manager review → N+2 review → calibration → published → interview), plus `appealed` (inside the published
phase), `closed` after the last phase, and `voided` (作废). A cycle enables some phases, in that order; the table
names targets relative to them, so one table serves every cycle: NEXT is the next phase the cycle has (closed
after its last), BACK is the nearest earlier phase of the cycle where someone writes the review (self, manager
or N+2 review), STAY keeps the state (a rater's form, a delegation), CHOSEN is the phase HR names to reopen at.

Why these rules: each open state has an owner (OWNER) whose `submit` hands the work on; the owner of a later
step returns (驳回) work to the previous writer, and the Transition carries `resume_at` so the resubmission can go
straight back to whoever returned it instead of through the phases between. Publishing includes the
acknowledge/appeal window: the employee acknowledges (确认) or appeals (申诉); HR acknowledges for them once the
window has lapsed (视为确认, the service checks the date) and decides appeals; an upheld appeal that changes
the score is a reopen to an earlier phase. HR may void any open review, skip a person's phase (also how
reviews leave a phase the cycle dropped), delegate a manager's, N+2's or HR's task, and is the only one to
reopen; closed and voided are terminal otherwise. Return, void, reopen, skip, appeal and an appeal's decision
need a reason. An executive sees reviews but never moves one (DESIGN.md §6: read)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import pairwise
from types import MappingProxyType
from typing import Literal, cast, get_args

Phase = Literal["goal_setting", "in_progress", "self_review", "rating_360", "manager_review", "n2_review",
                "calibration", "published", "interview"]
State = Literal["goal_setting", "in_progress", "self_review", "rating_360", "manager_review", "n2_review",
                "calibration", "published", "appealed", "interview", "closed", "voided"]
Role = Literal["employee", "rater", "manager", "n2", "hr", "executive"]
Action = Literal["submit", "return", "void", "reopen", "delegate", "decline", "acknowledge", "appeal",
                 "decide_appeal", "close", "skip_phase"]
Delegate = int | str

PHASES: tuple[Phase, ...] = get_args(Phase)
STATES: tuple[State, ...] = get_args(State)
ROLES: tuple[Role, ...] = get_args(Role)
ACTIONS: tuple[Action, ...] = get_args(Action)
TERMINAL: frozenset[State] = frozenset({"closed", "voided"})
OPEN_STATES: tuple[State, ...] = tuple(s for s in STATES if s not in TERMINAL)

# The phase a state belongs to (appealed is part of publishing); its place in the fixed order.
PHASE_OF: Mapping[State, Phase] = MappingProxyType(
    {**{cast(State, p): p for p in PHASES}, "appealed": "published"})
_ORDER: dict[str, int] = {p: i for i, p in enumerate(PHASES)}
_AFTER_ALL = len(PHASES)  # where closed and voided sort

# Phases where someone writes the review, so work can be returned (驳回) to them.
WRITING_PHASES: frozenset[Phase] = frozenset({"self_review", "manager_review", "n2_review"})
REASON_REQUIRED: frozenset[Action] = frozenset({"return", "void", "reopen", "skip_phase", "appeal", "decide_appeal"})
# What HR can still do to a review sitting in a phase its cycle no longer has.
OUTSIDE_CYCLE: frozenset[Action] = frozenset({"void", "skip_phase"})

# Whose task an open state is (to-do lists, reminders, and the role a delegate takes over).
OWNER: Mapping[State, Role | None] = MappingProxyType({
    "goal_setting": "manager", "in_progress": "manager", "self_review": "employee", "rating_360": "manager",
    "manager_review": "manager", "n2_review": "n2", "calibration": "hr", "published": "employee",
    "appealed": "hr", "interview": "manager", "closed": None, "voided": None,
})


class Goes(Enum):
    """A target named relative to the cycle's phases."""

    NEXT = "next"      # the next phase the cycle has; closed after its last
    BACK = "back"      # the nearest earlier writing phase the cycle has (none: the return is not possible)
    STAY = "stay"      # same state: a rater's own form, a delegation
    CHOSEN = "chosen"  # reopen: the phase given as `to`, one the cycle has and earlier than the state


Target = State | Goes
NEXT, BACK, STAY, CHOSEN = Goes.NEXT, Goes.BACK, Goes.STAY, Goes.CHOSEN

_ROWS: dict[tuple[State, Role, Action], Target] = {
    # Goals agreed and signed (the goals app runs the agreement itself); the mid-period check held.
    ("goal_setting", "manager", "submit"): NEXT,
    ("goal_setting", "manager", "delegate"): STAY,
    ("goal_setting", "hr", "delegate"): STAY,
    ("in_progress", "manager", "submit"): NEXT,
    ("in_progress", "manager", "delegate"): STAY,
    ("in_progress", "hr", "delegate"): STAY,
    # The employee's own writing: nobody else submits or delegates it.
    ("self_review", "employee", "submit"): NEXT,
    # 360: each rater submits or declines their own form (the review waits); the manager closes the round.
    ("rating_360", "rater", "submit"): STAY,
    ("rating_360", "rater", "decline"): STAY,
    ("rating_360", "manager", "submit"): NEXT,
    ("rating_360", "manager", "return"): BACK,
    ("rating_360", "manager", "delegate"): STAY,
    ("rating_360", "hr", "delegate"): STAY,
    ("manager_review", "manager", "submit"): NEXT,
    ("manager_review", "manager", "return"): BACK,
    ("manager_review", "manager", "delegate"): STAY,
    ("manager_review", "hr", "delegate"): STAY,
    ("n2_review", "n2", "submit"): NEXT,
    ("n2_review", "n2", "return"): BACK,
    ("n2_review", "n2", "delegate"): STAY,
    ("n2_review", "hr", "delegate"): STAY,
    # Calibration is locked by HR (the calibration session moves every review of its group).
    ("calibration", "hr", "submit"): NEXT,
    ("calibration", "hr", "return"): BACK,
    ("calibration", "hr", "delegate"): STAY,
    # The acknowledge/appeal window.
    ("published", "employee", "acknowledge"): NEXT,
    ("published", "employee", "appeal"): "appealed",
    ("published", "hr", "acknowledge"): NEXT,  # deemed acknowledged once the window has lapsed
    ("published", "hr", "reopen"): CHOSEN,
    ("appealed", "hr", "decide_appeal"): NEXT,  # the result stands; a changed score is a reopen
    ("appealed", "hr", "reopen"): CHOSEN,
    ("appealed", "hr", "delegate"): STAY,
    ("interview", "manager", "submit"): NEXT,
    ("interview", "manager", "delegate"): STAY,
    ("interview", "hr", "delegate"): STAY,
    ("interview", "hr", "close"): "closed",  # the cycle closes; no interview record is required
    ("closed", "hr", "reopen"): CHOSEN,
    ("voided", "hr", "reopen"): CHOSEN,
}
TABLE: Mapping[tuple[State, Role, Action], Target] = MappingProxyType({
    **_ROWS,
    **{(state, "hr", "void"): "voided" for state in OPEN_STATES},
    **{(state, "hr", "skip_phase"): NEXT for state in OPEN_STATES},
})
# The phases whose owner can return work: a resubmission may go straight back to one of them (resume_at).
RETURNING_PHASES: frozenset[State] = frozenset(s for (s, _r, a) in TABLE if a == "return")
ACTIONS_IN: Mapping[State, frozenset[Action]] = MappingProxyType(
    {state: frozenset(a for (s, _r, a) in TABLE if s == state) for state in STATES})

CODES: tuple[str, ...] = (
    "no_phases", "unknown_phase", "phase_order", "unknown_state", "unknown_role", "unknown_action",
    "wrong_state", "phase_not_in_cycle", "wrong_role", "reason_required", "delegate_required",
    "unexpected_argument", "no_target", "target_required", "wrong_target",
)


class IllegalTransition(ValueError):
    """A move the table refuses or bad input to it: `code` (one of CODES) and `params` for the message."""

    def __init__(self, code: str, params: Mapping[str, object] | None = None) -> None:
        self.code = code
        self.params: dict[str, object] = dict(params or {})
        super().__init__(f"{code}: {self.params}")


@dataclass(frozen=True, slots=True)
class Transition:
    """An allowed move. `delegate` and `delegated_role` (the owner's task the delegate takes over) are set by
    delegate; `resume_at` by return: the state that returned the work, for the resubmission to go back to."""

    state: State
    role: Role
    action: Action
    next_state: State
    requires_reason: bool
    reason: str | None = None
    delegate: Delegate | None = None
    delegated_role: Role | None = None
    resume_at: State | None = None

    @property
    def moved(self) -> bool:
        return self.next_state != self.state

    @property
    def event(self) -> str:
        return f"review.{self.action}"

    def audit(self) -> dict[str, object]:
        """What the audit event records besides who and when."""
        return {"action": self.action, "role": self.role, "from": self.state, "to": self.next_state,
                "reason": self.reason, "delegate": self.delegate, "delegated_role": self.delegated_role,
                "resume_at": self.resume_at}


# ------------------------------------------------------------------------------------------------ input

def cycle_phases(phases: Sequence[str]) -> tuple[Phase, ...]:
    """The cycle's enabled phases, checked: at least one, all known, each once, in the fixed order."""
    if not phases:
        raise IllegalTransition("no_phases")
    for phase in phases:
        if phase not in _ORDER:
            raise IllegalTransition("unknown_phase", {"phase": phase})
    for before, after in pairwise(phases):
        if _ORDER[before] >= _ORDER[after]:
            raise IllegalTransition("phase_order", {"phase": after, "after": before})
    return tuple(cast(Phase, p) for p in phases)


def _state(value: str) -> State:
    if value not in STATES:
        raise IllegalTransition("unknown_state", {"state": value})
    return cast(State, value)


def _role(value: str) -> Role:
    if value not in ROLES:
        raise IllegalTransition("unknown_role", {"role": value})
    return cast(Role, value)


def _action(value: str) -> Action:
    if value not in ACTIONS:
        raise IllegalTransition("unknown_action", {"action": value})
    return cast(Action, value)


def _rank(state: State) -> int:
    return _ORDER[PHASE_OF[state]] if state in PHASE_OF else _AFTER_ALL


def in_cycle(state: State, phases: tuple[Phase, ...]) -> bool:
    """Closed and voided belong to every cycle; a phase state (and appealed) only if the cycle has its phase."""
    return state in TERMINAL or PHASE_OF[state] in phases


# ------------------------------------------------------------------------------------------------ targets

def start(phases: Sequence[str]) -> State:
    """Where every person's review begins: the cycle's first phase."""
    return cycle_phases(phases)[0]


def next_phase(state: State, phases: tuple[Phase, ...]) -> State:
    """The first phase of the cycle after the state's phase (whether or not the cycle has that one): closed
    after the last."""
    rank = _rank(state)
    return next((p for p in phases if _ORDER[p] > rank), "closed")


def previous_writer(state: State, phases: tuple[Phase, ...]) -> State | None:
    """The nearest earlier phase of the cycle where someone writes the review: where a return sends it."""
    rank = _rank(state)
    earlier = [p for p in phases if _ORDER[p] < rank and p in WRITING_PHASES]
    return earlier[-1] if earlier else None


def reopen_targets(state: State, phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
    """The phases HR may reopen at: those of the cycle before the state's (every one, for closed or voided)."""
    rank = _rank(state)
    return tuple(p for p in phases if _ORDER[p] < rank)


def _has_target(state: State, target: Target, phases: tuple[Phase, ...]) -> bool:
    if target is Goes.BACK:
        return previous_writer(state, phases) is not None
    if target is Goes.CHOSEN:
        return bool(reopen_targets(state, phases))
    return True


# ------------------------------------------------------------------------------------------------ the table

def allowed(state: str, role: str, phases: Sequence[str]) -> list[Action]:
    """The actions the role may take on a review in this state, in this cycle (in ACTIONS order)."""
    cycle, s, r = cycle_phases(phases), _state(state), _role(role)
    inside = in_cycle(s, cycle)
    return [a for a in ACTIONS if (s, r, a) in TABLE and (inside or a in OUTSIDE_CYCLE)
            and _has_target(s, TABLE[s, r, a], cycle)]


def transition(state: str, role: str, action: str, phases: Sequence[str], *, reason: str | None = None,
               delegate: Delegate | None = None, to: str | None = None, resume_at: str | None = None
               ) -> Transition:
    """Apply the table, or refuse with IllegalTransition. `reason` is required where REASON_REQUIRED says
    (and kept as a comment elsewhere); `delegate` names who takes a delegated task; `to` is the phase a reopen
    goes to; `resume_at` sends a resubmission after a return straight back to the state that returned it."""
    cycle = cycle_phases(phases)
    s, r, a = _state(state), _role(role), _action(action)
    if a not in ACTIONS_IN[s]:
        raise IllegalTransition("wrong_state", {"state": s, "action": a,
                                                "states": [x for x in STATES if a in ACTIONS_IN[x]]})
    if not in_cycle(s, cycle) and a not in OUTSIDE_CYCLE:
        raise IllegalTransition("phase_not_in_cycle", {"state": s, "action": a, "phase": PHASE_OF[s]})
    target = TABLE.get((s, r, a))
    if target is None:
        raise IllegalTransition("wrong_role", {"state": s, "action": a, "role": r,
                                               "roles": [x for x in ROLES if (s, x, a) in TABLE]})
    _check_arguments(a, target, delegate=delegate, to=to, resume_at=resume_at)
    text = (reason or "").strip() or None
    if a in REASON_REQUIRED and text is None:
        raise IllegalTransition("reason_required", {"action": a})
    return Transition(
        state=s, role=r, action=a, next_state=_resolve(s, a, target, cycle, to=to, resume_at=resume_at),
        requires_reason=a in REASON_REQUIRED, reason=text,
        delegate=delegate, delegated_role=OWNER[s] if a == "delegate" else None,
        resume_at=s if a == "return" else None,
    )


def _check_arguments(action: Action, target: Target, *, delegate: Delegate | None, to: str | None,
                     resume_at: str | None) -> None:
    """Each keyword belongs to one kind of move; passing it to another is a bug, not something to ignore."""
    if action == "delegate" and (delegate is None or (isinstance(delegate, str) and not delegate.strip())):
        raise IllegalTransition("delegate_required", {"action": action})
    for name, value, fits in (("delegate", delegate, action == "delegate"), ("to", to, action == "reopen"),
                              ("resume_at", resume_at, action == "submit" and target is Goes.NEXT)):
        if value is not None and not fits:
            raise IllegalTransition("unexpected_argument", {"action": action, "argument": name})


def _phase_argument(value: str, name: str, state: State, allowed_phases: Sequence[Phase],
                    cycle: tuple[Phase, ...]) -> State:
    target = _state(value)
    if target not in PHASES:
        raise IllegalTransition("wrong_target", {"state": state, name: target})
    if PHASE_OF[target] not in cycle:
        raise IllegalTransition("phase_not_in_cycle", {"state": state, name: target, "phase": target})
    if target not in allowed_phases:
        raise IllegalTransition("wrong_target", {"state": state, name: target, "targets": list(allowed_phases)})
    return target


def _resolve(state: State, action: Action, target: Target, cycle: tuple[Phase, ...], *, to: str | None,
             resume_at: str | None) -> State:
    if not isinstance(target, Goes):
        return target
    if target is Goes.STAY:
        return state
    if target is Goes.NEXT:
        if resume_at is None:
            return next_phase(state, cycle)
        returners = tuple(p for p in cycle if _ORDER[p] > _rank(state) and p in RETURNING_PHASES)
        return _phase_argument(resume_at, "resume_at", state, returners, cycle)
    if target is Goes.BACK:
        back = previous_writer(state, cycle)
        if back is None:
            raise IllegalTransition("no_target", {"state": state, "action": action})
        return back
    targets = reopen_targets(state, cycle)
    if not targets:
        raise IllegalTransition("no_target", {"state": state, "action": action})
    if to is None:
        raise IllegalTransition("target_required", {"state": state, "action": action, "targets": list(targets)})
    return _phase_argument(to, "to", state, targets, cycle)
