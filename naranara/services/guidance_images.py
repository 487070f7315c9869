"""Images staff upload for articles: checked by their content, kept under the data dir.

Only PNG, JPEG and WebP, recognised by their first bytes (never by the name or the type
the browser claims), at most 2 MB. A file is named by the SHA-256 of its bytes, so the
name says nothing of its author and the same image uploaded twice is kept once; the
Markdown renderer lets images in only from the route that serves these names.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from naranara import routes
from naranara.i18n import N_
from naranara.settings import get_settings

MAX_BYTES = 2 * 1024 * 1024
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpg|webp)$")


# Why an image was refused (as the editor's address carries it) -> the message id.
REFUSALS = {
    "storlek": N_("The image is larger than 2 MB. Make it smaller and try again."),
    "typ": N_("Only PNG, JPEG and WebP images can be used."),
}


class ImageRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # a key of REFUSALS


def image_dir() -> Path:
    return get_settings().data_dir / "guidance-images"


def kind_of(content: bytes) -> str | None:
    """ "png", "jpg" or "webp" from the file's signature, or None."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return None


def store(content: bytes) -> str:
    """Keep an uploaded image; returns its address for Markdown (``/bilder/egenvard/…``)."""
    if len(content) > MAX_BYTES:
        raise ImageRefused("storlek")
    kind = kind_of(content)
    if kind is None:
        raise ImageRefused("typ")
    name = f"{hashlib.sha256(content).hexdigest()}.{kind}"
    directory = image_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if not path.exists():
        temporary = path.with_suffix(".part")
        temporary.write_bytes(content)
        temporary.replace(path)
    return f"{routes.GUIDANCE_IMAGES}/{name}"


def path_of(name: str) -> Path | None:
    """The stored file behind a name from the address, or None for any other name."""
    if not NAME.match(name):
        return None
    path = image_dir() / name
    return path if path.is_file() else None
