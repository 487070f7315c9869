"""A fresh, migrated database per test: SQLite (the embedded default) and PostgreSQL (scale-out).

PostgreSQL is the server this machine and CI run at 127.0.0.1:5432; set
``NARA_TEST_POSTGRES_URL`` to use another, or to an empty string to skip those runs.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from naranara import clock
from naranara.db import get_engine
from naranara.migrate import upgrade_to_head
from naranara.settings import get_settings

POSTGRES_URL = os.environ.get(
    "NARA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def pytest_configure(config: pytest.Config) -> None:
    """``NARA_TEST_NOW`` (an ISO 8601 instant with offset) runs the suite as if it were then."""
    pinned = os.environ.get("NARA_TEST_NOW", "").strip()
    if pinned:
        clock.start_at(clock.parse_instant(pinned))


def _reset_caches() -> None:
    get_settings.cache_clear()
    get_engine.cache_clear()


def _admin_dsn() -> str:
    return make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def _url_of(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _create_pg_database(prefix: str, template: str | None = None) -> str:
    """A new PostgreSQL database (a copy of ``template`` if given); its name."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy_of}')
    return name


def _drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Each kind of database migrated to head once per run; every test gets a copy.

    Running the real migrations for each of thousands of tests cost most of the suite's
    time. A copy holds exactly what the migrations made (test_migrations.py still runs
    them from an empty database and down and up again).
    """
    templates: dict[str, str] = {}
    with pytest.MonkeyPatch.context() as patch:
        data_dir = tmp_path_factory.mktemp("sqlite-template")
        patch.setenv("NARA_DATA_DIR", str(data_dir))
        patch.delenv("NARA_DATABASE_URL", raising=False)
        _reset_caches()
        upgrade_to_head()
        get_engine().dispose()
        templates["sqlite"] = str(data_dir / "nara.db")
        if POSTGRES_URL:
            name = _create_pg_database("nara_template")
            patch.setenv("NARA_DATABASE_URL", _url_of(name))
            _reset_caches()
            upgrade_to_head()
            get_engine().dispose()
            templates["postgresql"] = name
    _reset_caches()
    try:
        yield templates
    finally:
        if "postgresql" in templates:
            _drop_pg_database(templates["postgresql"])


@pytest.fixture(scope="session")
def seeded_templates(
    migrated_templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The migrated templates with the demo data in them (seeding takes seconds)."""
    from naranara.db import session_scope
    from naranara.services import demo_data

    templates: dict[str, str] = {}
    with pytest.MonkeyPatch.context() as patch:
        data_dir = tmp_path_factory.mktemp("sqlite-seeded")
        shutil.copyfile(migrated_templates["sqlite"], data_dir / "nara.db")
        patch.setenv("NARA_DATA_DIR", str(data_dir))
        patch.delenv("NARA_DATABASE_URL", raising=False)
        _reset_caches()
        with session_scope() as db:
            demo_data.seed(db)
        get_engine().dispose()
        templates["sqlite"] = str(data_dir / "nara.db")
        if "postgresql" in migrated_templates:
            name = _create_pg_database("nara_seeded", migrated_templates["postgresql"])
            patch.setenv("NARA_DATABASE_URL", _url_of(name))
            _reset_caches()
            with session_scope() as db:
                demo_data.seed(db)
            get_engine().dispose()
            templates["postgresql"] = name
    _reset_caches()
    try:
        yield templates
    finally:
        if "postgresql" in templates:
            _drop_pg_database(templates["postgresql"])


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    migrated_templates: dict[str, str],
) -> Iterator[str]:
    """Points the app at a fresh database of one kind, migrated to head; with the demo
    data already in it for tests that ask for ``seeded_db`` (tests/states/conftest.py)."""
    templates = (
        request.getfixturevalue("seeded_templates")
        if "seeded_db" in request.fixturenames
        else migrated_templates
    )
    monkeypatch.setenv("NARA_DATA_DIR", str(tmp_path))
    if request.param == "sqlite":
        monkeypatch.delenv("NARA_DATABASE_URL", raising=False)
        shutil.copyfile(templates["sqlite"], tmp_path / "nara.db")
        _reset_caches()
        yield "sqlite"
        get_engine().dispose()
        _reset_caches()
        return

    if not POSTGRES_URL:
        pytest.skip("NARA_TEST_POSTGRES_URL is empty: PostgreSQL runs switched off")
    name = _create_pg_database("nara_test", templates["postgresql"])
    monkeypatch.setenv("NARA_DATABASE_URL", _url_of(name))
    _reset_caches()
    try:
        yield "postgresql"
    finally:
        get_engine().dispose()
        _reset_caches()
        _drop_pg_database(name)
