"""The coordinated plan: validation, ownership, ordering, sources and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from naranara import inputs
from naranara.inputs import InputInvalid
from naranara.models import (
    ActivityStatus,
    AuditEvent,
    AuditKind,
    CarePlanActivity,
    CarePlanGoal,
    GoalStatus,
    Role,
)
from naranara.services import care_plan
from tests.utils.factories import make_user

TODAY = date(2026, 3, 3)
_FIXTURE_ONCE = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _audits(db: Session) -> list[tuple[str, int | None, int | None, str]]:
    return [
        (e.kind, e.actor_id, e.subject_id, e.detail)
        for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))
    ]


def _activity(db: Session, resident_id: int, **overrides: object) -> CarePlanActivity:
    fields = {
        "description": "Promenad varje dag",
        "responsible": "resident",
        "responsible_name": "",
        "follow_up_on": "2026-03-10",
        "status": "planned",
        "goal_id": None,
        "today": TODAY,
        **overrides,
    }
    return care_plan.add_activity(
        session=db, resident_id=resident_id, actor_id=resident_id, **fields
    )


def test_a_resident_adds_a_goal_and_an_activity_in_their_own_words(db: Session) -> None:
    anna = make_user(db, username="anna")
    goal = care_plan.add_goal(
        session=db, resident_id=anna.id, actor_id=anna.id, text="  Kunna gå till affären själv \n"
    )
    activity = _activity(
        db,
        anna.id,
        goal_id=goal.id,
        responsible="municipality",
        responsible_name="Hemtjänsten Haga",
        follow_up_on=TODAY,
    )
    assert (goal.text, goal.status, goal.created_by_id) == (
        "Kunna gå till affären själv",
        GoalStatus.ACTIVE,
        anna.id,
    )
    assert (activity.goal_id, activity.responsible, activity.follow_up_on) == (
        goal.id,
        "municipality",
        TODAY,
    )
    assert _audits(db) == [], "the resident's own entries are not audited"


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"description": "   "}, {"description": care_plan.DESCRIPTION_REQUIRED}),
        ({"description": "x" * 501}, {"description": inputs.TOO_LONG}),
        ({"description": "a\x00b"}, {"description": inputs.UNSAVEABLE}),
        ({"responsible": "doctor"}, {"responsible": care_plan.CHOOSE_RESPONSIBLE}),
        ({"responsible": ["resident"]}, {"responsible": care_plan.CHOOSE_RESPONSIBLE}),
        ({"responsible_name": "n" * 161}, {"responsible_name": inputs.TOO_LONG}),
        ({"status": "finished"}, {"status": care_plan.CHOOSE_STATUS}),
        ({"follow_up_on": "3 mars"}, {"follow_up_on": care_plan.DATE_FORMAT}),
        ({"follow_up_on": "2026-02-30"}, {"follow_up_on": care_plan.DATE_FORMAT}),
        ({"follow_up_on": "2026-03-02"}, {"follow_up_on": care_plan.DATE_IN_PAST}),
        ({"goal_id": 999_999}, {"goal": care_plan.CHOOSE_GOAL}),
        (
            {"description": "", "responsible": "", "status": ""},
            {
                "description": care_plan.DESCRIPTION_REQUIRED,
                "responsible": care_plan.CHOOSE_RESPONSIBLE,
                "status": care_plan.CHOOSE_STATUS,
            },
        ),
    ],
)
def test_bad_activities_are_refused_field_by_field_and_nothing_is_saved(
    db: Session, overrides: dict, errors: dict
) -> None:
    anna = make_user(db, username="anna")
    with pytest.raises(InputInvalid) as refused:
        _activity(db, anna.id, **overrides)
    assert refused.value.errors == errors
    assert db.exec(select(CarePlanActivity)).all() == []


def test_goal_text_is_required_and_bounded(db: Session) -> None:
    anna = make_user(db, username="anna")
    for text, message in (("", care_plan.GOAL_REQUIRED), ("m" * 501, inputs.TOO_LONG)):
        with pytest.raises(InputInvalid) as refused:
            care_plan.add_goal(session=db, resident_id=anna.id, actor_id=anna.id, text=text)
        assert refused.value.errors == {"text": message}
    with pytest.raises(InputInvalid) as refused:
        care_plan.add_goal(session=db, resident_id=anna.id, actor_id=anna.id, text="ok", status="x")
    assert refused.value.errors == {"status": care_plan.CHOOSE_STATUS}
    assert db.exec(select(CarePlanGoal)).all() == []


def test_a_passed_follow_up_date_may_stay_when_an_activity_is_edited(db: Session) -> None:
    anna = make_user(db, username="anna")
    activity = _activity(db, anna.id, follow_up_on="2026-03-05")
    later = TODAY + timedelta(days=10)

    def edit(follow_up_on: str) -> CarePlanActivity:
        return care_plan.update_activity(
            session=db,
            resident_id=anna.id,
            activity_id=activity.id,
            actor_id=anna.id,
            description="Promenad",
            responsible="resident",
            responsible_name="",
            follow_up_on=follow_up_on,
            status="done",
            goal_id=None,
            today=later,
        )

    assert edit("2026-03-05").status == ActivityStatus.DONE  # unchanged, though passed now
    with pytest.raises(InputInvalid) as refused:
        edit("2026-03-06")  # a new date in the past
    assert refused.value.errors == {"follow_up_on": care_plan.DATE_IN_PAST}
    assert edit("").follow_up_on is None


def test_rows_of_another_resident_are_not_in_the_plan(db: Session) -> None:
    anna, bo = make_user(db, username="anna"), make_user(db, username="bo")
    bos_goal = care_plan.add_goal(session=db, resident_id=bo.id, actor_id=bo.id, text="Bos mål")
    bos_activity = _activity(db, bo.id)
    with pytest.raises(care_plan.NotInPlan):
        care_plan.update_goal(
            session=db,
            resident_id=anna.id,
            goal_id=bos_goal.id,
            actor_id=anna.id,
            text="Annas nu",
            status="active",
        )
    with pytest.raises(care_plan.NotInPlan):
        care_plan.update_activity(
            session=db,
            resident_id=anna.id,
            activity_id=bos_activity.id,
            actor_id=anna.id,
            description="x",
            responsible="resident",
            responsible_name="",
            follow_up_on="",
            status="planned",
            goal_id=None,
        )
    with pytest.raises(InputInvalid) as refused:
        _activity(db, anna.id, goal_id=bos_goal.id)  # under Bo's goal
    assert refused.value.errors == {"goal": care_plan.CHOOSE_GOAL}
    db.refresh(bos_goal)
    assert bos_goal.text == "Bos mål"


def test_the_plan_is_grouped_by_goal_with_upcoming_follow_ups_first(db: Session) -> None:
    anna = make_user(db, username="anna")
    stina = make_user(db, username="stina", role=Role.STAFF)

    def goal(text: str, status: str = "active") -> int:
        return care_plan.add_goal(
            session=db, resident_id=anna.id, actor_id=stina.id, text=text, status=status
        ).id

    later, sooner, reached = goal("Later"), goal("Sooner"), goal("Reached", "achieved")
    _activity(db, anna.id, goal_id=later, description="L1", follow_up_on="2026-04-01")
    _activity(db, anna.id, goal_id=sooner, description="S-none", follow_up_on="")
    _activity(db, anna.id, goal_id=sooner, description="S-done", follow_up_on="2026-03-03",
              status="done")  # fmt: skip
    _activity(db, anna.id, goal_id=sooner, description="S2", follow_up_on="2026-03-20")
    _activity(db, anna.id, goal_id=sooner, description="S1", follow_up_on="2026-03-04")
    _activity(db, anna.id, goal_id=reached, description="R1", follow_up_on="2026-03-03")
    _activity(db, anna.id, description="Loose")

    result = care_plan.plan(session=db, resident_id=anna.id, reader_id=anna.id)
    shape = [
        (entry.goal.text if entry.goal else None, [a.description for a in entry.activities])
        for entry in result.entries
    ]
    assert shape == [
        ("Sooner", ["S1", "S2", "S-none", "S-done"]),
        ("Later", ["L1"]),
        ("Reached", ["R1"]),
        (None, ["Loose"]),
    ]
    assert result.authors == {anna.id: "Anna", stina.id: "Stina"}  # each entry's source


def test_reads_and_writes_by_staff_are_audited_the_residents_own_are_not(db: Session) -> None:
    anna = make_user(db, username="anna")
    stina = make_user(db, username="stina", role=Role.STAFF)
    goal = care_plan.add_goal(session=db, resident_id=anna.id, actor_id=stina.id, text="Mål")
    care_plan.update_goal(
        session=db,
        resident_id=anna.id,
        goal_id=goal.id,
        actor_id=stina.id,
        text="Mål 2",
        status="achieved",
    )
    activity = _activity(db, anna.id)  # by Anna herself
    care_plan.plan(session=db, resident_id=anna.id, reader_id=anna.id)
    care_plan.plan(session=db, resident_id=anna.id, reader_id=stina.id)
    read, changed = AuditKind.RECORD_READ.value, AuditKind.RECORD_CHANGED.value
    assert _audits(db) == [
        (changed, stina.id, anna.id, f"goal={goal.id} added"),
        (changed, stina.id, anna.id, f"goal={goal.id} changed"),
        (read, stina.id, anna.id, "care_plan"),
    ]
    assert activity.created_by_id == anna.id


# ---------------------------------------------------------------------------- properties

_ANY = st.one_of(
    st.text(max_size=600),
    st.none(),
    st.integers(),
    st.lists(st.text(max_size=5), max_size=2),
    st.dates().map(str),
)


@_FIXTURE_ONCE
@given(text=st.text(max_size=600))
def test_any_goal_text_is_saved_exactly_or_refused_with_a_reason(db: Session, text: str) -> None:
    resident_id = _resident(db)
    try:
        goal = care_plan.add_goal(session=db, resident_id=resident_id, actor_id=None, text=text)
    except InputInvalid as refused:
        assert set(refused.errors) == {"text"}
        return
    db.commit()
    db.expire_all()
    # Stored as typed, under the one text rule only (NFC, no invisible format characters).
    assert db.get(CarePlanGoal, goal.id).text == inputs.clean_text(text, multiline=True)


@_FIXTURE_ONCE
@given(
    description=_ANY,
    responsible=st.one_of(st.sampled_from(["resident", "region", "relative"]), _ANY),
    responsible_name=_ANY,
    follow_up_on=_ANY,
    status=st.one_of(st.sampled_from(["planned", "ongoing", "done", "paused"]), _ANY),
)
def test_any_activity_input_is_saved_exactly_or_refused_per_field(
    db: Session,
    description: object,
    responsible: object,
    responsible_name: object,
    follow_up_on: object,
    status: object,
) -> None:
    resident_id = _resident(db)
    try:
        activity = _activity(
            db,
            resident_id,
            description=description,
            responsible=responsible,
            responsible_name=responsible_name,
            follow_up_on=follow_up_on,
            status=status,
        )
    except InputInvalid as refused:
        assert refused.errors
        assert set(refused.errors) <= {
            "description",
            "responsible",
            "responsible_name",
            "follow_up_on",
            "status",
        }
        db.rollback()
        return
    db.commit()
    db.expire_all()
    saved = db.get(CarePlanActivity, activity.id)
    # Stored as typed, under the one text rule only (NFC, no invisible format characters;
    # a name is one line).
    assert saved.description == inputs.clean_text(description, multiline=True)
    assert saved.responsible == responsible and saved.status == status
    # Only text counts as a name; anything else a browser could send is no name at all.
    assert saved.responsible_name == (
        inputs.clean_text(responsible_name) if isinstance(responsible_name, str) else ""
    )
    assert saved.follow_up_on is None or saved.follow_up_on >= TODAY


def _resident(db: Session) -> int:
    """One resident per test database, however many examples hypothesis runs."""
    from naranara.models import User

    existing = db.exec(select(User).where(User.username == "prop")).first()
    return existing.id if existing else make_user(db, username="prop").id
