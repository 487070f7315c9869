"""The resident's self-care tasks: when they fall due and what was done.

Recurrence rules are RFC 5545 RRULEs evaluated by python-dateutil in
Europe/Stockholm wall-clock time, so "every day at 08:00" stays 08:00 across
daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from sqlmodel import Session, col, select

from naranara import clock
from naranara.models import CheckStatus, SelfCareCheck, SelfCareTask
from naranara.settings import DISPLAY_TIMEZONE


@dataclass(frozen=True)
class Occurrence:
    task_id: int
    title: str
    at: datetime  # aware UTC
    status: CheckStatus | None


def _local_start(task: SelfCareTask) -> datetime:
    hour, minute = (int(part) for part in task.time_of_day.split(":"))
    return datetime.combine(task.starts_on, time(hour, minute), tzinfo=DISPLAY_TIMEZONE)


def occurrences_between(task: SelfCareTask, start: datetime, end: datetime) -> list[datetime]:
    """Occurrences of ``task`` in [start, end), as aware UTC datetimes.

    The rule runs on wall-clock times, and Python compares times of one zone by the
    wall clock. A time that the spring change skips (02.30 on the last Sunday in
    March) means 03.30 that day, outside a wall-clock window around 03.30: so the
    rule looks a day either side and the exact window is applied in UTC.
    """
    rule = rrulestr(task.recurrence, dtstart=_local_start(task))
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    padded = rule.between(
        start.astimezone(DISPLAY_TIMEZONE) - timedelta(days=1),
        end.astimezone(DISPLAY_TIMEZONE) + timedelta(days=1),
        inc=True,
    )
    return sorted(
        {
            moment.astimezone(UTC)
            for moment in padded
            if start_utc <= moment.astimezone(UTC) < end_utc
        }
    )


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=DISPLAY_TIMEZONE)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=DISPLAY_TIMEZONE)
    return start, end


def tasks_of(*, session: Session, resident_id: int) -> list[SelfCareTask]:
    """The tasks that fall due: neither stopped nor paused."""
    return list(
        session.exec(
            select(SelfCareTask)
            .where(
                SelfCareTask.resident_id == resident_id,
                SelfCareTask.active,
                col(SelfCareTask.paused).is_(False),
            )
            .order_by(col(SelfCareTask.time_of_day), col(SelfCareTask.id))
        ).all()
    )


def marks_on_day(
    *, session: Session, tasks: list[SelfCareTask], day: date
) -> dict[tuple[int, datetime], str]:
    """(task id, occurrence) -> how it was marked, for the tasks' occurrences on a local day."""
    start, end = local_day_bounds(day)
    return {
        (check.task_id, check.occurrence_at): check.status
        for check in session.exec(
            select(SelfCareCheck).where(
                col(SelfCareCheck.task_id).in_([task.id for task in tasks]),
                SelfCareCheck.occurrence_at >= start,
                SelfCareCheck.occurrence_at < end,
            )
        ).all()
    }


def occurrences_on(*, session: Session, resident_id: int, day: date) -> list[Occurrence]:
    """Every task occurrence on a local day, with what was recorded, in time order."""
    start, end = local_day_bounds(day)
    tasks = tasks_of(session=session, resident_id=resident_id)
    checks = marks_on_day(session=session, tasks=tasks, day=day)
    found = [
        Occurrence(task.id, task.title, moment, checks.get((task.id, moment)))
        for task in tasks
        for moment in occurrences_between(task, start, end)
    ]
    return sorted(found, key=lambda occurrence: (occurrence.at, occurrence.task_id))


class NotAnOccurrence(ValueError):
    """The moment given is not one on which the task falls due."""


def record(
    *,
    session: Session,
    task: SelfCareTask,
    occurrence_at: datetime,
    status: CheckStatus | None,
    recorded_by_id: int,
) -> None:
    """Mark one occurrence done or skipped; ``None`` takes the mark back."""
    window_start = occurrence_at - timedelta(seconds=1)
    if occurrence_at not in occurrences_between(
        task, window_start, occurrence_at + timedelta(seconds=1)
    ):
        raise NotAnOccurrence(occurrence_at.isoformat())
    existing = session.exec(
        select(SelfCareCheck).where(
            SelfCareCheck.task_id == task.id, SelfCareCheck.occurrence_at == occurrence_at
        )
    ).first()
    if status is None:
        if existing is not None:
            session.delete(existing)
        return
    if existing is None:
        existing = SelfCareCheck(task_id=task.id, occurrence_at=occurrence_at, status=status)
    existing.status = status
    existing.recorded_by_id = recorded_by_id
    existing.recorded_at = clock.now()
    session.add(existing)
