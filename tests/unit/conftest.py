"""Database tests get a fresh database each, its schema made by the real migrations.

``database`` (tests/conftest.py) runs each such test on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from naranara.db import get_engine
from naranara.settings import PROJECT_ROOT


@pytest.fixture
def migrated(database: str) -> str:
    """The kind of the fresh database the app now points at, upgraded to the newest migration."""
    # Never the developer's own database.
    assert get_engine().url.database != str(PROJECT_ROOT / "data" / "nara.db")
    return database


@pytest.fixture
def db(migrated: str) -> Iterator[Session]:
    """One session on the fresh database; tests commit what they need."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session
