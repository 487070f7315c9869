"""What every test shares: the instant it runs at, and a database made for it.

**Time.** A run happens at one instant: ``NARA_TEST_NOW`` (ISO 8601 with offset) or,
unset, the moment the run started. Every test starts at that instant (the clock then
runs on), so nothing depends on how long the suite has been running or on the hour it
was started. Tests marked ``time_sensitive`` run once more at each of
``AWKWARD_INSTANTS``: around midnight, the nights the clocks change, New Year's Eve
and 29 February. The demo data is seeded at the instant the test runs at.

**Databases.** A database test runs on SQLite, the embedded default. A test marked
``both_databases`` (what differs between dialects: full-text search, locking and
``SKIP LOCKED``, triggers, migrations, conditional updates, time columns) also runs on
(and one marked ``postgresql_only`` runs only on) the PostgreSQL server at 127.0.0.1:5432 (``NARA_TEST_POSTGRES_URL`` points elsewhere;
an empty value skips those runs, saying so). Each test gets the database as the
migrations (or the demo data) left it: SQLite by copying a template file, PostgreSQL by
a reset of one database per test process from a snapshot kept beside it in the same
database — no database is created or dropped per test, except for a test marked
``own_database`` (one that changes the schema itself, like the migrations' down and up).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from naranara import clock
from naranara.db import get_engine, session_scope
from naranara.migrate import upgrade_to_head
from naranara.policy import clear_access_cache
from naranara.settings import get_settings

POSTGRES_URL = os.environ.get(
    "NARA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

# Where bugs in "today", streaks, reminders and expiry like to hide (Stockholm time).
AWKWARD_INSTANTS = {
    "0005": "2026-12-05T00:05:00+01:00",  # just after midnight
    "2355": "2026-12-05T23:55:00+01:00",  # just before midnight
    "spring-forward": "2026-03-29T01:59:00+01:00",  # a minute before 02:00 becomes 03:00
    "fall-back": "2026-10-25T02:30:00+01:00",  # the second 02:30 of the night
    "new-years-eve": "2026-12-31T23:55:00+01:00",
    "leap-day": "2028-02-29T00:05:00+01:00",
}
RUN_INSTANT_VARIABLE = "NARA_TEST_NOW"


def run_instant() -> datetime:
    """The instant this run happens at (shared by pytest-xdist's workers)."""
    return clock.parse_instant(os.environ[RUN_INSTANT_VARIABLE])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_databases(reason): also run on PostgreSQL, because the reason differs by dialect",
    )
    config.addinivalue_line(
        "markers", "postgresql_only(reason): run on PostgreSQL alone, for the reason given"
    )
    config.addinivalue_line(
        "markers",
        "own_database(reason): a PostgreSQL database of its own, made and dropped for the test",
    )
    config.addinivalue_line(
        "markers", "time_sensitive: also run at each of the awkward instants (tests/conftest.py)"
    )
    # Set once in the controlling process, before xdist starts its workers: all agree.
    if not os.environ.get(RUN_INSTANT_VARIABLE, "").strip():
        os.environ[RUN_INSTANT_VARIABLE] = clock.now().isoformat()
    run_instant()  # a malformed NARA_TEST_NOW stops the run here, with the reason


# Tests that start the production server or Chromium: one pytest-xdist worker runs them
# all, one after another, against one server on one port (tests/e2e/conftest.py).
BROWSER_TEST_DIRECTORIES = ("tests/e2e/", "tests/scale/")


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``make test``'s scheduling: the browser tests as one unit of work, every other
    test on its own. (xdist's ``xdist_group`` marker does not work with pytest 9.2: it
    renames ``item._nodeid``, which pytest no longer reads, so the browser tests were
    split over two workers, each starting a server on the same port, and sign-ins went
    to the server that had not issued them.) The largest unit is handed out first, so
    one worker starts the browser tests at once while the others take the rest."""
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "browser" if nodeid.startswith(BROWSER_TEST_DIRECTORIES) else nodeid

    return BrowserTestsTogether(config, log)


def pytest_report_header(config: pytest.Config) -> str:
    return f"runs at {run_instant().astimezone(clock.DISPLAY_TIMEZONE).isoformat()} (NARA_TEST_NOW)"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames:
        kinds = ["sqlite"]
        if metafunc.definition.get_closest_marker("both_databases"):
            kinds.append("postgresql")
        if metafunc.definition.get_closest_marker("postgresql_only"):
            kinds = ["postgresql"]
        metafunc.parametrize("database", kinds, indirect=True)
    if metafunc.definition.get_closest_marker("time_sensitive"):
        metafunc.parametrize("instant", ["now", *AWKWARD_INSTANTS], indirect=True)


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Hostile test values (a lone surrogate) can end up in captured logs or a failure;
    pytest-xdist sends reports as UTF-8, so they travel escaped."""
    outcome = yield
    report = outcome.get_result()
    report.sections = [(title, _printable(text)) for title, text in report.sections]
    if report.longrepr is not None and _printable(str(report.longrepr)) != str(report.longrepr):
        report.longrepr = _printable(str(report.longrepr))


@pytest.fixture(autouse=True)
def _environment_as_found() -> Iterator[None]:
    """What a test leaves in ``os.environ`` is put back after it. ``naranara serve`` run
    in-process (CliRunner) hands its plan to Reflex and Granian through the environment
    (start_checks.apply_to_environment); left behind, a test's made-up Redis URL reached
    the browser tests' server, started later by the same xdist worker, which refused to
    start. Session fixtures set up before this snapshot keep what they set."""
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(autouse=True)
def instant(request: pytest.FixtureRequest) -> Iterator[datetime]:
    """The instant this test starts at; the clock runs on from it during the test."""
    name = getattr(request, "param", "now")
    at = run_instant() if name == "now" else clock.parse_instant(AWKWARD_INSTANTS[name])
    with clock.travel(at):
        yield at


def reset_app_caches() -> None:
    get_settings.cache_clear()
    get_engine.cache_clear()
    clear_access_cache()


def url_of(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _admin_connection():  # noqa: ANN202 - a psycopg connection
    import psycopg

    dsn = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(dsn, autocommit=True)


def create_pg_database(prefix: str) -> str:
    """A new, empty PostgreSQL database; its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(name: str) -> None:
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _PostgresWorkDatabase:
    """One PostgreSQL database for this test process, reset to a snapshot per test.

    Snapshots live in schemas of their own in the same database (``snap_<key>``):
    a reset empties the app's tables and copies the snapshot back in one
    transaction, with triggers and foreign keys quiet while it runs (the audit
    table's triggers refuse deletes; copying back is not a change of history).
    """

    def __init__(self) -> None:
        self.name = create_pg_database("nara_test")
        self.url = url_of(self.name)
        self._resets: dict[str, str] = {}

    def _connect(self):  # noqa: ANN202
        import psycopg

        dsn = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(dsn)

    def take_snapshot(self, key: str) -> None:
        schema = "snap_" + hashlib.sha256(key.encode()).hexdigest()[:12]
        with self._connect() as connection:
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            ]
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            connection.execute(f'CREATE SCHEMA "{schema}"')
            statements = ["SET LOCAL session_replication_role = replica"]
            # DELETE, not TRUNCATE: a test leaves a few rows in each table, and TRUNCATE
            # makes new files for every table (twice as slow a reset here); the sequences
            # are set below.
            statements.extend(f'DELETE FROM public."{t}"' for t in tables)
            for table in tables:
                connection.execute(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"')
                columns = ", ".join(
                    f'"{row[0]}"'
                    for row in connection.execute(
                        "SELECT column_name FROM information_schema.columns WHERE"
                        " table_schema = 'public' AND table_name = %s AND is_generated = 'NEVER'"
                        " ORDER BY ordinal_position",
                        (table,),
                    )
                )
                statements.append(
                    f'INSERT INTO public."{table}" ({columns})'
                    f' SELECT {columns} FROM "{schema}"."{table}"'
                )
            for table, column, sequence in connection.execute(
                "SELECT c.table_name, c.column_name,"
                " pg_get_serial_sequence(quote_ident(c.table_name), c.column_name)"
                " FROM information_schema.columns c WHERE c.table_schema = 'public'"
                " AND pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) IS NOT NULL"
            ):
                statements.append(
                    f"SELECT setval('{sequence}', COALESCE((SELECT MAX(\"{column}\")"
                    f' FROM public."{table}"), 0) + 1, false)'
                )
            connection.commit()
        self._resets[key] = ";\n".join(statements)

    def has_snapshot(self, key: str) -> bool:
        return key in self._resets

    def reset_to(self, key: str) -> None:
        with self._connect() as connection:
            connection.execute(self._resets[key])
            connection.commit()


class DatabaseTemplates:
    """Databases as the migrations left them, and with the demo data seeded at an
    instant: made on first use, once per test process."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._sqlite: dict[str, Path] = {}
        self._postgres: _PostgresWorkDatabase | None = None

    @staticmethod
    def _seed() -> None:
        from naranara.services import demo_data

        with session_scope() as db:
            demo_data.seed(db)

    def sqlite_file(self, key: str) -> Path:
        """``migrated``, or ``seeded@<instant>``: seeded at the clock's present instant."""
        if key not in self._sqlite:
            data_dir = self._tmp.mktemp("sqlite-template")
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("NARA_DATA_DIR", str(data_dir))
                patch.delenv("NARA_DATABASE_URL", raising=False)
                reset_app_caches()
                if key == "migrated":
                    upgrade_to_head()
                else:
                    shutil.copyfile(self.sqlite_file("migrated"), data_dir / "nara.db")
                    reset_app_caches()
                    self._seed()
                get_engine().dispose()
            reset_app_caches()
            self._sqlite[key] = data_dir / "nara.db"
        return self._sqlite[key]

    def postgres_at(self, key: str) -> str:
        """The work database's URL, reset to ``key`` (made first if new)."""
        if self._postgres is None:
            self._postgres = _PostgresWorkDatabase()
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("NARA_DATABASE_URL", self._postgres.url)
                reset_app_caches()
                upgrade_to_head()
                get_engine().dispose()
            reset_app_caches()
            self._postgres.take_snapshot("migrated")
        work = self._postgres
        if not work.has_snapshot(key):
            work.reset_to("migrated")
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("NARA_DATABASE_URL", work.url)
                reset_app_caches()
                self._seed()
                get_engine().dispose()
            reset_app_caches()
            work.take_snapshot(key)
        work.reset_to(key)
        return work.url

    def keep(self, kind: str, key: str) -> None:
        """The database this test has now, kept as ``key`` for later tests to start from
        (a fixture's costly set-up, made once per process)."""
        get_engine().dispose()  # on SQLite the last connection out folds the -wal file in
        if kind == "sqlite":
            kept = self._tmp.mktemp("kept") / "nara.db"
            shutil.copyfile(get_settings().data_dir / "nara.db", kept)
            self._sqlite[key] = kept
        else:
            assert self._postgres is not None
            self._postgres.take_snapshot(key)

    def restore(self, kind: str, key: str) -> bool:
        """This test's database set to what ``keep`` kept as ``key``; False if nothing was."""
        if kind == "sqlite" and key in self._sqlite:
            get_engine().dispose()
            shutil.copyfile(self._sqlite[key], get_settings().data_dir / "nara.db")
        elif kind == "postgresql" and self._postgres and self._postgres.has_snapshot(key):
            get_engine().dispose()
            self._postgres.reset_to(key)
        else:
            return False
        reset_app_caches()
        return True

    def close(self) -> None:
        if self._postgres is not None:
            drop_pg_database(self._postgres.name)


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseTemplates]:
    templates = DatabaseTemplates(tmp_path_factory)
    try:
        yield templates
    finally:
        templates.close()


@pytest.fixture
def database(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    instant: datetime,
    database_templates: DatabaseTemplates,
) -> Iterator[str]:
    """Points the app at a database of one kind as the migrations left it; with the demo
    data seeded at this test's instant for tests that ask for ``seeded_db``
    (tests/states/conftest.py)."""
    kind = request.param
    key = f"seeded@{instant.isoformat()}" if "seeded_db" in request.fixturenames else "migrated"
    monkeypatch.setenv("NARA_DATA_DIR", str(tmp_path))
    if kind == "sqlite":
        monkeypatch.delenv("NARA_DATABASE_URL", raising=False)
        shutil.copyfile(database_templates.sqlite_file(key), tmp_path / "nara.db")
    elif not POSTGRES_URL:
        pytest.skip("NARA_TEST_POSTGRES_URL is empty: PostgreSQL runs switched off")
    elif request.node.get_closest_marker("own_database"):
        own = create_pg_database("nara_own")
        request.addfinalizer(lambda: drop_pg_database(own))
        monkeypatch.setenv("NARA_DATABASE_URL", url_of(own))
        reset_app_caches()
        upgrade_to_head()
    else:
        monkeypatch.setenv("NARA_DATABASE_URL", database_templates.postgres_at(key))
    reset_app_caches()
    try:
        yield kind
    finally:
        get_engine().dispose()
        reset_app_caches()


@pytest.fixture
def seeded_db(database: str) -> str:
    """A fresh database with the demo data, seeded at this test's instant (``database``
    copies it from a template seeded once per run and instant)."""
    from naranara.services import demo_data

    with session_scope() as db:
        assert demo_data.is_seeded(db)
    return database
