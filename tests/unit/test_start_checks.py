"""What `naranara serve`, `run` and `worker` refuse before starting (naranara/start_checks.py).

The Redis checks run against redis-servers of their own on free ports: a plain one, and
two that refuse CONFIG as managed services do (one with notifications set in its
configuration, one without).
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from py_vapid import Vapid
from redis import Redis
from redis.exceptions import ResponseError
from sqlmodel import select

from naranara import start_checks
from naranara.cli import main
from naranara.db import session_scope
from naranara.models import KeyFingerprint
from naranara.settings import get_settings
from naranara.start_checks import StartRefused
from tests.utils.servers import free_port, start_redis_server


@pytest.fixture(scope="module")
def start_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Starts redis-servers of this module's own (never the shared one on 6379)."""
    started: list[subprocess.Popen] = []

    def start(*arguments: str) -> str:
        process, url = start_redis_server(tmp_path_factory.mktemp("redis"), *arguments)
        started.append(process)
        return url

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def _setting(url: str) -> str:
    return Redis.from_url(url, decode_responses=True).config_get("notify-keyspace-events")[
        "notify-keyspace-events"
    ]


# --- Web workers ------------------------------------------------------------------------


def test_one_web_worker_without_redis_and_two_with_it_by_default() -> None:
    assert start_checks.web_worker_count(None, "") == 1
    assert start_checks.web_worker_count(None, "redis://r:6379/0") == 2
    assert start_checks.web_worker_count(1, "") == 1
    assert start_checks.web_worker_count(5, "redis://r:6379/0") == 5


def test_several_web_workers_without_redis_are_refused() -> None:
    with pytest.raises(StartRefused) as refused:
        start_checks.web_worker_count(3, "")
    message = str(refused.value)
    assert "NARA_WEB_WORKERS=3 needs Redis" in message
    assert "NARA_REDIS_URL" in message and "NARA_WEB_WORKERS=1" in message


def test_naranara_serve_refuses_before_building(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARA_WEB_WORKERS", "2")
    monkeypatch.delenv("NARA_REDIS_URL", raising=False)
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    get_settings.cache_clear()
    built: list[int] = []
    monkeypatch.setattr("naranara.serve.ensure_frontend_build", built.append)
    result = CliRunner().invoke(main, ["serve", "--port", str(free_port())])
    assert result.exit_code == 2, result.output
    assert "Nära cannot start: NARA_WEB_WORKERS=2 needs Redis" in result.output
    assert built == []


def test_the_plan_reaches_granian_and_reflex(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GRANIAN_WORKERS", "REFLEX_REDIS_URL", start_checks.KEYSPACE_READY_ENV):
        monkeypatch.delenv(name, raising=False)
    start_checks.apply_to_environment(
        start_checks.WebPlan(web_workers=2, redis_url="redis://r:1/0", keyspace_ready=True)
    )
    import os

    assert os.environ["GRANIAN_WORKERS"] == "2"
    assert os.environ["REFLEX_REDIS_URL"] == "redis://r:1/0"
    assert os.environ[start_checks.KEYSPACE_READY_ENV] == "1"


def test_a_password_in_the_redis_url_is_not_repeated() -> None:
    assert (
        start_checks.redacted_url("redis://nara:hemligt@redis.internal:6380/2")
        == "redis://nara:***@redis.internal:6380/2"
    )
    assert start_checks.redacted_url("rediss://:hemligt@r/0") == "rediss://:***@r/0"
    assert start_checks.redacted_url("redis://r:6379/0") == "redis://r:6379/0"


# --- The port ---------------------------------------------------------------------------


def test_a_served_port_is_refused_and_a_free_one_passes() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with pytest.raises(StartRefused, match=f"Port {port} is already served"):
            start_checks.check_port_free("0.0.0.0", port)
        with pytest.raises(StartRefused, match=f"Port {port}"):
            start_checks.check_port_free("127.0.0.1", port)
    start_checks.check_port_free("0.0.0.0", port)  # closed again: free


# --- Redis keyspace notifications -------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "missing"),
    [("", "K$sgxe"), ("Ex", "K$sge"), ("AK", ""), ("KA", ""), ("K$sgxe", ""), ("KEA", "")],
)
def test_missing_keyspace_flags(setting: str, missing: str) -> None:
    assert start_checks.missing_keyspace_flags(setting) == missing


def test_missing_flags_are_added_to_what_the_server_has(start_redis) -> None:  # noqa: ANN001
    url = start_redis("--notify-keyspace-events", "Ex")
    said: list[str] = []
    assert start_checks.check_redis(url, say=said.append) is True
    after = _setting(url)
    assert start_checks.missing_keyspace_flags(after) == ""
    assert "E" in after  # the operator's keyevent flag is kept
    assert said and "added 'K$sge'" in said[0]


def test_a_configured_redis_is_left_alone(start_redis, monkeypatch) -> None:  # noqa: ANN001
    url = start_redis("--notify-keyspace-events", "AKE")
    calls: list[tuple] = []
    monkeypatch.setattr(Redis, "config_set", lambda *args, **kw: calls.append(args))
    assert start_checks.check_redis(url, say=pytest.fail) is True
    assert calls == []


def test_a_redis_refusing_config_but_notifying_is_accepted(start_redis) -> None:  # noqa: ANN001
    url = start_redis("--notify-keyspace-events", "K$sgxe", "--rename-command", "CONFIG", "")
    with pytest.raises(ResponseError):
        Redis.from_url(url).config_get("notify-keyspace-events")
    said: list[str] = []
    assert start_checks.check_redis(url, say=said.append) is True
    assert "keyspace notifications arrive" in said[0]
    assert Redis.from_url(url).keys("nara:start-check:*") == []  # its probe keys are gone


def test_a_redis_refusing_config_without_notifications_is_refused_with_the_setting(
    start_redis,  # noqa: ANN001
) -> None:
    url = start_redis("--rename-command", "CONFIG", "")
    with pytest.raises(StartRefused) as refused:
        start_checks.check_redis(url)
    message = str(refused.value)
    assert "Redis refuses CONFIG" in message
    assert "notify-keyspace-events K$sgxe" in message  # the exact redis.conf line
    assert "parameter group" in message


def test_an_unreachable_redis_is_refused() -> None:
    url = f"redis://nara:hemligt@127.0.0.1:{free_port()}/0"
    with pytest.raises(StartRefused) as refused:
        start_checks.check_redis(url)
    assert "does not answer" in str(refused.value)
    assert "hemligt" not in str(refused.value)


def test_reflex_skips_its_config_set_once_the_check_passed(monkeypatch) -> None:  # noqa: ANN001
    from reflex.istate.manager import redis as redis_manager
    from reflex.utils import token_manager

    start_checks.skip_reflex_keyspace_config()
    start_checks.skip_reflex_keyspace_config()  # twice is once
    enable = redis_manager.enable_keyspace_notifications
    # Both places Reflex 0.10 calls it from use the replacement.
    assert token_manager.enable_keyspace_notifications is enable
    assert getattr(enable, "_nara_checked", False)

    class Recording:
        def __init__(self) -> None:
            self.calls: list[tuple] = []

        async def config_set(self, *args: str) -> None:
            self.calls.append(args)

    import asyncio

    checked = Recording()
    monkeypatch.setenv(start_checks.KEYSPACE_READY_ENV, "1")
    asyncio.run(enable(checked))
    assert checked.calls == []
    unchecked = Recording()
    monkeypatch.delenv(start_checks.KEYSPACE_READY_ENV)
    asyncio.run(enable(unchecked))
    assert unchecked.calls == [("notify-keyspace-events", redis_manager.NOTIFY_KEYSPACE_EVENTS)]


def test_reflex_state_manager_calls_the_module_function() -> None:
    """The skip works because StateManagerRedis looks the function up in its module at
    call time; a Reflex upgrade that changes this must fail here."""
    import inspect

    from reflex.istate.manager.redis import StateManagerRedis

    source = inspect.getsource(StateManagerRedis._enable_keyspace_notifications)
    assert "await enable_keyspace_notifications(" in source


# --- Keys -------------------------------------------------------------------------------


def _other_vapid_key() -> str:
    key = Vapid()
    key.generate_keys()
    return key.private_pem().decode()


@pytest.mark.usefixtures("migrated")
def test_the_first_start_records_the_keys_and_the_next_compares() -> None:
    said: list[str] = []
    start_checks.check_keys(say=said.append)
    with session_scope() as db:
        rows = {row.name: row.fingerprint for row in db.exec(select(KeyFingerprint))}
    assert set(rows) == {"secret_key", "personnummer_key", "vapid_key"}
    assert all(len(value) == 64 for value in rows.values())
    secret = (get_settings().data_dir / "secret_key").read_text().strip()
    assert secret not in "".join(rows.values())
    assert len(said) == 3
    said.clear()
    start_checks.check_keys(say=said.append)
    assert said == []


@pytest.mark.usefixtures("migrated")
def test_another_secret_key_is_refused_until_adopted(monkeypatch: pytest.MonkeyPatch) -> None:
    start_checks.check_keys(say=lambda _: None)
    monkeypatch.setenv("NARA_SECRET_KEY", "another machine's key, not the first one's")
    get_settings.cache_clear()
    with pytest.raises(StartRefused) as refused:
        start_checks.check_keys()
    message = str(refused.value)
    assert "This machine's secret_key (NARA_SECRET_KEY" in message
    assert "naranara keys adopt" in message
    status = CliRunner().invoke(main, ["keys", "status"])
    assert status.exit_code == 1, status.output
    assert "secret_key" in status.output and "DIFFERS" in status.output
    adopted = CliRunner().invoke(main, ["keys", "adopt", "--yes"])
    assert adopted.exit_code == 0, adopted.output
    assert "Recorded new fingerprints for: secret_key." in adopted.output
    start_checks.check_keys(say=pytest.fail)
    assert CliRunner().invoke(main, ["keys", "status"]).exit_code == 0


@pytest.mark.usefixtures("migrated")
def test_another_vapid_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    start_checks.check_keys(say=lambda _: None)
    monkeypatch.setenv("NARA_VAPID_PRIVATE_KEY", _other_vapid_key())
    get_settings.cache_clear()
    with pytest.raises(StartRefused, match="vapid_key \\(NARA_VAPID_PRIVATE_KEY"):
        start_checks.check_keys()


@pytest.mark.usefixtures("migrated")
def test_the_same_vapid_key_given_in_the_environment_matches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start_checks.check_keys(say=lambda _: None)
    pem = (get_settings().data_dir / "vapid_private_key.pem").read_text()
    monkeypatch.setenv("NARA_VAPID_PRIVATE_KEY", pem)
    get_settings.cache_clear()
    start_checks.check_keys(say=pytest.fail)


@pytest.mark.usefixtures("migrated")
def test_the_worker_refuses_another_key(monkeypatch: pytest.MonkeyPatch) -> None:
    start_checks.check_keys(say=lambda _: None)
    monkeypatch.setenv("NARA_PERSONNUMMER_KEY", "not the key the residents were enrolled with")
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["worker", "--once"])
    assert result.exit_code == 2, result.output
    assert "Nära cannot start: This machine's personnummer_key" in result.output


def test_a_database_without_the_table_says_to_migrate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from naranara.db import get_engine

    monkeypatch.setenv("NARA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NARA_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        with pytest.raises(StartRefused, match="Run `naranara migrate` first"):
            start_checks.check_keys()
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()


@pytest.mark.usefixtures("migrated")
def test_no_database_connection_is_left_for_granians_workers_to_inherit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from naranara.db import get_engine

    monkeypatch.delenv("NARA_REDIS_URL", raising=False)
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    monkeypatch.delenv("NARA_WEB_WORKERS", raising=False)
    get_settings.cache_clear()
    plan = start_checks.check_web(port=free_port(), host="127.0.0.1", say=lambda _: None)
    assert plan == start_checks.WebPlan(web_workers=1, redis_url="", keyspace_ready=False)
    assert get_engine().pool.checkedin() == 0
