"""The server's VAPID identity (RFC 8292) that push services know our pushes by.

The key pair is made on first start and kept in ``data_dir/vapid_private_key.pem``
(mode 0600, outside git), unless ``NARA_VAPID_PRIVATE_KEY`` gives one. It must
never change once browsers have subscribed: their subscriptions are bound to the
public key, and a new key silently ends every one of them.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from py_vapid.utils import b64urlencode

from naranara import clock
from naranara.settings import get_settings

KEY_FILE_NAME = "vapid_private_key.pem"
# Apple refuses tokens valid for more than 24 h; 12 h leaves room for clock skew.
TOKEN_LIFETIME_SECONDS = 12 * 60 * 60
# A cached token is renewed when it has less than this left.
TOKEN_RENEW_SECONDS = 60 * 60


@lru_cache
def _key(data_dir: Path, configured: str) -> Vapid:
    if configured:
        text = configured.strip()
        if text.startswith("-----BEGIN"):
            return Vapid.from_pem(text.encode())
        return Vapid.from_string(text)
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fresh = Vapid()
        fresh.generate_keys()
        # O_EXCL: of two processes starting at once (web and worker), one writes, both read.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(fresh.private_pem())
    return Vapid.from_pem(path.read_bytes())


def vapid_key() -> Vapid:
    """The private key that signs every push's VAPID token."""
    settings = get_settings()
    return _key(settings.data_dir, settings.vapid_private_key)


def public_key_b64url() -> str:
    """The public key as the page passes it to ``pushManager.subscribe`` (applicationServerKey)."""
    raw = vapid_key().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64urlencode(raw)


def fresh_claims() -> dict[str, str | int]:
    """Claims for one push. A new dict every call: pywebpush writes ``aud`` into it."""
    return {
        "sub": get_settings().vapid_subject,
        "exp": int(clock.real_now().timestamp()) + TOKEN_LIFETIME_SECONDS,
    }


# (key, subject, audience) -> (headers, exp). Signing is the dearest step of a push
# after encryption, and one token per push service serves every push to it.
_tokens: dict[tuple[int, str, str], tuple[dict[str, str], int]] = {}


def authorization_headers(endpoint: str) -> dict[str, str]:
    """``Authorization: vapid t=…, k=…`` for the push service of ``endpoint``.

    One signed token per push service origin (``aud``), renewed an hour before its
    12 h expiry, rather than one signature per push.
    """
    parts = urlsplit(endpoint)
    audience = f"{parts.scheme}://{parts.netloc}"
    key = vapid_key()
    subject = get_settings().vapid_subject
    cache_key = (id(key), subject, audience)
    now = int(clock.real_now().timestamp())
    cached = _tokens.get(cache_key)
    if cached is None or cached[1] - now < TOKEN_RENEW_SECONDS:
        claims = {**fresh_claims(), "aud": audience}
        cached = (key.sign(claims), int(claims["exp"]))
        _tokens[cache_key] = cached
    return dict(cached[0])
