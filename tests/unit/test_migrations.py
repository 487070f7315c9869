"""The Alembic migrations build exactly the schema of the models, and are safe to re-run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

import naranara.models  # noqa: F401 - registers every table on SQLModel.metadata
from naranara.db import get_engine
from naranara.migrate import alembic_config, upgrade_to_head
from naranara.models import CareContact
from naranara.settings import get_settings

pytestmark = [
    pytest.mark.both_databases("the migrations: DDL, indexes and triggers per dialect"),
    pytest.mark.own_database("down and up again drops and makes the schema itself"),
]

MODEL_TABLES = set(SQLModel.metadata.tables)
# Guidance search (migration c1a5e0000002) lives outside the models: SQLite's FTS5 table
# with its shadow tables, PostgreSQL's GIN index on a tsvector expression.
SEARCH_TABLE_PREFIX = "guidance_search"
SEARCH_INDEX = "ix_guidance_article_search"


def _tables() -> set[str]:
    names = inspect(get_engine()).get_table_names()
    return {name for name in names if not name.startswith(SEARCH_TABLE_PREFIX)}


def _is_search_artefact(difference: tuple) -> bool:
    kind, thing = difference[0], difference[1]
    if kind == "remove_table":
        return thing.name.startswith(SEARCH_TABLE_PREFIX)
    return kind == "remove_index" and thing.name == SEARCH_INDEX


def _schema() -> dict[str, object]:
    """Tables, columns, indexes, keys and constraints as the database reports them."""
    inspector = inspect(get_engine())
    return {
        name: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
            sorted(str(index) for index in inspector.get_indexes(name)),
            inspector.get_pk_constraint(name),
            sorted(str(key) for key in inspector.get_foreign_keys(name)),
            sorted(str(unique) for unique in inspector.get_unique_constraints(name)),
        )
        for name in sorted(inspector.get_table_names())
    }


def _current_revision() -> str | None:
    with get_engine().connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture
def empty_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An SQLite database that does not exist yet, in a fresh data directory."""
    monkeypatch.setenv("NARA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NARA_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    assert get_engine().url.database == str(tmp_path / "data" / "nara.db")
    yield tmp_path / "data"
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_upgrading_an_empty_sqlite_database_creates_every_table(empty_sqlite: Path) -> None:
    assert _tables() == set()
    upgrade_to_head()
    assert (empty_sqlite / "nara.db").is_file()
    assert _tables() == MODEL_TABLES | {"alembic_version"}
    assert _current_revision() == _head()


def test_migrations_create_every_table_of_the_models(migrated: str) -> None:
    assert _tables() == MODEL_TABLES | {"alembic_version"}
    assert _current_revision() == _head()


def test_there_is_one_head() -> None:
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_the_migrated_schema_matches_the_models(migrated: str) -> None:
    """Nothing autogenerate would turn into a new migration: models and migrations agree."""
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert [d for d in differences if not _is_search_artefact(d)] == []


def test_unique_constraints_and_indexes_are_created(migrated: str) -> None:
    inspector = inspect(get_engine())
    assert {
        tuple(c["column_names"]) for c in inspector.get_unique_constraints("self_care_check")
    } == {("task_id", "occurrence_at")}
    assert {
        tuple(c["column_names"]) for c in inspector.get_unique_constraints("guidance_article")
    } == {("slug", "locale", "easy_read")}
    username_indexes = [
        index
        for index in inspector.get_indexes("user_account")
        if index["column_names"] == ["username"]
    ]
    assert [bool(index["unique"]) for index in username_indexes] == [True]


def test_upgrading_twice_changes_nothing(migrated: str) -> None:
    before = _schema()
    upgrade_to_head()
    assert _schema() == before
    assert _current_revision() == _head()


def test_downgrade_to_base_and_up_again(migrated: str) -> None:
    before = _schema()
    command.downgrade(alembic_config(), "base")
    assert _tables() == {"alembic_version"}
    assert _current_revision() is None
    upgrade_to_head()
    assert _schema() == before


def test_foreign_keys_are_enforced(migrated: str) -> None:
    with pytest.raises(IntegrityError), Session(get_engine()) as db:
        db.add(CareContact(resident_id=999, name="x", role_title="x", organisation="x"))
        db.commit()
