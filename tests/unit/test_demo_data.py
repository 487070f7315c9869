"""The demo data: one resident's life in Nära, seeded once into an empty database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from naranara import clock
from naranara.models import (
    AgreedTime,
    AgreedTimeStatus,
    CareContact,
    GuidanceArticle,
    GuidanceVersion,
    Role,
    SelfCareTask,
    User,
)
from naranara.services import accounts, guidance, guidance_content, patient_contract, self_care
from naranara.services.demo_data import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    add_new_guidance,
    is_seeded,
    seed,
)

pytestmark = pytest.mark.time_sensitive


def _count(db: Session, table: type) -> int:
    return db.exec(select(func.count()).select_from(table)).one()


def _anna(db: Session) -> User:
    return db.exec(select(User).where(User.username == "anna")).one()


def test_seeds_an_empty_database_once(db: Session) -> None:
    assert not is_seeded(db)
    assert seed(db) is True
    db.commit()
    assert is_seeded(db)
    tables = (User, CareContact, AgreedTime, SelfCareTask, GuidanceArticle)
    counts = {table: _count(db, table) for table in tables}
    assert all(counts.values()), counts

    assert seed(db) is False
    db.commit()
    assert {table: _count(db, table) for table in tables} == counts


def test_demo_people_sign_in_with_the_demo_password(seeded_db: str, db: Session) -> None:
    for login in DEMO_LOGINS:
        user = accounts.authenticate(session=db, username=login.username, password=DEMO_PASSWORD)
        assert user is not None, login.username
        assert (user.role, user.display_name) == (login.role, login.display_name)
    assert accounts.authenticate(session=db, username="anna", password="fel") is None
    anna = _anna(db)
    assert anna.role is Role.RESIDENT
    assert anna.password_hash.startswith("$argon2id$")


def test_anna_has_contacts_and_an_upcoming_time_within_a_week(seeded_db: str, db: Session) -> None:
    anna, now = _anna(db), clock.now()

    contacts = patient_contract.care_contacts(session=db, resident_id=anna.id)
    assert len(contacts) >= 2
    assert all(contact.name and contact.phone for contact in contacts)

    following = patient_contract.next_agreed_time(session=db, resident_id=anna.id, now=now)
    assert following is not None
    assert now < following.starts_at <= now + timedelta(days=7)
    assert following.status is not AgreedTimeStatus.CANCELLED
    upcoming = patient_contract.upcoming_agreed_times(session=db, resident_id=anna.id, now=now)
    assert len(upcoming) >= 2
    assert all(time.ends_at > time.starts_at for time in upcoming)
    assert patient_contract.past_agreed_times(session=db, resident_id=anna.id, now=now)

    # The care plan is Anna's alone; the relative and the staff member have none.
    for table in (CareContact, AgreedTime, SelfCareTask):
        owners = set(db.exec(select(table.resident_id)).all())
        assert owners == {anna.id}, table.__name__


def test_anna_has_tasks_today_each_with_a_published_article(seeded_db: str, db: Session) -> None:
    anna = _anna(db)
    tasks = self_care.tasks_of(session=db, resident_id=anna.id)
    assert len(tasks) >= 2
    for task in tasks:
        assert task.article_id is not None, task.title
        article = db.get(GuidanceArticle, task.article_id)
        assert article.published_at is not None
        assert guidance.article_by_slug(session=db, slug=article.slug, locale="sv") is not None

    today = clock.today()
    due = self_care.occurrences_on(session=db, resident_id=anna.id, day=today)
    assert {occurrence.task_id for occurrence in due} == {task.id for task in tasks}
    assert [o.at for o in due] == sorted(o.at for o in due)

    swedish = guidance.published_articles(session=db, locale="sv")
    english = guidance.published_articles(session=db, locale="en")
    assert len(swedish) == len(english) >= 3
    assert {a.locale for a in english} == {"en"}  # every article is translated
    for article in swedish + english:
        html = guidance.render_markdown(article.body_markdown)
        assert "<h2>" in html, article.slug
        assert "<script" not in html.lower()


def _published_versions(db: Session) -> set[tuple[str, str, bool]]:
    return {
        (article.slug, article.locale, article.easy_read)
        for article in db.exec(select(GuidanceArticle))
        if article.published_at is not None and article.published_at <= clock.now()
    }


def _shipped_versions() -> set[tuple[str, str, bool]]:
    return {
        (source.slug, source.language, source.easy_read)
        for source in guidance_content.load_sources()
    }


def test_every_shipped_article_version_is_seeded_as_published(db: Session) -> None:
    seed(db)
    db.commit()
    assert _published_versions(db) == _shipped_versions()
    assert len(_shipped_versions()) == len(list(guidance_content.CONTENT_DIR.glob("*.md")))


def test_seeding_again_publishes_only_versions_shipped_since(db: Session) -> None:
    seed(db)
    db.commit()
    assert add_new_guidance(db) == 0
    # As if the English version had been shipped after this database was seeded; and staff
    # have taken another article down, which seeding must not undo.
    english = db.exec(
        select(GuidanceArticle).where(
            GuidanceArticle.slug == "sov-battre", GuidanceArticle.locale == "en"
        )
    ).one()
    for version in db.exec(select(GuidanceVersion).where(GuidanceVersion.article_id == english.id)):
        db.delete(version)
    db.delete(english)
    taken_down = db.exec(
        select(GuidanceArticle).where(
            GuidanceArticle.slug == "balansovningar", GuidanceArticle.locale == "en"
        )
    ).one()
    taken_down.published_at = None
    db.add(taken_down)
    db.commit()

    assert add_new_guidance(db) == 1
    db.commit()
    assert ("sov-battre", "en", False) in _published_versions(db)
    assert ("balansovningar", "en", False) not in _published_versions(db)
    assert add_new_guidance(db) == 0
