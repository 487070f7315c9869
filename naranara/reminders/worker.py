"""``naranara worker``: the process that plans and sends reminders, apart from the web server.

A loop: plan (about once a minute) → claim a batch of due rows → send → record.
SIGTERM or SIGINT lets the batch in hand finish and then stops; nothing is left
claimed by a worker that was asked to stop. SIGKILL leaves at most one batch
claimed; another worker (or this one, restarted) takes it over when the lease
runs out — see ``dispatcher`` for why that shows nothing twice.

Several workers may run against PostgreSQL (claims skip each other's locked rows);
with SQLite, run one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from naranara import clock
from naranara.db import get_engine, session_scope
from naranara.reminders import schedule
from naranara.reminders.dispatcher import (
    BATCH_SIZE,
    CONCURRENCY,
    LEASE,
    SEND_TIMEOUT,
    BatchReport,
    Dispatcher,
    Pusher,
)
from naranara.services import health
from naranara.settings import get_settings

log = logging.getLogger("naranara.worker")


@dataclass(frozen=True)
class WorkerOptions:
    once: bool = False  # plan, send everything due now, then stop
    plan: bool = True  # off when another worker plans
    plan_every: timedelta = timedelta(seconds=60)
    idle_wait: float = 1.0  # seconds between polls when nothing is due
    batch_size: int = BATCH_SIZE
    concurrency: int = CONCURRENCY
    lease: timedelta = LEASE
    timeout: float = SEND_TIMEOUT


@dataclass
class Totals:
    batches: int = 0
    sent: int = 0
    retried: int = 0
    withdrawn: int = 0
    failed: int = 0
    gone: int = 0

    def add(self, report: BatchReport) -> None:
        self.batches += 1
        for name in ("sent", "retried", "withdrawn", "failed", "gone"):
            setattr(self, name, getattr(self, name) + getattr(report, name))


def _new_session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def beat(worker_id: str, started_at: datetime, *, first: bool = False) -> None:
    """Tell /readyz and Aviseringar that this worker is alive (machine time: it is about
    this process, not a person's day, and every process must agree on it)."""
    now = clock.real_now()
    with session_scope() as session:
        if first:
            health.forget_old_workers(session=session, now=now)
        health.record_heartbeat(
            session=session,
            worker_id=worker_id,
            host=socket.gethostname(),
            pid=os.getpid(),
            started_at=started_at,
            now=now,
        )


def plan_now() -> schedule.PlanSummary:
    with session_scope() as session:
        return schedule.plan(session=session, now=clock.now())


def time_to_plan(last_plan: datetime | None, now: datetime, every: timedelta) -> bool:
    """Plan again ``every`` so often, and at once when the clock has been set back (an
    operator's correction, a test's timeline) rather than waiting for it to catch up."""
    return last_plan is None or abs(now - last_plan) >= every


async def run(options: WorkerOptions, stop: asyncio.Event | None = None) -> Totals:
    """Work until ``stop`` is set (or, with ``once``, until nothing is due)."""
    stop = stop or asyncio.Event()
    totals = Totals()
    # The lease must outlast any batch, or a live worker's rows would be taken over.
    timeout = min(options.timeout, options.lease.total_seconds() / 4)
    async with Pusher(timeout=timeout, concurrency=options.concurrency) as pusher:
        dispatcher = Dispatcher(
            session_factory=_new_session,
            pusher=pusher,
            batch_size=options.batch_size,
            lease=options.lease,
        )
        log.info("worker %s started (pid %s)", dispatcher.worker_id, os.getpid())
        started_at = clock.real_now()
        heartbeat_every = get_settings().worker_heartbeat_every
        await asyncio.to_thread(beat, dispatcher.worker_id, started_at, first=True)
        last_beat = clock.real_now()
        last_plan = None
        while not stop.is_set():
            if clock.real_now() - last_beat >= heartbeat_every:
                await asyncio.to_thread(beat, dispatcher.worker_id, started_at)
                last_beat = clock.real_now()
            if options.plan and time_to_plan(last_plan, clock.now(), options.plan_every):
                summary = await asyncio.to_thread(plan_now)
                last_plan = clock.now()
                log.info("planned: %s", summary)
            report = await dispatcher.run_batch()
            if report.claimed:
                totals.add(report)
                log.info(
                    "batch: %s claimed, %s sent, %s to retry, %s withdrawn, %s failed, %s gone",
                    report.claimed,
                    report.sent,
                    report.retried,
                    report.withdrawn,
                    report.failed,
                    report.gone,
                )
                continue
            if options.once:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=options.idle_wait)
        log.info("worker %s stopped", dispatcher.worker_id)
    return totals


def run_worker(options: WorkerOptions) -> Totals:
    """Run in this process, stopping gracefully on SIGTERM/SIGINT."""

    async def main() -> Totals:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        return await run(options, stop)

    return asyncio.run(main())
