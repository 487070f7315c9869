"""Egenmonitorering: what a care unit follows of a resident's self-care, with her consent.

Only what the resident shares with one of the staff member's units counts
(services/care_units.py, ``CareShare``; the viewer carries it as ``care_shared``):
measurements past a task's threshold, and tasks with nothing done for several days.
The list names the resident and why; opening her page is an audited read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from naranara.models import ProxyScope
from naranara.services import measurements, self_care_plan
from naranara.services.self_care import local_day_bounds
from naranara.settings import DISPLAY_TIMEZONE

# "Several days": three whole days before today with something due and nothing done.
NOT_DONE_DAYS = 3


class FlagKind(StrEnum):
    THRESHOLD = "threshold"  # a measurement past the line its task sets
    NOT_DONE = "not_done"  # a task with nothing done for NOT_DONE_DAYS days


@dataclass(frozen=True)
class Flag:
    resident_id: int
    kind: FlagKind
    at: datetime  # the measurement, or the latest occurrence not done
    task_title: str


def _not_done(session: Session, resident_id: int, now: datetime) -> list[Flag]:
    today = now.astimezone(DISPLAY_TIMEZONE).date()
    window_start, _ = local_day_bounds(today - timedelta(days=NOT_DONE_DAYS))
    today_start, _ = local_day_bounds(today)
    found = []
    for task in self_care_plan.plan_tasks(session=session, resident_id=resident_id):
        if task.paused or not task.active:
            continue
        entries = [
            entry
            for entry in self_care_plan.history(
                session=session, task=task, now=now, days=NOT_DONE_DAYS + 1
            )
            if window_start <= entry.at < today_start
        ]
        due_days = {entry.at.astimezone(DISPLAY_TIMEZONE).date() for entry in entries}
        done = any(entry.state is self_care_plan.EntryState.DONE for entry in entries)
        if len(due_days) >= NOT_DONE_DAYS and not done:
            found.append(Flag(resident_id, FlagKind.NOT_DONE, entries[0].at, task.title))
    return found


def _past_threshold(session: Session, resident_id: int, now: datetime) -> list[Flag]:
    return [
        Flag(resident_id, FlagKind.THRESHOLD, alert.latest_at or now, alert.task_title)
        for alert in measurements.alerts(session=session, resident_id=resident_id, now=now)
    ]


def flags(
    *, session: Session, shared: Mapping[int, frozenset[ProxyScope]], now: datetime
) -> list[Flag]:
    """What to follow up, newest first, for the residents in ``shared`` (resident id ->
    what she shares with the staff member's units)."""
    found: list[Flag] = []
    for resident_id, scopes in shared.items():
        if ProxyScope.MEASUREMENTS in scopes:
            found += _past_threshold(session, resident_id, now)
        if ProxyScope.SELF_CARE in scopes:
            found += _not_done(session, resident_id, now)
    return sorted(found, key=lambda flag: (flag.at, flag.resident_id), reverse=True)
