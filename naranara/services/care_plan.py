"""The coordinated plan (sammanhållen plan, SIP-style): goals and who does what.

Every write is validated here, whatever the caller checked: a refusal raises
``InputInvalid`` with ``{field: message id}`` for the caller to translate, and
nothing is saved. Whoever may write is the policy's business (``EDIT_CARE_PLAN``,
asked by the caller); this module makes sure a row id belongs to the resident
named, and audits reads and writes by anyone but that resident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import N_
from naranara.inputs import Checker, InputInvalid, column_length
from naranara.models import (
    ActivityStatus,
    CarePlanActivity,
    CarePlanGoal,
    GoalStatus,
    Responsible,
    User,
)
from naranara.services import audit

TEXT_MAX = column_length(CarePlanGoal, "text")  # and the activity's description
NAME_MAX = column_length(CarePlanActivity, "responsible_name")

GOAL_REQUIRED = N_("Write the goal in a few words.")
DESCRIPTION_REQUIRED = N_("Write what is to be done.")
CHOOSE_RESPONSIBLE = N_("Choose who is responsible.")
CHOOSE_STATUS = N_("Choose a status from the list.")
DATE_FORMAT = N_("Write the date as year-month-day, for example 2026-03-03.")
DATE_IN_PAST = N_("Choose today or a later date.")
CHOOSE_GOAL = N_("Choose one of the goals in the plan.")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class NotInPlan(LookupError):
    """No such goal or activity in this resident's plan (or it is someone else's)."""


@dataclass(frozen=True)
class GoalEntry:
    """A goal and its activities; ``goal`` is None for activities outside any goal."""

    goal: CarePlanGoal | None
    activities: list[CarePlanActivity]


@dataclass(frozen=True)
class Plan:
    entries: list[GoalEntry]
    authors: dict[int, str]  # user id -> display name, for "added by"


def today_in_sweden() -> date:
    return clock.today()


# ---------------------------------------------------------------------------- validation


def _text(
    value: object,
    field: str,
    errors: dict[str, str],
    *,
    max_length: int,
    multiline: bool = True,
    required: str | bool = False,
) -> str:
    checker = Checker()
    text = checker.text(
        {field: value}, field, max_length=max_length, multiline=multiline, required=required
    )
    errors.update(checker.errors)
    return text


def _choice(
    value: object, enum: type[StrEnum], field: str, errors: dict[str, str], message: str
) -> StrEnum | None:
    try:
        return enum(value)
    except (ValueError, TypeError):  # TypeError: an unhashable value such as a list
        errors[field] = message
        return None


def _follow_up(
    value: object, errors: dict[str, str], *, today: date, unchanged: date | None
) -> date | None:
    """A follow-up date: empty is fine; a past date only if it is the one already saved."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            errors["follow_up_on"] = DATE_FORMAT
            return None
    else:
        errors["follow_up_on"] = DATE_FORMAT
        return None
    if day < today and day != unchanged:
        errors["follow_up_on"] = DATE_IN_PAST
        return None
    return day


def _goal_of(session: Session, resident_id: int, goal_id: object) -> CarePlanGoal | None:
    if not isinstance(goal_id, int) or isinstance(goal_id, bool) or goal_id <= 0:
        return None
    goal = session.get(CarePlanGoal, goal_id)
    return goal if goal is not None and goal.resident_id == resident_id else None


def _audit_change(session: Session, *, resident_id: int, actor_id: int | None, what: str) -> None:
    audit.record_access(
        session=session, actor_id=actor_id, resident_id=resident_id, detail=what, changed=True
    )


# ---------------------------------------------------------------------------- goals


def add_goal(
    *,
    session: Session,
    resident_id: int,
    actor_id: int | None,
    text: object,
    status: object = GoalStatus.ACTIVE.value,
) -> CarePlanGoal:
    errors: dict[str, str] = {}
    clean = _text(text, "text", errors, max_length=TEXT_MAX, required=GOAL_REQUIRED)
    chosen = _choice(status, GoalStatus, "status", errors, CHOOSE_STATUS)
    if errors:
        raise InputInvalid(errors)
    goal = CarePlanGoal(resident_id=resident_id, text=clean, status=chosen, created_by_id=actor_id)
    session.add(goal)
    session.flush()
    _audit_change(session, resident_id=resident_id, actor_id=actor_id, what=f"goal={goal.id} added")
    return goal


def update_goal(
    *,
    session: Session,
    resident_id: int,
    goal_id: int,
    actor_id: int | None,
    text: object,
    status: object,
) -> CarePlanGoal:
    goal = _goal_of(session, resident_id, goal_id)
    if goal is None:
        raise NotInPlan(goal_id)
    errors: dict[str, str] = {}
    clean = _text(text, "text", errors, max_length=TEXT_MAX, required=GOAL_REQUIRED)
    chosen = _choice(status, GoalStatus, "status", errors, CHOOSE_STATUS)
    if errors:
        raise InputInvalid(errors)
    goal.text, goal.status, goal.updated_at = clean, chosen, clock.now()
    session.add(goal)
    session.flush()
    _audit_change(
        session, resident_id=resident_id, actor_id=actor_id, what=f"goal={goal.id} changed"
    )
    return goal


# ---------------------------------------------------------------------------- activities


def _activity_fields(
    session: Session,
    resident_id: int,
    *,
    description: object,
    responsible: object,
    responsible_name: object,
    follow_up_on: object,
    status: object,
    goal_id: object,
    today: date,
    saved_follow_up: date | None,
) -> dict:
    errors: dict[str, str] = {}
    fields = {
        "description": _text(
            description,
            "description",
            errors,
            max_length=TEXT_MAX,
            required=DESCRIPTION_REQUIRED,
        ),
        "responsible": _choice(responsible, Responsible, "responsible", errors, CHOOSE_RESPONSIBLE),
        "responsible_name": _text(
            responsible_name,
            "responsible_name",
            errors,
            max_length=NAME_MAX,
            multiline=False,
        ),
        "follow_up_on": _follow_up(follow_up_on, errors, today=today, unchanged=saved_follow_up),
        "status": _choice(status, ActivityStatus, "status", errors, CHOOSE_STATUS),
        "goal_id": None,
    }
    if goal_id is not None:
        goal = _goal_of(session, resident_id, goal_id)
        if goal is None:
            errors["goal"] = CHOOSE_GOAL
        else:
            fields["goal_id"] = goal.id
    if errors:
        raise InputInvalid(errors)
    return fields


def add_activity(
    *,
    session: Session,
    resident_id: int,
    actor_id: int | None,
    description: object,
    responsible: object,
    responsible_name: object = "",
    follow_up_on: object = None,
    status: object = ActivityStatus.PLANNED.value,
    goal_id: object = None,
    today: date | None = None,
) -> CarePlanActivity:
    """A new activity; its follow-up date, if any, is today or later (Stockholm)."""
    fields = _activity_fields(
        session,
        resident_id,
        description=description,
        responsible=responsible,
        responsible_name=responsible_name,
        follow_up_on=follow_up_on,
        status=status,
        goal_id=goal_id,
        today=today or today_in_sweden(),
        saved_follow_up=None,
    )
    activity = CarePlanActivity(resident_id=resident_id, created_by_id=actor_id, **fields)
    session.add(activity)
    session.flush()
    _audit_change(
        session, resident_id=resident_id, actor_id=actor_id, what=f"activity={activity.id} added"
    )
    return activity


def update_activity(
    *,
    session: Session,
    resident_id: int,
    activity_id: int,
    actor_id: int | None,
    description: object,
    responsible: object,
    responsible_name: object,
    follow_up_on: object,
    status: object,
    goal_id: object,
    today: date | None = None,
) -> CarePlanActivity:
    """Change an activity; a follow-up date already passed may stay as it is."""
    activity = session.get(CarePlanActivity, activity_id) if isinstance(activity_id, int) else None
    if activity is None or activity.resident_id != resident_id:
        raise NotInPlan(activity_id)
    fields = _activity_fields(
        session,
        resident_id,
        description=description,
        responsible=responsible,
        responsible_name=responsible_name,
        follow_up_on=follow_up_on,
        status=status,
        goal_id=goal_id,
        today=today or today_in_sweden(),
        saved_follow_up=activity.follow_up_on,
    )
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.updated_at = clock.now()
    session.add(activity)
    session.flush()
    _audit_change(
        session, resident_id=resident_id, actor_id=actor_id, what=f"activity={activity.id} changed"
    )
    return activity


# ---------------------------------------------------------------------------- reading

_GOAL_ORDER = {GoalStatus.ACTIVE: 0, GoalStatus.ACHIEVED: 1, GoalStatus.DROPPED: 2}


def _activity_key(activity: CarePlanActivity) -> tuple:
    """Open activities first, soonest follow-up first (none last); done ones at the end."""
    done = activity.status is ActivityStatus.DONE
    return (done, activity.follow_up_on is None, activity.follow_up_on or date.max, activity.id)


def plan(*, session: Session, resident_id: int, reader_id: int | None) -> Plan:
    """The whole plan grouped by goal, upcoming follow-ups first. Audited unless self-read."""
    goals = session.exec(select(CarePlanGoal).where(CarePlanGoal.resident_id == resident_id)).all()
    activities = sorted(
        session.exec(
            select(CarePlanActivity).where(CarePlanActivity.resident_id == resident_id)
        ).all(),
        key=_activity_key,
    )
    by_goal: dict[int | None, list[CarePlanActivity]] = {goal.id: [] for goal in goals}
    for activity in activities:
        by_goal.setdefault(activity.goal_id if activity.goal_id in by_goal else None, []).append(
            activity
        )

    def goal_key(goal: CarePlanGoal) -> tuple:
        first = by_goal[goal.id][0] if by_goal[goal.id] else None
        upcoming = first is not None and first.status is not ActivityStatus.DONE
        soonest = first.follow_up_on if upcoming and first.follow_up_on else date.max
        return (_GOAL_ORDER[GoalStatus(goal.status)], soonest, goal.id)

    entries = [GoalEntry(goal, by_goal[goal.id]) for goal in sorted(goals, key=goal_key)]
    if by_goal.get(None):
        entries.append(GoalEntry(None, by_goal[None]))
    author_ids = {row.created_by_id for row in [*goals, *activities] if row.created_by_id}
    authors = (
        {
            user.id: user.display_name
            for user in session.exec(select(User).where(col(User.id).in_(author_ids)))
        }
        if author_ids
        else {}
    )
    audit.record_access(
        session=session, actor_id=reader_id, resident_id=resident_id, detail="care_plan"
    )
    return Plan(entries=entries, authors=authors)
