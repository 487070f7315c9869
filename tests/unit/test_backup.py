"""Backup while the app writes, restore elsewhere, and every table and key file is the same.

On SQLite (online backup API) and PostgreSQL (pg_dump / pg_restore), each against the
real database; the writer commits two measurements per transaction all through the backup,
so a torn snapshot would show an odd count.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlmodel import Session, select

from naranara import backup, clock
from naranara.db import get_engine, session_scope
from naranara.models import Measurement, User
from naranara.reminders import vapid
from naranara.services import demo_data
from naranara.settings import Settings, get_secret_key, get_settings
from tests.conftest import create_pg_database, drop_pg_database, url_of

WRITTEN_TABLE = "measurement"


@pytest.fixture
def seeded_db(database: str) -> str:
    with session_scope() as db:
        assert demo_data.is_seeded(db)
    return database


def _rows(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table (SQLite's full-text tables too), in a fixed order."""
    with engine.connect() as connection:
        names = sorted(inspect(connection).get_table_names())
        return {
            name: sorted(
                (tuple(row) for row in connection.execute(text(f'SELECT * FROM "{name}"'))),
                key=repr,
            )
            for name in names
        }


class Writer(threading.Thread):
    """Commits two measurements per transaction until stopped, like a busy resident."""

    def __init__(self, resident_id: int) -> None:
        super().__init__(daemon=True)
        self.resident_id = resident_id
        self.stop = threading.Event()
        self.transactions = 0

    def run(self) -> None:
        while not self.stop.is_set():
            with Session(get_engine()) as session:
                for value in (70.0, 71.0):
                    session.add(
                        Measurement(
                            resident_id=self.resident_id,
                            kind="weight",
                            value=value,
                            unit="kg",
                            measured_at=clock.now(),
                        )
                    )
                session.commit()
            self.transactions += 1
            time.sleep(0.005)


def _target(kind: str, tmp_path: Path) -> tuple[Settings, str | None]:
    """Settings for an empty data directory and, on PostgreSQL, an empty database."""
    if kind == "sqlite":
        return Settings(data_dir=tmp_path / "restored"), None
    name = create_pg_database("nara_restore")
    return Settings(data_dir=tmp_path / "restored", database_url=url_of(name)), name


class _HeldSnapshot:
    """SQLite's connections as backup.create opens them, except that the copy waits, with
    its snapshot of the source open, until the writer has committed once more: a write
    that gets through then was not blocked by the backup (a check that needs no luck
    with the timing: a fast copy could otherwise end before the writer's next commit)."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.written_while_held = False

    def connect(self, *args: object, **kwargs: object) -> sqlite3.Connection:
        connection = sqlite3.connect(*args, **kwargs)
        if "mode=ro" not in str(args[0]):
            return connection
        held = self

        class Source:
            def backup(self, target: sqlite3.Connection) -> None:
                connection.backup(target, progress=held.wait_for_a_write)

            def close(self) -> None:
                connection.close()

        return Source()  # type: ignore[return-value]

    def wait_for_a_write(self, status: int, remaining: int, total: int) -> None:
        seen = self.writer.transactions
        deadline = time.monotonic() + 30
        while self.writer.transactions == seen and time.monotonic() < deadline:
            time.sleep(0.01)
        self.written_while_held = self.writer.transactions > seen


def test_backup_while_writing_then_restore_elsewhere(
    seeded_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    # The key files a deployment has, and an uploaded article image.
    get_secret_key()
    vapid.vapid_key()
    images = settings.data_dir / "guidance-images"
    images.mkdir()
    (images / ("a" * 64 + ".png")).write_bytes(b"\x89PNG not really")
    with session_scope() as db:
        anna = db.exec(select(User).where(User.username == "anna")).one()
        seeded_rows = len(db.exec(select(Measurement)).all())
    writer = Writer(anna.id)
    held = _HeldSnapshot(writer)
    monkeypatch.setattr(backup, "sqlite3", SimpleNamespace(connect=held.connect))
    writer.start()
    try:
        while writer.transactions < 5:
            time.sleep(0.01)
        summary = backup.create(tmp_path / "backup", settings=settings)
        during = writer.transactions
        while writer.transactions < during + 5:
            time.sleep(0.01)
    finally:
        writer.stop.set()
        writer.join()
    assert summary.database == seeded_db
    assert {"secret_key", "vapid_private_key.pem"} <= set(summary.files)
    # Writes went on while the copy held its snapshot (pg_dump's is a transaction of its own).
    assert held.written_while_held or seeded_db == "postgresql"

    target, created = _target(seeded_db, tmp_path)
    try:
        restored = backup.restore(tmp_path / "backup", settings=target)
        assert not restored.behind_the_code
        source_engine = get_engine()
        restored_engine = create_engine(target.sqlalchemy_url)
        try:
            source, copy = _rows(source_engine), _rows(restored_engine)
        finally:
            restored_engine.dispose()
    finally:
        if created:
            drop_pg_database(created)

    assert source.keys() == copy.keys()
    for name in source:
        if name != WRITTEN_TABLE:
            assert copy[name] == source[name], f"{name} differs after restore"
    # The written table: a snapshot of whole transactions, which the source still holds.
    snapshot, now = copy[WRITTEN_TABLE], source[WRITTEN_TABLE]
    written_before = len(snapshot) - seeded_rows
    assert written_before > 0 and written_before % 2 == 0, "a transaction cut in half"
    assert set(snapshot) <= set(now) and len(now) > len(snapshot)
    for name in ("secret_key", "vapid_private_key.pem", "guidance-images/" + "a" * 64 + ".png"):
        assert (target.data_dir / name).read_bytes() == (settings.data_dir / name).read_bytes()
    assert oct(os.stat(target.data_dir / "secret_key").st_mode & 0o777) == "0o600"


def test_restore_refuses_a_data_directory_or_database_in_use(
    seeded_db: str, tmp_path: Path
) -> None:
    settings = get_settings()
    backup.create(tmp_path / "backup", settings=settings)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(tmp_path / "backup", settings=settings)  # the running deployment
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.create(tmp_path / "backup", settings=settings)  # never over another backup
    if seeded_db == "postgresql":
        # An empty data directory is not enough: the database must be empty too.
        with pytest.raises(backup.BackupError, match="database is not empty"):
            backup.restore(
                tmp_path / "backup",
                settings=Settings(data_dir=tmp_path / "new", database_url=settings.database_url),
            )


def test_restore_refuses_a_changed_backup(seeded_db: str, tmp_path: Path) -> None:
    get_secret_key()
    backup.create(tmp_path / "backup", settings=get_settings())
    key = tmp_path / "backup" / "secret_key"
    key.write_text("not the key that was backed up")
    target, created = _target(seeded_db, tmp_path)
    try:
        with pytest.raises(backup.BackupError, match="secret_key is missing or changed"):
            backup.restore(tmp_path / "backup", settings=target)
        assert not (target.data_dir / "secret_key").exists()
    finally:
        if created:
            drop_pg_database(created)
