"""Reminder throughput: 100,000 due reminders for 10,000 devices through ``naranara worker``.

Not a test: it takes minutes and measures. Against a fresh PostgreSQL database and
the local push receiver of tests/utils/push_receiver.py (in this process, its own
thread), it runs three phases:

1. **Workers**: 10,000 residents with one device each and 10 agreed times each,
   planned by the real planner (100,000 "2 hours before" rows), all made due at the
   same instant t0; two ``naranara worker --no-plan --once`` processes send them.
   Reported: wall time until the receiver has every reminder, throughput, lateness
   (receipt − t0) p50/p99, duplicates (deliveries − distinct Topics) and losses.
2. **Naive loop**: a sample of reminders sent one by one in this process with the
   synchronous ``pywebpush.webpush()`` (a new connection per call) and one commit
   per row, as a straightforward implementation would. Its rate is measured on the
   sample and the time for 100,000 **extrapolated** from it (said so in the output).
3. **SIGKILL**: a smaller batch; one of two workers is killed with SIGKILL a third
   of the way through and started again; losses and second copies are counted
   (second copies carry the same Topic and tag, see naranara/reminders/dispatcher.py).

The receiver verifies every VAPID token (ES256 signature, aud, exp, sub) but, to keep
up on two cores, does **not decrypt** the bodies in this benchmark (the unit tests
do). Targets: all 100,000 within 120 s with 2 workers, at least 2.5× the naive loop,
no duplicates and no losses in phase 1, no losses in phase 3.

Run: ``.venv/bin/python benchmarks/reminders.py [--count 100000] [--no-write]``.
Needs PostgreSQL at 127.0.0.1:5432 (``NARA_TEST_POSTGRES_URL`` as in the tests).
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from pywebpush import webpush  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from naranara import clock  # noqa: E402

POSTGRES_URL = os.environ.get(
    "NARA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NARANARA = str(Path(sys.executable).parent / "naranara")
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Database:
    """A fresh PostgreSQL database and data directory, and the app pointed at them."""

    def __init__(self) -> None:
        admin = make_url(POSTGRES_URL)
        self.name = f"nara_bench_{uuid.uuid4().hex[:10]}"
        self.admin_dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
        self.url = admin.set(database=self.name).render_as_string(hide_password=False)
        self.data_dir = tempfile.mkdtemp(prefix="nara-bench-")

    def __enter__(self) -> Database:
        with psycopg.connect(self.admin_dsn, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        os.environ["NARA_DATABASE_URL"] = self.url
        os.environ["NARA_DATA_DIR"] = self.data_dir
        from naranara.db import get_engine
        from naranara.migrate import upgrade_to_head
        from naranara.settings import get_settings

        get_settings.cache_clear()
        get_engine.cache_clear()
        upgrade_to_head()
        return self

    def __exit__(self, *_exc: object) -> None:
        from naranara.db import get_engine

        get_engine().dispose()
        with psycopg.connect(self.admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def session() -> Session:
    from naranara.db import get_engine

    return Session(get_engine(), expire_on_commit=False)


def make_all_due_now(prefix: str) -> float:
    """Every pending row of this load is due at t0 = now; returns t0 (epoch seconds)."""
    with session() as db:
        # Fresh statistics after the bulk load, as autovacuum would soon have them.
        db.connection().exec_driver_sql("ANALYZE reminder_occurrence")
        db.commit()
    t0 = clock.now()
    with session() as db:
        db.execute(
            text(
                "UPDATE reminder_occurrence AS r SET send_after = :t0, due_at = :t0 "
                "FROM user_account AS u WHERE u.id = r.recipient_id "
                "AND u.username LIKE :prefix AND r.status = 'pending'"
            ),
            {"t0": t0, "prefix": f"{prefix}%"},
        )
        db.commit()
    return t0.timestamp()


def start_worker(*extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [NARANARA, "worker", "--no-plan", "--once", *extra],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(receiver, count: int, limit: float) -> float:  # noqa: ANN001
    started = time.monotonic()
    while receiver.delivery_count() < count and time.monotonic() - started < limit:
        time.sleep(0.05)
    return time.monotonic() - started


def phase_workers(receiver, count: int) -> dict[str, object]:  # noqa: ANN001
    from tests.utils.reminder_load import make_due_reminders

    print(f"phase 1: planning {count:,} reminders for {count // 10:,} devices …", flush=True)
    setup = time.monotonic()
    with session() as db:
        make_due_reminders(db, receiver, residents=count // 10, times_each=10, prefix="bench")
    print(f"  set up in {time.monotonic() - setup:.0f} s; sending with 2 workers", flush=True)
    receiver.deliveries.clear()
    t0 = make_all_due_now("bench")
    started = time.monotonic()
    workers = [start_worker(), start_worker()]
    waited = wait_for(receiver, count, limit=900)
    for worker in workers:
        worker.wait(120)
    elapsed = time.monotonic() - started
    deliveries = list(receiver.deliveries)
    topics = Counter(d.topic for d in deliveries)
    lateness = [d.at - t0 for d in deliveries]
    with session() as db:
        statuses = Counter(
            db.execute(text("SELECT status FROM reminder_occurrence")).scalars().all()
        )
    return {
        "count": count,
        "seconds_to_all": waited,
        "seconds_workers": elapsed,
        "throughput": len(deliveries) / waited if waited else 0.0,
        "p50": percentile(lateness, 0.50) if lateness else float("nan"),
        "p99": percentile(lateness, 0.99) if lateness else float("nan"),
        "deliveries": len(deliveries),
        "distinct": len(topics),
        "duplicates": len(deliveries) - len(topics),
        "lost": count - len(topics),
        "statuses": dict(statuses),
        "rejections": len(receiver.rejections),
    }


def phase_naive(receiver, sample: int) -> dict[str, object]:  # noqa: ANN001
    """One row at a time: prepare, synchronous webpush(), commit."""
    from naranara.models import ReminderOccurrence, ReminderStatus
    from naranara.reminders.dispatcher import prepare
    from naranara.reminders.vapid import fresh_claims, vapid_key
    from tests.utils.reminder_load import make_due_reminders

    with session() as db:
        make_due_reminders(db, receiver, residents=sample // 10, times_each=10, prefix="naive")
    make_all_due_now("naive")
    receiver.deliveries.clear()
    key = vapid_key()
    started = time.monotonic()
    with session() as db:
        rows = db.exec(
            select(ReminderOccurrence).where(ReminderOccurrence.status == ReminderStatus.PENDING)
        ).all()
        for row in rows:
            now = clock.now()
            pushes, _ = prepare(session=db, rows=[row], now=now)
            for push in pushes:
                for device in push.devices:
                    webpush(
                        subscription_info={
                            "endpoint": device.endpoint,
                            "keys": {"p256dh": device.p256dh, "auth": device.auth},
                        },
                        data=push.data,
                        vapid_private_key=key,
                        vapid_claims=fresh_claims(),
                        ttl=push.ttl,
                        headers={"Urgency": push.urgency, "Topic": push.topic},
                        timeout=10,
                    )
            row.status, row.sent_at = ReminderStatus.SENT, now
            db.add(row)
            db.commit()
    elapsed = time.monotonic() - started
    rate = len(rows) / elapsed
    return {
        "sample": len(rows),
        "seconds": elapsed,
        "rate": rate,
        "extrapolated_100k": 100_000 / rate,
        "delivered": receiver.delivery_count(),
    }


def phase_sigkill(receiver, count: int) -> dict[str, object]:  # noqa: ANN001
    from tests.utils.reminder_load import make_due_reminders

    lease = 10
    with session() as db:
        make_due_reminders(db, receiver, residents=count // 10, times_each=10, prefix="kill")
    receiver.deliveries.clear()
    make_all_due_now("kill")
    options = ("--lease-seconds", str(lease))
    victim, survivor = start_worker(*options), start_worker(*options)
    wait_for(receiver, count // 3, limit=300)
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    with session() as db:
        in_flight = db.execute(
            text("SELECT count(*) FROM reminder_occurrence WHERE status = 'claimed'")
        ).scalar_one()
    survivor.wait(300)
    # The dead worker's claimed rows: taken over once the lease has run out.
    time.sleep(lease + 1)
    restarted = start_worker(*options)
    restarted.wait(300)
    deliveries = list(receiver.deliveries)
    topics = Counter(d.topic for d in deliveries)
    with session() as db:
        statuses = Counter(
            db.execute(
                text(
                    "SELECT status FROM reminder_occurrence r JOIN user_account u "
                    "ON u.id = r.recipient_id WHERE u.username LIKE 'kill%'"
                )
            )
            .scalars()
            .all()
        )
    return {
        "count": count,
        "claimed_at_kill": in_flight,
        "deliveries": len(deliveries),
        "distinct": len(topics),
        "second_copies": len(deliveries) - len(topics),
        "lost": count - len(topics),
        "statuses": dict(statuses),
    }


def report(workers: dict, naive: dict, kill: dict) -> str:
    speedup = workers["throughput"] / naive["rate"] if naive["rate"] else float("nan")
    lines = [
        f"## Reminders: {workers['count']:,} due pushes, 2 workers on PostgreSQL "
        f"({clock.now():%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: `nproc` = {os.cpu_count()}, CPU: {cpu_model()}; PostgreSQL, the two "
        "workers and the local push receiver all on this machine. Run: "
        "`.venv/bin/python benchmarks/reminders.py`.",
        "",
        "The receiver verifies every VAPID token (ES256, aud, exp ≤ 24 h, sub) but does not "
        "decrypt in this benchmark (the unit tests decrypt every message).",
        "",
        "| measure | result | target |",
        "| --- | ---: | --- |",
        f"| all {workers['count']:,} received after | {workers['seconds_to_all']:.1f} s | ≤ 120 s |",
        f"| throughput | {workers['throughput']:,.0f} /s | |",
        f"| lateness p50 / p99 (receipt − due) | {workers['p50']:.1f} s / {workers['p99']:.1f} s | |",
        f"| duplicates (deliveries − distinct Topics) | {workers['duplicates']} | 0 |",
        f"| lost | {workers['lost']} | 0 |",
        f"| naive loop: sync `webpush()` + commit per row | {naive['rate']:,.0f} /s "
        f"(measured on {naive['sample']:,}, **extrapolated**: {naive['extrapolated_100k']:.0f} s "
        "for 100,000) | |",
        f"| speed-up over the naive loop | {speedup:.1f}× | ≥ 2.5× |",
        f"| SIGKILL of 1 of 2 workers at ⅓ of {kill['count']:,}: lost | {kill['lost']} | 0 |",
        f"| … rows claimed (in flight) at the kill | {kill['claimed_at_kill']} | |",
        f"| … second copies (same Topic and tag, collapse on device) | {kill['second_copies']} "
        "| ≤ rows in flight |",
        "",
        f"Ledger after phase 1: {workers['statuses']}; after the SIGKILL phase: "
        f"{kill['statuses']}; VAPID rejections: {workers['rejections']}.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=2_000)
    parser.add_argument("--kill-count", type=int, default=20_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from tests.utils.push_receiver import PushReceiver

    with Database(), PushReceiver(decrypt=False) as receiver:
        workers = phase_workers(receiver, args.count)
        print(workers, flush=True)
        naive = phase_naive(receiver, args.naive_sample)
        print(naive, flush=True)
        kill = phase_sigkill(receiver, args.kill_count)
        print(kill, flush=True)
    text_out = report(workers, naive, kill)
    print(text_out)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write("\n" + text_out)
    met = (
        workers["seconds_to_all"] <= 120
        and workers["duplicates"] == 0
        and workers["lost"] == 0
        and kill["lost"] == 0
        and workers["throughput"] >= 2.5 * naive["rate"]
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
