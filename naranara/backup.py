"""``naranara backup DIR`` and ``naranara restore DIR``: the database and the key files.

A backup is a directory:

- ``nara.db`` (SQLite, copied with SQLite's online backup API: a consistent snapshot
  while the app and the worker keep writing) or ``nara.pgdump`` (PostgreSQL,
  ``pg_dump --format=custom``: one repeatable-read snapshot);
- the key files of the data directory: ``secret_key`` (signs cookies and keys the
  audit hashes) and ``vapid_private_key.pem`` (phones' push subscriptions are bound to
  it), and any other ``*key*``/``*.pem`` file there; keys set in the environment
  (``NARA_SECRET_KEY``, ``NARA_VAPID_PRIVATE_KEY``) are not in the data directory and
  must be kept where the environment is kept;
- ``guidance-images/``, the images staff uploaded for self-care articles;
- ``manifest.json``: when, which database kind, the schema revision, and the SHA-256 of
  every file (checked again before anything is restored).

A restore goes only into an empty data directory and an empty database: it never
overwrites, so a mistyped target cannot destroy a running deployment.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from naranara import clock
from naranara.migrate import head_revision
from naranara.settings import Settings

MANIFEST = "manifest.json"
SQLITE_FILE = "nara.db"
PG_DUMP_FILE = "nara.pgdump"
IMAGES_DIR = "guidance-images"
FORMAT_VERSION = 1


class BackupError(Exception):
    """Nothing was changed; the message says why, for the operator."""


@dataclass(frozen=True)
class Summary:
    database: str  # "sqlite" or "postgresql"
    files: tuple[str, ...]  # relative paths, the database file first
    schema_revision: str | None

    @property
    def behind_the_code(self) -> bool:
        """Restored from an older release: ``naranara migrate`` brings it up to date."""
        return self.schema_revision != head_revision()


def _is_key_file(path: Path) -> bool:
    return path.is_file() and ("key" in path.name or path.suffix == ".pem")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_url(settings: Settings) -> str:
    """The database URL as libpq (pg_dump, pg_restore) reads it: no SQLAlchemy driver."""
    url = make_url(settings.sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _kind(settings: Settings) -> str:
    return "sqlite" if settings.sqlalchemy_url.startswith("sqlite") else "postgresql"


def _sqlite_path(settings: Settings) -> Path:
    return Path(make_url(settings.sqlalchemy_url).database or "")


def _schema_revision(url: str) -> str | None:
    """The Alembic revision a database is at (None: not a Nära database)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed; on Debian: apt-get install postgresql-client "
            "(of the server's major version or newer)."
        )
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed:\n{done.stderr.strip()}")


def create(target: Path, *, settings: Settings) -> Summary:
    """Write a backup of the configured database and data directory into ``target``."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes into a new directory.")
    target.mkdir(parents=True, exist_ok=True)
    kind = _kind(settings)
    files: list[str] = []
    if kind == "sqlite":
        source_path = _sqlite_path(settings)
        if not source_path.exists():
            raise BackupError(f"There is no database at {source_path}.")
        # Read-only and by URI: a backup never creates or changes the source.
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        copy = sqlite3.connect(target / SQLITE_FILE)
        try:
            with copy:
                source.backup(copy)  # one step: a consistent snapshot under a read lock
        finally:
            copy.close()
            source.close()
        files.append(SQLITE_FILE)
    else:
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target / PG_DUMP_FILE}",
                f"--dbname={_libpq_url(settings)}",
            ]
        )
        files.append(PG_DUMP_FILE)
    data_dir = settings.data_dir
    if data_dir.is_dir():
        for path in sorted(data_dir.iterdir()):
            if _is_key_file(path):
                shutil.copy2(path, target / path.name)
                os.chmod(target / path.name, 0o600)
                files.append(path.name)
        images = data_dir / IMAGES_DIR
        if images.is_dir():
            shutil.copytree(images, target / IMAGES_DIR)
            files.extend(
                str(path.relative_to(target))
                for path in sorted((target / IMAGES_DIR).rglob("*"))
                if path.is_file()
            )
    revision = _schema_revision(
        f"sqlite:///{target / SQLITE_FILE}" if kind == "sqlite" else settings.sqlalchemy_url
    )
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": clock.real_now().isoformat(),
        "database": kind,
        "schema_revision": revision,
        "files": {name: _sha256(target / name) for name in files},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return Summary(database=kind, files=tuple(files), schema_revision=revision)


def _read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} is not a Nära backup ({MANIFEST}: {error}).") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"{name} is missing or changed since the backup was taken.")
    return manifest


def _database_is_empty(settings: Settings) -> bool:
    engine = create_engine(settings.sqlalchemy_url)
    try:
        return inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def restore(source: Path, *, settings: Settings) -> Summary:
    """Restore the backup in ``source`` into an empty data directory and empty database."""
    manifest = _read_manifest(source)
    kind = _kind(settings)
    if manifest["database"] != kind:
        raise BackupError(
            f"The backup is of a {manifest['database']} database; this deployment uses {kind}."
        )
    data_dir = settings.data_dir
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError(f"The data directory {data_dir} is not empty: restore into an empty one.")
    if kind == "sqlite" and _sqlite_path(settings).exists():
        raise BackupError(f"{_sqlite_path(settings)} exists: restore into a new database.")
    if kind == "postgresql" and not _database_is_empty(settings):
        raise BackupError("The database is not empty: restore into a new, empty database.")
    data_dir.mkdir(parents=True, exist_ok=True)
    names = list(manifest["files"])
    if kind == "sqlite":
        _sqlite_path(settings).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / SQLITE_FILE, _sqlite_path(settings))
    else:
        _run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={_libpq_url(settings)}",
                str(source / PG_DUMP_FILE),
            ]
        )
    for name in names:
        if name in (SQLITE_FILE, PG_DUMP_FILE):
            continue
        destination = data_dir / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, destination)
        if "/" not in name:  # the key files
            os.chmod(destination, 0o600)
    return Summary(database=kind, files=tuple(names), schema_revision=manifest["schema_revision"])
