"""Egenmonitorering: what the care unit follows, only of what the resident shares."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from naranara.models import CheckStatus, Measurement, ProxyScope
from naranara.services import monitoring, self_care
from naranara.services.monitoring import FlagKind
from tests.utils.factories import make_task, make_user

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # 13.00 in Stockholm
BOTH = frozenset({ProxyScope.SELF_CARE, ProxyScope.MEASUREMENTS})


def _weigh(db: Session, resident_id: int, kg: float, at: datetime) -> None:
    db.add(Measurement(resident_id=resident_id, kind="weight", value=kg, measured_at=at))
    db.flush()


def test_a_weight_past_the_tasks_line_and_tasks_left_undone(db: Session) -> None:
    anna, bo = make_user(db), make_user(db)
    weigh = make_task(db, anna, title="Väg dig", starts_on=date(2026, 11, 1))
    weigh.measurement_kind, weigh.threshold_rule = "weight", "rise"
    weigh.threshold_value, weigh.threshold_days = 2.0, 3
    walk = make_task(db, bo, title="Promenera", starts_on=date(2026, 11, 1))
    # Anna weighs every morning and ticks the task off; her weight rose 2.4 kg in 3 days.
    for days_ago, kg in ((3, 70.0), (2, 70.9), (1, 71.6), (0, 72.4)):
        at = NOW - timedelta(days=days_ago, hours=4)
        _weigh(db, anna.id, kg, at)
        occurrence = self_care.occurrences_on(session=db, resident_id=anna.id, day=at.date())[0]
        self_care.record(
            session=db,
            task=weigh,
            occurrence_at=occurrence.at,
            status=CheckStatus.DONE,
            recorded_by_id=anna.id,
        )
    flags = monitoring.flags(session=db, shared={anna.id: BOTH, bo.id: BOTH}, now=NOW)
    assert [(f.resident_id, f.kind, f.task_title) for f in flags] == [
        (anna.id, FlagKind.THRESHOLD, "Väg dig"),  # this morning: newest first
        (bo.id, FlagKind.NOT_DONE, walk.title),  # nothing done since 1 November
    ]
    assert flags[0].at == NOW - timedelta(hours=4)


def test_only_what_she_shares_is_followed(db: Session) -> None:
    bo = make_user(db)
    make_task(db, bo, title="Promenera", starts_on=date(2026, 11, 1))
    shared = {bo.id: frozenset({ProxyScope.MEASUREMENTS})}
    assert monitoring.flags(session=db, shared=shared, now=NOW) == []
    assert monitoring.flags(session=db, shared={}, now=NOW) == []


def test_a_new_task_is_not_judged_before_several_days_have_passed(db: Session) -> None:
    bo = make_user(db)
    make_task(db, bo, title="Promenera", starts_on=NOW.date() - timedelta(days=2))
    paused = make_task(db, bo, title="Pausad", starts_on=date(2026, 11, 1))
    paused.paused = True
    db.flush()
    shared = {bo.id: frozenset({ProxyScope.SELF_CARE})}
    assert monitoring.flags(session=db, shared=shared, now=NOW) == []
