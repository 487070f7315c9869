"""Serve the production build on one port, building the frontend only when it changed.

``reflex run --env prod`` rebuilds the JavaScript bundle on every start. Here
the bundle is rebuilt with ``reflex export`` only when a fingerprint of what
goes into it changes, so a second start takes seconds. The bundle does not depend on
the port (naranara/frontend_plugins.py): one build serves any port.

Before anything starts, ``naranara/start_checks.py`` refuses a setup that would
misbehave (several web workers without Redis, a port already served, Redis without
keyspace notifications, keys other than the database was set up with).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from naranara.settings import PROJECT_ROOT, get_settings

_INPUTS = ("rxconfig.py", "naranara", "assets", "locales")


def build_fingerprint() -> str:
    """Everything the compiled frontend depends on: sources, catalogs, Reflex version."""
    digest = hashlib.sha256(f"reflex={version('reflex')}".encode())
    for name in _INPUTS:
        root = PROJECT_ROOT / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _reflex(*args: str) -> list[str]:
    return [sys.executable, "-m", "reflex", *args]


def _web_dir() -> Path:
    """Reflex's working directory: ``.web``, or ``REFLEX_WEB_WORKDIR`` (the tests' own)."""
    from reflex.utils.prerequisites import get_web_dir

    return PROJECT_ROOT / get_web_dir()


def ensure_frontend_build(port: int) -> bool:
    """Build the frontend if it is missing or stale. Returns True if it built."""
    fingerprint = build_fingerprint()
    stamp = _web_dir() / "nara-build.fingerprint"
    built = _web_dir() / "build" / "client" / "index.html"
    if built.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return False
    env = {**os.environ, "NARA_PORT": str(port)}
    # The build needs no Redis (and must not depend on one being up).
    for name in ("NARA_REDIS_URL", "REFLEX_REDIS_URL"):
        env.pop(name, None)
    subprocess.run(
        _reflex("export", "--frontend-only", "--no-zip", "--env", "prod"),
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
    )
    stamp.write_text(fingerprint)
    return True


def serve(port: int, host: str = "0.0.0.0") -> None:
    """Run the backend with the built frontend mounted: one port, production mode."""
    from naranara import start_checks

    os.environ["NARA_PORT"] = str(port)
    os.chdir(PROJECT_ROOT)
    # Refuses (SystemExit with the reason) before the build, so a mistake costs seconds.
    plan = start_checks.check_web(port=port, host=host)
    start_checks.apply_to_environment(plan)
    ensure_frontend_build(port)

    # Reflex's own prod runner, minus its unconditional rebuild (reflex 0.10).
    from reflex.constants import Env, LogLevel
    from reflex.utils import exec as reflex_exec
    from reflex_base.environment import environment

    from naranara import logs

    logs.configure()
    # Granian sets up logging from a dict in its server and again in every worker; Reflex
    # hands it none outside its own CLI. Hand it ours, so granian's lines are formatted and
    # redacted like all others (reflex is pinned; tests/unit/test_logs.py checks the name).
    reflex_exec._granian_log_dictconfig = logs.granian_dictconfig
    print(
        f"Nära is running on http://localhost:{port} with {plan.web_workers} web worker(s)"
        f"{' and Redis' if plan.redis_url else ''} (stop with Ctrl+C)",
        flush=True,
    )
    environment.REFLEX_ENV_MODE.set(Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    reflex_exec.run_backend_prod(
        host,
        port,
        loglevel=LogLevel(get_settings().log_level.lower()),
        mount_frontend_compiled_app=True,
    )
