"""Times agreed from both sides: the resident answers what the care side recorded.

A time the care side recorded (or a region's system imported) is read-only for the
resident. She answers it: *Jag kommer*, or *Jag behöver en annan tid* with a
message, which is a request the care unit sees until someone there moves the time,
cancels it or replies (patient_contract.close_open_requests). A relative with the
``care_plan`` scope may answer on her behalf; the answer names who wrote it. Every
answer, reply and change together is the time's history, which both sides see.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import N_
from naranara.inputs import InputInvalid, checked_text
from naranara.models import (
    AgreedTime,
    AgreedTimeAnswer,
    AgreedTimeChange,
    AgreedTimeStatus,
    AnswerKind,
)
from naranara.services import audit
from naranara.services.patient_contract import (
    NotFound,
    agreed_time_of,
    close_open_requests,
)

TEXT_LIMIT = 1000  # the column is TEXT; a message, not a letter
ERROR_NOT_ANSWERABLE = N_("This time can no longer be answered: it is cancelled or has passed.")
RESIDENT_SIDE = frozenset({AnswerKind.COMING.value, AnswerKind.OTHER_TIME.value})


class NotAnswerable(LookupError):
    """Not a time of the care side's for this resident, or no longer open to answers."""


def _message(text: object, *, required: bool) -> str:
    return checked_text(
        text, field="text", max_length=TEXT_LIMIT, multiline=True, required=required
    )


def _answerable(session: Session, *, resident_id: int, time_id: int, now: datetime) -> AgreedTime:
    try:
        item = agreed_time_of(session=session, resident_id=resident_id, time_id=time_id)
    except NotFound:
        raise NotAnswerable(time_id) from None
    if not item.care_side:
        raise NotAnswerable(time_id)
    if item.status is AgreedTimeStatus.CANCELLED or item.ends_at < now:
        raise InputInvalid({"form": ERROR_NOT_ANSWERABLE})
    return item


def answer(
    *,
    session: Session,
    resident_id: int,
    time_id: int,
    author_id: int,
    kind: AnswerKind,
    text: object = "",
    now: datetime | None = None,
) -> AgreedTimeAnswer:
    """The resident (or her relative) answers a time of the care side's.

    *Jag behöver en annan tid* needs a message and stays open for the care unit;
    *Jag kommer* closes any request of hers still open for that time.
    """
    now = now or clock.now()
    if kind not in (AnswerKind.COMING, AnswerKind.OTHER_TIME):
        raise ValueError(f"{kind} is not the resident's answer")
    message = _message(text, required=kind is AnswerKind.OTHER_TIME)
    item = _answerable(session, resident_id=resident_id, time_id=time_id, now=now)
    if kind is AnswerKind.COMING:
        close_open_requests(session=session, time_id=item.id, by_id=author_id)
    row = AgreedTimeAnswer(
        agreed_time_id=item.id,
        resident_id=resident_id,
        author_id=author_id,
        kind=kind.value,
        text=message,
        for_version=item.version,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record_access(
        session=session,
        actor_id=author_id,
        resident_id=resident_id,
        changed=True,
        detail=f"agreed_time={item.id} answered",
    )
    return row


def reply(
    *,
    session: Session,
    resident_id: int,
    time_id: int,
    author_id: int,
    text: object,
    now: datetime | None = None,
) -> AgreedTimeAnswer:
    """The care side answers in words (the caller asked policy): open requests close."""
    now = now or clock.now()
    message = _message(text, required=True)
    item = _answerable(session, resident_id=resident_id, time_id=time_id, now=now)
    close_open_requests(session=session, time_id=item.id, by_id=author_id)
    row = AgreedTimeAnswer(
        agreed_time_id=item.id,
        resident_id=resident_id,
        author_id=author_id,
        kind=AnswerKind.REPLY.value,
        text=message,
        for_version=item.version,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record_access(
        session=session,
        actor_id=author_id,
        resident_id=resident_id,
        changed=True,
        detail=f"agreed_time={item.id} replied",
    )
    return row


def answers_of(*, session: Session, time_ids: list[int]) -> dict[int, list[AgreedTimeAnswer]]:
    """Answers and replies per time, oldest first."""
    if not time_ids:
        return {}
    found: dict[int, list[AgreedTimeAnswer]] = defaultdict(list)
    for row in session.exec(
        select(AgreedTimeAnswer)
        .where(col(AgreedTimeAnswer.agreed_time_id).in_(time_ids))
        .order_by(col(AgreedTimeAnswer.created_at), col(AgreedTimeAnswer.id))
    ):
        found[row.agreed_time_id].append(row)
    return dict(found)


def current_answer(item: AgreedTime, answers: list[AgreedTimeAnswer]) -> str:
    """The resident side's answer to the time as it is now ("" if none, or if the time
    changed since): an AnswerKind value."""
    for row in reversed(answers):
        if row.kind in RESIDENT_SIDE:
            return row.kind if row.for_version == item.version else ""
    return ""


def open_requests(*, session: Session, resident_ids: set[int]) -> dict[int, list[AgreedTimeAnswer]]:
    """resident id -> her requests for another time that no one has answered, oldest first."""
    if not resident_ids:
        return {}
    found: dict[int, list[AgreedTimeAnswer]] = defaultdict(list)
    for row in session.exec(
        select(AgreedTimeAnswer)
        .where(
            col(AgreedTimeAnswer.resident_id).in_(resident_ids),
            AgreedTimeAnswer.kind == AnswerKind.OTHER_TIME.value,
            col(AgreedTimeAnswer.answered_at).is_(None),
        )
        .order_by(col(AgreedTimeAnswer.created_at), col(AgreedTimeAnswer.id))
    ):
        found[row.resident_id].append(row)
    return dict(found)


# ---------------------------------------------------------------------------- history


class EventKind(StrEnum):
    RECORDED = "recorded"
    MOVED = "moved"
    CHANGED = "changed"  # what, where or how, not when
    CANCELLED = "cancelled"
    COMING = "coming"
    OTHER_TIME = "other_time"
    REPLY = "reply"


@dataclass(frozen=True)
class TimeEvent:
    at: datetime
    actor_id: int | None
    kind: EventKind
    text: str = ""
    moved_from: datetime | None = None
    moved_to: datetime | None = None
    answered: bool = False  # a request someone has answered


def history(changes: list[AgreedTimeChange], answers: list[AgreedTimeAnswer]) -> list[TimeEvent]:
    """One time's changes and answers, oldest first."""
    events: list[TimeEvent] = []
    for change in changes:
        fields = json.loads(change.changes or "{}")
        if not fields:
            kind, before, after = EventKind.RECORDED, None, None
        elif change.status == AgreedTimeStatus.CANCELLED.value:
            kind, before, after = EventKind.CANCELLED, None, None
        elif "starts_at" in fields:
            kind = EventKind.MOVED
            before, after = (datetime.fromisoformat(value) for value in fields["starts_at"])
        else:
            kind, before, after = EventKind.CHANGED, None, None
        events.append(TimeEvent(change.changed_at, change.changed_by_id, kind, "", before, after))
    for row in answers:
        events.append(
            TimeEvent(
                row.created_at,
                row.author_id,
                EventKind(row.kind),
                row.text,
                answered=row.answered_at is not None,
            )
        )
    return sorted(events, key=lambda event: event.at)
