""" "Råd till dig" on Hem: published advice chosen by how well it fits one resident.

What counts, and how much (each article gets a whole-number score):

- **their tasks**: 3 if the article is in the category of one of the resident's own
  self-care tasks (through the article the task was adopted from);
- **their goals** (Min plan): 2 for each word of a goal that the article also uses;
- **what matters to them** (the profile "Vad är viktigt för dig?"): 1 for each such word.

Words are compared by their first six letters, so "promenera" in a goal meets
"promenader" in an article; only words of five letters or more, and only words found in
at most a quarter of the library, count: a word that most advice uses ("varje",
"själv") says nothing about which advice fits. A few common verbs never count.

The order: advice the resident has **not read** comes first, best fit first; advice they
have read, or that one of their tasks comes from, comes last. Ties go by title, then by
slug, so the order never depends on publication times or on the order rows come back in.

Reads (``GuidanceRead``) are the resident's own: recorded when they open an article,
used only here, shown to no one, deleted with the account.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from naranara.models import CarePlanGoal, GuidanceArticle, GuidanceRead
from naranara.services import guidance, profile, self_care

TASK_CATEGORY_POINTS = 3
GOAL_WORD_POINTS = 2
WHAT_MATTERS_WORD_POINTS = 1

_WORD = re.compile(r"[^\W\d_]+")
_MIN_WORD = 5
_STEM = 6
# Words so common in how people write goals that they never tell a topic.
_NEVER_COUNT = frozenset({"kunna", "känna", "vilja", "själv", "mycket", "bättre", "igen"})


@dataclass(frozen=True)
class Interests:
    """What one resident's advice is chosen by; empty for anyone without care of their own."""

    goals: str = ""
    what_matters: str = ""
    task_categories: frozenset[str] = field(default_factory=frozenset)
    known: frozenset[str] = field(default_factory=frozenset)  # slugs read or behind a task


def _stems(text: str) -> set[str]:
    return {
        word[:_STEM]
        for word in _WORD.findall(text.casefold())
        if len(word) >= _MIN_WORD and word not in _NEVER_COUNT
    }


@functools.lru_cache(maxsize=1024)
def _text_stems(text: str) -> frozenset[str]:
    """An article's stems, computed once per text: finding the words of every article's
    whole body was most of the CPU time of opening Hem (17 ms of 24 articles, each time)."""
    return frozenset(_stems(text))


def record_read(*, session: Session, resident_id: int, slug: str) -> None:
    """Note that the resident has opened the article: once; opening it again, in another
    tab at the same moment too, changes nothing."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(GuidanceRead.__table__)
        .values(resident_id=resident_id, slug=slug)
        .on_conflict_do_nothing(index_elements=["resident_id", "slug"])
    )


def read_slugs(*, session: Session, resident_id: int) -> set[str]:
    return set(
        session.exec(select(GuidanceRead.slug).where(GuidanceRead.resident_id == resident_id))
    )


def interests_of(
    *,
    session: Session,
    resident_id: int,
    goals: bool = True,
    what_matters: bool = True,
    tasks: bool = True,
) -> Interests:
    """The resident's own goals, profile words, task categories and what they know already.
    The flags leave out what the caller may not read (the state asks the policy)."""
    goal_texts = (
        session.exec(select(CarePlanGoal.text).where(CarePlanGoal.resident_id == resident_id))
        if goals
        else []
    )
    matters = ""
    if what_matters:
        found = profile.get(session=session, resident_id=resident_id)
        matters = " ".join(str(getattr(found, name) or "") for name in profile.TEXT_FIELDS)
    categories: set[str] = set()
    known = read_slugs(session=session, resident_id=resident_id)
    if tasks:
        linked = [
            task.article_id
            for task in self_care.tasks_of(session=session, resident_id=resident_id)
            if task.article_id
        ]
        for article in session.exec(
            select(GuidanceArticle).where(col(GuidanceArticle.id).in_(linked))
        ):
            categories.add(article.category)
            known.add(article.slug)
    return Interests(
        goals=" ".join(goal_texts),
        what_matters=matters,
        task_categories=frozenset(categories),
        known=frozenset(known),
    )


def rank(articles: Iterable[GuidanceArticle], interests: Interests) -> list[GuidanceArticle]:
    """``articles`` in the order that fits ``interests`` best (see the module's docstring)."""
    articles = list(articles)
    words = {
        article.slug: _text_stems(f"{article.title} {article.summary} {article.body_markdown}")
        for article in articles
    }
    in_articles = Counter(stem for stems in words.values() for stem in stems)
    telling = max(1, len(articles) // 4)

    def specific(text: str) -> set[str]:
        return {stem for stem in _stems(text) if in_articles[stem] <= telling}

    goal_words, matter_words = specific(interests.goals), specific(interests.what_matters)

    def fit(article: GuidanceArticle) -> int:
        used = words[article.slug]
        return (
            TASK_CATEGORY_POINTS * (article.category in interests.task_categories)
            + GOAL_WORD_POINTS * len(goal_words & used)
            + WHAT_MATTERS_WORD_POINTS * len(matter_words & used)
        )

    return sorted(
        articles,
        key=lambda article: (
            article.slug in interests.known,
            -fit(article),
            article.title.casefold(),
            article.slug,
        ),
    )


def suggestions_for(
    *, session: Session, locale: str, interests: Interests, limit: int = 3
) -> list[GuidanceArticle]:
    """The ``limit`` published articles, in the reader's language where there is one, that
    fit ``interests`` best."""
    return rank(guidance.published_articles(session=session, locale=locale), interests)[:limit]
