"""Sending what is due: claim rows of the ledger, push them, record every attempt.

Delivery guarantee, and why it is what the person sees that counts
------------------------------------------------------------------
No protocol can make "the push service accepted it" and "our database says sent"
one atomic step: a worker killed between the two leaves a row whose fate is
unknown. Nära chooses *never lose, and never show twice*:

1. A row exists (with its UNIQUE key) from the moment it is planned, long before
   it is sent, so a reminder can never be planned twice.
2. A worker claims due rows in a committed transaction *before* sending: status
   ``claimed``, ``claimed_by`` = its id, ``claimed_at`` = now, ``attempts`` + 1.
   On PostgreSQL the claim is ``SELECT … FOR UPDATE SKIP LOCKED``, so several
   workers take disjoint rows; SQLite (one worker) claims with a guarded UPDATE.
3. After the answers come back, one transaction per batch records each attempt and
   marks the row ``sent``/``pending`` (retry)/``gone``/``failed`` — only if this
   worker still holds the claim.
4. A row left ``claimed`` by a worker that died is claimed again once its lease
   (``lease``, well above the send timeout) has run out, and is **sent again with
   the same Topic and the same notification tag**. If the first copy is still queued
   at the push service, the Topic replaces it (RFC 8030 §5.4); if it already reached
   the device, the service worker shows it with the same ``tag``, which replaces the
   notification instead of adding one. Either way the person sees it once.

So delivery to the push service is at-least-once. A second copy can happen only when
the outcome of a request is unknown: the worker died while it was in flight (at most
one batch), or the request timed out (the push service may have taken it anyway; it
is retried like a 5xx). Otherwise a row is never sent twice, also with many workers:
a claim is exclusive, and the lease is longer than a batch can take (every request
times out within a quarter of it). tests/unit/
test_reminders_worker.py kills a worker with SIGKILL mid-batch and checks exactly
this: every reminder reached the receiver, and the only second copies are of rows
that were ``claimed`` when it died, each with the same Topic and tag.

Every push carries an explicit TTL (until the reminder is useless), ``Urgency`` and
``Topic``, and every request a timeout. 404/410 delete the subscription; 429 and 5xx
are retried with exponential back-off, never sooner than the push service's
Retry-After; a row with one device accepting is ``sent`` (retrying would show it
twice on the device that got it).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from uuid import uuid4

import aiohttp
from pywebpush import WebPushException, webpush_async
from sqlalchemy import and_, bindparam, delete, or_, update
from sqlalchemy import insert as sql_insert
from sqlmodel import Session, col, select

from naranara import clock
from naranara.models import (
    AgreedTime,
    DeliveryAttempt,
    NotificationSettings,
    PushSubscription,
    ReminderKind,
    ReminderOccurrence,
    ReminderStatus,
    Role,
    SelfCareTask,
    User,
)
from naranara.policy import Action, Viewer, is_allowed, viewer_of
from naranara.reminders import payload, schedule
from naranara.reminders.actions import action_token
from naranara.reminders.vapid import authorization_headers

SEND_TIMEOUT = 10.0  # seconds for one request to a push service
LEASE = timedelta(seconds=60)  # a claim older than this is taken to be a dead worker's
BATCH_SIZE = 500
CONCURRENCY = 200  # requests in flight at once, over one shared aiohttp session
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
MIN_TTL_SECONDS = 60
_GONE = {404, 410}
_SUCCESS = {200, 201, 202}


@dataclass(frozen=True)
class Device:
    id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class Push:
    """One reminder ready to go: the same message to each of the recipient's devices."""

    occurrence_id: int
    devices: tuple[Device, ...]
    data: str
    ttl: int
    urgency: str
    topic: str


@dataclass(frozen=True)
class Outcome:
    subscription_id: int
    status_code: int | None  # None: no answer
    error: str
    duration_ms: int
    retry_after: float | None = None  # seconds, from the push service


@dataclass
class BatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    withdrawn: int = 0
    failed: int = 0
    gone: int = 0
    outcomes: list[Outcome] = field(default_factory=list)


def _retry_after_seconds(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError):
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    return None


class Pusher:
    """One aiohttp session for all pushes of a worker (connection reuse to the push service)."""

    def __init__(self, *, timeout: float = SEND_TIMEOUT, concurrency: int = CONCURRENCY) -> None:
        self.timeout = timeout
        self._limit = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Pusher:
        self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._concurrency))
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._http is not None:
            await self._http.close()

    async def push(self, device: Device, message: Push) -> Outcome:
        async with self._limit:
            started = time.monotonic()
            status: int | None = None
            error = ""
            retry_after: float | None = None
            try:
                response = await webpush_async(
                    subscription_info={
                        "endpoint": device.endpoint,
                        "keys": {"p256dh": device.p256dh, "auth": device.auth},
                    },
                    data=message.data,
                    # Signed once per push service, not per push (see vapid.py).
                    ttl=message.ttl,
                    headers={
                        "Urgency": message.urgency,
                        "Topic": message.topic,
                        **authorization_headers(device.endpoint),
                    },
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                    aiohttp_session=self._http,
                )
                status = response.status
            except WebPushException as refused:
                status = refused.status_code
                error = str(refused.message)[:500]
                retry_after = _retry_after_seconds(refused.retry_after, clock.real_now())
            except (aiohttp.ClientError, TimeoutError) as failure:
                error = f"{type(failure).__name__}: {failure}"[:500]
            except ValueError as unusable:
                # The browser gave keys that cannot encrypt: the subscription is useless.
                status, error = 410, f"unusable subscription keys: {unusable}"[:500]
            return Outcome(
                subscription_id=device.id,
                status_code=status,
                error=error,
                duration_ms=int((time.monotonic() - started) * 1000),
                retry_after=retry_after,
            )

    async def send(self, messages: Iterable[Push]) -> dict[int, list[Outcome]]:
        jobs = [(m.occurrence_id, self.push(d, m)) for m in messages for d in m.devices]
        results = await asyncio.gather(*(job for _, job in jobs))
        by_occurrence: dict[int, list[Outcome]] = defaultdict(list)
        for (occurrence_id, _), outcome in zip(jobs, results, strict=True):
            by_occurrence[occurrence_id].append(outcome)
        return by_occurrence


# ------------------------------------------------------------------ claiming


def _pending_due(now: datetime):  # noqa: ANN202 - an SQL expression
    return and_(
        ReminderOccurrence.status == ReminderStatus.PENDING,
        ReminderOccurrence.send_after <= now,
        or_(
            col(ReminderOccurrence.next_attempt_at).is_(None),
            col(ReminderOccurrence.next_attempt_at) <= now,
        ),
    )


def _abandoned(now: datetime, lease: timedelta):  # noqa: ANN202 - an SQL expression
    return and_(
        ReminderOccurrence.status == ReminderStatus.CLAIMED,
        col(ReminderOccurrence.claimed_at) < now - lease,
    )


def claim(
    *,
    session: Session,
    worker_id: str,
    now: datetime,
    limit: int = BATCH_SIZE,
    lease: timedelta = LEASE,
) -> list[ReminderOccurrence]:
    """Take up to ``limit`` due rows for ``worker_id`` and commit, before anything is sent.

    A dead worker's claims first (they are the oldest), then pending rows in send order;
    two queries rather than one with OR, so each walks an index and stops at ``limit``.
    """
    locking = session.get_bind().dialect.name == "postgresql"
    ids: list[int] = []
    for condition, order in (
        (_abandoned(now, lease), col(ReminderOccurrence.claimed_at)),
        (_pending_due(now), col(ReminderOccurrence.send_after)),
    ):
        if len(ids) >= limit:
            break
        query = (
            select(ReminderOccurrence.id).where(condition).order_by(order).limit(limit - len(ids))
        )
        if locking:
            # Rows another worker is claiming right now are skipped, not waited for.
            query = query.with_for_update(skip_locked=True)
        ids.extend(session.exec(query).all())
    if not ids:
        session.commit()
        return []
    # The conditions again: on SQLite (no row locks) a row claimed meanwhile stays theirs.
    session.execute(
        update(ReminderOccurrence)
        .where(
            col(ReminderOccurrence.id).in_(ids),
            or_(_abandoned(now, lease), _pending_due(now)),
        )
        .values(
            status=ReminderStatus.CLAIMED,
            claimed_by=worker_id,
            claimed_at=now,
            attempts=ReminderOccurrence.attempts + 1,
        )
    )
    session.commit()
    return list(
        session.exec(
            select(ReminderOccurrence).where(
                col(ReminderOccurrence.id).in_(ids),
                ReminderOccurrence.claimed_by == worker_id,
                ReminderOccurrence.claimed_at == now,
                ReminderOccurrence.status == ReminderStatus.CLAIMED,
            )
        ).all()
    )


# ------------------------------------------------------------------ preparing


def _receiving_action(occurrence: ReminderOccurrence) -> Action:
    if occurrence.kind == ReminderKind.MISSED_TASK:
        return Action.RECEIVE_MISSED_TASK_ALERTS
    return Action.RECEIVE_REMINDERS


def prepare(
    *, session: Session, rows: list[ReminderOccurrence], now: datetime
) -> tuple[list[Push], dict[int, str]]:
    """The pushes to send, and the rows to settle without sending (id -> status)."""
    if not rows:
        return [], {}
    user_ids = {row.recipient_id for row in rows} | {row.resident_id for row in rows}
    users = {
        user.id: user for user in session.exec(select(User).where(col(User.id).in_(user_ids))).all()
    }
    detailed = {
        s.user_id: s.detailed_text
        for s in session.exec(
            select(NotificationSettings).where(col(NotificationSettings.user_id).in_(user_ids))
        ).all()
    }
    devices: dict[int, list[Device]] = defaultdict(list)
    for sub in session.exec(
        select(PushSubscription).where(
            col(PushSubscription.user_id).in_({row.recipient_id for row in rows})
        )
    ).all():
        devices[sub.user_id].append(Device(sub.id, sub.endpoint, sub.p256dh, sub.auth))
    time_ids = {row.agreed_time_id for row in rows if row.agreed_time_id}
    times = {
        t.id: t
        for t in session.exec(select(AgreedTime).where(col(AgreedTime.id).in_(time_ids))).all()
    }
    task_ids = {row.task_id for row in rows if row.task_id}
    tasks = {
        t.id: t
        for t in session.exec(select(SelfCareTask).where(col(SelfCareTask.id).in_(task_ids))).all()
    }
    marked = schedule.marked_occurrences(
        session, {(row.task_id, row.occurrence_at) for row in rows if row.task_id}
    )
    viewers: dict[int, Viewer] = {}

    def viewer(user: User) -> Viewer:
        if user.id not in viewers:
            viewers[user.id] = viewer_of(user, session=session)
        return viewers[user.id]

    pushes: list[Push] = []
    settled: dict[int, str] = {}
    for row in rows:
        recipient = users.get(row.recipient_id)
        resident = users.get(row.resident_id)
        agreed_time = times.get(row.agreed_time_id) if row.agreed_time_id else None
        task = tasks.get(row.task_id) if row.task_id else None
        if now >= row.expires_at:
            settled[row.id] = ReminderStatus.FAILED
            continue
        if recipient is None or resident is None:
            settled[row.id] = ReminderStatus.WITHDRAWN
            continue
        if row.kind != ReminderKind.TEST:
            # Policy again at send time: a revoked or expired grant gets nothing more.
            # A resident's own reminders depend on their role alone, not on grants.
            own = row.recipient_id == row.resident_id
            asking = (
                Viewer(recipient.id, Role(recipient.role), recipient.display_name, "sv")
                if own
                else viewer(recipient)
            )
            if not is_allowed(asking, _receiving_action(row), row.resident_id):
                settled[row.id] = ReminderStatus.WITHDRAWN
                continue
            if not schedule.still_wanted(
                row,
                agreed_time=agreed_time,
                task=task,
                marked=(row.task_id, row.occurrence_at) in marked,
            ):
                settled[row.id] = ReminderStatus.WITHDRAWN
                continue
        targets = devices.get(row.recipient_id)
        if not targets:
            settled[row.id] = ReminderStatus.GONE
            continue
        show_details = detailed.get(row.recipient_id, False) and (
            row.recipient_id == row.resident_id or detailed.get(row.resident_id, False)
        )
        message = payload.build(
            row,
            payload.Source(agreed_time=agreed_time, task=task, resident_name=resident.display_name),
            locale=recipient.locale or "sv",
            detailed=show_details,
            token=action_token(row),
        )
        pushes.append(
            Push(
                occurrence_id=row.id,
                devices=tuple(targets),
                data=payload.encode(message),
                ttl=max(MIN_TTL_SECONDS, int((row.expires_at - now).total_seconds())),
                urgency="high" if row.urgent or row.kind == ReminderKind.TEST else "normal",
                topic=payload.topic_of(row.key),
            )
        )
    return pushes, settled


# ------------------------------------------------------------------ recording


def _backoff(attempts: int, retry_after: float | None) -> timedelta:
    exponential = min(BACKOFF_MAX, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return max(exponential, timedelta(seconds=retry_after or 0))


def settle(
    *,
    session: Session,
    rows: list[ReminderOccurrence],
    outcomes: dict[int, list[Outcome]],
    settled: dict[int, str],
    worker_id: str,
    now: datetime,
) -> BatchReport:
    """Record every attempt and each row's new status in one transaction, and commit."""
    report = BatchReport(claimed=len(rows))
    updates: list[dict[str, object]] = []
    attempts: list[dict[str, object]] = []
    delivered: set[int] = set()
    gone_devices: set[int] = set()
    for row in rows:
        status = settled.get(row.id)
        next_attempt = None
        sent_at = None
        results = outcomes.get(row.id, [])
        for outcome in results:
            report.outcomes.append(outcome)
            attempts.append(
                {
                    "occurrence_id": row.id,
                    "subscription_id": outcome.subscription_id,
                    "at": now,
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                    "duration_ms": outcome.duration_ms,
                }
            )
            if outcome.status_code in _SUCCESS:
                delivered.add(outcome.subscription_id)
            elif outcome.status_code in _GONE:
                gone_devices.add(outcome.subscription_id)
        if status is None:
            codes = [outcome.status_code for outcome in results]
            if any(code in _SUCCESS for code in codes):
                status, sent_at = ReminderStatus.SENT, now
            elif all(code in _GONE for code in codes):
                status = ReminderStatus.GONE
            elif any(code is None or code == 429 or code >= 500 for code in codes):
                wait = _backoff(
                    row.attempts,
                    max((o.retry_after or 0 for o in results), default=0),
                )
                next_attempt = now + wait
                if row.attempts >= MAX_ATTEMPTS or next_attempt >= row.expires_at:
                    status, next_attempt = ReminderStatus.FAILED, None
                else:
                    status = ReminderStatus.PENDING
            else:  # 400, 403, 413: the request itself is wrong; sending again will not help
                status = ReminderStatus.FAILED
        counter = {
            ReminderStatus.SENT: "sent",
            ReminderStatus.PENDING: "retried",
            ReminderStatus.WITHDRAWN: "withdrawn",
            ReminderStatus.FAILED: "failed",
            ReminderStatus.GONE: "gone",
        }[ReminderStatus(status)]
        setattr(report, counter, getattr(report, counter) + 1)
        updates.append(
            {
                "b_id": row.id,
                "b_worker": worker_id,
                "b_status": str(status),
                "b_next": next_attempt,
                "b_sent": sent_at,
            }
        )
    table = ReminderOccurrence.__table__
    if attempts:
        session.execute(sql_insert(DeliveryAttempt.__table__), attempts)
    if updates:
        # Only while this worker still holds the claim (it may have been taken over).
        session.execute(
            update(table)
            .where(
                table.c.id == bindparam("b_id"),
                table.c.claimed_by == bindparam("b_worker"),
                table.c.status == ReminderStatus.CLAIMED.value,
            )
            .values(
                status=bindparam("b_status"),
                next_attempt_at=bindparam("b_next"),
                sent_at=bindparam("b_sent"),
            ),
            updates,
        )
    if delivered:
        session.execute(
            update(PushSubscription)
            .where(col(PushSubscription.id).in_(delivered))
            .values(last_delivery_at=now)
        )
    if gone_devices:
        session.execute(delete(PushSubscription).where(col(PushSubscription.id).in_(gone_devices)))
    session.commit()
    return report


# ------------------------------------------------------------------ one round


@dataclass
class Dispatcher:
    """Claims, sends and records; one per worker process, with one Pusher."""

    session_factory: object  # a callable returning a Session (a context manager)
    pusher: Pusher
    worker_id: str = field(default_factory=lambda: f"worker-{uuid4().hex[:12]}")
    batch_size: int = BATCH_SIZE
    lease: timedelta = LEASE

    async def run_batch(self, now: datetime | None = None) -> BatchReport:
        """Claim one batch of due rows, send it, record it; an empty report when idle."""
        claimed_at = now or clock.now()
        with self.session_factory() as session:
            rows = claim(
                session=session,
                worker_id=self.worker_id,
                now=claimed_at,
                limit=self.batch_size,
                lease=self.lease,
            )
            pushes, settled = prepare(session=session, rows=rows, now=claimed_at)
        if not rows:
            return BatchReport()
        outcomes = await self.pusher.send(pushes)
        with self.session_factory() as session:
            return settle(
                session=session,
                rows=rows,
                outcomes=outcomes,
                settled=settled,
                worker_id=self.worker_id,
                now=now or clock.now(),
            )


# ------------------------------------------------------------------ the test button


def send_test_notification(session: Session, user_id: int) -> int:
    """Push a test notification to every device of ``user_id`` now; how many accepted it.

    Sent directly rather than through the worker, so the person learns at once whether
    this device can get reminders; recorded in the ledger like any other push. The
    caller commits (the row, its attempts, and the deletion of dead subscriptions).
    """
    now = clock.now()
    row = ReminderOccurrence(
        key=f"test:{user_id}:{uuid4().hex}",
        recipient_id=user_id,
        resident_id=user_id,
        kind=ReminderKind.TEST,
        occurrence_at=now,
        offset="",
        due_at=now,
        send_after=now,
        expires_at=now + timedelta(minutes=10),
        urgent=True,
        status=ReminderStatus.CLAIMED,
        attempts=1,
        claimed_by="test-button",
        claimed_at=now,
    )
    session.add(row)
    session.flush()
    pushes, settled = prepare(session=session, rows=[row], now=now)

    async def send() -> dict[int, list[Outcome]]:
        async with Pusher(concurrency=10) as pusher:
            return await pusher.send(pushes)

    # A fresh event loop in its own thread: callers may be inside one (Reflex handlers).
    with ThreadPoolExecutor(max_workers=1) as pool:
        outcomes = pool.submit(asyncio.run, send()).result()
    accepted = sum(1 for outcome in outcomes.get(row.id, []) if outcome.status_code in _SUCCESS)
    _record_without_commit(session, row, outcomes.get(row.id, []), settled, now)
    return accepted


def _record_without_commit(
    session: Session,
    row: ReminderOccurrence,
    results: list[Outcome],
    settled: dict[int, str],
    now: datetime,
) -> None:
    for outcome in results:
        session.add(
            DeliveryAttempt(
                occurrence_id=row.id,
                subscription_id=outcome.subscription_id,
                at=now,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
    session.flush()
    codes = [outcome.status_code for outcome in results]
    if row.id in settled:
        row.status = settled[row.id]
    elif any(code in _SUCCESS for code in codes):
        row.status, row.sent_at = ReminderStatus.SENT, now
    else:
        # A test is not retried: the person is looking at the screen and can press again.
        row.status = (
            ReminderStatus.GONE
            if codes and all(c in _GONE for c in codes)
            else ReminderStatus.FAILED
        )
    session.add(row)
    for outcome in results:
        subscription = session.get(PushSubscription, outcome.subscription_id)
        if subscription is None:
            continue
        if outcome.status_code in _SUCCESS:
            subscription.last_delivery_at = now
            session.add(subscription)
        elif outcome.status_code in _GONE:
            session.delete(subscription)
    session.flush()
