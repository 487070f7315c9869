"""The thin states: identity only from the session cookie, policy before data, texts per locale."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from naranara import clock
from naranara.db import session_scope
from naranara.models import AuditEvent, AuthSession, CalendarFeed, SelfCareCheck
from naranara.routes import sign_in_again_path
from naranara.services import guidance_content
from naranara.settings import get_settings
from naranara.states import login
from naranara.states.agreed_times import AgreedTimesState
from naranara.states.care_contacts import CareContactsState
from naranara.states.guidance import GuidanceArticleState, GuidanceLibraryState
from naranara.states.login import LoginState
from naranara.states.page_open import PageOpenState
from naranara.states.session import SessionState, current_viewer, report_backend_error, t
from naranara.states.today import TodayState
from tests.states.conftest import session_cookie_for, sibling, state_for

pytestmark = pytest.mark.usefixtures("seeded_db")


def _run(result):  # noqa: ANN001, ANN202
    """A handler's result, awaited when the handler is ``async``, as Reflex runs it."""
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def test_an_unknown_text_fails_at_compile_time_not_in_front_of_a_reader() -> None:
    with pytest.raises(KeyError):
        t("A message nobody translated")
    assert "texts" in str(t("Sign in"))


def _opened(cookie: str = "", path: str = "/") -> tuple[PageOpenState, SessionState]:
    """A page opened as Reflex opens it (PageOpenState.load, the shell's first on_load)."""
    opening = state_for(PageOpenState, cookie=cookie, path=path)
    return opening, sibling(opening, SessionState)


def test_visitor_gets_swedish_then_the_language_of_their_cookie() -> None:
    opening, state = _opened()
    _run(PageOpenState.load.fn(opening))
    assert (state.checked, state.signed_in, state.locale) == (True, False, "sv")
    assert state.texts == {}  # Swedish is compiled into the components (session.t)

    opening, state = _opened(cookie="nara_lang=en")
    state.language_cookie = "en"
    _run(PageOpenState.load.fn(opening))
    assert state.locale == "en"
    assert state.texts["Sign in"] == "Sign in"


def test_tabs_share_one_catalog_per_language_instead_of_a_copy_each() -> None:
    first, second = state_for(SessionState), state_for(SessionState)
    assert first.texts is second.texts  # the same object: no copy per tab
    first._apply_locale("en")
    assert (first.texts["Sign in"], second.texts) == ("Sign in", {})
    third = state_for(SessionState)
    third._apply_locale("en")
    assert third.texts is first.texts  # the same object: no 730-entry copy per tab


def test_swedish_is_in_the_components_and_other_languages_index_the_catalog() -> None:
    compiled = str(t("Sign in"))
    assert '"Logga in"' in compiled  # the Swedish text itself, in the page's code
    assert 'texts_rx_state_?.["Sign in"]' in compiled  # another language's catalog


def test_signed_in_person_comes_from_the_server_side_session() -> None:
    opening, state = _opened(cookie=session_cookie_for("anna"))
    _run(PageOpenState.load.fn(opening))
    assert (state.signed_in, state.display_name, state.role) == (True, "Anna Lindqvist", "resident")

    opening, forged = _opened(cookie="nara_session=made-up-token")
    _run(PageOpenState.load.fn(opening))
    assert forged.signed_in is False


def test_private_page_sends_a_visitor_to_sign_in_with_the_way_back() -> None:
    opening, _ = _opened(path="/tider")
    events = _run(PageOpenState.require_sign_in.fn(opening))
    assert any("/logga-in?next=/tider" in str(event) for event in events)
    # Signed in: no redirect, the page is shown.
    opening, state = _opened(cookie=session_cookie_for("anna"), path="/tider")
    assert _run(PageOpenState.require_sign_in.fn(opening)) == []
    assert state.signed_in


@pytest.mark.parametrize(
    ("form", "cookie", "error"),
    [
        ({"username": "", "password": ""}, "nara_device=d", login.ERROR_MISSING),
        ({"username": "anna", "password": "wrong"}, "nara_device=d", login.ERROR_CREDENTIALS),
        ({"username": "nobody", "password": "nara-demo"}, "nara_device=d", login.ERROR_CREDENTIALS),
        ({"username": "anna", "password": "nara-demo"}, "", login.ERROR_NO_COOKIES),
    ],
)
async def test_sign_in_refusals_keep_the_username(form: dict, cookie: str, error: str) -> None:
    state = state_for(LoginState, cookie=cookie, path="/logga-in")
    assert await LoginState.submit.fn(state, form) is None
    assert state.error == error
    assert state.username == form["username"]
    assert state.busy is False


async def test_sign_in_hands_over_a_ticket_through_a_full_page_load() -> None:
    state = state_for(LoginState, cookie="nara_device=d", path="/logga-in?next=/kontakter")
    assert (
        await LoginState.submit.fn(state, {"username": " Anna ", "password": "nara-demo"}) is None
    )
    # Not JavaScript for eval: a named browser function (assets/browser.js) and its path.
    command = json.loads((await state.get_state(SessionState)).browser_command)
    assert command["name"] == "fullPageLoad"
    (path,) = command["args"]
    assert path.startswith("/auth/session?ticket=")
    assert "next=%2Fkontakter" in path
    assert state.error == ""
    assert state.busy is True


def test_sent_to_sign_in_again_the_page_says_why_and_keeps_the_way_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "NARA_OIDC_PROVIDERS",
        '[{"name": "bankid", "label": "BankID", "issuer": "http://127.0.0.1:9", '
        '"client_id": "nara", "client_secret": "s", "audience": "resident"}]',
    )
    get_settings.cache_clear()
    state = state_for(LoginState, path=sign_in_again_path("/tider"))
    LoginState.load.fn(state)
    assert state.confirming is True
    assert (
        "bekrafta=1" in state.providers[0]["href"] and "next=%2Ftider" in state.providers[0]["href"]
    )
    plain = state_for(LoginState, path="/logga-in?next=/tider")
    LoginState.load.fn(plain)
    assert plain.confirming is False and "bekrafta" not in plain.providers[0]["href"]


def test_the_viewer_knows_when_they_signed_in() -> None:
    state = state_for(TodayState, cookie=session_cookie_for("anna"))
    viewer = current_viewer(state)
    assert viewer is not None and viewer.signed_in_at is not None
    assert clock.now() - viewer.signed_in_at < timedelta(minutes=1)


def test_today_needs_a_session_and_shows_the_resident_their_day() -> None:
    anonymous = state_for(TodayState)
    _run(TodayState.load.fn(anonymous))
    assert anonymous.loaded is False and anonymous.tasks == []

    state = state_for(TodayState, cookie=session_cookie_for("anna"))
    _run(TodayState.load.fn(state))
    assert state.loaded and state.has_own_care
    assert state.greeting == "Hej Anna"
    assert [task.title for task in state.tasks] == [
        "Väg dig",
        "Promenera 20 minuter",
        "Mät blodtrycket",
    ]
    assert state.next_time[0].purpose == "Uppföljning av hjärtsvikt"
    assert " kl. 10.00" in state.next_time[0].when


def test_a_relative_without_grants_sees_no_care_data() -> None:
    for state_class in (TodayState, AgreedTimesState, CareContactsState):
        state = state_for(state_class, cookie=session_cookie_for("erik"))
        _run(state_class.load.fn(state))
        assert state.loaded is True
    today = state_for(TodayState, cookie=session_cookie_for("erik"))
    _run(TodayState.load.fn(today))
    assert today.has_own_care is False and today.tasks == [] and today.next_time == []
    assert today.role_notice == "När någon ger dig behörighet att hjälpa till visas det här."
    staff = state_for(TodayState, cookie=session_cookie_for("sara"))
    _run(TodayState.load.fn(staff))
    assert staff.has_own_care is False and staff.tasks == []
    assert "egenvårdsråd" in staff.role_notice
    times = state_for(AgreedTimesState, cookie=session_cookie_for("erik"))
    AgreedTimesState.load.fn(times)
    assert times.allowed is False and times.upcoming == [] and times.past == []


def _checks() -> set[tuple[int, datetime, str]]:
    """Every recorded mark; the demo data has a fortnight of them already."""
    with session_scope() as db:
        return {(c.task_id, c.occurrence_at, c.status) for c in db.exec(select(SelfCareCheck))}


def test_marking_done_is_refused_for_someone_elses_task() -> None:
    anna = state_for(TodayState, cookie=session_cookie_for("anna"))
    _run(TodayState.load.fn(anna))
    task = next(task for task in anna.tasks if not task.done)
    before = _checks()

    erik = state_for(TodayState, cookie=session_cookie_for("erik"))
    _run(TodayState.load.fn(erik))
    _run(TodayState.toggle_done.fn(erik, task.task_id, task.occurrence_at))
    assert erik.message == "Det gick inte att spara. Ladda om sidan och försök igen."
    assert _checks() == before

    _run(TodayState.toggle_done.fn(anna, task.task_id, task.occurrence_at))
    assert anna.message == ""
    assert next(t for t in anna.tasks if t.task_id == task.task_id).done is True
    marked = datetime.fromisoformat(task.occurrence_at)
    assert _checks() - before == {(task.task_id, marked, "done")}


def test_marking_done_rejects_a_moment_that_is_no_occurrence() -> None:
    anna = state_for(TodayState, cookie=session_cookie_for("anna"))
    _run(TodayState.load.fn(anna))
    before = _checks()
    _run(TodayState.toggle_done.fn(anna, anna.tasks[0].task_id, "2020-01-01T03:17:00+00:00"))
    assert anna.message != ""
    assert _checks() == before


async def test_guidance_is_public_in_the_readers_language() -> None:
    library = state_for(GuidanceLibraryState)
    await GuidanceLibraryState.load.fn(library)
    swedish = [s for s in guidance_content.load_sources() if s.variant == "sv"]
    assert len(library.articles) == len(swedish)
    assert library.articles[0].reading_time.endswith("min läsning")

    article = state_for(GuidanceArticleState, path="/egenvard/vag-dig-vid-hjartsvikt")
    await GuidanceArticleState.load.fn(article)
    original = next(s for s in swedish if s.slug == "vag-dig-vid-hjartsvikt")
    assert article.found and article.article.title == original.title
    assert "<h2>" in article.article.body_html


async def test_the_library_says_which_other_versions_each_article_has() -> None:
    library = state_for(GuidanceLibraryState)
    await GuidanceLibraryState.load.fn(library)
    weighing = next(a for a in library.articles if a.slug == "vag-dig-vid-hjartsvikt")
    assert [(v.label, v.lang, v.current) for v in weighing.versions] == [
        ("Lättläst", "sv", False),
        ("English", "en", False),
    ]
    assert weighing.versions[1].href == "/egenvard/vag-dig-vid-hjartsvikt?variant=en"
    assert all("English" in [v.label for v in a.versions] for a in library.articles)

    english = state_for(GuidanceLibraryState, cookie="nara_lang=en")
    english_session = await english.get_state(SessionState)
    english_session.language_cookie = "en"
    await GuidanceLibraryState.load.fn(english)
    sleep = next(a for a in english.articles if a.slug == "sov-battre")
    assert sleep.title == "Sleep better"
    assert "Svenska" in [v.label for v in sleep.versions]
    assert "English" not in [v.label for v in sleep.versions]


async def test_an_article_names_all_its_versions_and_offers_tasks_in_the_words_read() -> None:
    path = "/egenvard/vag-dig-vid-hjartsvikt?variant=en"
    article = state_for(GuidanceArticleState, cookie=session_cookie_for("anna"), path=path)
    await GuidanceArticleState.load.fn(article)
    assert (article.article.lang, article.article.title) == (
        "en",
        "Weigh yourself every day when you have heart failure",
    )
    assert [(v.label, v.lang, v.current) for v in article.variants] == [
        ("Svenska", "sv", False),
        ("Lättläst", "sv", False),
        ("English", "en", True),
    ]
    assert [task.title for task in article.tasks] == ["Weigh yourself every morning"]
    assert article.tasks[0].href.endswith("artikel=vag-dig-vid-hjartsvikt&mall=vag-dig&variant=en")


def test_an_unexpected_error_becomes_a_calm_banner_not_an_english_alert() -> None:
    event = report_backend_error(RuntimeError("database went away"))
    assert event.handler.fn is SessionState.note_failure.fn
    state = state_for(SessionState)
    SessionState.note_failure.fn(state)
    assert state.failed is True
    SessionState.dismiss_failure.fn(state)
    assert state.failed is False


def test_the_app_module_assembles() -> None:
    """Reflex validates handlers, pages and transformers when the app is built."""
    from naranara.naranara import app

    assert app.backend_exception_handler is report_backend_error


async def test_guessing_is_throttled_with_a_clear_wait_and_no_enumeration() -> None:
    for username in ("anna", "nobody"):
        state = state_for(LoginState, cookie="nara_device=d", path="/logga-in")
        for _ in range(5):
            await LoginState.submit.fn(state, {"username": username, "password": "wrong"})
            assert state.error == login.ERROR_CREDENTIALS
        await LoginState.submit.fn(state, {"username": username, "password": "nara-demo"})
        assert state.error == ""
        assert state.wait_notice == "För många försök. Vänta 1 minut och försök igen."
        assert state.busy is False
    with session_scope() as db:
        kinds = [event.kind for event in db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert kinds == (["sign_in_failed"] * 5 + ["sign_in_throttled"]) * 2


def test_a_calendar_link_needs_a_recent_sign_in() -> None:
    cookie = session_cookie_for("anna")
    with session_scope() as db:
        row = db.exec(select(AuthSession).order_by(AuthSession.created_at.desc())).first()
        row.created_at -= timedelta(hours=2)
        db.add(row)
    state = state_for(AgreedTimesState, cookie=cookie, path="/tider")
    AgreedTimesState.load.fn(state)
    event = AgreedTimesState.create_feed.fn(state)
    assert "/logga-in?bekrafta=1&next=%2Ftider" in str(event)
    assert state.feed_link == ""
    with session_scope() as db:
        assert db.exec(select(CalendarFeed)).all() == []


def test_the_sign_in_page_can_show_every_message_of_the_login_state() -> None:
    # pages/sign_in.py matches LoginState.error against ERRORS: one missing would show an
    # empty alert.
    messages = {value for name, value in vars(login).items() if name.startswith("ERROR_")}
    assert set(login.ERRORS) == messages
