"""Who may do what to whose data: every action has a decision for every kind of viewer."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from naranara.models import ProxyScope, Role
from naranara.policy import (
    NEEDS_RECENT_SIGN_IN,
    Action,
    Forbidden,
    SignInAgain,
    Viewer,
    is_allowed,
    require,
)

ANNA, BO, ERIK, SARA, ADAM = 1, 2, 3, 4, 5

VIEWERS: dict[str, Viewer | None] = {
    "anonymous": None,
    "resident": Viewer(ANNA, Role.RESIDENT, "Anna Lindqvist", "sv"),
    "relative": Viewer(ERIK, Role.RELATIVE, "Erik Lindqvist", "sv"),
    "relative, care plan": Viewer(
        ERIK, Role.RELATIVE, "Erik Lindqvist", "sv", grants={ANNA: {ProxyScope.CARE_PLAN}}
    ),
    "relative, self-care": Viewer(
        ERIK, Role.RELATIVE, "Erik Lindqvist", "sv", grants={ANNA: {ProxyScope.SELF_CARE}}
    ),
    **{
        f"relative, {scope}": Viewer(
            ERIK, Role.RELATIVE, "Erik Lindqvist", "sv", grants={ANNA: {scope}}
        )
        for scope in (
            ProxyScope.MEASUREMENTS,
            ProxyScope.PROFILE,
            ProxyScope.REMINDERS,
            ProxyScope.MISSED_TASK_ALERTS,
        )
    },
    # Bo helps Anna, his wife, with her self-care and is a resident himself.
    "resident helping": Viewer(
        BO, Role.RESIDENT, "Bo Berglund", "sv", grants={ANNA: {ProxyScope.SELF_CARE}}
    ),
    "staff": Viewer(SARA, Role.STAFF, "Sara Holm", "sv"),
    # Sara works in a unit that has Anna in its care; in the second, Anna shares her
    # self-care and measurements with that unit (egenmonitorering).
    "staff, care of Anna": Viewer(
        SARA, Role.STAFF, "Sara Holm", "sv", cares_for=frozenset({ANNA}), units=frozenset({10})
    ),
    "staff, care of Anna, shared": Viewer(
        SARA,
        Role.STAFF,
        "Sara Holm",
        "sv",
        cares_for=frozenset({ANNA}),
        units=frozenset({10}),
        care_shared={ANNA: frozenset({ProxyScope.SELF_CARE, ProxyScope.MEASUREMENTS})},
    ),
    # Grants and care relationships count only for the roles they are meant for.
    "staff holding a grant": Viewer(
        SARA, Role.STAFF, "Sara Holm", "sv", grants={ANNA: {ProxyScope.SELF_CARE}}
    ),
    "relative with care": Viewer(
        ERIK, Role.RELATIVE, "Erik Lindqvist", "sv", cares_for=frozenset({ANNA})
    ),
    "admin": Viewer(ADAM, Role.ADMIN, "Adam Admin", "en"),
}

# (viewer, whose data) for every row of the table below.
CASES: dict[str, tuple[str, int | None]] = {
    "anonymous, a resident's data": ("anonymous", ANNA),
    "anonymous, no one's data": ("anonymous", None),
    "resident, own data": ("resident", ANNA),
    "resident, another resident's data": ("resident", BO),
    "resident, no one's data": ("resident", None),
    "relative, the resident's data": ("relative", ANNA),
    "relative, own data": ("relative", ERIK),
    "relative with care plan scope, the resident's data": ("relative, care plan", ANNA),
    "relative with care plan scope, another resident's data": ("relative, care plan", BO),
    "relative with self-care scope, the resident's data": ("relative, self-care", ANNA),
    "relative with measurements scope, the resident's data": ("relative, measurements", ANNA),
    "relative with profile scope, the resident's data": ("relative, profile", ANNA),
    "relative with reminders scope, the resident's data": ("relative, reminders", ANNA),
    "relative with missed-task alerts scope, the resident's data": (
        "relative, missed_task_alerts",
        ANNA,
    ),
    "relative, no one's data": ("relative", None),
    "resident with self-care scope, the partner's data": ("resident helping", ANNA),
    "resident with self-care scope, own data": ("resident helping", BO),
    "staff, a resident's data": ("staff", ANNA),
    "staff caring for the resident, the resident's data": ("staff, care of Anna", ANNA),
    "staff caring, the resident shares self-monitoring": ("staff, care of Anna, shared", ANNA),
    "staff caring for the resident, another resident's data": ("staff, care of Anna", BO),
    "staff holding a grant, the resident's data": ("staff holding a grant", ANNA),
    "relative with a care relationship, the resident's data": ("relative with care", ANNA),
    "staff, own data": ("staff", SARA),
    "staff, no one's data": ("staff", None),
    "staff caring for the resident, no one's data": ("staff, care of Anna", None),
    "admin, a resident's data": ("admin", ANNA),
    "admin, own data": ("admin", ADAM),
    "admin, no one's data": ("admin", None),
}


def _only(*allowed: str) -> dict[str, bool]:
    unknown = set(allowed) - set(CASES)
    assert not unknown, unknown
    return {case: case in allowed for case in CASES}


_OWN = ("resident, own data", "resident with self-care scope, own data")
_CARE_TEAM = (
    "staff caring for the resident, the resident's data",
    "staff caring, the resident shares self-monitoring",
)

# Change these rows only together with the policy.
EXPECTED: dict[Action, dict[str, bool]] = {
    Action.READ_PUBLISHED_GUIDANCE: dict.fromkeys(CASES, True),
    Action.VIEW_CARE_PLAN: _only(
        *_OWN, "relative with care plan scope, the resident's data", *_CARE_TEAM
    ),
    # The care team follows self-monitoring only while the resident shares it with them.
    Action.VIEW_SELF_CARE: _only(
        *_OWN,
        "relative with self-care scope, the resident's data",
        "resident with self-care scope, the partner's data",
        "staff caring, the resident shares self-monitoring",
    ),
    Action.RECORD_SELF_CARE: _only(
        *_OWN,
        "relative with self-care scope, the resident's data",
        "resident with self-care scope, the partner's data",
    ),
    Action.CHANGE_SELF_CARE_PLAN: _only(*_OWN),
    Action.EDIT_CARE_PLAN: _only(*_OWN, *_CARE_TEAM),
    Action.VIEW_PROFILE: _only(*_OWN, "relative with profile scope, the resident's data"),
    Action.VIEW_SHARED_PROFILE: _only(
        *_OWN, "relative with profile scope, the resident's data", *_CARE_TEAM
    ),
    Action.EDIT_PROFILE: _only(*_OWN),
    Action.EXPORT_RECORD: _only(*_OWN),
    Action.MANAGE_CALENDAR_FEED: _only(*_OWN),
    Action.CHANGE_ACCOUNT_SETTINGS: _only(
        *_OWN, "relative, own data", "staff, own data", "admin, own data"
    ),
    Action.VIEW_MEASUREMENTS: _only(
        *_OWN,
        "relative with measurements scope, the resident's data",
        "staff caring, the resident shares self-monitoring",
    ),
    Action.RECORD_MEASUREMENT: _only(*_OWN),
    Action.RECEIVE_REMINDERS: _only(*_OWN, "relative with reminders scope, the resident's data"),
    # The resident knows when they missed a task; the alert is for someone they chose.
    Action.RECEIVE_MISSED_TASK_ALERTS: _only(
        "relative with missed-task alerts scope, the resident's data"
    ),
    # Only the resident lets people in or sees who looked; a relative never passes it on.
    Action.INVITE_RELATIVE: _only(*_OWN),
    Action.MANAGE_RELATIVES: _only(*_OWN),
    Action.VIEW_ACCESS_LOG: _only(*_OWN),
    # Writing and publishing guidance is staff's work, on no one's data.
    Action.EDIT_GUIDANCE: _only(
        "staff, no one's data", "staff caring for the resident, no one's data"
    ),
    Action.REVIEW_GUIDANCE: _only(
        "staff, no one's data", "staff caring for the resident, no one's data"
    ),
    # What the care side recorded, the resident (or a relative seeing her times) answers.
    Action.ANSWER_AGREED_TIME: _only(*_OWN, "relative with care plan scope, the resident's data"),
    Action.REPLY_TO_RESIDENT: _only(*_CARE_TEAM),
    Action.MANAGE_CARE_RELATIONSHIP: _only(*_CARE_TEAM),
    Action.MANAGE_CARE_SHARING: _only(*_OWN),
    # A copy on her own phone of her own data: never a relative's or staff's view.
    Action.KEEP_OFFLINE_COPY: _only(*_OWN),
    # Enrolling is for staff who work in a unit (may_enrol_at: into that unit only).
    Action.ENROL_RESIDENT: _only("staff caring for the resident, no one's data"),
    Action.ADMINISTER: _only("admin, no one's data"),
}


def test_every_action_has_an_explicit_decision_for_every_case() -> None:
    assert set(EXPECTED) == set(Action), "add the new action to EXPECTED with its decisions"
    for action, decisions in EXPECTED.items():
        assert set(decisions) == set(CASES), action


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("action", list(Action))
def test_is_allowed_matrix(action: Action, case: str) -> None:
    viewer_name, subject_id = CASES[case]
    assert is_allowed(VIEWERS[viewer_name], action, subject_id) is EXPECTED[action][case]


NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _signed_in(name: str, minutes_ago: int) -> Viewer | None:
    viewer = VIEWERS[name]
    if viewer is None:
        return None
    return dataclasses.replace(viewer, signed_in_at=NOW - timedelta(minutes=minutes_ago))


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("action", list(Action))
def test_require_agrees_with_is_allowed(action: Action, case: str) -> None:
    viewer_name, subject_id = CASES[case]
    viewer = _signed_in(viewer_name, minutes_ago=1)
    if EXPECTED[action][case]:
        assert require(viewer, action, subject_id, now=NOW) is None
    else:
        with pytest.raises(Forbidden) as refused:
            require(viewer, action, subject_id, now=NOW)
        assert not isinstance(refused.value, SignInAgain)
        assert (refused.value.action, refused.value.subject_id) == (action, subject_id)


# What a resident may do with their own data; only these can ask for a recent sign-in.
_OWN_DATA_ACTIONS = [action for action in Action if EXPECTED[action]["resident, own data"]]


@pytest.mark.parametrize("action", _OWN_DATA_ACTIONS)
def test_sharing_outside_the_app_needs_a_recent_sign_in(action: Action) -> None:
    """Residents stay signed in for weeks; taking data out needs a sign-in this quarter hour."""
    fresh, stale = _signed_in("resident", 15), _signed_in("resident", 16)
    assert require(fresh, action, ANNA, now=NOW) is None
    if action in NEEDS_RECENT_SIGN_IN:
        with pytest.raises(SignInAgain):
            require(stale, action, ANNA, now=NOW)
        with pytest.raises(SignInAgain):
            require(VIEWERS["resident"], action, ANNA, now=NOW)  # sign-in time unknown
    else:
        assert require(stale, action, ANNA, now=NOW) is None


@pytest.mark.parametrize(
    "action",
    [a for a in _OWN_DATA_ACTIONS if not EXPECTED[a]["resident, another resident's data"]],
)
def test_being_refused_outright_wins_over_signing_in_again(action: Action) -> None:
    with pytest.raises(Forbidden) as refused:
        require(_signed_in("resident", 60), action, BO, now=NOW)
    assert not isinstance(refused.value, SignInAgain)


def test_the_actions_that_take_data_out_need_a_recent_sign_in() -> None:
    assert {
        Action.EXPORT_RECORD,
        Action.MANAGE_CALENDAR_FEED,
        Action.INVITE_RELATIVE,
    } <= NEEDS_RECENT_SIGN_IN


def test_the_role_decides_not_only_the_id() -> None:
    # Someone whose id matches the resident's but who is not a resident gets no care data.
    for role in (Role.RELATIVE, Role.STAFF, Role.ADMIN):
        viewer = Viewer(ANNA, role, "Not Anna", "sv")
        assert not is_allowed(viewer, Action.VIEW_CARE_PLAN, ANNA), role
        assert not is_allowed(viewer, Action.RECORD_SELF_CARE, ANNA), role


def test_a_viewer_cannot_be_changed_after_it_is_resolved() -> None:
    viewer = VIEWERS["relative"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        viewer.role = Role.ADMIN  # type: ignore[misc]


def test_staff_enrol_only_into_a_unit_they_work_in() -> None:
    from naranara.policy import may_enrol_at

    assert may_enrol_at(VIEWERS["staff, care of Anna"], 10)
    assert not may_enrol_at(VIEWERS["staff, care of Anna"], 11)
    assert not may_enrol_at(VIEWERS["staff, care of Anna"], None)
    assert not may_enrol_at(VIEWERS["staff"], 10)  # in no unit
    assert not may_enrol_at(dataclasses.replace(VIEWERS["admin"], units=frozenset({10})), 10)


def test_what_the_care_side_recorded_is_the_care_teams_to_change() -> None:
    from naranara.policy import may_change_entry

    resident, staff = VIEWERS["resident"], VIEWERS["staff, care of Anna"]
    assert may_change_entry(resident, ANNA, care_side=False)
    assert not may_change_entry(resident, ANNA, care_side=True)
    assert may_change_entry(staff, ANNA, care_side=True)
    assert not may_change_entry(staff, ANNA, care_side=False)  # hers stays hers
    assert not may_change_entry(staff, BO, care_side=True)  # not in their care
    assert not may_change_entry(VIEWERS["relative, care plan"], ANNA, care_side=False)
