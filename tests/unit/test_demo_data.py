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
    Role,
    SelfCareTask,
    User,
)
from naranara.services import accounts, guidance, patient_contract, self_care
from naranara.services.demo_data import DEMO_LOGINS, DEMO_PASSWORD, is_seeded, seed

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
    assert {a.locale for a in english} == {"sv", "en"}  # English where translated
    for article in swedish + english:
        html = guidance.render_markdown(article.body_markdown)
        assert "<h2>" in html, article.slug
        assert "<script" not in html.lower()
