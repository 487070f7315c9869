"""Keeping an article's language versions together: Swedish, lättläst and English.

The Swedish text is the original; lättläst and English say the same in other words. When
staff change the Swedish text, the other versions may need the same change. Two signals:

- **an open change**: the Swedish article's newest version is a draft, in review or
  scheduled, so what residents will read in Swedish is about to differ;
- **drift**: a version's review date is older than the Swedish one's. Review dates are
  taken from each version's newest text (what staff are working on), so bringing a
  translation up to date clears the drift as soon as its draft carries the new date.

Versions that do not exist yet are named too, so a new Swedish article is not left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from naranara.models import GuidanceArticle, GuidanceVersion, VersionStatus
from naranara.services.guidance_editor import VARIANTS, variant_of

ORIGINAL = "sv"
COMPANIONS = tuple(name for name in VARIANTS if name != ORIGINAL)  # lättläst, English
_OPEN = {VersionStatus.DRAFT.value, VersionStatus.IN_REVIEW.value, VersionStatus.SCHEDULED.value}


@dataclass(frozen=True)
class Companion:
    """Another language version of a Swedish article, as the editor names it."""

    variant: str  # "sv-lattlast" or "en"
    article_id: int | None  # None: this version does not exist yet
    title: str
    reviewed_on: date | None
    behind: bool  # reviewed earlier than the Swedish text


@dataclass(frozen=True)
class VersionsNotice:
    """What the editor of a Swedish article says about its other versions."""

    changing: bool  # the Swedish text has a change residents do not see yet
    reviewed_on: date  # the Swedish text's review date
    companions: tuple[Companion, ...]

    @property
    def needs_attention(self) -> bool:
        return self.changing or any(c.behind or c.article_id is None for c in self.companions)


@dataclass(frozen=True)
class Drift:
    """A Swedish article whose lättläst or English version was reviewed earlier."""

    slug: str
    article_id: int
    title: str
    reviewed_on: date
    behind: tuple[Companion, ...]


@dataclass(frozen=True)
class _Newest:
    article: GuidanceArticle
    title: str
    reviewed_on: date
    status: str  # "" when the article has no versions


def _newest(session: Session, articles: Iterable[GuidanceArticle]) -> list[_Newest]:
    """Each article with its newest version's title, review date and status."""
    articles = list(articles)
    newest: dict[int, GuidanceVersion] = {}
    for version in session.exec(
        select(GuidanceVersion)
        .where(col(GuidanceVersion.article_id).in_([a.id for a in articles]))
        .order_by(col(GuidanceVersion.article_id), col(GuidanceVersion.number))
    ):
        newest[version.article_id] = version  # the highest number comes last
    found = []
    for article in articles:
        version = newest.get(article.id)
        source = version or article
        found.append(
            _Newest(article, source.title, source.reviewed_on, version.status if version else "")
        )
    return found


def _companions(original: _Newest, others: dict[str, _Newest]) -> tuple[Companion, ...]:
    companions = []
    for name in COMPANIONS:
        other = others.get(name)
        if other is None:
            companions.append(Companion(name, None, "", None, behind=False))
        else:
            companions.append(
                Companion(
                    name,
                    other.article.id,
                    other.title,
                    other.reviewed_on,
                    behind=other.reviewed_on < original.reviewed_on,
                )
            )
    return tuple(companions)


def versions_notice(*, session: Session, article_id: int) -> VersionsNotice | None:
    """For a Swedish article: its other versions, and whether they may need the same change.
    None for a lättläst or English article, or an unknown id."""
    article = session.get(GuidanceArticle, article_id)
    if article is None or variant_of(article) != ORIGINAL:
        return None
    siblings = session.exec(select(GuidanceArticle).where(GuidanceArticle.slug == article.slug))
    by_variant = {variant_of(entry.article): entry for entry in _newest(session, siblings)}
    original = by_variant.pop(ORIGINAL)
    return VersionsNotice(
        changing=original.status in _OPEN,
        reviewed_on=original.reviewed_on,
        companions=_companions(original, by_variant),
    )


def drifted(*, session: Session) -> list[Drift]:
    """Every Swedish article with a lättläst or English version reviewed before it, by slug."""
    by_slug: dict[str, dict[str, _Newest]] = {}
    for entry in _newest(session, session.exec(select(GuidanceArticle))):
        by_slug.setdefault(entry.article.slug, {})[variant_of(entry.article)] = entry
    found = []
    for slug in sorted(by_slug):
        variants = dict(by_slug[slug])
        original = variants.pop(ORIGINAL, None)
        if original is None:
            continue
        behind = tuple(c for c in _companions(original, variants) if c.behind)
        if behind:
            found.append(
                Drift(slug, original.article.id, original.title, original.reviewed_on, behind)
            )
    return found


def original_text(*, session: Session, article_id: int) -> GuidanceVersion | None:
    """The newest text of the Swedish original of a lättläst or English article (None for a
    Swedish article, or when there is none)."""
    article = session.get(GuidanceArticle, article_id)
    if article is None or variant_of(article) == ORIGINAL:
        return None
    original = session.exec(
        select(GuidanceArticle).where(
            GuidanceArticle.slug == article.slug,
            GuidanceArticle.locale == VARIANTS[ORIGINAL][0],
            col(GuidanceArticle.easy_read).is_(False),
        )
    ).first()
    if original is None:
        return None
    return session.exec(
        select(GuidanceVersion)
        .where(GuidanceVersion.article_id == original.id)
        .order_by(col(GuidanceVersion.number).desc())
    ).first()
