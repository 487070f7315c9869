"""``naranara worker`` as a real process on PostgreSQL: killed mid-batch, and two at once.

The receiver is slow on purpose (every answer waits), so a kill lands while pushes
are in flight. What counts is what the push service received: every reminder at
least once, none lost; a second copy only of a row that was in flight when the
worker died, with the same Topic and tag (so the push service or the device
replaces the first; see naranara/reminders/dispatcher.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from naranara import clock
from naranara.models import ReminderOccurrence, ReminderStatus
from naranara.reminders.payload import tag_of, topic_of
from naranara.reminders.worker import time_to_plan
from tests.utils.push_receiver import PushReceiver
from tests.utils.reminder_load import make_due_reminders

NARANARA = str(Path(sys.executable).parent / "naranara")
# Short, so the test need not wait long for a dead worker's lease; a request times out
# after a quarter of it (2 s), far above what the local receiver takes.
LEASE_SECONDS = 8
# Where requests are held on purpose until a second worker has started (seconds on a
# busy machine), a lease whose send timeout (a quarter) outlasts that wait (60 s).
HELD_LEASE_SECONDS = 300
BATCH = 50  # reminders a worker claims, and sends at once

pytestmark = pytest.mark.postgresql_only(
    "two workers at once: only PostgreSQL has row locks (SKIP LOCKED)"
)


@pytest.fixture(autouse=True)
def _workers_follow_this_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, instant: datetime
) -> None:
    """The worker processes read "now" as this test does, a pinned run's instant too
    (``NARA_CLOCK_FILE``): by the machine's clock, reminders made due at that instant
    would be months old and given up unsent."""
    path = tmp_path / "now"
    clock.write_clock_file(path, clock.now())
    monkeypatch.setenv(clock.FILE_VARIABLE, str(path))


@pytest.fixture
def slow_receiver() -> Iterator[PushReceiver]:
    with PushReceiver(delay=0.1) as running:
        yield running


def start_worker(*extra: str, lease_seconds: int = LEASE_SECONDS) -> subprocess.Popen:
    return subprocess.Popen(
        [
            NARANARA,
            "worker",
            "--no-plan",
            "--batch-size",
            str(BATCH),
            "--concurrency",
            str(BATCH),
            "--lease-seconds",
            str(lease_seconds),
            *extra,
        ],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_until(condition, limit: float = 60.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def ledger(db: Session) -> list[ReminderOccurrence]:
    db.expire_all()
    return list(db.exec(select(ReminderOccurrence)).all())


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_only_what_was_in_flight(
    db: Session, slow_receiver: PushReceiver
) -> None:
    total = make_due_reminders(db, slow_receiver, residents=60, times_each=10)
    # A third is answered, then the push service stalls: the kill lands mid-batch at any
    # speed of the machine (a kill timed by a count could fall between two batches).
    slow_receiver.hold_after(total // 3)
    worker = start_worker()
    try:
        wait_until(lambda: slow_receiver.held_count() > 0)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    # The requests that were already in its hands reach the push service after all.
    slow_receiver.release()
    time.sleep(0.5)
    in_flight = {row.key for row in ledger(db) if row.status == ReminderStatus.CLAIMED}
    assert in_flight, "the kill must land while a batch is claimed, or this proves nothing"
    assert slow_receiver.delivery_count() < total

    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's lease runs out
    restarted = start_worker("--once")
    output, _ = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, output.decode()

    rows = ledger(db)
    assert {row.status for row in rows} == {ReminderStatus.SENT}
    by_tag = {tag_of(row.key): row for row in rows}
    received = Counter(d.message["tag"] for d in slow_receiver.deliveries)
    assert set(received) == set(by_tag)  # none lost
    repeated = {tag for tag, count in received.items() if count > 1}
    assert max(received.values()) <= 2
    assert {by_tag[tag].key for tag in repeated} <= in_flight
    for tag in repeated:
        copies = [d for d in slow_receiver.deliveries if d.message["tag"] == tag]
        assert {d.topic for d in copies} == {topic_of(by_tag[tag].key)}
    assert slow_receiver.rejections == []


def test_two_workers_at_once_send_each_reminder_exactly_once(
    db: Session, slow_receiver: PushReceiver
) -> None:
    total = make_due_reminders(db, slow_receiver, residents=100, times_each=10)
    # Held until each worker has a batch out: one alone could otherwise send all before
    # the other has started (a slow start on a busy machine). With the short lease, the
    # first worker's held requests timed out while the second started (seen under load).
    slow_receiver.hold_after(0)
    workers = [start_worker("--once", lease_seconds=HELD_LEASE_SECONDS) for _ in range(2)]
    wait_until(lambda: slow_receiver.held_count() >= 2 * BATCH)
    slow_receiver.release()
    for worker in workers:
        output, _ = worker.communicate(timeout=180)
        assert worker.returncode == 0, output.decode()

    rows = ledger(db)
    assert {row.status for row in rows} == {ReminderStatus.SENT}
    received = Counter(d.message["tag"] for d in slow_receiver.deliveries)
    assert len(received) == total
    assert set(received.values()) == {1}
    # Both really worked (SKIP LOCKED gave each its own rows), and no row was claimed twice.
    assert len({row.claimed_by for row in rows}) == 2
    assert {row.attempts for row in rows} == {1}


def test_sigterm_stops_an_idle_worker_cleanly(db: Session) -> None:
    worker = start_worker()
    # Past start-up (the signal handlers are set before this line is logged).
    for line in worker.stdout:
        if b"started" in line:
            break
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output.decode()
    assert b"stopped" in output
    assert b"Reminders: 0 sent" in output


def test_the_worker_plans_every_interval_and_at_once_after_the_clock_is_set_back() -> None:
    every = timedelta(minutes=1)
    last = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert time_to_plan(None, last, every)
    assert not time_to_plan(last, last + timedelta(seconds=59), every)
    assert time_to_plan(last, last + timedelta(seconds=60), every)
    # Set back a quarter of an hour: not a quarter of an hour without planning.
    assert time_to_plan(last, last - timedelta(minutes=15), every)
    assert not time_to_plan(last, last - timedelta(seconds=30), every)
