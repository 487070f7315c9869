"""/utan-nat: the offline page names no one; the copy only for a device its resident chose;
check-offs as JSON from this site, each taken once; signing out clears what the browser
kept (Clear-Site-Data) and the device's copy."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from naranara import clock
from naranara.db import session_scope
from naranara.http import auth_routes, offline_routes
from naranara.models import (
    CheckOffReceipt,
    GuidanceArticle,
    OfflineCopyDevice,
    SelfCareCheck,
    User,
)
from naranara.services import offline_copy, self_care
from tests.states.conftest import session_cookie_for

pytestmark = pytest.mark.usefixtures("seeded_db")
ORIGIN = "http://localhost"
DEVICE = "device-1"  # the device cookie session_cookie_for sends


@pytest.fixture
def client() -> TestClient:
    app = Starlette(routes=[*offline_routes.routes, *auth_routes.routes])
    return TestClient(app, base_url=ORIGIN, follow_redirects=False)


def _user_id(username: str) -> int:
    with session_scope() as db:
        return db.exec(select(User).where(User.username == username)).one().id


def _keep(username: str, device: str = DEVICE) -> None:
    with session_scope() as db:
        offline_copy.turn_on(session=db, user_id=_user_id(username), device_token=device)


def _get(client: TestClient, path: str, who: str | None = "anna"):  # noqa: ANN202
    headers = {"cookie": session_cookie_for(who)} if who else {}
    return client.get(path, headers=headers)


def _post(
    client: TestClient, body: object, *, who: str | None = "anna", origin: str | None = ORIGIN
):  # noqa: ANN202
    headers = {"content-type": "application/json"}
    if origin:
        headers["origin"] = origin
    if who:
        headers["cookie"] = session_cookie_for(who)
    return client.post("/utan-nat/avbockningar", content=json.dumps(body), headers=headers)


def test_the_offline_page_is_swedish_and_names_no_one(client: TestClient) -> None:
    response = _get(client, "/utan-nat")
    assert response.status_code == 200
    assert '<html lang="sv">' in response.text
    assert "Du är utan nät just nu" in response.text
    assert "Anna" not in response.text and "Väg dig" not in response.text
    english = client.get("/utan-nat", headers={"cookie": "nara_lang=en"})
    assert "You have no connection right now" in english.text and '<html lang="en">' in english.text


def test_the_copy_is_only_for_a_device_its_resident_chose(client: TestClient) -> None:
    assert _get(client, "/utan-nat/kopia").status_code == 404  # not turned on
    _keep("anna")
    response = _get(client, "/utan-nat/kopia")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    copy = response.json()
    assert copy["version"] == offline_copy.VERSION
    assert copy["updatedLabel"].startswith("Uppdaterad i dag ")
    assert any(task["title"] == "Väg dig" for task in copy["tasks"])
    assert copy["contacts"] and all(
        c["tel"].startswith("tel:+") for c in copy["contacts"] if c["tel"]
    )
    # Another browser of hers, signed out, a relative, staff: nothing.
    other_device = session_cookie_for("anna").replace(DEVICE, "device-2")
    assert client.get("/utan-nat/kopia", headers={"cookie": other_device}).status_code == 404
    assert _get(client, "/utan-nat/kopia", who=None).status_code == 404
    for username in ("erik", "sara", "alva"):
        _keep(username)
        assert _get(client, "/utan-nat/kopia", who=username).status_code == 404, username


def test_fetching_the_copy_is_noted_for_profil(client: TestClient) -> None:
    _keep("anna")
    _get(client, "/utan-nat/kopia")
    with session_scope() as db:
        row = db.exec(select(OfflineCopyDevice)).one()
        assert row.refreshed_at is not None and abs(row.refreshed_at - clock.now()).seconds < 60


def _todays_first(username: str = "anna") -> tuple[int, str]:
    with session_scope() as db:
        [first, *_] = self_care.occurrences_on(
            session=db, resident_id=_user_id(username), day=clock.local_now().date()
        )
    return first.task_id, first.at.isoformat()


def test_check_offs_are_taken_once_and_answered_each(client: TestClient) -> None:
    task_id, at = _todays_first()
    item = {"key": "k" * 32, "taskId": task_id, "occurrenceAt": at, "status": "done"}
    first = _post(client, {"checkOffs": [item, {"key": "bad"}]})
    assert first.status_code == 200
    assert first.json()["results"] == [
        {"key": "k" * 32, "outcome": "recorded", "repeated": False, "message": "Sparat."},
        {"key": "bad", "outcome": "invalid"},
    ]
    again = _post(client, {"checkOffs": [item]})
    assert again.json()["results"][0]["repeated"] is True
    with session_scope() as db:
        [check] = db.exec(
            select(SelfCareCheck).where(
                SelfCareCheck.task_id == task_id,
                SelfCareCheck.occurrence_at == datetime.fromisoformat(at),
            )
        ).all()
        assert check.status.value == "done"
        assert len(db.exec(select(CheckOffReceipt)).all()) == 1


def test_a_relative_without_the_self_care_scope_marks_nothing(client: TestClient) -> None:
    task_id, at = _todays_first()
    item = {"key": "r" * 32, "taskId": task_id, "occurrenceAt": at}
    with session_scope() as db:
        before = len(db.exec(select(SelfCareCheck)).all())
    for username in ("sara", "alva"):
        response = _post(client, {"checkOffs": [{**item, "key": username * 8}]}, who=username)
        assert response.json()["results"][0]["outcome"] == "not-allowed", username
    with session_scope() as db:
        assert len(db.exec(select(SelfCareCheck)).all()) == before


@pytest.mark.parametrize(
    ("body", "who", "origin", "status"),
    [
        ({"checkOffs": []}, "anna", None, 403),
        ({"checkOffs": []}, "anna", "https://evil.example", 403),
        ({"checkOffs": []}, None, ORIGIN, 401),
        ({"checkOffs": "x"}, "anna", ORIGIN, 400),
        ({"checkOffs": [{}] * 51}, "anna", ORIGIN, 400),
        (["not", "an", "object"], "anna", ORIGIN, 400),
    ],
)
def test_what_is_not_a_queue_of_check_offs_is_refused(
    client: TestClient, body: object, who: str | None, origin: str | None, status: int
) -> None:
    assert _post(client, body, who=who, origin=origin).status_code == status


def test_a_form_on_another_site_cannot_post_check_offs(client: TestClient) -> None:
    response = client.post(
        "/utan-nat/avbockningar",
        content="checkOffs=1",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "origin": ORIGIN,
            "cookie": session_cookie_for("anna"),
        },
    )
    assert response.status_code == 415


@pytest.mark.parametrize("path", ["/auth/logout", "/auth/logout-all"])
def test_signing_out_clears_the_site_data_and_the_devices_copy(
    client: TestClient, path: str
) -> None:
    _keep("anna")
    _keep("anna", "anna-other-phone")
    _keep("erik")  # someone else on this shared browser: signing out clears it too
    response = client.post(path, headers={"cookie": session_cookie_for("anna")})
    assert response.headers["clear-site-data"] == '"cache", "storage"'
    with session_scope() as db:
        left = {(row.user_id, row.device_hash) for row in db.exec(select(OfflineCopyDevice)).all()}
    device, other = offline_copy.device_hash(DEVICE), offline_copy.device_hash("anna-other-phone")
    if path == "/auth/logout":
        assert left == {(_user_id("anna"), other)}
    else:  # everywhere: none of her devices keeps a copy; Erik's choice is his own
        assert left == {(_user_id("erik"), device)}


def test_signing_out_answers_json_with_clear_site_data_too(client: TestClient) -> None:
    response = client.post(
        "/auth/logout",
        headers={"cookie": session_cookie_for("anna"), "accept": "application/json"},
    )
    assert response.json() == {"end_session_url": None}
    assert response.headers["clear-site-data"] == '"cache", "storage"'


ARTICLE = "vag-dig-vid-hjartsvikt"


@pytest.mark.parametrize("who", [None, "anna", "erik"])
def test_an_article_to_keep_offline_is_for_anyone_worded_as_its_page(
    client: TestClient, who: str | None
) -> None:
    response = _get(client, f"/utan-nat/artikel/sv/{ARTICLE}", who=who)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"  # the worker keeps it, no one else
    article = response.json()
    assert article["title"] == "Väg dig varje dag när du har hjärtsvikt"
    assert (article["path"], article["variant"], article["lang"]) == (
        f"/egenvard/{ARTICLE}",
        "sv",
        "sv",
    )
    # When to seek care travels with the advice, sanitised as on the article page.
    assert "<strong>Ring 112</strong>" in article["warningHtml"]
    assert article["html"].startswith("<") and "<script" not in article["html"]


def test_an_offline_article_is_the_version_asked_for_else_the_readers_language(
    client: TestClient,
) -> None:
    easy = _get(client, f"/utan-nat/artikel/sv-lattlast/{ARTICLE}").json()
    assert (easy["variant"], easy["lang"]) == ("sv-lattlast", "sv")
    # No such version: the reader's language where it exists (English here), else Swedish.
    english = client.get(
        f"/utan-nat/artikel/xx/{ARTICLE}", headers={"cookie": "nara_lang=en"}
    ).json()
    assert (english["variant"], english["lang"]) == ("en", "en")
    swedish = _get(client, f"/utan-nat/artikel/xx/{ARTICLE}").json()
    assert swedish["variant"] == "sv"


def test_an_article_not_published_is_not_kept_offline(client: TestClient) -> None:
    assert _get(client, "/utan-nat/artikel/sv/finns-inte").status_code == 404
    with session_scope() as db:
        for article in db.exec(
            select(GuidanceArticle).where(GuidanceArticle.slug == ARTICLE)
        ).all():
            article.published_at = clock.now() + timedelta(days=1)  # scheduled, not yet out
            db.add(article)
    assert _get(client, f"/utan-nat/artikel/sv/{ARTICLE}").status_code == 404
