"""The per-person review workflow table (issue 6 item 2): every move of the table for its roles and refused for
the others, refusals by code, optional phases, and properties of walks through any cycle."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairmark.reviews.workflow import (
    ACTIONS,
    ACTIONS_IN,
    CODES,
    OWNER,
    PHASE_OF,
    PHASES,
    REASON_REQUIRED,
    ROLES,
    STATES,
    TABLE,
    TERMINAL,
    Goes,
    IllegalTransition,
    allowed,
    cycle_phases,
    next_phase,
    reopen_targets,
    start,
    transition,
)

FULL = PHASES
ORDER = {p: i for i, p in enumerate(PHASES)}

# The spec, written out by hand for a cycle with every phase: state → action → {role: next state}. "=" is the
# same state, "*" the phase a reopen is sent to (the test sends it to the cycle's first phase).
SPEC: dict[str, dict[str, dict[str, str]]] = {
    "goal_setting": {"submit": {"manager": "in_progress"}, "delegate": {"manager": "=", "hr": "="}},
    "in_progress": {"submit": {"manager": "self_review"}, "delegate": {"manager": "=", "hr": "="}},
    "self_review": {"submit": {"employee": "rating_360"}},
    "rating_360": {"submit": {"rater": "=", "manager": "manager_review"}, "decline": {"rater": "="},
                   "return": {"manager": "self_review"}, "delegate": {"manager": "=", "hr": "="}},
    "manager_review": {"submit": {"manager": "n2_review"}, "return": {"manager": "self_review"},
                       "delegate": {"manager": "=", "hr": "="}},
    "n2_review": {"submit": {"n2": "calibration"}, "return": {"n2": "manager_review"},
                  "delegate": {"n2": "=", "hr": "="}},
    "calibration": {"submit": {"hr": "published"}, "return": {"hr": "n2_review"}, "delegate": {"hr": "="}},
    "published": {"acknowledge": {"employee": "interview", "hr": "interview"}, "appeal": {"employee": "appealed"},
                  "reopen": {"hr": "*"}},
    "appealed": {"decide_appeal": {"hr": "interview"}, "reopen": {"hr": "*"}, "delegate": {"hr": "="}},
    "interview": {"submit": {"manager": "closed"}, "close": {"hr": "closed"}, "delegate": {"manager": "=", "hr": "="}},
    "closed": {"reopen": {"hr": "*"}},
    "voided": {"reopen": {"hr": "*"}},
}
SKIP_TO = {"goal_setting": "in_progress", "in_progress": "self_review", "self_review": "rating_360",
           "rating_360": "manager_review", "manager_review": "n2_review", "n2_review": "calibration",
           "calibration": "published", "published": "interview", "appealed": "interview", "interview": "closed"}
for _state, _next in SKIP_TO.items():  # HR voids and skips (with a reason) from every open state
    SPEC[_state]["void"] = {"hr": "voided"}
    SPEC[_state]["skip_phase"] = {"hr": _next}


def arguments(state: str, action: str, phases: tuple[str, ...]) -> dict[str, Any]:
    """What a move needs besides state, role and action: a reason, a delegate, a phase to reopen at."""
    found: dict[str, Any] = {}
    if action in REASON_REQUIRED:
        found["reason"] = "数据有误"
    if action == "delegate":
        found["delegate"] = 42
    targets = reopen_targets(state, cycle_phases(phases))  # type: ignore[arg-type]
    if action == "reopen" and targets:
        found["to"] = targets[0]
    return found


def refused(code: str, *args: Any, **kwargs: Any) -> dict[str, object]:
    with pytest.raises(IllegalTransition) as error:
        transition(*args, **kwargs)
    assert error.value.code == code, error.value
    assert code in CODES
    return error.value.params


# ------------------------------------------------------------------------------------------------ the whole table

def test_the_table_is_exactly_the_spec() -> None:
    spec = {(s, r, a) for s, actions in SPEC.items() for a, roles in actions.items() for r in roles}
    assert set(TABLE) == spec
    assert set(SPEC) == set(STATES)
    assert all(role in ROLES and action in ACTIONS for _s, role, action in TABLE)
    assert not any(role == "executive" for _s, role, _a in TABLE)  # executives read, never move a review


@pytest.mark.parametrize(("state", "action"), sorted({(s, a) for s, _r, a in TABLE}))
def test_each_move_is_made_by_its_roles_and_refused_for_every_other(state: str, action: str) -> None:
    for role in ROLES:
        kwargs = arguments(state, action, FULL)
        expected = SPEC[state][action].get(role)
        if expected is None:
            params = refused("wrong_role", state, role, action, FULL, **kwargs)
            assert params["roles"] == [r for r in ROLES if r in SPEC[state][action]]
            assert params["role"] == role
            continue
        moved = transition(state, role, action, FULL, **kwargs)
        want = {"=": state, "*": FULL[0]}.get(expected, expected)
        assert moved.next_state == want
        assert (moved.state, moved.role, moved.action) == (state, role, action)
        assert moved.requires_reason is (action in REASON_REQUIRED)
        assert moved.moved is (want != state)


@pytest.mark.parametrize("state", STATES)
def test_an_action_a_state_does_not_have_is_refused_for_every_role_as_wrong_state(state: str) -> None:
    missing = [a for a in ACTIONS if a not in SPEC[state]]
    assert missing  # no state takes every action
    for action in missing:
        for role in ROLES:
            params = refused("wrong_state", state, role, action, FULL, **arguments(state, action, FULL))
            assert params["action"] == action
            assert state not in params["states"]  # type: ignore[operator]
            assert all(action in SPEC[s] for s in params["states"])  # type: ignore[attr-defined]


def test_the_docstring_example() -> None:
    phases = ("self_review", "rating_360", "manager_review", "published")
    assert transition("self_review", "employee", "submit", phases).next_state == "rating_360"
    assert transition("manager_review", "manager", "return", phases, reason="太简单").next_state == "self_review"
    refused("wrong_role", "manager_review", "employee", "submit", phases)


# ------------------------------------------------------------------------------------------------ reasons, arguments

@pytest.mark.parametrize("action", sorted(REASON_REQUIRED))
def test_a_reason_is_required_and_blank_is_no_reason(action: str) -> None:
    state, role = next((s, r) for s, r, a in TABLE if a == action)
    kwargs = {k: v for k, v in arguments(state, action, FULL).items() if k != "reason"}
    refused("reason_required", state, role, action, FULL, **kwargs)
    refused("reason_required", state, role, action, FULL, reason="  \n", **kwargs)
    moved = transition(state, role, action, FULL, reason="  离职  ", **kwargs)
    assert moved.reason == "离职"


def test_a_comment_on_a_move_without_a_required_reason_is_kept() -> None:
    moved = transition("self_review", "employee", "submit", FULL, reason="见附件")
    assert (moved.reason, moved.requires_reason) == ("见附件", False)
    assert transition("self_review", "employee", "submit", FULL, reason=" ").reason is None


def test_delegate_keeps_the_state_and_names_who_takes_whose_task() -> None:
    by_manager = transition("manager_review", "manager", "delegate", FULL, delegate=7)
    assert (by_manager.next_state, by_manager.delegate, by_manager.delegated_role) == ("manager_review", 7, "manager")
    by_hr = transition("n2_review", "hr", "delegate", FULL, delegate="emp-9")
    assert (by_hr.delegate, by_hr.delegated_role) == ("emp-9", "n2")
    assert transition("appealed", "hr", "delegate", FULL, delegate=3).delegated_role == "hr"
    refused("delegate_required", "manager_review", "manager", "delegate", FULL)
    refused("delegate_required", "manager_review", "manager", "delegate", FULL, delegate=" ")
    refused("wrong_state", "self_review", "employee", "delegate", FULL, delegate=7)  # nobody delegates a self-review
    assert transition("manager_review", "manager", "submit", FULL).delegated_role is None


def test_keywords_of_another_kind_of_move_are_refused() -> None:
    assert refused("unexpected_argument", "manager_review", "manager", "submit", FULL, delegate=7)["argument"] == "delegate"
    assert refused("unexpected_argument", "manager_review", "manager", "submit", FULL, to="self_review")["argument"] == "to"
    refused("unexpected_argument", "manager_review", "manager", "return", FULL, reason="x", resume_at="n2_review")
    refused("unexpected_argument", "rating_360", "rater", "submit", FULL, resume_at="manager_review")  # stays anyway


def test_unknown_names_and_bad_phase_lists() -> None:
    assert refused("unknown_state", "draft", "employee", "submit", FULL)["state"] == "draft"
    assert refused("unknown_role", "self_review", "ceo", "submit", FULL)["role"] == "ceo"
    assert refused("unknown_action", "self_review", "employee", "approve", FULL)["action"] == "approve"
    refused("no_phases", "self_review", "employee", "submit", ())
    assert refused("unknown_phase", "self_review", "employee", "submit", ("self_review", "closed"))["phase"] == "closed"
    assert refused("phase_order", "self_review", "employee", "submit", ("manager_review", "self_review"))["phase"] == "self_review"
    refused("phase_order", "self_review", "employee", "submit", ("self_review", "self_review"))
    with pytest.raises(IllegalTransition) as error:
        allowed("self_review", "boss", FULL)
    assert error.value.code == "unknown_role"
    assert start(("self_review", "manager_review")) == "self_review"
    assert start(FULL) == "goal_setting"


def test_audit_record() -> None:
    moved = transition("n2_review", "n2", "return", FULL, reason="评分依据不足")
    assert moved.event == "review.return"
    assert moved.audit() == {"action": "return", "role": "n2", "from": "n2_review", "to": "manager_review",
                             "reason": "评分依据不足", "delegate": None, "delegated_role": None,
                             "resume_at": "n2_review"}


# ------------------------------------------------------------------------------------------------ optional phases

def test_a_short_cycle_goes_through_only_its_phases() -> None:
    phases = ("self_review", "manager_review", "published")
    assert transition("self_review", "employee", "submit", phases).next_state == "manager_review"
    assert transition("manager_review", "manager", "submit", phases).next_state == "published"
    assert transition("published", "employee", "acknowledge", phases).next_state == "closed"
    assert transition("appealed", "hr", "decide_appeal", phases, reason="维持原评").next_state == "closed"
    assert transition("manager_review", "manager", "submit", ("manager_review",)).next_state == "closed"
    assert allowed("published", "employee", phases) == ["acknowledge", "appeal"]
    assert allowed("manager_review", "manager", phases) == ["submit", "return", "delegate"]
    assert allowed("manager_review", "employee", phases) == []


def test_return_goes_to_the_nearest_earlier_writer_or_is_not_offered() -> None:
    assert transition("calibration", "hr", "return", ("manager_review", "calibration"),
                      reason="x").next_state == "manager_review"
    no_self = ("goal_setting", "manager_review", "calibration")
    assert "return" not in allowed("manager_review", "manager", no_self)
    params = refused("no_target", "manager_review", "manager", "return", no_self, reason="x")
    assert params == {"state": "manager_review", "action": "return"}


def test_a_resubmission_after_a_return_can_go_straight_back() -> None:
    returned = transition("manager_review", "manager", "return", FULL, reason="请补充事例")
    assert (returned.next_state, returned.resume_at) == ("self_review", "manager_review")
    assert transition("self_review", "employee", "submit", FULL).next_state == "rating_360"
    back = transition("self_review", "employee", "submit", FULL, resume_at=returned.resume_at)
    assert back.next_state == "manager_review"  # not through the 360 round again
    again = transition("manager_review", "manager", "submit", FULL,
                       resume_at=transition("calibration", "hr", "return", FULL, reason="x").resume_at)
    assert again.next_state == "calibration"
    assert refused("wrong_target", "manager_review", "manager", "submit", FULL, resume_at="self_review")["targets"]
    refused("wrong_target", "self_review", "employee", "submit", FULL, resume_at="published")  # never returns work
    refused("wrong_target", "self_review", "employee", "submit", FULL, resume_at="closed")
    refused("phase_not_in_cycle", "self_review", "employee", "submit", ("self_review", "manager_review"),
            resume_at="n2_review")
    refused("unknown_state", "self_review", "employee", "submit", FULL, resume_at="somewhere")


def test_a_review_in_a_phase_the_cycle_dropped_can_only_be_skipped_or_voided() -> None:
    phases = ("self_review", "manager_review", "calibration")  # the 360 round was dropped
    params = refused("phase_not_in_cycle", "rating_360", "rater", "submit", phases)
    assert params["phase"] == "rating_360"
    refused("phase_not_in_cycle", "appealed", "hr", "decide_appeal", phases, reason="x")
    assert allowed("rating_360", "hr", phases) == ["void", "skip_phase"]
    assert allowed("rating_360", "manager", phases) == []
    assert transition("rating_360", "hr", "skip_phase", phases, reason="本周期取消360").next_state == "manager_review"
    assert transition("appealed", "hr", "skip_phase", phases, reason="x").next_state == "closed"
    assert transition("rating_360", "hr", "void", phases, reason="x").next_state == "voided"


def test_reopen_goes_to_a_phase_of_the_cycle_hr_names() -> None:
    phases = ("self_review", "manager_review", "calibration", "published")
    assert transition("closed", "hr", "reopen", phases, reason="申诉成立", to="manager_review").next_state == "manager_review"
    assert transition("voided", "hr", "reopen", phases, reason="误作废", to="published").next_state == "published"
    assert transition("appealed", "hr", "reopen", phases, reason="x", to="calibration").next_state == "calibration"
    assert refused("target_required", "closed", "hr", "reopen", phases, reason="x")["targets"] == list(phases)
    refused("wrong_target", "published", "hr", "reopen", phases, reason="x", to="published")  # not forward
    refused("wrong_target", "closed", "hr", "reopen", phases, reason="x", to="voided")
    refused("phase_not_in_cycle", "closed", "hr", "reopen", phases, reason="x", to="n2_review")
    refused("no_target", "published", "hr", "reopen", ("published",), reason="x", to="published")
    assert "reopen" not in allowed("published", "hr", ("published",))
    refused("wrong_role", "closed", "manager", "reopen", phases, reason="x", to="self_review")


def test_owner_and_phase_of_every_state() -> None:
    assert {s for s, owner in OWNER.items() if owner is None} == TERMINAL
    assert set(OWNER) == set(STATES)
    for state in STATES:
        if state not in TERMINAL:  # the owner can move every open review on (HR through skip at least)
            assert allowed(state, OWNER[state] or "", FULL)
    assert PHASE_OF["appealed"] == "published"
    assert next_phase("appealed", cycle_phases(("self_review", "published"))) == "closed"


# ------------------------------------------------------------------------------------------------ properties

cycles = st.lists(st.sampled_from(PHASES), min_size=1, unique=True).map(lambda ps: tuple(sorted(ps, key=ORDER.__getitem__)))


def _rank(state: str) -> int:
    return ORDER[PHASE_OF[state]] if state in PHASE_OF else len(PHASES)  # type: ignore[index]


@settings(max_examples=150)
@given(cycles, st.data())
def test_any_walk_stays_within_the_cycle(phases: tuple[str, ...], data: st.DataObject) -> None:
    state: str = start(phases)
    resume: str | None = None
    for _ in range(40):
        options = [(role, action) for role in ROLES for action in allowed(state, role, phases)]
        assert options  # nobody is ever stuck: at least HR can move the review
        role, action = data.draw(st.sampled_from(options))
        kwargs = arguments(state, action, phases)
        if action == "reopen":
            kwargs["to"] = data.draw(st.sampled_from(reopen_targets(state, cycle_phases(phases))))  # type: ignore[arg-type]
        goes = TABLE[state, role, action]  # type: ignore[index]
        if action == "submit" and goes is Goes.NEXT and resume is not None and _rank(resume) > _rank(state) \
                and data.draw(st.booleans()):
            kwargs["resume_at"] = resume
        moved = transition(state, role, action, phases, **kwargs)
        assert moved.next_state in TERMINAL or PHASE_OF[moved.next_state] in phases
        if action in ("submit", "acknowledge", "decide_appeal", "skip_phase", "close") and moved.moved:
            assert _rank(moved.next_state) > _rank(state)  # forward only
        if action in ("return", "reopen") and state != "voided":
            assert _rank(moved.next_state) < _rank(state)  # back only
        resume = moved.resume_at or resume
        state = moved.next_state


@given(cycles)
def test_allowed_is_exactly_what_transition_accepts(phases: tuple[str, ...]) -> None:
    for state in STATES:
        for role in ROLES:
            offered = allowed(state, role, phases)
            for action in ACTIONS:
                kwargs = arguments(state, action, phases)
                if action in offered:
                    assert transition(state, role, action, phases, **kwargs).action == action
                    continue
                with pytest.raises(IllegalTransition) as error:
                    transition(state, role, action, phases, **kwargs)
                assert error.value.code in CODES


@given(cycles, st.sampled_from(sorted(TERMINAL)))
def test_closed_and_voided_are_terminal_except_reopen_by_hr(phases: tuple[str, ...], state: str) -> None:
    for role in ROLES:
        assert allowed(state, role, phases) == (["reopen"] if role == "hr" else [])
        for action in ACTIONS:
            if (role, action) == ("hr", "reopen"):
                continue
            with pytest.raises(IllegalTransition):
                transition(state, role, action, phases, **arguments(state, action, phases))
    assert ACTIONS_IN[state] == {"reopen"}  # type: ignore[index]
