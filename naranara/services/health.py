"""Is this deployment able to serve? The reminder worker's heartbeat and the readiness checks.

Nothing here names a person: the checks read the schema revision and the newest
worker heartbeat, and answer with fixed words. The database is reached through the
engine, not a unit of work, because being unreachable is an answer here, not an error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from naranara.models import WorkerHeartbeat

OK = "ok"
# A worker that has not beaten for this long is taken for gone.
FORGET_WORKERS_AFTER = timedelta(days=1)


def record_heartbeat(
    *, session: Session, worker_id: str, host: str, pid: int, started_at: datetime, now: datetime
) -> None:
    """This worker is alive at ``now`` (one row per worker, updated in place)."""
    row = session.get(WorkerHeartbeat, worker_id)
    if row is None:
        session.add(
            WorkerHeartbeat(
                worker_id=worker_id, host=host[:255], pid=pid, started_at=started_at, beat_at=now
            )
        )
    else:
        row.beat_at = now
    session.commit()


def forget_old_workers(*, session: Session, now: datetime) -> None:
    session.execute(
        delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_WORKERS_AFTER)
    )
    session.commit()


def last_heartbeat(*, session: Session) -> datetime | None:
    return session.execute(select(func.max(WorkerHeartbeat.beat_at))).scalar_one_or_none()


def worker_is_alive(*, session: Session, now: datetime, stale_after: timedelta) -> bool:
    """Has any reminder worker said it was alive within ``stale_after``?"""
    beat = last_heartbeat(session=session)
    return beat is not None and now - beat < stale_after


@dataclasses.dataclass(frozen=True)
class Readiness:
    """Each check's word (``ok`` or what is wrong) and the worker's silence in seconds."""

    checks: dict[str, str]
    worker_silent_seconds: int | None

    @property
    def ready(self) -> bool:
        return all(word in (OK, "not configured") for word in self.checks.values())

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not ready",
            "checks": self.checks,
            "worker_heartbeat_age_seconds": self.worker_silent_seconds,
        }


def readiness(
    *,
    engine: Engine,
    expected_revision: str,
    now: datetime,
    stale_after: timedelta,
    redis_ping: Callable[[], object] | None,
) -> Readiness:
    """Database reachable, schema at ``expected_revision``, a live worker, Redis if configured.

    ``redis_ping`` is None when no Redis is configured; it raises when Redis is unreachable.
    """
    checks = {"database": OK, "migrations": OK, "reminder_worker": OK}
    silent: int | None = None
    try:
        with engine.connect() as connection:
            revisions = connection.execute(text("SELECT version_num FROM alembic_version"))
            found = {row[0] for row in revisions}
            beat = connection.execute(select(func.max(WorkerHeartbeat.beat_at))).scalar()
    except SQLAlchemyError:
        checks = {"database": "unreachable", "migrations": "unknown", "reminder_worker": "unknown"}
    else:
        if found != {expected_revision}:
            checks["migrations"] = "not at head"
        if beat is None:
            checks["reminder_worker"] = "never started"
        else:
            silent = max(0, int((now - beat).total_seconds()))
            if now - beat >= stale_after:
                checks["reminder_worker"] = "stale"
    if redis_ping is None:
        checks["redis"] = "not configured"
    else:
        try:
            redis_ping()
        except Exception:  # any failure to answer is "unreachable", whatever the client raised
            checks["redis"] = "unreachable"
        else:
            checks["redis"] = OK
    return Readiness(checks=checks, worker_silent_seconds=silent)
