"""What ``naranara serve``, ``run`` and ``worker`` check before they start.

Each check refuses a setup that would start "fine" and then misbehave, with a message
that says what is wrong and what to do (``StartRefused``):

- **Several web workers without Redis.** Each worker would keep tab state in its own
  memory; a tab whose socket lands on another worker would lose it.
- **The port already served.** A second server on a port another process serves comes up
  silently and takes part of the traffic.
- **Redis without keyspace notifications.** Reflex hands a tab's lock from one worker to
  the next through them. Reflex sets them itself with ``CONFIG SET``, replacing the
  whole server setting, and managed Redis services refuse ``CONFIG``. Here the setting
  is read first; when it already has what Reflex needs, Reflex's ``CONFIG SET`` is
  skipped in every web worker (``skip_reflex_keyspace_config``); when it lacks some, the
  missing flags are added to what is there; when ``CONFIG`` is refused, notifications
  are tried for real, and if they do not arrive the operator is told the exact setting.
- **Keys other than the database was set up with.** The fingerprints of the secret key,
  the personnummer key and the VAPID key are kept in ``key_fingerprint``; a machine with
  other keys refuses to start (``naranara keys status``; ``naranara keys adopt`` after a
  deliberate rotation).
"""

from __future__ import annotations

import errno
import hashlib
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives import serialization
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from naranara import clock
from naranara.settings import Settings, get_personnummer_key, get_secret_key, get_settings

# With Redis and no NARA_WEB_WORKERS: two workers share the load and survive one crash.
# Never Reflex's own default of 2 × cores + 1 (about 0.8 GB idle on a 4-core machine).
DEFAULT_WEB_WORKERS_WITH_REDIS = 2

# What Reflex subscribes to (reflex.istate.manager.redis.NOTIFY_KEYSPACE_EVENTS, "K$sgxe"):
# keyspace events for string and set commands, generic commands (DEL, EXPIRE), expiry
# and eviction. 'A' in the server's setting stands for "g$lshzxet(d)".
REQUIRED_KEYSPACE_FLAGS = "K$sgxe"
_ALIAS_A = set("g$lshzxetd")
# Set in the environment once the check found notifications in place; Reflex's own
# CONFIG SET is then skipped in the web workers (they inherit the environment).
KEYSPACE_READY_ENV = "NARA_REDIS_KEYSPACE_CHECKED"


class StartRefused(Exception):
    """The setup would misbehave; the message says why and what to do."""


@dataclass(frozen=True)
class WebPlan:
    """How the web server will run, once every check has passed."""

    web_workers: int
    redis_url: str  # empty: no Redis, tab state in the one worker's memory
    keyspace_ready: bool  # Redis notifications verified: Reflex's CONFIG SET is skipped


# --- Redis and workers ------------------------------------------------------------------


def redis_url_of(settings: Settings) -> str:
    """NARA_REDIS_URL, or Reflex's own REFLEX_REDIS_URL if only that is set."""
    return settings.redis_url or os.environ.get("REFLEX_REDIS_URL", "")


def redacted_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + host))


def web_worker_count(configured: int | None, redis_url: str) -> int:
    """NARA_WEB_WORKERS, or the default; refuses several workers without Redis."""
    if configured is None:
        return DEFAULT_WEB_WORKERS_WITH_REDIS if redis_url else 1
    if configured > 1 and not redis_url:
        raise StartRefused(
            f"NARA_WEB_WORKERS={configured} needs Redis: without it every web worker keeps "
            "the tabs' state in its own memory, and a tab whose connection lands on another "
            "worker loses it. Set NARA_REDIS_URL (e.g. redis://127.0.0.1:6379/0), or "
            "NARA_WEB_WORKERS=1."
        )
    return configured


def missing_keyspace_flags(setting: str) -> str:
    """The flags of REQUIRED_KEYSPACE_FLAGS that the server's setting lacks."""
    have = set(setting)
    if "A" in have:
        have |= _ALIAS_A
    return "".join(flag for flag in REQUIRED_KEYSPACE_FLAGS if flag not in have)


def _keyspace_advice(url: str) -> str:
    return (
        f"Set the Redis server's notify-keyspace-events to {REQUIRED_KEYSPACE_FLAGS!r} (or a "
        f"value holding all of K, $, s, g, x and e, such as 'AKE') at {redacted_url(url)}: "
        f"in redis.conf `notify-keyspace-events {REQUIRED_KEYSPACE_FLAGS}`, or on a managed "
        "service in its parameter group / advanced settings (AWS ElastiCache, Azure Cache "
        "for Redis, Google Memorystore all have a notify-keyspace-events setting). Reflex "
        "hands a tab from one web worker to the next through these notifications."
    )


def _redis_client(url: str):  # noqa: ANN202 - a redis.Redis
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)


def _probe_keyspace_notifications(client, timeout: float = 3.0) -> set[str]:  # noqa: ANN001
    """Which of the needed notifications really arrive (for a Redis that refuses CONFIG).

    Touches only keys of its own (``nara:start-check:<uuid>:…``), which it deletes.
    Eviction ('e') cannot be provoked; the others are: SET ($), SADD (s), DEL (g), and a
    key read after it expired (x).
    """
    db = client.connection_pool.connection_kwargs.get("db", 0)
    prefix = f"nara:start-check:{uuid.uuid4().hex}"
    seen: set[str] = set()
    pubsub = client.pubsub()
    try:
        pubsub.psubscribe(f"__keyspace@{db}__:{prefix}*")
        # Wait for the subscription to be in place before causing events.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.2)
            if message and message["type"] == "psubscribe":
                break
        client.set(f"{prefix}:string", "1", ex=60)
        client.sadd(f"{prefix}:set", "1")
        client.delete(f"{prefix}:string", f"{prefix}:set")
        client.set(f"{prefix}:expiring", "1", px=1)
        time.sleep(0.05)
        client.get(f"{prefix}:expiring")  # an expired key read is deleted: "expired"
        wanted = {"set", "sadd", "del", "expired"}
        while time.monotonic() < deadline and not wanted <= seen:
            message = pubsub.get_message(timeout=0.2)
            if message and message["type"] == "pmessage":
                data = message["data"]
                seen.add(data.decode() if isinstance(data, bytes) else str(data))
    finally:
        client.delete(f"{prefix}:string", f"{prefix}:set", f"{prefix}:expiring")
        pubsub.close()
    return seen


def check_redis(url: str, *, say: Callable[[str], None] = print) -> bool:
    """Redis answers and sends the keyspace notifications Reflex needs.

    Returns True when notifications are in place (then Reflex's own CONFIG SET, which
    would replace the server's whole setting, is skipped); refuses otherwise.
    """
    from redis.exceptions import RedisError, ResponseError

    client = _redis_client(url)
    try:
        try:
            client.ping()
        except RedisError as error:
            raise StartRefused(
                f"Redis at {redacted_url(url)} (NARA_REDIS_URL) does not answer: {error}."
            ) from None
        try:
            current = client.config_get("notify-keyspace-events")
        except ResponseError:
            current = None  # CONFIG refused or renamed, as on managed services
        if current is None or "notify-keyspace-events" not in current:
            arrived = _probe_keyspace_notifications(client)
            if {"set", "sadd", "del", "expired"} <= arrived:
                say(
                    "Redis refuses CONFIG; keyspace notifications arrive, so Reflex's "
                    "CONFIG SET is skipped (make sure eviction events, 'e', are on too)."
                )
                return True
            raise StartRefused(
                "Redis refuses CONFIG (a managed service?) and does not send the keyspace "
                "notifications Nära needs. " + _keyspace_advice(url)
            )
        setting = str(current["notify-keyspace-events"])
        missing = missing_keyspace_flags(setting)
        if not missing:
            return True
        wanted = setting + missing
        try:
            client.config_set("notify-keyspace-events", wanted)
        except ResponseError as error:
            raise StartRefused(
                f"Redis has notify-keyspace-events {setting!r}, without {missing!r}, and "
                f"refuses CONFIG SET ({error}). " + _keyspace_advice(url)
            ) from None
        say(
            f"Redis: notify-keyspace-events was {setting!r}; added {missing!r} for Reflex "
            "(the other flags are kept)."
        )
        return True
    finally:
        client.close()


def skip_reflex_keyspace_config() -> None:
    """Make Reflex skip its ``CONFIG SET notify-keyspace-events`` once the start check
    found notifications in place (``KEYSPACE_READY_ENV``).

    Reflex 0.10 calls ``enable_keyspace_notifications`` from its Redis state manager and
    its token manager; the only switch it offers, ``REFLEX_IGNORE_REDIS_CONFIG_ERROR``,
    still sends the command and would replace the server's whole setting with its own
    flags. Installed by the app module in every web worker (reflex is pinned;
    tests/unit/test_start_checks.py checks both call sites).
    """
    from reflex.istate.manager import redis as redis_manager
    from reflex.utils import token_manager

    original = redis_manager.enable_keyspace_notifications
    if getattr(original, "_nara_checked", False):
        return

    async def enable_unless_checked(redis, events: str = redis_manager.NOTIFY_KEYSPACE_EVENTS):  # noqa: ANN001
        if os.environ.get(KEYSPACE_READY_ENV) == "1":
            return
        await original(redis, events)

    enable_unless_checked._nara_checked = True  # type: ignore[attr-defined]
    redis_manager.enable_keyspace_notifications = enable_unless_checked
    token_manager.enable_keyspace_notifications = enable_unless_checked


# --- The port ---------------------------------------------------------------------------


def check_port_free(host: str, port: int) -> None:
    """Refuses when another process serves, or holds, the port."""
    probe_host = "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host
    try:
        with socket.create_connection((probe_host, port), timeout=1):
            pass
    except OSError:
        pass
    else:
        raise StartRefused(
            f"Port {port} is already served by another process (a Nära started earlier?). "
            "A second server on it would start silently and take part of the traffic: stop "
            f"the other one, or choose another port (--port, PORT=… make run). "
            f"`ss -ltnp 'sport = :{port}'` shows which process it is."
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: a port left in TIME_WAIT by a server that just stopped is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host or "0.0.0.0", port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                raise StartRefused(
                    f"Port {port} on {host or '0.0.0.0'} cannot be used: {error.strerror}. "
                    "Stop what holds it, or choose another port (--port)."
                ) from None
            raise


# --- Keys -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyState:
    name: str
    where: str  # where this machine's key comes from, for the operator
    fingerprint: str  # this machine's
    recorded: str | None  # the database's, None if never recorded
    recorded_at: datetime | None

    @property
    def matches(self) -> bool:
        return self.recorded == self.fingerprint


def _secret_fingerprint(purpose: str, secret: str) -> str:
    # A purpose prefix: the fingerprint is no plain hash of the key anywhere else.
    return hashlib.sha256(f"nara key fingerprint\0{purpose}\0{secret}".encode()).hexdigest()


def _vapid_fingerprint() -> str:
    """Of the public key, as phones subscribed with it: the same for PEM or base64url."""
    from naranara.reminders.vapid import vapid_key

    raw = vapid_key().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return hashlib.sha256(raw).hexdigest()


def current_key_fingerprints(settings: Settings | None = None) -> dict[str, tuple[str, str]]:
    """name -> (where this machine's key comes from, its fingerprint)."""
    settings = settings or get_settings()
    data = settings.data_dir
    return {
        "secret_key": (
            "NARA_SECRET_KEY" if settings.secret_key else str(data / "secret_key"),
            _secret_fingerprint("secret_key", get_secret_key()),
        ),
        "personnummer_key": (
            "NARA_PERSONNUMMER_KEY"
            if settings.personnummer_key
            else str(data / "personnummer_key"),
            _secret_fingerprint("personnummer_key", get_personnummer_key()),
        ),
        "vapid_key": (
            "NARA_VAPID_PRIVATE_KEY"
            if settings.vapid_private_key
            else str(data / "vapid_private_key.pem"),
            _vapid_fingerprint(),
        ),
    }


@contextmanager
def _session() -> Iterator[Session]:
    from naranara.db import get_engine, session_scope

    if not inspect(get_engine()).has_table("key_fingerprint"):
        raise StartRefused(
            "The database has no key_fingerprint table: it is older than this release. "
            "Run `naranara migrate` first."
        )
    with session_scope() as session:
        yield session


def key_states() -> list[KeyState]:
    """This machine's keys next to the fingerprints the database recorded."""
    from naranara.models import KeyFingerprint

    current = current_key_fingerprints()
    with _session() as session:
        recorded = {row.name: row for row in session.exec(select(KeyFingerprint))}
    return [
        KeyState(
            name=name,
            where=where,
            fingerprint=fingerprint,
            recorded=recorded[name].fingerprint if name in recorded else None,
            recorded_at=recorded[name].recorded_at if name in recorded else None,
        )
        for name, (where, fingerprint) in current.items()
    ]


def check_keys(*, say: Callable[[str], None] = print) -> None:
    """The first start records the keys' fingerprints; every later start compares."""
    from naranara.models import KeyFingerprint

    for state in key_states():
        if state.recorded is None:
            try:
                with _session() as session:
                    session.add(
                        KeyFingerprint(
                            name=state.name,
                            fingerprint=state.fingerprint,
                            recorded_at=clock.now(),
                        )
                    )
            except IntegrityError:
                # Another process recorded it first: compare with that one.
                return check_keys(say=say)
            say(f"Recorded the fingerprint of {state.name} ({state.fingerprint[:12]}…).")
            continue
        if not state.matches:
            raise StartRefused(
                f"This machine's {state.name} ({state.where}, fingerprint "
                f"{state.fingerprint[:12]}…) is not the one the database was set up with "
                f"(fingerprint {state.recorded[:12]}…, recorded {state.recorded_at:%Y-%m-%d %H:%M} "
                "UTC). Every web server and worker must use the same keys: copy them from the "
                "first machine (README: Scale-out). After a deliberate key rotation, run "
                "`naranara keys adopt` once."
            )
    return None


def adopt_keys() -> list[str]:
    """Record this machine's keys as the database's (after a deliberate rotation).
    Returns the names whose fingerprint changed."""
    from naranara.models import KeyFingerprint

    changed = []
    current = current_key_fingerprints()
    with _session() as session:
        for name, (_where, fingerprint) in current.items():
            row = session.get(KeyFingerprint, name)
            if row is None:
                session.add(
                    KeyFingerprint(name=name, fingerprint=fingerprint, recorded_at=clock.now())
                )
                changed.append(name)
            elif row.fingerprint != fingerprint:
                row.fingerprint = fingerprint
                row.recorded_at = clock.now()
                session.add(row)
                changed.append(name)
    return changed


# --- Together ---------------------------------------------------------------------------


def check_web(
    *, port: int, host: str, settings: Settings | None = None, say: Callable[[str], None] = print
) -> WebPlan:
    """Every check for a web server (``naranara serve`` and ``run``); refuses or plans."""
    settings = settings or get_settings()
    redis_url = redis_url_of(settings)
    workers = web_worker_count(settings.web_workers, redis_url)
    check_port_free(host, port)
    keyspace_ready = check_redis(redis_url, say=say) if redis_url else False
    try:
        check_keys(say=say)
    finally:
        # Close the checks' database connections before granian forks its workers: a
        # pooled connection inherited by two processes mixes their conversations
        # (psycopg: 'prepared statement "_pg3_0" already exists'; found by the scale test).
        from naranara.db import get_engine

        get_engine().dispose()
    return WebPlan(web_workers=workers, redis_url=redis_url, keyspace_ready=keyspace_ready)


def apply_to_environment(plan: WebPlan) -> None:
    """Hand the plan to Reflex and Granian through the environment the workers inherit."""
    os.environ["GRANIAN_WORKERS"] = str(plan.web_workers)
    if plan.redis_url:
        os.environ["REFLEX_REDIS_URL"] = plan.redis_url
    if plan.keyspace_ready:
        os.environ[KEYSPACE_READY_ENV] = "1"
        # Should a Reflex upgrade add a call site the skip misses, its CONFIG SET may be
        # refused without stopping the worker: the notifications are known to be there.
        os.environ["REFLEX_IGNORE_REDIS_CONFIG_ERROR"] = "1"
