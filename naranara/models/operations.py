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


class KeyFingerprint(SQLModel, table=True):
    """The keys this database was set up with, as fingerprints (never the keys).

    Every web server and reminder worker compares its own keys with these at start
    (``naranara/start_checks.py``) and refuses to run with another key: a second machine
    with its own ``secret_key`` would sign people out at random, and one with its own VAPID
    key would send pushes every phone's subscription refuses. ``naranara keys adopt``
    records new ones after a deliberate rotation.
    """

    __tablename__ = "key_fingerprint"

    name: str = Field(primary_key=True, max_length=64)  # e.g. "secret_key"
    # SHA-256, hex: of the secret with a purpose prefix, or of the VAPID public key.
    fingerprint: str = Field(max_length=64)
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
