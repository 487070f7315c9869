"""The HTTP routes that set and clear the session cookie, and the middleware around them."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from naranara.db import session_scope
from naranara.http import auth_routes
from naranara.http.middleware import SecurityHeadersMiddleware
from naranara.models import AuditEvent, User
from naranara.routes import safe_next
from naranara.services import sessions

pytestmark = pytest.mark.usefixtures("seeded_db")


@pytest.fixture
def client() -> TestClient:
    app = SecurityHeadersMiddleware(Starlette(routes=auth_routes.routes))
    return TestClient(app, base_url="http://localhost", follow_redirects=False)


def _ticket(device: str) -> str:
    with session_scope() as db:
        anna = db.exec(select(User).where(User.username == "anna")).one()
        return sessions.issue_login_ticket(session=db, user=anna, device_token=device).token


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/tider", "/tider"),
        (None, "/"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_is_never_an_open_redirect(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_first_visit_gets_an_httponly_device_cookie(client: TestClient) -> None:
    response = client.get("/auth/session")
    device = response.headers["set-cookie"]
    assert device.startswith("nara_device=") and "HttpOnly" in device and "SameSite=Lax" in device
    assert response.headers["x-content-type-options"] == "nosniff"
    client.cookies.set("nara_device", "already")
    again = client.get("/auth/session")
    assert "nara_device" not in again.headers.get("set-cookie", "")


def test_ticket_becomes_an_httponly_session_cookie_once(client: TestClient) -> None:
    ticket = _ticket("device-1")
    client.cookies.set("nara_device", "device-1")
    response = client.get("/auth/session", params={"ticket": ticket, "next": "/kontakter"})
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/fresh?next=%2Fkontakter"
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith("nara_session=")
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie
    token = set_cookie.split(";")[0].split("=", 1)[1]
    with session_scope() as db:
        assert sessions.resolve(session=db, token=token).username == "anna"

    replay = client.get("/auth/session", params={"ticket": ticket})
    assert replay.status_code == 303
    assert replay.headers["location"] == "/logga-in?fel=utgangen"
    assert "nara_session=" not in replay.headers.get("set-cookie", "")


def test_ticket_from_another_browser_is_refused(client: TestClient) -> None:
    ticket = _ticket("victims-device")
    client.cookies.set("nara_device", "attackers-device")
    response = client.get("/auth/session", params={"ticket": ticket})
    assert response.headers["location"] == "/logga-in?fel=utgangen"
    assert "nara_session=" not in response.headers.get("set-cookie", "")


def test_sign_out_is_post_only_and_ends_the_session(client: TestClient) -> None:
    with session_scope() as db:
        anna = db.exec(select(User).where(User.username == "anna")).one()
        token = sessions.start_session(session=db, user=anna)
    client.cookies.set("nara_session", token)
    assert client.get("/auth/logout").status_code == 405
    response = client.post("/auth/logout")
    assert response.status_code == 303
    assert (
        'nara_session=""' in response.headers["set-cookie"]
        or "Max-Age=0" in response.headers["set-cookie"]
    )
    with session_scope() as db:
        assert sessions.resolve(session=db, token=token) is None


def test_sign_out_everywhere_ends_every_session_of_the_person(client: TestClient) -> None:
    with session_scope() as db:
        anna = db.exec(select(User).where(User.username == "anna")).one()
        phone = sessions.start_session(session=db, user=anna)
        laptop = sessions.start_session(session=db, user=anna)
    client.cookies.set("nara_session", phone)
    assert client.post("/auth/logout-all").status_code == 303
    with session_scope() as db:
        assert sessions.resolve(session=db, token=phone) is None
        assert sessions.resolve(session=db, token=laptop) is None


def test_sign_in_and_sign_out_are_audited(client: TestClient) -> None:
    ticket = _ticket("device-1")
    client.cookies.set("nara_device", "device-1")
    response = client.get("/auth/session", params={"ticket": ticket})
    client.cookies.set(
        "nara_session", response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    )
    client.post("/auth/logout")
    client.post("/auth/logout")  # nothing left to end: not audited twice
    with session_scope() as db:
        anna = db.exec(select(User).where(User.username == "anna")).one()
        events = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.kind, e.actor_id, e.subject_id) for e in events] == [
        ("sign_in", anna.id, anna.id),
        ("sign_out", anna.id, anna.id),
    ]
    assert all(e.client_hash for e in events)


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    headers = client.get("/auth/session").headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "default-src 'self'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in csp
    permissions = {
        part.strip().split("=")[0]: part.strip().split("=")[1]
        for part in headers["permissions-policy"].split(",")
    }
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert permissions[feature] == "()", feature
    # Plain http on localhost: no HSTS (it would pin the developer's browser to https).
    assert "strict-transport-security" not in headers


def test_after_a_change_of_person_the_tab_gets_a_fresh_reflex_client(client: TestClient) -> None:
    page = client.get("/auth/fresh", params={"next": "/tider?x=1"})
    assert page.headers["cache-control"] == "no-store"
    assert "sessionStorage.removeItem('token')" in page.text
    assert 'location.replace("/tider?x=1")' in page.text
    # Its one inline script runs by its hash: the page's own policy names exactly that.
    (script,) = re.findall(r"<script>(.*?)</script>", page.text)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    script_src = next(
        d for d in page.headers["content-security-policy"].split("; ") if d.startswith("script-src")
    )
    assert script_src == f"script-src 'self' 'sha256-{digest}'"
    broken_out = client.get("/auth/fresh", params={"next": "/tider</script><script>alert(1)"})
    assert "</script><script>alert" not in broken_out.text
    assert 'location.replace("/")' in broken_out.text
    elsewhere = client.get("/auth/fresh", params={"next": "https://evil.example/"})
    assert 'location.replace("/")' in elsewhere.text
