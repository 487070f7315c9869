"""Staff's guidance workflow: draft → review by someone else → published, and what residents see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from naranara import clock, inputs
from naranara.inputs import InputInvalid
from naranara.models import AuditEvent, GuidanceArticle, GuidanceVersion, Role, VersionStatus
from naranara.services import guidance, guidance_editor, guidance_search
from naranara.services.guidance_editor import GuidanceError
from tests.utils.factories import make_user

pytestmark = pytest.mark.time_sensitive

FORM = {
    "title": "Mät blodtrycket hemma",
    "summary": "Så mäter du rätt.",
    "category": "hogt-blodtryck",
    "reading_minutes": "3",
    "responsible_unit": "Hälsocentralen Nacksta",
    "reviewed_on": "2026-10-01",
    "warning_markdown": "Ring **112** vid bröstsmärta.",
    "body_markdown": "## Så gör du\n\nSitt still fem minuter.",
}


@pytest.fixture
def staff(db: Session) -> tuple[int, int]:
    first = make_user(db, username="stina", role=Role.STAFF)
    second = make_user(db, username="sara", role=Role.STAFF)
    db.commit()
    return first.id, second.id


def _draft(db: Session, author: int, **changes: str) -> int:
    version = guidance_editor.create_article(
        session=db, editor_id=author, slug="blodtryck", variant="sv", values={**FORM, **changes}
    )
    db.commit()
    return version.id


def _visible_titles(db: Session) -> list[str]:
    return [a.title for a in guidance.published_articles(session=db, locale="sv")]


def test_a_draft_is_not_visible_until_another_staff_member_publishes_it(
    db: Session, staff: tuple[int, int]
) -> None:
    author, reviewer = staff
    version_id = _draft(db, author)
    assert _visible_titles(db) == []
    guidance_editor.submit_for_review(session=db, editor_id=author, version_id=version_id)
    assert _visible_titles(db) == []
    with pytest.raises(GuidanceError) as refused:
        guidance_editor.publish(
            session=db,
            reviewer_id=author,
            version_id=version_id,
            reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=version_id),
        )
    assert "someone else" in refused.value.message
    assert _visible_titles(db) == []
    guidance_editor.publish(
        session=db,
        reviewer_id=reviewer,
        version_id=version_id,
        reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=version_id),
    )
    db.commit()
    assert _visible_titles(db) == ["Mät blodtrycket hemma"]
    article = guidance.article_by_slug(session=db, slug="blodtryck", locale="sv")
    assert article.warning_markdown == "Ring **112** vid bröstsmärta."


def test_whoever_changed_the_text_last_cannot_approve_it_either(
    db: Session, staff: tuple[int, int]
) -> None:
    author, other = staff
    version_id = _draft(db, author)
    article_id = guidance_editor.latest_version(session=db, article_id=1).article_id
    guidance_editor.save_draft(
        session=db, editor_id=other, article_id=article_id, values={**FORM, "title": "Ändrad"}
    )
    guidance_editor.submit_for_review(session=db, editor_id=other, version_id=version_id)
    for person in (author, other):
        with pytest.raises(GuidanceError):
            guidance_editor.publish(
                session=db,
                reviewer_id=person,
                version_id=version_id,
                reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=version_id),
            )


def test_a_draft_can_only_be_published_through_review(db: Session, staff: tuple[int, int]) -> None:
    author, reviewer = staff
    version_id = _draft(db, author)
    with pytest.raises(GuidanceError):
        guidance_editor.publish(
            session=db,
            reviewer_id=reviewer,
            version_id=version_id,
            reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=version_id),
        )
    assert _visible_titles(db) == []


def _published(db: Session, author: int, reviewer: int) -> GuidanceArticle:
    version_id = _draft(db, author)
    guidance_editor.submit_for_review(session=db, editor_id=author, version_id=version_id)
    version = guidance_editor.publish(
        session=db,
        reviewer_id=reviewer,
        version_id=version_id,
        reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=version_id),
    )
    db.commit()
    return db.get(GuidanceArticle, version.article_id)


def test_editing_a_published_article_changes_nothing_residents_see_until_published(
    db: Session, staff: tuple[int, int]
) -> None:
    author, reviewer = staff
    article = _published(db, author, reviewer)
    draft = guidance_editor.save_draft(
        session=db,
        editor_id=author,
        article_id=article.id,
        values={**FORM, "title": "Nytt utkast", "body_markdown": "Hemlig ny text."},
    )
    db.commit()
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    assert _visible_titles(db) == ["Mät blodtrycket hemma"]
    assert guidance_search.search(session=db, query="hemlig", locale="sv") == []
    guidance_editor.submit_for_review(session=db, editor_id=author, version_id=draft.id)
    guidance_editor.publish(
        session=db,
        reviewer_id=reviewer,
        version_id=draft.id,
        reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=draft.id),
    )
    db.commit()
    assert _visible_titles(db) == ["Nytt utkast"]
    assert [a.title for a in guidance_search.search(session=db, query="hemlig", locale="sv")] == [
        "Nytt utkast"
    ]
    statuses = [v.status for v in guidance_editor.versions_of(session=db, article_id=article.id)]
    assert statuses == [VersionStatus.PUBLISHED, VersionStatus.REPLACED]


def test_scheduled_publishing_goes_live_when_its_time_has_come(
    db: Session, staff: tuple[int, int]
) -> None:
    author, reviewer = staff
    version_id = _draft(db, author)
    guidance_editor.submit_for_review(session=db, editor_id=author, version_id=version_id)
    # Approved three hours ago for an hour ago: due now, and not a moment before.
    approved = clock.now() - timedelta(hours=3)
    scheduled_for = approved + timedelta(hours=2)
    version = guidance_editor.publish(
        session=db,
        reviewer_id=reviewer,
        version_id=version_id,
        reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=version_id),
        at=scheduled_for,
        now=approved,
    )
    db.commit()
    assert version.status == VersionStatus.SCHEDULED
    assert _visible_titles(db) == []
    just_before = scheduled_for - timedelta(seconds=1)
    assert guidance_editor.publish_due(session=db, now=just_before) == 0
    assert _visible_titles(db) == []
    assert guidance_editor.publish_due(session=db) == 1
    assert guidance_editor.publish_due(session=db) == 0
    assert _visible_titles(db) == ["Mät blodtrycket hemma"]
    assert guidance_search.search(session=db, query="blodtrycket", locale="sv")


def test_unpublishing_hides_the_article_and_its_search_hits(
    db: Session, staff: tuple[int, int]
) -> None:
    author, reviewer = staff
    article = _published(db, author, reviewer)
    assert guidance_search.search(session=db, query="blodtrycket", locale="sv")
    guidance_editor.unpublish(session=db, reviewer_id=reviewer, article_id=article.id)
    db.commit()
    assert _visible_titles(db) == []
    assert guidance.article_by_slug(session=db, slug="blodtryck", locale="sv") is None
    assert guidance_search.search(session=db, query="blodtrycket", locale="sv") == []
    with pytest.raises(GuidanceError):
        guidance_editor.unpublish(session=db, reviewer_id=reviewer, article_id=article.id)


def test_restoring_makes_a_new_draft_of_an_old_version(db: Session, staff: tuple[int, int]) -> None:
    author, reviewer = staff
    article = _published(db, author, reviewer)
    first = guidance_editor.latest_version(session=db, article_id=article.id)
    second = guidance_editor.save_draft(
        session=db, editor_id=author, article_id=article.id, values={**FORM, "title": "Andra"}
    )
    guidance_editor.submit_for_review(session=db, editor_id=author, version_id=second.id)
    guidance_editor.publish(
        session=db,
        reviewer_id=reviewer,
        version_id=second.id,
        reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=second.id),
    )
    restored = guidance_editor.restore(session=db, editor_id=reviewer, version_id=first.id)
    db.commit()
    assert (restored.number, restored.status, restored.restored_from) == (3, "draft", 1)
    assert restored.title == "Mät blodtrycket hemma"
    assert _visible_titles(db) == ["Andra"]  # a restored text is reviewed like any other
    with pytest.raises(GuidanceError):
        guidance_editor.restore(session=db, editor_id=reviewer, version_id=first.id)
    changes = guidance_editor.diff(second, restored)
    assert ("removed", "title: Andra") in [(line.kind, line.text) for line in changes]
    assert ("added", "title: Mät blodtrycket hemma") in [(line.kind, line.text) for line in changes]


def test_every_edit_submission_publication_and_unpublication_is_audited(
    db: Session, staff: tuple[int, int]
) -> None:
    author, reviewer = staff
    article = _published(db, author, reviewer)
    guidance_editor.unpublish(session=db, reviewer_id=reviewer, article_id=article.id)
    db.commit()
    rows = [
        (event.kind, event.actor_id, event.detail)
        for event in db.exec(select(AuditEvent).order_by(AuditEvent.id))
        if event.kind.startswith("guidance_")
    ]
    detail = "article=blodtryck variant=sv version=1"
    assert rows == [
        ("guidance_edited", author, detail),
        ("guidance_submitted", author, detail),
        ("guidance_published", reviewer, detail),
        ("guidance_unpublished", reviewer, detail),
    ]


def test_form_errors_name_each_field(db: Session, staff: tuple[int, int]) -> None:
    with pytest.raises(InputInvalid) as refused:
        guidance_editor.create_article(
            session=db,
            editor_id=staff[0],
            slug="x",
            variant="sv",
            values={
                **FORM,
                "title": " ",
                "category": "okand",
                "reviewed_on": "igår",
                "body_markdown": "Mät\x00 blodtrycket.",
                "summary": "s" * 401,
            },
        )
    assert set(refused.value.errors) == {
        "title",
        "category",
        "reviewed_on",
        "body_markdown",
        "summary",
    }
    assert refused.value.errors["body_markdown"] == inputs.UNSAVEABLE
    assert refused.value.texts("sv")["summary"] == "Skriv högst 400 tecken."


def test_translations_need_the_swedish_original_and_only_one_of_each(
    db: Session, staff: tuple[int, int]
) -> None:
    with pytest.raises(GuidanceError):
        guidance_editor.create_article(
            session=db, editor_id=staff[0], slug="ny", variant="en", values=FORM
        )
    _draft(db, staff[0])
    english = guidance_editor.create_article(
        session=db,
        editor_id=staff[0],
        slug="blodtryck",
        variant="en",
        values={**FORM, "title": "Measure your blood pressure"},
    )
    assert english.number == 1
    with pytest.raises(GuidanceError):
        guidance_editor.create_article(
            session=db, editor_id=staff[0], slug="blodtryck", variant="en", values=FORM
        )


def test_english_readers_get_the_english_variant_and_nobody_the_easy_read_one_in_lists(
    db: Session,
) -> None:
    values = {**FORM, "reviewed_on": date(2026, 10, 1), "reading_minutes": 3}
    for variant, title in (("sv", "Svensk"), ("sv-lattlast", "Lättläst"), ("en", "English")):
        guidance_editor.import_published(
            session=db, slug="bt", variant=variant, values={**values, "title": title}
        )
    db.commit()
    assert [a.title for a in guidance.published_articles(session=db, locale="en")] == ["English"]
    assert [a.title for a in guidance.published_articles(session=db, locale="sv")] == ["Svensk"]
    variants = guidance.published_variants(session=db, slug="bt")
    assert sorted(guidance_editor.variant_of(a) for a in variants) == ["en", "sv", "sv-lattlast"]


def test_publishing_approves_the_text_the_reviewer_saw_not_a_version_number(
    db: Session, staff: tuple[int, int]
) -> None:
    author, reviewer = staff
    version_id = _draft(db, author)
    guidance_editor.submit_for_review(session=db, editor_id=author, version_id=version_id)
    db.commit()
    # The reviewer opens the text in review…
    seen = guidance_editor.content_hash_of(session=db, version_id=version_id)
    # …and before they press Publicera, the author changes it and sends it for review again.
    article_id = db.get(GuidanceVersion, version_id).article_id
    guidance_editor.save_draft(
        session=db,
        editor_id=author,
        article_id=article_id,
        values={**FORM, "warning_markdown": "Ring inte 112."},
    )
    guidance_editor.submit_for_review(session=db, editor_id=author, version_id=version_id)
    db.commit()
    with pytest.raises(guidance_editor.ContentChanged) as refused:
        guidance_editor.publish(
            session=db, reviewer_id=reviewer, version_id=version_id, reviewed_hash=seen
        )
    assert "changed after you opened it" in refused.value.message
    db.rollback()
    assert _visible_titles(db) == []
    assert db.get(GuidanceVersion, version_id).status == VersionStatus.IN_REVIEW
    # Having read the new text, the reviewer approves exactly that.
    now_shown = guidance_editor.content_hash_of(session=db, version_id=version_id)
    assert now_shown != seen
    guidance_editor.publish(
        session=db, reviewer_id=reviewer, version_id=version_id, reviewed_hash=now_shown
    )
    db.commit()
    article = guidance.article_by_slug(session=db, slug="blodtryck", locale="sv")
    assert article.warning_markdown == "Ring inte 112."


@pytest.mark.parametrize("field", guidance_editor.CONTENT_FIELDS)
def test_the_hash_covers_every_field_a_reader_sees(
    db: Session, staff: tuple[int, int], field: str
) -> None:
    author, reviewer = staff
    version_id = _draft(db, author)
    guidance_editor.submit_for_review(session=db, editor_id=author, version_id=version_id)
    seen = guidance_editor.content_hash_of(session=db, version_id=version_id)
    version = db.get(GuidanceVersion, version_id)
    changed = {
        "reading_minutes": version.reading_minutes + 1,
        "reviewed_on": version.reviewed_on + timedelta(days=1),
        "category": "hjartsvikt" if version.category != "hjartsvikt" else "diabetes",
    }.get(field, f"{getattr(version, field)} ändrad")
    # Changed in the database by any path (an import, another device), not only the form.
    setattr(version, field, changed)
    db.add(version)
    db.flush()
    with pytest.raises(guidance_editor.ContentChanged):
        guidance_editor.publish(
            session=db, reviewer_id=reviewer, version_id=version_id, reviewed_hash=seen
        )
    assert _visible_titles(db) == []
