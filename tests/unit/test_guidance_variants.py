"""An article's language versions kept together: the notice on a Swedish article and the
list of articles whose lättläst or English versions were reviewed before the Swedish text."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from naranara import clock
from naranara.models import GuidanceArticle, Role, User
from naranara.services import demo_data, guidance_editor, guidance_variants
from naranara.services.accounts import create_user


def _library(db: Session) -> tuple[User, User]:
    demo_data.seed_guidance(db, published=clock.now())
    writer = create_user(session=db, username="ulla", display_name="Ulla", role=Role.STAFF)
    reviewer = create_user(session=db, username="ove", display_name="Ove", role=Role.STAFF)
    db.commit()
    return writer, reviewer


def _article(db: Session, slug: str, variant: str) -> GuidanceArticle:
    locale, easy_read = guidance_editor.VARIANTS[variant]
    return db.exec(
        select(GuidanceArticle).where(
            GuidanceArticle.slug == slug,
            GuidanceArticle.locale == locale,
            GuidanceArticle.easy_read == easy_read,
        )
    ).one()


def _save(db: Session, editor: User, article: GuidanceArticle, **changes: object) -> None:
    values = {name: getattr(article, name) for name in guidance_editor.CONTENT_FIELDS}
    guidance_editor.save_draft(
        session=db, editor_id=editor.id, article_id=article.id, values=values | changes
    )
    db.commit()


def test_the_shipped_library_has_not_drifted(db: Session) -> None:
    _library(db)
    assert guidance_variants.drifted(session=db) == []
    swedish = _article(db, "sov-battre", "sv")
    notice = guidance_variants.versions_notice(session=db, article_id=swedish.id)
    assert notice is not None and not notice.changing
    assert [(c.variant, c.title, c.behind) for c in notice.companions][0] == (
        "sv-lattlast",
        "Så kan du sova bättre",
        False,
    )


def test_changing_the_swedish_text_names_the_other_versions(db: Session) -> None:
    writer, reviewer = _library(db)
    swedish = _article(db, "sov-battre", "sv")
    easy = _article(db, "sov-battre", "sv-lattlast")
    _save(db, writer, swedish, body_markdown=swedish.body_markdown + "\n\nNytt stycke.")

    notice = guidance_variants.versions_notice(session=db, article_id=swedish.id)
    assert notice.changing and notice.needs_attention
    lattlast = next(c for c in notice.companions if c.variant == "sv-lattlast")
    assert (lattlast.article_id, lattlast.behind) == (easy.id, False)  # same review date

    # Published, the change is no longer open; with the same review date nothing drifted.
    version = guidance_editor.latest_version(session=db, article_id=swedish.id)
    guidance_editor.submit_for_review(session=db, editor_id=writer.id, version_id=version.id)
    guidance_editor.publish(
        session=db,
        reviewer_id=reviewer.id,
        version_id=version.id,
        reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=version.id),
    )
    db.commit()
    notice = guidance_variants.versions_notice(session=db, article_id=swedish.id)
    assert not notice.changing


def test_a_newer_swedish_review_date_is_drift_until_the_translation_catches_up(
    db: Session,
) -> None:
    writer, _ = _library(db)
    swedish = _article(db, "sov-battre", "sv")
    _save(db, writer, swedish, reviewed_on=date(2026, 12, 1))

    [drift] = guidance_variants.drifted(session=db)
    assert (drift.slug, drift.article_id, drift.reviewed_on) == (
        "sov-battre",
        swedish.id,
        date(2026, 12, 1),
    )
    translations = db.exec(
        select(GuidanceArticle).where(
            GuidanceArticle.slug == "sov-battre", GuidanceArticle.id != swedish.id
        )
    ).all()
    assert "sv-lattlast" in [guidance_editor.variant_of(a) for a in translations]
    assert {c.article_id for c in drift.behind} == {a.id for a in translations}
    assert {c.reviewed_on for c in drift.behind} == {date(2026, 9, 18)}

    # Each translation's draft carries the new date: then the drift is gone.
    for translation in translations:
        assert guidance_variants.drifted(session=db) != []
        _save(db, writer, translation, reviewed_on=date(2026, 12, 1))
    assert guidance_variants.drifted(session=db) == []


def test_a_new_swedish_article_names_the_versions_not_yet_written(db: Session) -> None:
    writer, _ = _library(db)
    version = guidance_editor.create_article(
        session=db,
        editor_id=writer.id,
        slug="ny-artikel",
        variant="sv",
        values={
            "title": "Ny artikel",
            "summary": "Kort.",
            "category": "somn",
            "reading_minutes": "2",
            "responsible_unit": "Enheten",
            "reviewed_on": "2026-12-01",
            "body_markdown": "Text.",
        },
    )
    db.commit()
    notice = guidance_variants.versions_notice(session=db, article_id=version.article_id)
    assert notice.needs_attention
    assert [(c.variant, c.article_id) for c in notice.companions] == [
        ("sv-lattlast", None),
        ("en", None),
    ]


def test_only_swedish_articles_get_the_notice_and_translations_find_their_original(
    db: Session,
) -> None:
    _library(db)
    easy = _article(db, "sov-battre", "sv-lattlast")
    assert guidance_variants.versions_notice(session=db, article_id=easy.id) is None
    assert guidance_variants.versions_notice(session=db, article_id=10**9) is None
    original = guidance_variants.original_text(session=db, article_id=easy.id)
    assert original is not None and original.title == "Sov bättre"
    swedish = _article(db, "sov-battre", "sv")
    assert guidance_variants.original_text(session=db, article_id=swedish.id) is None
