"""Serve the production build on one port, building the frontend only when it changed.

``reflex run --env prod`` rebuilds the JavaScript bundle on every start. Here
the bundle is rebuilt with ``reflex export`` only when a fingerprint of what
goes into it changes, so a second start takes seconds.
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


def build_fingerprint(port: int) -> str:
    """Everything the compiled frontend depends on: sources, catalogs, port, Reflex version."""
    digest = hashlib.sha256(f"reflex={version('reflex')};port={port}".encode())
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
    fingerprint = build_fingerprint(port)
    stamp = _web_dir() / "nara-build.fingerprint"
    built = _web_dir() / "build" / "client" / "index.html"
    if built.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return False
    env = {**os.environ, "NARA_PORT": str(port)}
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
    os.environ["NARA_PORT"] = str(port)
    os.chdir(PROJECT_ROOT)
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
    print(f"Nära is running on http://localhost:{port} (stop with Ctrl+C)", flush=True)
    environment.REFLEX_ENV_MODE.set(Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    reflex_exec.run_backend_prod(
        host,
        port,
        loglevel=LogLevel(get_settings().log_level.lower()),
        mount_frontend_compiled_app=True,
    )
