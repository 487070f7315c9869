"""Readiness (/readyz): database, schema at head, a live reminder worker, Redis when configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from sqlalchemy import create_engine
from sqlmodel import Session, select

from naranara.db import get_engine
from naranara.migrate import head_revision
from naranara.reminders import worker
from naranara.services import health

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
STALE = timedelta(minutes=2)


def _beat(db: Session, at: datetime, worker_id: str = "worker-a") -> None:
    health.record_heartbeat(
        session=db,
        worker_id=worker_id,
        host="h",
        pid=1,
        started_at=NOW - timedelta(hours=1),
        now=at,
    )


def _ready(now: datetime = NOW, **overrides: object) -> health.Readiness:
    arguments: dict = {
        "engine": get_engine(),
        "expected_revision": head_revision(),
        "now": now,
        "stale_after": STALE,
        "redis_ping": None,
    }
    return health.readiness(**(arguments | overrides))


def test_ready_with_a_worker_that_beat_a_minute_ago(db: Session) -> None:
    _beat(db, NOW - timedelta(minutes=1))
    found = _ready()
    assert found.ready
    assert found.as_json() == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "reminder_worker": "ok",
            "redis": "not configured",
        },
        "worker_heartbeat_age_seconds": 60,
    }


def test_a_worker_silent_for_two_minutes_is_not_ready(db: Session) -> None:
    _beat(db, NOW - STALE)
    found = _ready()
    assert not found.ready
    assert found.checks["reminder_worker"] == "stale"
    assert found.as_json()["status"] == "not ready"
    # The newest beat of any worker counts: a second, live worker makes it ready again.
    _beat(db, NOW - timedelta(seconds=5), worker_id="worker-b")
    assert _ready().ready
    assert health.worker_is_alive(session=db, now=NOW, stale_after=STALE)


def test_no_worker_ever(db: Session) -> None:
    found = _ready()
    assert found.checks["reminder_worker"] == "never started"
    assert found.worker_silent_seconds is None
    assert not health.worker_is_alive(session=db, now=NOW, stale_after=STALE)


def test_schema_behind_the_code(db: Session) -> None:
    _beat(db, NOW)
    found = _ready(expected_revision="f" * 12)
    assert found.checks["migrations"] == "not at head"
    assert not found.ready


def test_database_unreachable() -> None:
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    found = _ready(engine=engine)
    assert found.checks == {
        "database": "unreachable",
        "migrations": "unknown",
        "reminder_worker": "unknown",
        "redis": "not configured",
    }
    assert not found.ready


def test_redis_real_and_unreachable(db: Session) -> None:
    _beat(db, NOW)
    live = Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1)
    assert _ready(redis_ping=live.ping).checks["redis"] == "ok"
    gone = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    found = _ready(redis_ping=gone.ping)
    assert found.checks["redis"] == "unreachable"
    assert not found.ready


def test_heartbeat_rows_update_in_place_and_old_workers_are_forgotten(db: Session) -> None:
    _beat(db, NOW - timedelta(days=2), worker_id="worker-gone")
    _beat(db, NOW - timedelta(minutes=3))
    _beat(db, NOW - timedelta(seconds=1))
    health.forget_old_workers(session=db, now=NOW)
    assert health.last_heartbeat(session=db) == NOW - timedelta(seconds=1)
    from naranara.models import WorkerHeartbeat

    assert [row.worker_id for row in db.exec(select(WorkerHeartbeat)).all()] == ["worker-a"]


def test_the_worker_beats_at_start(migrated: str) -> None:
    """``naranara worker`` writes its heartbeat before its first batch (machine time)."""
    started = datetime.now(UTC)
    worker.beat("worker-test", started, first=True)
    with Session(get_engine()) as db:
        beat = health.last_heartbeat(session=db)
    assert beat is not None and abs(beat - started) < timedelta(seconds=30)


@pytest.mark.parametrize("seconds", [2, 8, 120, 3600])
def test_heartbeat_often_enough_for_the_threshold(seconds: int) -> None:
    from naranara.settings import Settings

    settings = Settings(worker_stale_seconds=seconds)
    assert settings.worker_heartbeat_every * 2 <= settings.worker_stale_after
    assert settings.worker_heartbeat_every <= timedelta(seconds=30)
