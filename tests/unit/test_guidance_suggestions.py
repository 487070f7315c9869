""" "Råd till dig": advice chosen by fit (goals, what matters, tasks' categories, not yet read),
never by publication date; the order pinned for the demo's Anna and a second resident."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from naranara.models import (
    CarePlanGoal,
    GuidanceArticle,
    GuidanceRead,
    Role,
    User,
    WhatMattersProfile,
)
from naranara.services import demo_data, guidance, guidance_suggestions
from naranara.services.accounts import create_user
from naranara.services.guidance_suggestions import Interests, interests_of, rank, record_read
from tests.utils.factories import make_task


def _seeded(db: Session) -> User:
    demo_data.seed(db)
    db.commit()
    return db.exec(select(User).where(User.username == "anna")).one()


def _suggested(db: Session, resident: User, *, limit: int = 3) -> list[str]:
    found = guidance_suggestions.suggestions_for(
        session=db,
        locale="sv",
        interests=interests_of(session=db, resident_id=resident.id),
        limit=limit,
    )
    return [article.slug for article in found]


def _bo(db: Session) -> User:
    """A second resident with other goals: diabetes, sleep and dancing."""
    bo = create_user(session=db, username="bo", display_name="Bo Nilsson", role=Role.RESIDENT)
    db.add_all(
        [
            CarePlanGoal(
                resident_id=bo.id,
                text="Jag vill sova hela natten utan att vakna.",
                created_by_id=bo.id,
            ),
            CarePlanGoal(
                resident_id=bo.id, text="Jag vill orka dansa på lördagarna.", created_by_id=bo.id
            ),
            WhatMattersProfile(
                resident_id=bo.id,
                version=1,
                important_to_me="Barnbarnen och dansen.",
                worries_me="Jag oroar mig för mina fötter.",
            ),
        ]
    )
    measuring = db.exec(
        select(GuidanceArticle).where(
            GuidanceArticle.slug == "blodsocker-mata",
            GuidanceArticle.locale == "sv",
            GuidanceArticle.easy_read.is_(False),  # type: ignore[attr-defined]
        )
    ).one()
    make_task(db, bo, title="Mät blodsockret", article_id=measuring.id)
    db.commit()
    return bo


def test_anna_gets_heart_failure_movement_first_then_her_tasks_categories(db: Session) -> None:
    anna = _seeded(db)
    # rörelse vid hjärtsvikt: her weighing task's category (3) and "affären" from her goal
    # to walk to the shop (2). Then the other articles in her tasks' categories (3 each),
    # by title; then breathing, from her goal about her breathing at night (2 each).
    assert _suggested(db, anna, limit=7) == [
        "rorelse-vid-hjartsvikt",
        "salt-och-vatska-vid-hjartsvikt",
        "styrketraning-hemma",
        "sank-blodtrycket-med-vanor",
        "andningsovningar-vid-kol",
        "inhalatorn",
        "nar-oron-tar-over",
    ]


def test_a_resident_with_other_goals_gets_other_advice(db: Session) -> None:
    _seeded(db)
    bo = _bo(db)
    # vaknar på natten: "natten" and "vakna" from his goal (2 + 2) and "oroar" from what
    # worries him (1); then the diabetes articles his task's category brings (3 each), the
    # one his task comes from left out; then sleep ("natten", 2).
    assert _suggested(db, bo, limit=4) == [
        "vaknar-pa-natten",
        "fotvard-vid-diabetes",
        "mat-och-rorelse-vid-diabetes",
        "sov-battre",
    ]


def test_what_a_resident_has_read_comes_after_what_they_have_not(db: Session) -> None:
    anna = _seeded(db)
    record_read(session=db, resident_id=anna.id, slug="rorelse-vid-hjartsvikt")
    record_read(session=db, resident_id=anna.id, slug="salt-och-vatska-vid-hjartsvikt")
    db.commit()
    assert _suggested(db, anna) == [
        "styrketraning-hemma",
        "sank-blodtrycket-med-vanor",
        "andningsovningar-vid-kol",
    ]
    # The articles her own tasks come from count as known: they are last of all.
    everything = _suggested(db, anna, limit=100)
    assert set(everything[-5:]) == {
        "rorelse-vid-hjartsvikt",
        "salt-och-vatska-vid-hjartsvikt",
        "vag-dig-vid-hjartsvikt",
        "mat-blodtrycket-hemma",
        "promenera-for-halsan",
    }


def test_reads_are_each_residents_own_and_recorded_once(db: Session) -> None:
    anna = _seeded(db)
    bo = _bo(db)
    for _ in range(3):
        record_read(session=db, resident_id=anna.id, slug="sov-battre")
    db.commit()
    rows = db.exec(select(GuidanceRead)).all()
    assert [(row.resident_id, row.slug) for row in rows] == [(anna.id, "sov-battre")]
    assert "sov-battre" in interests_of(session=db, resident_id=anna.id).known
    assert "sov-battre" not in interests_of(session=db, resident_id=bo.id).known


def test_reads_go_with_the_account(db: Session) -> None:
    _seeded(db)
    bo = _bo(db)
    record_read(session=db, resident_id=bo.id, slug="sov-battre")
    db.commit()
    db.delete(bo)
    db.commit()
    assert db.exec(select(GuidanceRead)).all() == []


def test_the_order_depends_neither_on_publication_times_nor_on_row_order(db: Session) -> None:
    anna = _seeded(db)
    interests = interests_of(session=db, resident_id=anna.id)
    articles = guidance.published_articles(session=db, locale="sv")
    expected = [a.slug for a in rank(articles, interests)]
    chance = random.Random(18)
    for _ in range(5):
        shuffled = articles[:]
        chance.shuffle(shuffled)
        for article in shuffled:
            article.published_at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
                hours=chance.randint(0, 1000)
            )
        assert [a.slug for a in rank(shuffled, interests)] == expected
    # With nothing to go by, the library's own order: by title.
    titles = [a.title.casefold() for a in rank(articles, Interests())]
    assert titles == sorted(titles)


def test_words_every_article_uses_say_nothing_and_small_libraries_still_match(
    db: Session,
) -> None:
    def article(slug: str, title: str, body: str) -> GuidanceArticle:
        return GuidanceArticle(
            slug=slug,
            title=title,
            summary="",
            body_markdown=body,
            category="fysisk-aktivitet",
            reviewed_on=datetime(2026, 1, 1).date(),
            responsible_unit="Enheten",
        )

    library = [
        article("promenad", "Promenader för hälsan", "Gå ut varje dag. Gör det själv."),
        article("somn", "Sov bättre", "Vila varje dag. Gör det själv."),
        article("andning", "Andningsövningar", "Andas lugnt varje dag. Gör det själv."),
    ]

    def first(goals: str) -> str:
        return rank(library, Interests(goals=goals))[0].slug

    assert first("Jag vill kunna promenera till affären.") == "promenad"
    assert first("Jag vill känna mig trygg med min andning.") == "andning"
    # "varje" and "själv" are in every article: no fit, so the order is by title.
    assert first("Varje dag själv.") == "andning"
