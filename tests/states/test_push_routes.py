"""/push/*: JSON from this site only, the signed-in person's own devices, signed buttons."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from naranara import clock
from naranara.db import session_scope
from naranara.http import push_routes
from naranara.models import (
    CheckStatus,
    PushSubscription,
    ReminderKind,
    ReminderOccurrence,
    ReminderStatus,
    SelfCareCheck,
    User,
)
from naranara.reminders import actions, vapid
from naranara.services import self_care
from naranara.settings import get_settings
from tests.states.conftest import session_cookie_for
from tests.utils.push_receiver import PushReceiver

pytestmark = pytest.mark.usefixtures("seeded_db")
ORIGIN = "http://localhost"
ENDPOINT = "https://push.example.com/send/anna-phone"


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=push_routes.routes), base_url=ORIGIN)


@pytest.fixture
def keys() -> dict[str, str]:
    subscription = PushReceiver().new_subscription()  # keys as a browser makes them
    return {"p256dh": subscription.p256dh, "auth": subscription.auth}


def _post(
    client: TestClient,
    path: str,
    body: object,
    *,
    who: str | None = "anna",
    origin: str | None = ORIGIN,
    content_type: str = "application/json",
):  # noqa: ANN202 - an httpx response
    headers = {"content-type": content_type, "user-agent": "Mozilla/5.0 (Android 14) Chrome/126"}
    if origin is not None:
        headers["origin"] = origin
    if who is not None:
        headers["cookie"] = session_cookie_for(who)
    return client.post(path, content=json.dumps(body), headers=headers)


def _rows() -> list[PushSubscription]:
    with session_scope() as db:
        return list(db.exec(select(PushSubscription)).all())


def test_a_signed_in_resident_turns_reminders_on(client: TestClient, keys: dict) -> None:
    response = _post(client, "/push/prenumeration", {"endpoint": ENDPOINT, "keys": keys})
    assert response.status_code == 200 and response.json() == {"registered": True}
    [row] = _rows()
    assert (row.endpoint, row.device_label) == (ENDPOINT, "Chrome, Android")
    with session_scope() as db:
        assert db.get(User, row.user_id).username == "anna"


@pytest.mark.parametrize(
    ("origin", "content_type", "status"),
    [
        (None, "application/json", 403),  # no Origin: not our page
        ("https://evil.example", "application/json", 403),
        ("http://localhost.evil.example", "application/json", 403),
        (ORIGIN, "text/plain", 415),  # what a cross-site form can send
        (ORIGIN, "application/x-www-form-urlencoded", 415),
    ],
)
def test_only_json_from_this_site_is_taken(
    client: TestClient, keys: dict, origin: str | None, content_type: str, status: int
) -> None:
    body = {"endpoint": ENDPOINT, "keys": keys}
    for path in ("/push/prenumeration", "/push/prenumeration/ta-bort", "/push/atgard"):
        response = _post(client, path, body, origin=origin, content_type=content_type)
        assert response.status_code == status, path
    assert _rows() == []


def test_signed_out_visitors_register_nothing(client: TestClient, keys: dict) -> None:
    response = _post(client, "/push/prenumeration", {"endpoint": ENDPOINT, "keys": keys}, who=None)
    assert response.status_code == 401
    assert _rows() == []


@pytest.mark.parametrize(
    "body",
    [
        {"endpoint": "http://127.0.0.1:9/push/x"},
        {"endpoint": "ftp://push.example.com/x"},
        {"endpoint": ENDPOINT, "keys": {"p256dh": "short", "auth": "short"}},
        {"endpoint": ENDPOINT, "keys": "not an object"},
        ["not", "an", "object"],
    ],
)
def test_what_is_not_a_subscription_is_refused(
    client: TestClient, keys: dict, body: object
) -> None:
    if isinstance(body, dict) and "keys" not in body:
        body = {**body, "keys": keys}
    assert _post(client, "/push/prenumeration", body).status_code in (400, 422)
    assert _rows() == []


def test_a_local_endpoint_is_taken_when_the_setting_allows_it(
    client: TestClient, keys: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NARA_PUSH_ALLOW_LOCAL_ENDPOINTS", "1")
    get_settings.cache_clear()
    body = {"endpoint": "http://127.0.0.1:9/push/x", "keys": keys}
    assert _post(client, "/push/prenumeration", body).status_code == 200


def test_renewing_keeps_a_removed_device_away(client: TestClient, keys: dict) -> None:
    body = {"endpoint": ENDPOINT, "keys": keys, "renew": True}
    assert _post(client, "/push/prenumeration", body).status_code == 404
    assert _post(client, "/push/prenumeration", {**body, "renew": False}).status_code == 200
    assert _post(client, "/push/prenumeration", body).status_code == 200
    removed = _post(client, "/push/prenumeration/ta-bort", {"endpoint": ENDPOINT})
    assert removed.json() == {"removed": True}
    assert _post(client, "/push/prenumeration", body).status_code == 404


def test_another_person_cannot_take_or_remove_a_device(client: TestClient, keys: dict) -> None:
    assert _post(client, "/push/prenumeration", {"endpoint": ENDPOINT, "keys": keys}).is_success
    taken = _post(client, "/push/prenumeration", {"endpoint": ENDPOINT, "keys": keys}, who="erik")
    assert taken.status_code == 409
    removed = _post(client, "/push/prenumeration/ta-bort", {"endpoint": ENDPOINT}, who="erik")
    assert removed.json() == {"removed": False}
    assert len(_rows()) == 1


def test_the_public_key_is_the_servers_vapid_key(client: TestClient) -> None:
    key = client.get("/push/nyckel").json()["publicKey"]
    assert len(key) == 87  # 65 bytes, base64url without padding
    # The public half of the private key the server signs with, kept in its data folder.
    pem = (get_settings().data_dir / vapid.KEY_FILE_NAME).read_bytes()
    point = (
        serialization.load_pem_private_key(pem, password=None)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    assert base64.urlsafe_b64decode(key + "=") == point


def _annas_reminder() -> tuple[str, int, datetime]:
    """A self-care reminder of Anna's that was sent; its token, task and occurrence."""
    with session_scope() as db:
        anna = db.exec(select(User).where(User.username == "anna")).one()
        day = clock.today()
        due = self_care.occurrences_on(session=db, resident_id=anna.id, day=day)[0]
        now = clock.now()
        row = ReminderOccurrence(
            key=f"test:{due.task_id}:{due.at.isoformat()}",
            recipient_id=anna.id,
            resident_id=anna.id,
            kind=ReminderKind.SELF_CARE,
            task_id=due.task_id,
            occurrence_at=due.at,
            due_at=now,
            send_after=now,
            expires_at=now + timedelta(hours=1),
            status=ReminderStatus.SENT,
        )
        db.add(row)
        db.flush()
        return actions.action_token(row), due.task_id, due.at


def test_done_from_the_lock_screen_needs_no_cookie(client: TestClient) -> None:
    token, task_id, at = _annas_reminder()
    forged = _post(client, "/push/atgard", {"token": token + "x", "action": "done"}, who=None)
    assert forged.status_code == 403
    odd = _post(client, "/push/atgard", {"token": token, "action": "delete"}, who=None)
    assert odd.status_code == 403
    response = _post(client, "/push/atgard", {"token": token, "action": "done"}, who=None)
    assert response.status_code == 200
    assert response.json()["url"].startswith("/")
    with session_scope() as db:
        check = db.exec(
            select(SelfCareCheck).where(
                SelfCareCheck.task_id == task_id, SelfCareCheck.occurrence_at == at
            )
        ).one()
        assert check.status == CheckStatus.DONE
