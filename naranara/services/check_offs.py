"""Check-offs made without a network, taken exactly once when the phone is back online.

The browser gives each press of *Klar* or *Hoppa över* a random key and keeps it in a
queue until the server has answered. A ``check_off_receipt`` row is unique per sender
and key: the row is written before the check-off is applied, in the same
transaction, so a retry (the answer was lost, two tabs sent the queue at once) finds
the row — or waits for the other transaction and then finds it — and changes nothing.

Who may mark whose task is the policy's answer: the caller passes ``may_record``,
asked with the task's resident (``policy.is_allowed(viewer, RECORD_SELF_CARE, …)``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from naranara import clock
from naranara.i18n import N_, gettext
from naranara.models import CheckOffReceipt, CheckStatus, SelfCareCheck, SelfCareTask
from naranara.services import self_care

MAX_PER_REQUEST = 50
# A phone's clock may be wrong: a pressed time is kept only within this window.
PRESSED_AT_WINDOW = timedelta(days=7)
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class CheckOffOutcome(StrEnum):
    RECORDED = "recorded"
    TASK_STOPPED = "task-stopped"  # stopped, paused or removed since the press
    NOT_ALLOWED = "not-allowed"  # the grant ended, or never was
    NOT_AN_OCCURRENCE = "not-an-occurrence"  # the schedule changed


MESSAGES = {
    CheckOffOutcome.RECORDED: N_("Saved."),
    CheckOffOutcome.TASK_STOPPED: N_(
        "“{title}” was not saved: the task has been stopped or paused since."
    ),
    CheckOffOutcome.NOT_ALLOWED: N_("A check-off was not saved: you may no longer mark this task."),
    CheckOffOutcome.NOT_AN_OCCURRENCE: N_(
        "“{title}” was not saved: the task's schedule has changed since."
    ),
}


class InvalidCheckOff(ValueError):
    """The request does not describe a check-off (a bad key, time or status)."""


@dataclass(frozen=True)
class CheckOff:
    key: str
    task_id: int
    occurrence_at: datetime
    status: CheckStatus
    pressed_at: datetime | None


@dataclass(frozen=True)
class Received:
    key: str
    outcome: CheckOffOutcome
    repeated: bool  # this key had been received before: nothing was changed now
    message: str


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def parse(item: object) -> CheckOff:
    """One check-off from the browser's JSON, or ``InvalidCheckOff``."""
    if not isinstance(item, dict):
        raise InvalidCheckOff("item")
    key, task_id, status = item.get("key"), item.get("taskId"), item.get("status", "done")
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidCheckOff("key")
    if not isinstance(task_id, int) or isinstance(task_id, bool) or not 0 < task_id < 2**31:
        raise InvalidCheckOff("task")
    if status not in (CheckStatus.DONE.value, CheckStatus.SKIPPED.value):
        raise InvalidCheckOff("status")
    occurrence_at = _moment(item.get("occurrenceAt"))
    if occurrence_at is None:
        raise InvalidCheckOff("occurrence")
    pressed = item.get("pressedAt")
    return CheckOff(key, task_id, occurrence_at, CheckStatus(status), _moment(pressed))


def _message(outcome: CheckOffOutcome, title: str, locale: str) -> str:
    return gettext(locale, MESSAGES[outcome]).format(title=title)


def _pressed_within_reason(pressed: datetime | None, now: datetime) -> datetime | None:
    if pressed is None or pressed > now or pressed < now - PRESSED_AT_WINDOW:
        return None
    return pressed


def _apply(
    session: Session,
    check_off: CheckOff,
    *,
    sender_id: int,
    may_record: Callable[[int], bool],
    now: datetime,
) -> tuple[CheckOffOutcome, str]:
    task = session.get(SelfCareTask, check_off.task_id)
    if task is None or not may_record(task.resident_id):
        # The same answer for a task that does not exist and one of someone else's.
        return CheckOffOutcome.NOT_ALLOWED, ""
    if not task.active or task.paused:
        return CheckOffOutcome.TASK_STOPPED, task.title
    try:
        self_care.record(
            session=session,
            task=task,
            occurrence_at=check_off.occurrence_at,
            status=check_off.status,
            recorded_by_id=sender_id,
        )
    except self_care.NotAnOccurrence:
        return CheckOffOutcome.NOT_AN_OCCURRENCE, task.title
    pressed = _pressed_within_reason(check_off.pressed_at, now)
    if pressed is not None:
        session.flush()
        check = session.exec(
            select(SelfCareCheck).where(
                SelfCareCheck.task_id == task.id,
                SelfCareCheck.occurrence_at == check_off.occurrence_at,
            )
        ).one()
        check.recorded_at = pressed  # when the person did it, not when the network came back
        session.add(check)
    return CheckOffOutcome.RECORDED, task.title


def _receipt(session: Session, sender_id: int, key: str) -> CheckOffReceipt | None:
    return session.exec(
        select(CheckOffReceipt).where(
            CheckOffReceipt.sender_id == sender_id, CheckOffReceipt.idempotency_key == key
        )
    ).first()


def receive(
    *,
    session: Session,
    sender_id: int,
    check_off: CheckOff,
    may_record: Callable[[int], bool],
    locale: str = "sv",
) -> Received:
    """Take one check-off once: a key seen before returns what happened then.

    The receipt is inserted with ``ON CONFLICT DO NOTHING`` first, in the caller's
    transaction: a second request with the same key waits for the first to commit
    (PostgreSQL: the unique index; SQLite: its one writer) and then inserts nothing.
    """
    now = clock.now()
    task = session.get(SelfCareTask, check_off.task_id)
    # A task the sender may not mark is not named in their receipt: nothing of another
    # person's is linked to it, and a task that never was is answered the same way.
    if task is not None and not may_record(task.resident_id):
        task = None
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = session.execute(
        insert(CheckOffReceipt.__table__)
        .values(
            sender_id=sender_id,
            idempotency_key=check_off.key,
            task_id=task.id if task is not None else None,
            occurrence_at=check_off.occurrence_at,
            status=check_off.status.value,
            pressed_at=_pressed_within_reason(check_off.pressed_at, now),
            received_at=now,
            outcome="pending",
        )
        .on_conflict_do_nothing(index_elements=["sender_id", "idempotency_key"])
        .returning(CheckOffReceipt.__table__.c.id)
    ).first()
    receipt = _receipt(session, sender_id, check_off.key)
    if inserted is not None:
        outcome, title = _apply(
            session, check_off, sender_id=sender_id, may_record=may_record, now=now
        )
        receipt.outcome = outcome.value
        session.add(receipt)
        session.flush()
        return Received(check_off.key, outcome, False, _message(outcome, title, locale))
    outcome = CheckOffOutcome(receipt.outcome)
    task = session.get(SelfCareTask, receipt.task_id) if receipt.task_id else None
    title = task.title if task is not None and may_record(task.resident_id) else ""
    return Received(check_off.key, outcome, True, _message(outcome, title, locale))


def resident_of_task(*, session: Session, task_id: int) -> int:
    task = session.get(SelfCareTask, task_id)
    if task is None:
        raise LookupError(task_id)
    return task.resident_id
