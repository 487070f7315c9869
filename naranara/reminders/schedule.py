"""Which reminders exist, for whom, and when they may go out: the one place that plans them.

Planning writes rows to the ledger (``ReminderOccurrence``) a day or two ahead and
is idempotent: every row has a key made of (kind, source id, occurrence time,
recipient, offset, source version), so planning again finds the same keys and
adds nothing. A time that moves gets new keys; its old pending rows are no longer
planned and are withdrawn. Whether a relative may still receive a reminder is asked
of policy again when it is sent (``dispatcher``), so a revoked grant stops the next
push even if it was planned before.

What is reminded:

- **Agreed times**: by default the day before at 18:00 and 2 hours before; each time
  can have its own choice (``AgreedTimeReminderChoice``, the "Påminnelser" field on
  the time's form). To the resident and to relatives with the "reminders" grant.
- **Self-care tasks**: each occurrence of the task's RRULE, in Europe/Stockholm wall
  time. On the spring-forward day a 02:30 task (a time that does not exist) falls at
  03:30 local; on the fall-back day it falls once, at the first 02:30.
- **Missed tasks**: to relatives with the "missed_task_alerts" grant, 2 hours after
  an occurrence that is not marked done or skipped by then (checked at send time).

Quiet hours (NotificationSettings, default 21:00–07:00, may span midnight): a
reminder falling inside waits until they end. Only one reminder is urgent and breaks
through: "2 hours before" an agreed time when waiting would leave less than an hour
before the time starts (a 07:30 visit is reminded at 05:30, not at 07:00). The day
before reminder at 18:00 never needs to; self-care and missed-task reminders wait.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, or_, select

from naranara.models import (
    AgreedTime,
    AgreedTimeReminderChoice,
    AgreedTimeStatus,
    NotificationSettings,
    ProxyGrant,
    ProxyScope,
    ReminderKind,
    ReminderOccurrence,
    ReminderStatus,
    SelfCareCheck,
    SelfCareTask,
)
from naranara.services.self_care import occurrences_between
from naranara.settings import DISPLAY_TIMEZONE

DAY_BEFORE = "day_before"
TWO_HOURS = "two_hours"
AT_TIME = "at_time"
AFTER_TWO_HOURS = "after_two_hours"
AGREED_TIME_OFFSETS = (DAY_BEFORE, TWO_HOURS)
DEFAULT_AGREED_TIME_OFFSETS = (DAY_BEFORE, TWO_HOURS)
DAY_BEFORE_AT = time(18, 0)
# The per-time choice on the agreed time form: value -> offsets.
REMINDER_CHOICES: dict[str, tuple[str, ...]] = {
    "both": (DAY_BEFORE, TWO_HOURS),
    DAY_BEFORE: (DAY_BEFORE,),
    TWO_HOURS: (TWO_HOURS,),
    "none": (),
}
MISSED_AFTER = timedelta(hours=2)
# An urgent reminder still leaves at least this long before the time starts.
URGENT_NOTICE = timedelta(hours=1)
# How far ahead rows are written; the worker plans again every minute or so.
HORIZON = timedelta(hours=48)
# A row planned late (the worker was down) is still sent if due at most this long ago.
GRACE = timedelta(minutes=15)
# Useful windows: after these a reminder is not sent (and the push TTL ends then).
SELF_CARE_WINDOW = timedelta(hours=2)
MISSED_WINDOW = timedelta(hours=12)
DEFAULT_QUIET = ("21:00", "07:00")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time  # equal to start: no quiet hours


def _clock(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute)


def quiet_hours_from(quiet_from: str, quiet_until: str) -> QuietHours:
    return QuietHours(_clock(quiet_from), _clock(quiet_until))


def quiet_hours_of(session: Session, user_id: int) -> QuietHours:
    row = session.get(NotificationSettings, user_id)
    return quiet_hours_from(*((row.quiet_from, row.quiet_until) if row else DEFAULT_QUIET))


def after_quiet_hours(moment: datetime, quiet: QuietHours) -> datetime:
    """``moment``, or the end of the quiet hours it falls in (as aware UTC)."""
    if quiet.start == quiet.end:
        return moment
    local = moment.astimezone(DISPLAY_TIMEZONE)
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    if quiet.start < quiet.end:  # e.g. 13:00–14:00 within one day
        inside = quiet.start <= clock < quiet.end
    else:  # across midnight, e.g. 21:00–07:00
        inside = clock >= quiet.start or clock < quiet.end
        if clock >= quiet.start:
            day += timedelta(days=1)
    if not inside:
        return moment
    return datetime.combine(day, quiet.end, tzinfo=DISPLAY_TIMEZONE).astimezone(UTC)


def agreed_time_due(offset: str, starts_at: datetime) -> datetime:
    if offset == DAY_BEFORE:
        day = starts_at.astimezone(DISPLAY_TIMEZONE).date() - timedelta(days=1)
        return datetime.combine(day, DAY_BEFORE_AT, tzinfo=DISPLAY_TIMEZONE).astimezone(UTC)
    if offset == TWO_HOURS:
        return starts_at - timedelta(hours=2)
    raise ValueError(offset)


def offsets_of(choice: AgreedTimeReminderChoice | None) -> tuple[str, ...]:
    if choice is None:
        return DEFAULT_AGREED_TIME_OFFSETS
    return tuple(part for part in choice.offsets.split(",") if part in AGREED_TIME_OFFSETS)


def choice_value(offsets: tuple[str, ...]) -> str:
    """The form's value for a set of offsets."""
    return next(
        (value for value, wanted in REMINDER_CHOICES.items() if set(wanted) == set(offsets)),
        "both",
    )


def set_agreed_time_choice(*, session: Session, agreed_time_id: int, choice: str) -> None:
    """Store the form's "Påminnelser" choice; planning picks it up on its next round."""
    offsets = REMINDER_CHOICES[choice]
    row = session.get(AgreedTimeReminderChoice, agreed_time_id) or AgreedTimeReminderChoice(
        agreed_time_id=agreed_time_id
    )
    row.offsets = ",".join(offsets)
    session.add(row)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def occurrence_key(
    kind: ReminderKind,
    source_id: int,
    occurrence_at: datetime,
    recipient_id: int,
    offset: str,
    version: int = 0,
) -> str:
    return f"{_identity(kind, source_id, occurrence_at, recipient_id, offset)}:v{version}"


def _identity(
    kind: ReminderKind, source_id: int, occurrence_at: datetime, recipient_id: int, offset: str
) -> str:
    """The key without the source version: "this reminder of this moment for this person"."""
    return f"{kind.value}:{source_id}:{_epoch(occurrence_at)}:{recipient_id}:{offset}"


def _grantees(session: Session, scope: ProxyScope, now: datetime) -> dict[int, set[int]]:
    """resident id -> relatives holding an active grant of ``scope`` (all residents at once:
    an IN list of every resident would outgrow PostgreSQL's 65,535 parameters)."""
    rows = session.exec(
        select(ProxyGrant.resident_id, ProxyGrant.relative_id).where(
            ProxyGrant.scope == scope,
            col(ProxyGrant.revoked_at).is_(None),
            or_(col(ProxyGrant.expires_at).is_(None), col(ProxyGrant.expires_at) > now),
        )
    ).all()
    found: dict[int, set[int]] = defaultdict(set)
    for resident_id, relative_id in rows:
        found[resident_id].add(relative_id)
    return found


@dataclass
class _Candidate:
    key: str
    identity: str
    recipient_id: int
    resident_id: int
    kind: ReminderKind
    occurrence_at: datetime
    offset: str
    due_at: datetime
    expires_at: datetime
    agreed_time_id: int | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class PlanSummary:
    added: int
    withdrawn: int
    moved: int  # pending rows whose send time changed (quiet hours were changed)


def _agreed_time_candidates(
    session: Session, now: datetime, start: datetime, end: datetime
) -> list[_Candidate]:
    # A day-before reminder at 18:00 is at most ~31 h before the start.
    times = session.exec(
        select(AgreedTime, AgreedTimeReminderChoice)
        .outerjoin(
            AgreedTimeReminderChoice,
            col(AgreedTimeReminderChoice.agreed_time_id) == col(AgreedTime.id),
        )
        .where(
            AgreedTime.status != AgreedTimeStatus.CANCELLED,
            AgreedTime.starts_at > start,
            AgreedTime.starts_at < end + timedelta(hours=36),
        )
    ).all()
    if not times:
        return []
    relatives = _grantees(session, ProxyScope.REMINDERS, now)
    found = []
    for item, choice in times:
        for offset in offsets_of(choice):
            due = agreed_time_due(offset, item.starts_at)
            if not start <= due < end or due >= item.starts_at:
                continue
            for recipient in {item.resident_id, *relatives.get(item.resident_id, ())}:
                found.append(
                    _Candidate(
                        key=occurrence_key(
                            ReminderKind.AGREED_TIME,
                            item.id,
                            item.starts_at,
                            recipient,
                            offset,
                            item.version,
                        ),
                        identity=_identity(
                            ReminderKind.AGREED_TIME, item.id, item.starts_at, recipient, offset
                        ),
                        recipient_id=recipient,
                        resident_id=item.resident_id,
                        kind=ReminderKind.AGREED_TIME,
                        occurrence_at=item.starts_at,
                        offset=offset,
                        due_at=due,
                        expires_at=item.starts_at,
                        agreed_time_id=item.id,
                    )
                )
    return found


def _self_care_candidates(
    session: Session, now: datetime, start: datetime, end: datetime
) -> list[_Candidate]:
    tasks = session.exec(select(SelfCareTask).where(SelfCareTask.active)).all()
    if not tasks:
        return []
    relatives = _grantees(session, ProxyScope.REMINDERS, now)
    watchers = _grantees(session, ProxyScope.MISSED_TASK_ALERTS, now)
    found = []
    for task in tasks:
        for moment in occurrences_between(task, start - MISSED_AFTER, end):
            if start <= moment < end:
                for recipient in {task.resident_id, *relatives.get(task.resident_id, ())}:
                    found.append(
                        _Candidate(
                            key=occurrence_key(
                                ReminderKind.SELF_CARE, task.id, moment, recipient, AT_TIME
                            ),
                            identity=_identity(
                                ReminderKind.SELF_CARE, task.id, moment, recipient, AT_TIME
                            ),
                            recipient_id=recipient,
                            resident_id=task.resident_id,
                            kind=ReminderKind.SELF_CARE,
                            occurrence_at=moment,
                            offset=AT_TIME,
                            due_at=moment,
                            expires_at=moment + SELF_CARE_WINDOW,
                            task_id=task.id,
                        )
                    )
            due = moment + MISSED_AFTER
            if not start <= due < end:
                continue
            for recipient in watchers.get(task.resident_id, ()):
                found.append(
                    _Candidate(
                        key=occurrence_key(
                            ReminderKind.MISSED_TASK, task.id, moment, recipient, AFTER_TWO_HOURS
                        ),
                        identity=_identity(
                            ReminderKind.MISSED_TASK, task.id, moment, recipient, AFTER_TWO_HOURS
                        ),
                        recipient_id=recipient,
                        resident_id=task.resident_id,
                        kind=ReminderKind.MISSED_TASK,
                        occurrence_at=moment,
                        offset=AFTER_TWO_HOURS,
                        due_at=due,
                        expires_at=due + MISSED_WINDOW,
                        task_id=task.id,
                    )
                )
    return found


def send_time(candidate_due: datetime, starts_at: datetime | None, offset: str, quiet: QuietHours):
    """(send_after, urgent) for a reminder due at ``candidate_due``; see the module doc."""
    later = after_quiet_hours(candidate_due, quiet)
    if (
        offset == TWO_HOURS
        and starts_at is not None
        and later != candidate_due
        and later > starts_at - URGENT_NOTICE
    ):
        return candidate_due, True
    return later, False


_PLANNED_KINDS = (ReminderKind.AGREED_TIME, ReminderKind.SELF_CARE, ReminderKind.MISSED_TASK)


def plan(*, session: Session, now: datetime, horizon: timedelta = HORIZON) -> PlanSummary:
    """Bring the ledger in line with agreed times, tasks, grants and quiet hours.

    Adds rows due in [now - GRACE, now + horizon), withdraws pending rows in that window
    that are no longer wanted, and moves pending rows when quiet hours changed. The
    caller commits. Safe to run in several workers at once (the unique key decides).
    """
    # In UTC: arithmetic on a Stockholm time is wall-clock arithmetic, and two hours
    # before 04.45 on the spring-forward night is a time that does not exist.
    now = now.astimezone(UTC)
    start, end = now - GRACE, now + horizon
    candidates = [
        *_agreed_time_candidates(session, now, start, end),
        *_self_care_candidates(session, now, start, end),
    ]
    existing = session.exec(
        select(ReminderOccurrence).where(
            col(ReminderOccurrence.kind).in_(_PLANNED_KINDS),
            ReminderOccurrence.snoozes == 0,
            ReminderOccurrence.due_at >= start,
        )
    ).all()
    by_key = {row.key: row for row in existing}
    # Reminders that went out (or are going out) already: an edit of the time's text
    # bumps its version but must not send the same reminder again.
    gone_out = {
        row.key.rsplit(":v", 1)[0]
        for row in existing
        if row.status in (ReminderStatus.SENT, ReminderStatus.CLAIMED)
    }
    quiet_cache: dict[int, QuietHours] = {}

    def quiet(user_id: int) -> QuietHours:
        if user_id not in quiet_cache:
            quiet_cache[user_id] = quiet_hours_of(session, user_id)
        return quiet_cache[user_id]

    new_rows: list[dict[str, object]] = []
    moved = 0
    wanted = set()
    for candidate in candidates:
        wanted.add(candidate.key)
        starts_at = candidate.occurrence_at if candidate.kind is ReminderKind.AGREED_TIME else None
        send_after, urgent = send_time(
            candidate.due_at, starts_at, candidate.offset, quiet(candidate.recipient_id)
        )
        row = by_key.get(candidate.key)
        if row is not None:
            if row.status == ReminderStatus.PENDING and (row.send_after, row.urgent) != (
                send_after,
                urgent,
            ):
                row.send_after, row.urgent = send_after, urgent
                session.add(row)
                moved += 1
            continue
        if candidate.identity in gone_out:
            continue
        new_rows.append(
            {
                "key": candidate.key,
                "recipient_id": candidate.recipient_id,
                "resident_id": candidate.resident_id,
                "kind": candidate.kind.value,
                "agreed_time_id": candidate.agreed_time_id,
                "task_id": candidate.task_id,
                "occurrence_at": candidate.occurrence_at,
                "offset": candidate.offset,
                "due_at": candidate.due_at,
                "send_after": send_after,
                "expires_at": candidate.expires_at,
                "urgent": urgent,
                "status": ReminderStatus.PENDING.value,
                "attempts": 0,
                "claimed_by": "",
                "snoozes": 0,
                "created_at": now,
            }
        )
    withdrawn = 0
    for row in existing:
        if (
            row.status == ReminderStatus.PENDING
            and row.key not in wanted
            and start <= row.due_at < end
        ):
            row.status = ReminderStatus.WITHDRAWN
            session.add(row)
            withdrawn += 1
    added = insert_new(session, new_rows)
    session.flush()
    return PlanSummary(added=added, withdrawn=withdrawn, moved=moved)


def insert_new(session: Session, rows: list[dict[str, object]]) -> int:
    """Insert ledger rows, skipping keys another worker wrote meanwhile; how many were new."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ReminderOccurrence.__table__
    added = 0
    for chunk_start in range(0, len(rows), 1000):
        statement = (
            insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
        )
        result = session.execute(statement, rows[chunk_start : chunk_start + 1000])
        added += len(result.all())
    return added


def still_wanted(
    occurrence: ReminderOccurrence,
    *,
    agreed_time: AgreedTime | None,
    task: SelfCareTask | None,
    marked: bool,
) -> bool:
    """Checked just before sending: is the thing the reminder is about still as planned?"""
    kind = ReminderKind(occurrence.kind)
    if kind is ReminderKind.AGREED_TIME:
        return (
            agreed_time is not None
            and agreed_time.status != AgreedTimeStatus.CANCELLED
            and agreed_time.starts_at == occurrence.occurrence_at
        )
    if kind in (ReminderKind.SELF_CARE, ReminderKind.MISSED_TASK):
        return task is not None and task.active and not marked
    return True


def marked_occurrences(
    session: Session, pairs: set[tuple[int, datetime]]
) -> set[tuple[int, datetime]]:
    """Which (task id, occurrence) pairs are marked done or skipped."""
    if not pairs:
        return set()
    task_ids = {task_id for task_id, _ in pairs}
    moments = [moment for _, moment in pairs]
    rows = session.exec(
        select(SelfCareCheck.task_id, SelfCareCheck.occurrence_at).where(
            col(SelfCareCheck.task_id).in_(task_ids),
            SelfCareCheck.occurrence_at >= min(moments),
            SelfCareCheck.occurrence_at <= max(moments),
        )
    ).all()
    return {(task_id, moment) for task_id, moment in rows} & pairs
