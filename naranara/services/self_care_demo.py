"""Demo data for self-care: Anna's tasks follow their articles, with values and marks."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from naranara.models import (
    CheckStatus,
    Measurement,
    MeasurementKind,
    SelfCareCheck,
    SelfCareTask,
    User,
)
from naranara.services import guidance_content, self_care, self_care_plan
from naranara.settings import DISPLAY_TIMEZONE

# The article templates Anna's demo tasks follow: task title -> (article slug, template key).
_TEMPLATES = {
    "Väg dig": ("vag-dig-vid-hjartsvikt", "vag-dig"),
    "Mät blodtrycket": ("mat-blodtrycket-hemma", "blodtryck-kvall"),
    "Promenera 20 minuter": ("promenera-for-halsan", "promenad"),
}
# The weight of the last mornings (days ago -> kg): up 2.4 kg in three days.
_RECENT_WEIGHT = {4: 70.5, 3: 70.4, 2: 71.3, 1: 72.8}
_WALK = "Promenera 20 minuter"


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=DISPLAY_TIMEZONE).astimezone(UTC)


def seed_self_monitoring(session: Session, *, anna: User, helper: User, today: date) -> None:
    """60 days of weight and blood pressure, the weight rising so the article's advice
    shows; marks for the last two weeks, a skipped and two missed walks, and one
    blood pressure marked by her son."""
    session.flush()
    tasks = {
        task.title: task
        for task in session.exec(select(SelfCareTask).where(SelfCareTask.resident_id == anna.id))
    }
    for title, (slug, key) in _TEMPLATES.items():
        source = guidance_content.task_template(slug, key)
        if title in tasks and source is not None:
            self_care_plan.follow_template(tasks[title], source, slug)
            session.add(tasks[title])
    _seed_values(session, anna=anna, tasks=tasks, today=today)
    _seed_marks(session, anna=anna, helper=helper, tasks=tasks, today=today)


def _seed_values(
    session: Session, *, anna: User, tasks: dict[str, SelfCareTask], today: date
) -> None:
    chance = random.Random(4711)  # noqa: S311 - demo numbers, not secrets
    weighing = tasks.get("Väg dig")
    pressure = tasks.get("Mät blodtrycket")
    for offset in range(60, 0, -1):
        day = today - timedelta(days=offset)
        usual = 70.3 + chance.uniform(-0.4, 0.4)
        session.add(
            Measurement(
                resident_id=anna.id,
                kind=MeasurementKind.WEIGHT.value,
                value=_RECENT_WEIGHT.get(offset, round(usual, 1)),
                unit="kg",
                measured_at=_at(day, 7, 45),
                recorded_by_id=anna.id,
                task_id=weighing.id if weighing else None,
            )
        )
        if offset % 2 and offset > 14:  # every other day at first, then every day
            continue
        evening = _at(day, 19, 5)
        session.add_all(
            [
                Measurement(
                    resident_id=anna.id,
                    kind=MeasurementKind.BLOOD_PRESSURE.value,
                    value=chance.randint(126, 144),
                    value2=chance.randint(76, 88),
                    unit="mmHg",
                    measured_at=evening,
                    recorded_by_id=anna.id,
                    task_id=pressure.id if pressure else None,
                ),
                Measurement(
                    resident_id=anna.id,
                    kind=MeasurementKind.PULSE.value,
                    value=chance.randint(62, 76),
                    unit="beats/min",
                    measured_at=evening,
                    recorded_by_id=anna.id,
                ),
            ]
        )


def _seed_marks(
    session: Session,
    *,
    anna: User,
    helper: User,
    tasks: dict[str, SelfCareTask],
    today: date,
) -> None:
    for offset in range(14, 0, -1):
        day = today - timedelta(days=offset)
        for task in tasks.values():
            moments = self_care.occurrences_between(task, *self_care.local_day_bounds(day))
            missed = task.title == _WALK and offset in (9, 5)
            if not moments or missed:
                continue
            skipped = task.title == _WALK and offset == 6
            by_helper = task.title == "Mät blodtrycket" and offset == 3
            session.add(
                SelfCareCheck(
                    task_id=task.id,
                    occurrence_at=moments[0],
                    status=CheckStatus.SKIPPED if skipped else CheckStatus.DONE,
                    recorded_by_id=helper.id if by_helper else anna.id,
                    recorded_at=moments[0] + timedelta(minutes=20),
                )
            )
