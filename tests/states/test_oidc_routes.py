"""Sign-in through a real OpenID Provider (npm oidc-provider), routes run in-process.

Three provider processes: the one the region configured, another issuer (for an
ID token that comes from somewhere else) and one whose clock is two hours behind
(its ID tokens arrive expired). The browser is played by two HTTP clients: one for
the app (cookies of ``localhost:8321``), one for the provider.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlmodel import func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from naranara.db import session_scope
from naranara.http import auth_routes, oidc_routes
from naranara.http.middleware import SecurityHeadersMiddleware
from naranara.i18n import ui_texts
from naranara.models import (
    AuditEvent,
    AuditKind,
    AuthSession,
    ExternalIdentity,
    ProxyScope,
    Role,
    User,
)
from naranara.services import demo_data, enrolment, external_identities, invitations, sessions
from naranara.settings import get_settings
from naranara.states import login
from tests.states.conftest import state_for
from tests.utils.oidc import RunningProvider, sign_in_at_provider, start_provider

APP = "http://localhost:8321"
PERSONNUMMER_SCOPE = "https://id.oidc.se/scope/naturalPersonNumber"

pytestmark = pytest.mark.usefixtures("seeded_db")


def _callback(name: str) -> str:
    return f"{APP}/auth/oidc/{name}/callback"


@pytest.fixture(scope="module")
def providers() -> Iterator[dict[str, RunningProvider]]:
    started: dict[str, RunningProvider] = {}
    try:
        started["main"] = start_provider(
            redirect_uris=[_callback("testid"), _callback("personal"), _callback("bankid")],
            post_logout_redirect_uris=[f"{APP}/"],
        )
        started["other"] = start_provider(redirect_uris=[_callback("mixup")])
        started["late"] = start_provider(redirect_uris=[_callback("skewed")], clock_skew_s=-7200)
        yield started
    finally:
        for provider in started.values():
            provider.stop()


@pytest.fixture
def app(
    seeded_db: str, providers: dict[str, RunningProvider], monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    main, other, late = providers["main"], providers["other"], providers["late"]
    config = [
        main.config("testid", label="Test-ID"),
        main.config("personal", label="Personal-ID", audience="staff"),
        # Configured as the main issuer, but discovery (and so the tokens) come from another.
        main.config(
            "mixup",
            label="Mix-up",
            metadata_url=f"{other.issuer}/.well-known/openid-configuration",
        ),
        late.config("skewed", label="Sen klocka"),
        # Asks for the personnummer, as a BankID broker's client for residents does.
        main.config("bankid", label="BankID", scope=f"openid profile {PERSONNUMMER_SCOPE}"),
    ]
    monkeypatch.setenv("NARA_OIDC_PROVIDERS", json.dumps(config))
    monkeypatch.setenv("NARA_SECRET_KEY", "test-secret-for-the-oidc-cookie-0123456789")
    monkeypatch.setenv("NARA_OIDC_LEEWAY_SECONDS", "60")
    get_settings.cache_clear()
    asgi = SecurityHeadersMiddleware(Starlette(routes=[*auth_routes.routes, *oidc_routes.routes]))
    with TestClient(asgi, base_url=APP, follow_redirects=False) as client:
        yield client
    get_settings.cache_clear()


@pytest.fixture
def provider_http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def _begin(app: TestClient, name: str, next_path: str = "/") -> str:
    response = app.get(f"/auth/oidc/{name}/login", params={"next": next_path})
    assert response.status_code == 302, response.text
    return response.headers["location"]


def _sign_in(
    app: TestClient, provider_http: httpx.Client, name: str, login: str, next_path: str = "/"
) -> httpx.Response:
    authorize = _begin(app, name, next_path)
    back = sign_in_at_provider(provider_http, authorize, login=login, back_to=_callback(name))
    return app.get(back)


def _session_cookie(response: httpx.Response) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("nara_session="):
            value = header.split(";")[0].split("=", 1)[1]
            return value or None
    return None


def _assert_refused(response: httpx.Response, code: str) -> None:
    assert response.status_code == 303
    assert response.headers["location"] == f"/logga-in?fel={code}"
    assert _session_cookie(response) is None
    assert code in oidc_routes.ERROR_CODES


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _identities(subject: str) -> int:
    with session_scope() as db:
        return db.exec(
            select(func.count())
            .select_from(ExternalIdentity)
            .where(ExternalIdentity.subject == subject)
        ).one()


def test_authorization_request_uses_pkce_state_and_nonce(
    app: TestClient, providers: dict[str, RunningProvider]
) -> None:
    authorize = _begin(app, "testid")
    assert authorize.startswith(providers["main"].issuer + "/")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["redirect_uri"] == [_callback("testid")]
    assert query["response_type"] == ["code"]
    assert "openid" in query["scope"][0].split()
    oidc_cookie = next(
        h
        for h in app.get("/auth/oidc/testid/login").headers.get_list("set-cookie")
        if h.startswith("nara_oidc=")
    )
    assert "path=/auth/oidc" in oidc_cookie and "httponly" in oidc_cookie.lower()
    # The verifier and nonce travel in a signed cookie, never in the URL.
    assert "code_verifier" not in authorize


def test_signing_in_again_makes_the_provider_ask_again(app: TestClient) -> None:
    plain = parse_qs(urlsplit(_begin(app, "testid")).query)
    assert "prompt" not in plain
    response = app.get("/auth/oidc/testid/login", params={"next": "/tider", "bekrafta": "1"})
    assert parse_qs(urlsplit(response.headers["location"]).query)["prompt"] == ["login"]


def test_first_sign_in_creates_a_resident_and_the_second_links_to_it(
    app: TestClient, provider_http: httpx.Client
) -> None:
    first = _sign_in(app, provider_http, "testid", "ny-invanare", next_path="/tider")
    assert first.status_code == 303
    assert first.headers["location"] == "/auth/fresh?next=%2Fvalkommen"
    set_cookie = next(
        h for h in first.headers.get_list("set-cookie") if h.startswith("nara_session=")
    )
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie
    first_token = _session_cookie(first)
    with session_scope() as db:
        user = sessions.resolve(session=db, token=first_token)
        assert user is not None
        assert (user.role, user.display_name, user.locale) == (
            Role.RESIDENT,
            "Test ny-invanare",
            "sv",
        )
        assert user.password_hash is None
        first_user_id = user.id
        users_before = db.exec(select(func.count()).select_from(User)).one()
    assert _identities("ny-invanare") == 1

    app.cookies.set("nara_session", first_token)
    second = _sign_in(app, provider_http, "testid", "ny-invanare", next_path="/tider")
    assert second.headers["location"] == "/auth/fresh?next=%2Ftider"
    second_token = _session_cookie(second)
    assert second_token and second_token != first_token
    with session_scope() as db:
        assert sessions.resolve(session=db, token=second_token).id == first_user_id
        # The browser's earlier session ended: a sign-in always gets a new session id.
        assert sessions.resolve(session=db, token=first_token) is None
        assert db.exec(select(func.count()).select_from(User)).one() == users_before
    assert _identities("ny-invanare") == 1


def test_a_first_sign_in_on_the_way_to_an_invitation_goes_back_to_it(
    app: TestClient, provider_http: httpx.Client
) -> None:
    """Not /valkommen: the browser holds the invitation it opened (states/invitation.py),
    and plain /inbjudan offers it; the code itself is in no address of the detour."""
    device = "a-device-cookie-of-the-helpers-browser"
    app.cookies.set(get_settings().device_cookie_name, device)
    with session_scope() as db:
        anna = db.exec(select(User).where(User.username == "anna")).one()
        made = invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.CARE_PLAN})
        invitations.hold(session=db, invitation=made.invitation, device_token=device)
    first = _sign_in(app, provider_http, "testid", "ny-hjalpare", next_path="/inbjudan")
    assert first.headers["location"] == "/auth/fresh?next=%2Finbjudan"
    with session_scope() as db:
        user = sessions.resolve(session=db, token=_session_cookie(first))
        assert user is not None and user.display_name == "Test ny-hjalpare"
        # A relative's account, as one made with a password from the invitation.
        assert user.role is Role.RELATIVE


def test_asking_for_the_invitation_without_holding_one_makes_a_residents_account(
    app: TestClient, provider_http: httpx.Client
) -> None:
    """``next=/inbjudan`` is only an address: without an invitation held for this
    browser, a first sign-in makes a resident's account, as any other."""
    first = _sign_in(app, provider_http, "testid", "utan-inbjudan", next_path="/inbjudan")
    with session_scope() as db:
        user = sessions.resolve(session=db, token=_session_cookie(first))
        assert user is not None and user.role is Role.RESIDENT


def test_another_subject_gets_another_account(app: TestClient, provider_http: httpx.Client) -> None:
    one = _session_cookie(_sign_in(app, provider_http, "testid", "person-ett"))
    # Another person on another device: other cookies at the app and the provider.
    app.cookies.clear()
    with httpx.Client(timeout=10) as other_device:
        two = _session_cookie(_sign_in(app, other_device, "testid", "person-tva"))
    with session_scope() as db:
        assert (
            sessions.resolve(session=db, token=one).id != sessions.resolve(session=db, token=two).id
        )


def test_tampered_state_is_refused(app: TestClient, provider_http: httpx.Client) -> None:
    authorize = _begin(app, "testid")
    back = sign_in_at_provider(
        provider_http, authorize, login="state-test", back_to=_callback("testid")
    )
    state = parse_qs(urlsplit(back).query)["state"][0]
    tampered = _with_query(back, state=state[:-2] + ("AA" if state[-2:] != "AA" else "BB"))
    _assert_refused(app.get(tampered), oidc_routes.ERROR_STATE)
    assert _identities("state-test") == 0


def test_callback_without_the_browser_that_started_it_is_refused(
    app: TestClient, provider_http: httpx.Client
) -> None:
    authorize = _begin(app, "testid")
    back = sign_in_at_provider(
        provider_http, authorize, login="other-browser", back_to=_callback("testid")
    )
    app.cookies.clear()
    _assert_refused(app.get(back), oidc_routes.ERROR_STATE)


def test_wrong_nonce_is_refused(app: TestClient, provider_http: httpx.Client) -> None:
    authorize = _with_query(_begin(app, "testid"), nonce="a-nonce-the-app-never-made")
    back = sign_in_at_provider(
        provider_http, authorize, login="nonce-test", back_to=_callback("testid")
    )
    _assert_refused(app.get(back), oidc_routes.ERROR_INVALID)
    assert _identities("nonce-test") == 0


def test_id_token_from_another_issuer_is_refused(
    app: TestClient, provider_http: httpx.Client, providers: dict[str, RunningProvider]
) -> None:
    authorize = _begin(app, "mixup")
    assert authorize.startswith(providers["other"].issuer + "/")
    back = sign_in_at_provider(
        provider_http, authorize, login="mixup-test", back_to=_callback("mixup")
    )
    _assert_refused(app.get(back), oidc_routes.ERROR_INVALID)
    assert _identities("mixup-test") == 0


def test_expired_id_token_is_refused(app: TestClient, provider_http: httpx.Client) -> None:
    back = sign_in_at_provider(
        provider_http, _begin(app, "skewed"), login="late-test", back_to=_callback("skewed")
    )
    _assert_refused(app.get(back), oidc_routes.ERROR_EXPIRED)
    assert _identities("late-test") == 0


def test_replayed_callback_is_refused(app: TestClient, provider_http: httpx.Client) -> None:
    authorize = _begin(app, "testid")
    started_cookie = app.cookies.get("nara_oidc", path="/auth/oidc")
    back = sign_in_at_provider(
        provider_http, authorize, login="replay-test", back_to=_callback("testid")
    )
    assert _session_cookie(app.get(back)) is not None
    # The same browser again: its state was used up.
    _assert_refused(app.get(back), oidc_routes.ERROR_STATE)
    # An attacker replaying the whole request, cookie with state and verifier included:
    # the provider refuses the used code.
    attacker = TestClient(app.app, base_url=APP, follow_redirects=False)
    attacker.cookies.set("nara_oidc", started_cookie, domain="localhost", path="/auth/oidc")
    _assert_refused(attacker.get(back), oidc_routes.ERROR_STATE)
    assert _identities("replay-test") == 1


def test_cancelled_at_the_provider_is_explained(app: TestClient) -> None:
    authorize = _begin(app, "testid")
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    response = app.get(
        "/auth/oidc/testid/callback", params={"error": "access_denied", "state": state}
    )
    _assert_refused(response, oidc_routes.ERROR_REFUSED)


def test_unknown_provider_is_not_found(app: TestClient) -> None:
    assert app.get("/auth/oidc/nope/login").status_code == 404


def test_staff_are_never_created_only_linked(
    app: TestClient, provider_http: httpx.Client, providers: dict[str, RunningProvider]
) -> None:
    _assert_refused(
        _sign_in(app, provider_http, "personal", "sara-hsa-id"),
        oidc_routes.ERROR_NO_STAFF_ACCOUNT,
    )
    assert _identities("sara-hsa-id") == 0
    with session_scope() as db:
        sara = db.exec(select(User).where(User.username == "sara")).one()
        external_identities.link(
            session=db, user_id=sara.id, issuer=providers["main"].issuer, subject="sara-hsa-id"
        )
        sara_id = sara.id
    response = _sign_in(app, provider_http, "personal", "sara-hsa-id", next_path="/profil")
    assert response.headers["location"] == "/auth/fresh?next=%2Fprofil"
    with session_scope() as db:
        user = sessions.resolve(session=db, token=_session_cookie(response))
        assert (user.id, user.role) == (sara_id, Role.STAFF)


def test_sign_out_continues_at_the_provider(
    app: TestClient, provider_http: httpx.Client, providers: dict[str, RunningProvider]
) -> None:
    signed_in = _sign_in(app, provider_http, "testid", "logout-test")
    token = _session_cookie(signed_in)
    with session_scope() as db:
        row = db.get(AuthSession, sessions.token_digest(token))
        id_token = row.oidc_id_token
        assert id_token and row.oidc_issuer == providers["main"].issuer
    app.cookies.set("nara_session", token)
    answer = app.post("/auth/logout", headers={"Accept": "application/json"})
    end_session = answer.json()["end_session_url"]
    assert end_session.startswith(providers["main"].issuer + "/")
    query = parse_qs(urlsplit(end_session).query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == [f"{APP}/"]
    with session_scope() as db:
        assert sessions.resolve(session=db, token=token) is None
        assert db.get(AuthSession, sessions.token_digest(token)).oidc_id_token is None
    # The provider accepts the hint and sends the browser back to the app.
    page = provider_http.get(end_session)
    assert page.status_code == 200, page.text[:500]
    form = {
        name: value
        for name, value in __import__("re").findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text
        )
    }
    action = __import__("re").search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
    done = provider_http.post(httpx.URL(end_session).join(action), data={**form, "logout": "yes"})
    assert done.is_redirect
    assert done.headers["location"].startswith(f"{APP}/")


def test_password_sign_out_stays_local(app: TestClient) -> None:
    with session_scope() as db:
        anna = db.exec(select(User).where(User.username == "anna")).one()
        token = sessions.start_session(session=db, user=anna)
    app.cookies.set("nara_session", token)
    response = app.post("/auth/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/fresh?next=%2F%3Futloggad%3D1"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (oidc_routes.ERROR_STATE, login.ERROR_OIDC_STATE),
        (oidc_routes.ERROR_INVALID, login.ERROR_OIDC_INVALID),
        (oidc_routes.ERROR_EXPIRED, login.ERROR_OIDC_EXPIRED),
        (oidc_routes.ERROR_REFUSED, login.ERROR_OIDC_REFUSED),
        (oidc_routes.ERROR_NO_STAFF_ACCOUNT, login.ERROR_OIDC_NO_STAFF_ACCOUNT),
        (oidc_routes.ERROR_UNAVAILABLE, login.ERROR_OIDC_UNAVAILABLE),
        ("utgangen", login.ERROR_EXPIRED),
    ],
)
def test_sign_in_page_explains_each_refusal_in_swedish(code: str, message: str) -> None:
    assert set(login.ERRORS_BY_CODE) == set(oidc_routes.ERROR_CODES)
    state = state_for(login.LoginState, path=f"/logga-in?fel={code}")
    login.LoginState.load.fn(state)
    assert state.error == message
    swedish = ui_texts("sv")[message]
    assert swedish and swedish != message


def test_sign_in_page_has_one_button_per_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    state = state_for(login.LoginState, path="/logga-in?next=/tider")
    login.LoginState.load.fn(state)
    assert state.providers == []  # the embedded default: the page looks as before
    monkeypatch.setenv(
        "NARA_OIDC_PROVIDERS",
        json.dumps(
            [
                {
                    "name": name,
                    "label": label,
                    "issuer": f"https://{name}.example",
                    "client_id": "c",
                    "client_secret": "s",
                    "audience": audience,
                }
                for name, label, audience in [
                    ("bankid", "BankID", "resident"),
                    ("siths", "SITHS", "staff"),
                ]
            ]
        ),
    )
    get_settings.cache_clear()
    try:
        login.LoginState.load.fn(state)
    finally:
        get_settings.cache_clear()
    assert state.providers == [
        {"label": "BankID", "href": "/auth/oidc/bankid/login?next=%2Ftider"},
        {"label": "SITHS", "href": "/auth/oidc/siths/login?next=%2Ftider"},
    ]


# --- enrolled residents (issue 13): the personnummer claim finds the enrolled account


def _greta_with_a_code() -> tuple[int, str]:
    """Greta is enrolled (194812249987) and has not activated her account; a fresh code."""
    with session_scope() as db:
        demo_data.seed_care(db)
        waiting = demo_data.demo_activation(db)
        greta = db.exec(select(User).where(User.username == waiting.username)).one()
        return greta.id, waiting.code


def _users() -> int:
    with session_scope() as db:
        return db.exec(select(func.count()).select_from(User)).one()


def _from_the_sheet(app: TestClient, provider_http: httpx.Client, code: str, login: str):  # noqa: ANN202
    start = app.get("/auth/oidc/bankid/login", params={"next": "/valkommen", "aktivering": code})
    assert PERSONNUMMER_SCOPE in parse_qs(urlsplit(start.headers["location"]).query)["scope"][0]
    back = sign_in_at_provider(
        provider_http, start.headers["location"], login=login, back_to=_callback("bankid")
    )
    assert code not in back  # the code stayed in the signed cookie, never in an address
    return app.get(back)


def test_an_enrolled_resident_activates_with_her_e_identification(
    app: TestClient, provider_http: httpx.Client
) -> None:
    greta_id, code = _greta_with_a_code()
    users = _users()
    response = _from_the_sheet(app, provider_http, code, "greta-194812249987")
    assert response.headers["location"] == "/auth/fresh?next=%2Fvalkommen"
    with session_scope() as db:
        assert sessions.resolve(session=db, token=_session_cookie(response)).id == greta_id
        assert enrolment.is_activated(session=db, resident_id=greta_id)
    assert _users() == users  # never a second account for an enrolled person
    # Later, without the sheet: the same account.
    again = _sign_in(app, provider_http, "bankid", "greta-194812249987")
    with session_scope() as db:
        assert sessions.resolve(session=db, token=_session_cookie(again)).id == greta_id
    assert _users() == users


def test_a_matching_personnummer_without_the_sheet_finds_the_enrolled_account(
    app: TestClient, provider_http: httpx.Client
) -> None:
    greta_id, _ = _greta_with_a_code()
    users = _users()
    response = _sign_in(app, provider_http, "bankid", "bankid-greta-194812249987")
    with session_scope() as db:
        assert sessions.resolve(session=db, token=_session_cookie(response)).id == greta_id
    assert _users() == users


def test_someone_else_with_her_sheet_is_refused(
    app: TestClient, provider_http: httpx.Client
) -> None:
    greta_id, code = _greta_with_a_code()
    users = _users()
    response = _from_the_sheet(app, provider_http, code, "someone-191212121212")
    _assert_refused(response, oidc_routes.ERROR_NOT_ENROLLED_PERSON)
    assert _users() == users and _identities("someone-191212121212") == 0
    with session_scope() as db:
        assert not enrolment.is_activated(session=db, resident_id=greta_id)
        refused = db.exec(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.ACTIVATION_FAILED.value)
        ).all()
    assert [e.detail for e in refused] == ["method=oidc provider=bankid"]
    # Her code still works for her (on her own phone: no one else signed in at the provider).
    with httpx.Client(timeout=10) as her_phone:
        ok = _from_the_sheet(app, her_phone, code, "greta-194812249987")
    assert ok.headers["location"] == "/auth/fresh?next=%2Fvalkommen"
