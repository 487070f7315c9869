"""Four eyes in the editor: the author is not offered "Godkänn och publicera", and a
reviewer approves the text the page showed them, not whatever the version holds later."""

from __future__ import annotations

import pytest
from sqlmodel import select

from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.models import GuidanceArticle, Role, User
from naranara.services import accounts, guidance_editor
from naranara.states.guidance_editor import GuidanceEditorArticleState
from tests.states.conftest import session_cookie_for, state_for

pytestmark = pytest.mark.usefixtures("seeded_db")

FORM = {
    "title": "Drick vatten",
    "summary": "Lagom mycket.",
    "category": "hjartsvikt",
    "reading_minutes": "2",
    "responsible_unit": "Hälsocentralen",
    "reviewed_on": "2026-10-01",
    "warning_markdown": "Ring 1177 om du blir svullen.",
    "body_markdown": "Drick enligt din plan.",
}
S = GuidanceEditorArticleState


def _in_review() -> int:
    """An article by Stina (staff), sent for review; its id."""
    with session_scope() as db:
        stina = db.exec(select(User).where(User.username == "stina")).first()
        if stina is None:
            stina = accounts.create_user(
                session=db, username="stina", display_name="Stina Skribent", role=Role.STAFF
            )
        version = guidance_editor.create_article(
            session=db, editor_id=stina.id, slug="drick-vatten", variant="sv", values=FORM
        )
        guidance_editor.submit_for_review(session=db, editor_id=stina.id, version_id=version.id)
        return version.article_id


def _opened(username: str, article_id: int) -> GuidanceEditorArticleState:
    state = state_for(
        S, cookie=session_cookie_for(username), path=f"/redaktion/artikel?artikel={article_id}"
    )
    S.load.fn(state)
    assert state.allowed and state.status == "in_review"
    return state


def _is_live(article_id: int) -> bool:
    with session_scope() as db:
        return db.get(GuidanceArticle, article_id).published_at is not None


def test_the_author_is_not_offered_approve_and_publish_but_another_staff_member_is() -> None:
    article_id = _in_review()
    assert _opened("stina", article_id).may_publish is False
    assert _opened("sara", article_id).may_publish is True


def test_whoever_changed_the_text_last_is_not_offered_it_either() -> None:
    article_id = _in_review()
    sara = _opened("sara", article_id)
    S.save.fn(sara, {**FORM, "slug": "drick-vatten", "variant": "sv", "title": "Drick mer"})
    S.submit_for_review.fn(sara)
    assert sara.status == "in_review" and sara.may_publish is False


def test_the_author_pressing_publish_anyway_is_refused() -> None:
    article_id = _in_review()
    stina = _opened("stina", article_id)
    S.publish.fn(stina, {"publish_at": ""})  # a forged event: the button is not there
    assert "någon annan" in stina.form_error
    assert not _is_live(article_id)


def test_a_change_after_the_reviewer_opened_the_text_refuses_and_shows_the_new_text() -> None:
    article_id = _in_review()
    sara = _opened("sara", article_id)
    assert sara.values["warning_markdown"] == FORM["warning_markdown"]
    # Meanwhile, in another tab, the author rewrites the warning and sends it again.
    stina = _opened("stina", article_id)
    changed = {**FORM, "slug": "drick-vatten", "variant": "sv", "warning_markdown": "Ingen fara."}
    S.save.fn(stina, changed)
    S.submit_for_review.fn(stina)
    # Sara presses Publicera on what she read: refused, with the reason and the new text.
    S.publish.fn(sara, {"publish_at": ""})
    assert sara.form_error == gettext("sv", guidance_editor.ContentChanged().message)
    assert not _is_live(article_id)
    assert sara.values["warning_markdown"] == "Ingen fara."
    assert "Ingen fara." in str(sara.preview)
    # Having been shown the new text, she approves exactly that.
    S.publish.fn(sara, {"publish_at": ""})
    assert sara.form_error == "" and _is_live(article_id)
    with session_scope() as db:
        assert db.get(GuidanceArticle, article_id).warning_markdown == "Ingen fara."


def test_unchanged_text_publishes_at_the_first_press() -> None:
    article_id = _in_review()
    sara = _opened("sara", article_id)
    S.publish.fn(sara, {"publish_at": ""})
    assert sara.form_error == "" and _is_live(article_id)
