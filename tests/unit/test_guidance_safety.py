"""Article text is rendered safely, in the body and the warning box; images are checked
by their content and served only from Nära's own route."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from naranara.http import guidance_routes
from naranara.services import guidance_images
from naranara.services.guidance import render_markdown
from naranara.settings import get_settings
from tests.unit.test_guidance import assert_safe, elements
from tests.utils.xss_payloads import FLAG, XSS_PAYLOADS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def test_there_are_enough_payloads() -> None:
    assert len(set(XSS_PAYLOADS)) >= 30


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_payload_survives_rendering(payload: str) -> None:
    html = render_markdown(payload)
    assert_safe_with_own_images(html)
    for _, attrs in elements(html):
        assert not any(name.startswith("on") or name == "style" for name in attrs), html
        for name in ("href", "src"):
            assert FLAG not in (attrs.get(name) or ""), html


def assert_safe_with_own_images(html: str) -> None:
    """As tests/unit/test_guidance.assert_safe, except images from the image route."""
    images = [attrs for tag, attrs in elements(html) if tag == "img"]
    for attrs in images:
        assert set(attrs) <= {"src", "alt"}, html
        assert guidance_images.NAME.match(attrs["src"].rsplit("/", 1)[-1]), html
        assert attrs["src"].startswith("/bilder/egenvard/"), html
    without_images = html
    for attrs in images:
        without_images = without_images.replace(f'<img src="{attrs["src"]}"', "<x")
    assert_safe(without_images.replace("<x", "<p"))


def test_own_images_are_kept_and_others_dropped() -> None:
    name = hashlib.sha256(PNG).hexdigest() + ".png"
    html = render_markdown(f"![Blodtrycksmätare](/bilder/egenvard/{name})")
    assert elements(html) == [
        ("p", {}),
        ("img", {"src": f"/bilder/egenvard/{name}", "alt": "Blodtrycksmätare"}),
    ]
    for other in ("https://www.1177.se/bild.png", "/bilder/egenvard/../../secret_key", "x.png"):
        assert "<img" not in render_markdown(f"![x]({other})")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NARA_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize(("content", "kind"), [(PNG, "png"), (JPEG, "jpg"), (WEBP, "webp")])
def test_images_are_recognised_by_their_bytes(data_dir: Path, content: bytes, kind: str) -> None:
    address = guidance_images.store(content)
    assert address == f"/bilder/egenvard/{hashlib.sha256(content).hexdigest()}.{kind}"
    assert (data_dir / "guidance-images" / address.rsplit("/", 1)[-1]).read_bytes() == content


@pytest.mark.parametrize(
    "content",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"GIF89a" + b"\x00" * 20,
        b"<html><script>alert(1)</script></html>",
        b"RIFF\x10\x00\x00\x00AVI " + b"\x00" * 20,
        b"",
    ],
)
def test_other_files_are_refused_whatever_they_are_called(data_dir: Path, content: bytes) -> None:
    with pytest.raises(guidance_images.ImageRefused) as refused:
        guidance_images.store(content)
    assert refused.value.reason == "typ"
    assert not (data_dir / "guidance-images").exists() or not any(
        (data_dir / "guidance-images").iterdir()
    )


def test_images_over_two_megabytes_are_refused(data_dir: Path) -> None:
    with pytest.raises(guidance_images.ImageRefused) as refused:
        guidance_images.store(PNG + b"\x00" * guidance_images.MAX_BYTES)
    assert refused.value.reason == "storlek"
    guidance_images.store(PNG + b"\x00" * (guidance_images.MAX_BYTES - len(PNG)))


def test_the_route_serves_stored_images_and_nothing_else(data_dir: Path) -> None:
    address = guidance_images.store(PNG)
    (data_dir / "secret_key").write_text("not for the web")
    client = TestClient(Starlette(routes=guidance_routes.routes))
    response = client.get(address)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == PNG
    for other in ("secret_key", "..%2Fsecret_key", "0" * 64 + ".png", "x.svg"):
        assert client.get(f"/bilder/egenvard/{other}").status_code == 404
