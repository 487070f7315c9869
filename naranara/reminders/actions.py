"""The buttons on a notification: "Klart", "Påminn om 1 timme", "Öppna".

The service worker cannot sign in, so each push carries a token signed with the
deployment's secret that names one ledger row and expires. The token only says
*which* reminder; whether its recipient may still act on the resident's data is
asked of policy when the button is pressed (a relative whose grant was revoked
after the push can no longer mark anything done).
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from naranara import clock
from naranara.models import (
    CheckStatus,
    ReminderKind,
    ReminderOccurrence,
    ReminderStatus,
    SelfCareTask,
    User,
)
from naranara.policy import Action, is_allowed, viewer_of
from naranara.reminders import payload, schedule
from naranara.services import audit, self_care
from naranara.settings import get_secret_key

ACTIONS = ("done", "snooze", "open")
# A notification left unanswered for a week is not acted on from the lock screen.
TOKEN_MAX_AGE = timedelta(days=7)
SNOOZE = timedelta(hours=1)
# A snoozed reminder is still worth sending this long after it falls due.
SNOOZE_WINDOW = timedelta(hours=1)
MAX_SNOOZES = 12
_SALT = "nara-reminder-action"


class ActionRefused(Exception):
    """The token is forged, expired or for a row that is gone, or policy says no.

    The HTTP route answers 403 with no detail and the service worker opens the app.
    """


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(get_secret_key())


@lru_cache(maxsize=4)
def _serializer_for(secret: str) -> URLSafeTimedSerializer:
    # Made once per secret: the worker signs a token for every push it sends.
    return URLSafeTimedSerializer(secret, salt=_SALT)


def action_token(occurrence: ReminderOccurrence) -> str:
    """A signed, expiring reference to one ledger row and its recipient."""
    return _serializer().dumps({"o": occurrence.id, "r": occurrence.recipient_id})


def _occurrence_of(session: Session, token: str) -> ReminderOccurrence:
    try:
        data = _serializer().loads(token, max_age=int(TOKEN_MAX_AGE.total_seconds()))
    except BadSignature:  # also SignatureExpired
        raise ActionRefused("token") from None
    if not isinstance(data, dict) or not isinstance(data.get("o"), int):
        raise ActionRefused("token")
    occurrence = session.get(ReminderOccurrence, data["o"])
    if occurrence is None or occurrence.recipient_id != data.get("r"):
        raise ActionRefused("occurrence")
    return occurrence


def apply_action(session: Session, token: str, action: str) -> str:
    """Do what the notification button says; returns the path the app should open.

    The caller commits. Raises ``ActionRefused`` for anything not allowed.
    """
    if action not in ACTIONS:
        raise ActionRefused("action")
    occurrence = _occurrence_of(session, token)
    if action == "open":
        return payload.url_of(occurrence)
    recipient = session.get(User, occurrence.recipient_id)
    if recipient is None:
        raise ActionRefused("recipient")
    viewer = viewer_of(recipient, session=session)
    if action == "done":
        _mark_done(session, occurrence, viewer)
    else:
        receives = (
            Action.RECEIVE_MISSED_TASK_ALERTS
            if occurrence.kind == ReminderKind.MISSED_TASK
            else Action.RECEIVE_REMINDERS
        )
        if occurrence.kind == ReminderKind.TEST or not is_allowed(
            viewer, receives, occurrence.resident_id
        ):
            raise ActionRefused("snooze")
        snooze(session, occurrence)
    return payload.url_of(occurrence)


def _mark_done(session: Session, occurrence: ReminderOccurrence, viewer) -> None:  # noqa: ANN001
    if occurrence.kind != ReminderKind.SELF_CARE or occurrence.task_id is None:
        raise ActionRefused("done")
    if not is_allowed(viewer, Action.RECORD_SELF_CARE, occurrence.resident_id):
        raise ActionRefused("done")
    task = session.get(SelfCareTask, occurrence.task_id)
    if task is None or task.resident_id != occurrence.resident_id:
        raise ActionRefused("done")
    try:
        self_care.record(
            session=session,
            task=task,
            occurrence_at=occurrence.occurrence_at,
            status=CheckStatus.DONE,
            recorded_by_id=viewer.user_id,
        )
    except self_care.NotAnOccurrence:
        # The task's schedule changed since the push: that moment is no longer due.
        raise ActionRefused("done") from None
    audit.record_access(
        session=session,
        actor_id=viewer.user_id,
        resident_id=occurrence.resident_id,
        detail=f"self_care_task={task.id} via=notification",
        changed=True,
    )


def snooze(session: Session, occurrence: ReminderOccurrence) -> ReminderOccurrence:
    """A copy of the reminder due in an hour. Pressing snooze twice on one notification
    makes one copy: its key is the original's plus the snooze count."""
    if occurrence.snoozes >= MAX_SNOOZES:
        raise ActionRefused("snooze")
    base = occurrence.key.split(":snooze", 1)[0]
    key = f"{base}:snooze{occurrence.snoozes + 1}"
    existing = session.exec(select(ReminderOccurrence).where(ReminderOccurrence.key == key)).first()
    if existing is not None:
        return existing
    due = clock.now() + SNOOZE
    quiet = schedule.quiet_hours_of(session, occurrence.recipient_id)
    send_after = due if occurrence.urgent else schedule.after_quiet_hours(due, quiet)
    row = ReminderOccurrence(
        key=key,
        recipient_id=occurrence.recipient_id,
        resident_id=occurrence.resident_id,
        kind=occurrence.kind,
        agreed_time_id=occurrence.agreed_time_id,
        task_id=occurrence.task_id,
        occurrence_at=occurrence.occurrence_at,
        offset=occurrence.offset,
        due_at=due,
        send_after=send_after,
        expires_at=send_after + SNOOZE_WINDOW,
        urgent=occurrence.urgent,
        status=ReminderStatus.PENDING,
        snoozes=occurrence.snoozes + 1,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same button pressed twice at once
        return session.exec(select(ReminderOccurrence).where(ReminderOccurrence.key == key)).one()
    return row
