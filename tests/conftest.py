"""A fresh, migrated database per test: SQLite (the embedded default) and PostgreSQL (scale-out).

PostgreSQL is the server this machine and CI run at 127.0.0.1:5432; set
``NARA_TEST_POSTGRES_URL`` to use another, or to an empty string to skip those runs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from naranara.db import get_engine
from naranara.migrate import upgrade_to_head
from naranara.settings import get_settings

POSTGRES_URL = os.environ.get(
    "NARA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _reset_caches() -> None:
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Points the app at an empty database of one kind, migrated to head."""
    monkeypatch.setenv("NARA_DATA_DIR", str(tmp_path))
    if request.param == "sqlite":
        monkeypatch.delenv("NARA_DATABASE_URL", raising=False)
        _reset_caches()
        upgrade_to_head()
        yield "sqlite"
        get_engine().dispose()
        _reset_caches()
        return

    if not POSTGRES_URL:
        pytest.skip("NARA_TEST_POSTGRES_URL is empty: PostgreSQL runs switched off")
    import psycopg

    admin_url = make_url(POSTGRES_URL)
    name = f"nara_test_{uuid.uuid4().hex[:12]}"
    admin_dsn = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    monkeypatch.setenv(
        "NARA_DATABASE_URL", admin_url.set(database=name).render_as_string(hide_password=False)
    )
    _reset_caches()
    try:
        upgrade_to_head()
        yield "postgresql"
    finally:
        get_engine().dispose()
        _reset_caches()
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
