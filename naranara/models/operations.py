"""What the running processes say about themselves (no personal data)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from naranara.models.types import UTCDateTime


class WorkerHeartbeat(SQLModel, table=True):
    """One reminder worker process, and when it last said it was alive.

    ``/readyz`` and *Aviseringar* look at the newest ``beat_at``; rows of workers
    gone for a day are pruned when a worker starts.
    """

    __tablename__ = "worker_heartbeat"

    worker_id: str = Field(primary_key=True, max_length=64)  # the dispatcher's id
    host: str = Field(max_length=255)
    pid: int
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    beat_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
