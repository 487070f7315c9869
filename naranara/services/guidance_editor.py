"""Writing, reviewing and publishing guidance: staff's workflow.

draft → in review → published (now, or scheduled for later) → replaced or unpublished.
Another staff member reviews: neither the one who started a version nor the one who
changed it last may approve it. What residents read lives on ``GuidanceArticle`` and
changes only when a version is published or the article is taken down, so drafts of a
published article are invisible to them. Every change is in the audit log.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
from datetime import date, datetime

from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import N_
from naranara.inputs import Checker, column_length
from naranara.models import AuditKind, GuidanceArticle, GuidanceVersion, VersionStatus
from naranara.policy import may_review
from naranara.services import audit, guidance, guidance_search
from naranara.services.guidance_content import CATEGORIES

# The variants staff can write: the Swedish original, easy-to-read Swedish and English.
VARIANTS: dict[str, tuple[str, bool]] = {
    "sv": ("sv", False),
    "sv-lattlast": ("sv", True),
    "en": ("en", False),
}
_EDITABLE = {VersionStatus.DRAFT.value, VersionStatus.IN_REVIEW.value}
CONTENT_FIELDS = (
    "title",
    "summary",
    "category",
    "reading_minutes",
    "responsible_unit",
    "reviewed_on",
    "warning_markdown",
    "body_markdown",
)
_MAX = {
    name: column_length(GuidanceVersion, name) for name in ("title", "summary", "responsible_unit")
}
MAX_TEXT = 20_000  # body and warning (TEXT columns): a long article, not a book


class GuidanceError(Exception):
    """A step the workflow refuses; ``message`` is a message id for the reader's language.
    (A form's refused fields are ``InputInvalid``.)"""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ContentChanged(GuidanceError):
    """The text changed after the reviewer opened it: what they approved is not what
    would go live. Nothing is published; the reviewer reads the new text first."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "The text was changed after you opened it, so it was not published. "
                "The new text is shown below: read it before you approve it."
            )
        )


def content_hash(version: GuidanceVersion) -> str:
    """SHA-256 of everything a reader would see of a version: what a reviewer approves."""
    content = {name: str(getattr(version, name)) for name in CONTENT_FIELDS}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def content_hash_of(*, session: Session, version_id: int) -> str:
    """``content_hash`` of the version with this id, as it is now."""
    version, _article_row = _version(session, version_id)
    return content_hash(version)


def variant_of(article: GuidanceArticle) -> str:
    return next(
        name for name, value in VARIANTS.items() if value == (article.locale, article.easy_read)
    )


def published_variants_by_name(*, session: Session, slug: str) -> dict[str, GuidanceArticle]:
    """The published versions of an article, by variant name ("sv", "sv-lattlast", "en")."""
    return {variant_of(a): a for a in guidance.published_variants(session=session, slug=slug)}


def variant_to_show(
    variants: dict[str, GuidanceArticle], *, wanted: str, locale: str
) -> GuidanceArticle | None:
    """The version a reader sees: the one asked for; else the reader's language where it
    exists; else Swedish (the article page and its offline copy choose alike)."""
    return variants.get(wanted) or variants.get(locale) or variants.get("sv")


def _describe(version: GuidanceVersion, article: GuidanceArticle) -> str:
    return f"article={article.slug} variant={variant_of(article)} version={version.number}"


def _record(
    session: Session,
    kind: AuditKind,
    actor_id: int,
    version: GuidanceVersion,
    article: GuidanceArticle,
) -> None:
    audit.record(session=session, kind=kind, actor_id=actor_id, detail=_describe(version, article))


def clean_fields(values: dict[str, object]) -> dict[str, object]:
    """The content of a version from a form; raises ``InputInvalid`` with a message per field."""
    checker = Checker()
    errors = checker.errors
    cleaned: dict[str, object] = {}
    for name in ("title", "summary", "responsible_unit"):
        cleaned[name] = checker.text(values, name, max_length=_MAX[name], required=True)
    for name in ("body_markdown", "warning_markdown"):
        cleaned[name] = checker.text(
            values,
            name,
            max_length=MAX_TEXT,
            multiline=True,
            required=name == "body_markdown",
        )
    category = str(values.get("category", "") or "")
    if category not in CATEGORIES:
        errors["category"] = N_("Choose a category.")
    cleaned["category"] = category
    try:
        minutes = int(str(values.get("reading_minutes", "")).strip())
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 60:
        errors["reading_minutes"] = N_("Write a number of minutes from 1 to 60.")
    cleaned["reading_minutes"] = minutes
    reviewed = values.get("reviewed_on")
    if not isinstance(reviewed, date):
        try:
            reviewed = date.fromisoformat(str(reviewed or "").strip())
        except ValueError:
            reviewed = None
    if reviewed is None:
        errors["reviewed_on"] = N_("Write the date as YYYY-MM-DD.")
    cleaned["reviewed_on"] = reviewed
    checker.done()
    return cleaned


def _content(source: GuidanceArticle | GuidanceVersion) -> dict[str, object]:
    return {name: getattr(source, name) for name in CONTENT_FIELDS}


def versions_of(*, session: Session, article_id: int) -> list[GuidanceVersion]:
    """Every version, newest first."""
    return list(
        session.exec(
            select(GuidanceVersion)
            .where(GuidanceVersion.article_id == article_id)
            .order_by(col(GuidanceVersion.number).desc())
        ).all()
    )


def latest_version(*, session: Session, article_id: int) -> GuidanceVersion | None:
    versions = versions_of(session=session, article_id=article_id)
    return versions[0] if versions else None


def _new_version(
    session: Session, article: GuidanceArticle, content: dict, *, editor_id: int, **extra: object
) -> GuidanceVersion:
    latest = latest_version(session=session, article_id=article.id)
    version = GuidanceVersion(
        article_id=article.id,
        number=(latest.number + 1) if latest else 1,
        author_id=editor_id,
        last_editor_id=editor_id,
        **content,
        **extra,
    )
    session.add(version)
    session.flush()
    return version


def create_article(
    *, session: Session, editor_id: int, slug: str, variant: str, values: dict[str, object]
) -> GuidanceVersion:
    """A new article variant with its first draft; residents see nothing of it yet.
    A variant other than ``sv`` is a translation of an existing Swedish article."""
    content = clean_fields(values)
    if variant not in VARIANTS:
        raise GuidanceError(N_("Choose a language version."))
    locale, easy_read = VARIANTS[variant]
    existing = session.exec(select(GuidanceArticle).where(GuidanceArticle.slug == slug)).all()
    if any((a.locale, a.easy_read) == (locale, easy_read) for a in existing):
        raise GuidanceError(N_("That language version already exists. Edit it instead."))
    if variant != "sv" and not any((a.locale, a.easy_read) == ("sv", False) for a in existing):
        raise GuidanceError(N_("Write the Swedish article first."))
    article = GuidanceArticle(slug=slug, locale=locale, easy_read=easy_read, **content)
    session.add(article)
    session.flush()
    version = _new_version(session, article, content, editor_id=editor_id)
    _record(session, AuditKind.GUIDANCE_EDITED, editor_id, version, article)
    return version


def save_draft(
    *, session: Session, editor_id: int, article_id: int, values: dict[str, object]
) -> GuidanceVersion:
    """Change the article's open draft, or start a new draft from what is published.
    A text in review goes back to draft: it must be reviewed as it now reads."""
    content = clean_fields(values)
    article = _article(session, article_id)
    latest = latest_version(session=session, article_id=article_id)
    if latest is None or latest.status not in _EDITABLE:
        version = _new_version(session, article, content, editor_id=editor_id)
    else:
        version = latest
        for name, value in content.items():
            setattr(version, name, value)
        version.status = VersionStatus.DRAFT.value
        version.last_editor_id = editor_id
        version.updated_at = clock.now()
        session.add(version)
    if article.published_at is None and not _ever_published(session, article_id):
        # Never published: the article row follows the draft, so the editor's list shows it.
        for name, value in content.items():
            setattr(article, name, value)
        session.add(article)
    _record(session, AuditKind.GUIDANCE_EDITED, editor_id, version, article)
    return version


def _ever_published(session: Session, article_id: int) -> bool:
    return (
        session.exec(
            select(GuidanceVersion.id).where(
                GuidanceVersion.article_id == article_id,
                col(GuidanceVersion.status).in_(
                    {VersionStatus.PUBLISHED, VersionStatus.REPLACED, VersionStatus.UNPUBLISHED}
                ),
            )
        ).first()
        is not None
    )


def _article(session: Session, article_id: int) -> GuidanceArticle:
    article = session.get(GuidanceArticle, article_id)
    if article is None:
        raise GuidanceError(N_("We could not find that article."))
    return article


def _version(
    session: Session, version_id: int, *, lock: bool = False
) -> tuple[GuidanceVersion, GuidanceArticle]:
    version = session.get(GuidanceVersion, version_id, with_for_update=lock)
    if version is None:
        raise GuidanceError(N_("We could not find that version."))
    return version, _article(session, version.article_id)


def submit_for_review(*, session: Session, editor_id: int, version_id: int) -> GuidanceVersion:
    version, article = _version(session, version_id)
    if version.status != VersionStatus.DRAFT:
        raise GuidanceError(N_("Only a draft can be sent for review."))
    version.status = VersionStatus.IN_REVIEW.value
    version.updated_at = clock.now()
    session.add(version)
    _record(session, AuditKind.GUIDANCE_SUBMITTED, editor_id, version, article)
    return version


def return_to_draft(*, session: Session, reviewer_id: int, version_id: int) -> GuidanceVersion:
    """The reviewer sends the text back to its author (or a schedule is called off)."""
    version, article = _version(session, version_id)
    if version.status not in (VersionStatus.IN_REVIEW, VersionStatus.SCHEDULED):
        raise GuidanceError(N_("Only a text in review or scheduled can be sent back."))
    version.status = VersionStatus.DRAFT.value
    version.publish_at = None
    version.reviewer_id = None
    session.add(version)
    _record(session, AuditKind.GUIDANCE_RETURNED, reviewer_id, version, article)
    return version


def publish(
    *,
    session: Session,
    reviewer_id: int,
    version_id: int,
    reviewed_hash: str,
    at: datetime | None = None,
    now: datetime | None = None,
) -> GuidanceVersion:
    """Approve a version in review: live now, or at ``at`` when that is in the future.

    ``reviewed_hash`` is the ``content_hash`` of the text the reviewer was shown: four
    eyes approve a text, not a version number, so a change made in between (by anyone,
    in any field) refuses with ``ContentChanged``. The version row is locked while this
    runs, so no save can slip in between the check and the publication.
    """
    now = now or clock.now()
    version, article = _version(session, version_id, lock=True)
    if version.status != VersionStatus.IN_REVIEW:
        raise GuidanceError(N_("Only a text in review can be published."))
    if not may_review(
        reviewer_id, author_id=version.author_id, last_editor_id=version.last_editor_id
    ):
        raise GuidanceError(
            N_("You wrote or changed this text, so someone else must review and publish it.")
        )
    if content_hash(version) != reviewed_hash:
        raise ContentChanged()
    version.reviewer_id = reviewer_id
    if at is not None and at > now:
        version.status = VersionStatus.SCHEDULED.value
        version.publish_at = at
        session.add(version)
        _record(session, AuditKind.GUIDANCE_SCHEDULED, reviewer_id, version, article)
        return version
    _go_live(session, version, article, now)
    _record(session, AuditKind.GUIDANCE_PUBLISHED, reviewer_id, version, article)
    return version


def _go_live(
    session: Session, version: GuidanceVersion, article: GuidanceArticle, now: datetime
) -> None:
    for earlier in session.exec(
        select(GuidanceVersion).where(
            GuidanceVersion.article_id == article.id,
            GuidanceVersion.status == VersionStatus.PUBLISHED,
            GuidanceVersion.id != version.id,
        )
    ):
        earlier.status = VersionStatus.REPLACED.value
        session.add(earlier)
    version.status = VersionStatus.PUBLISHED.value
    version.publish_at = version.publish_at or now
    for name, value in _content(version).items():
        setattr(article, name, value)
    article.published_at = version.publish_at
    session.add_all([version, article])
    guidance_search.reindex(session=session, article=article)


def publish_due(*, session: Session, now: datetime | None = None) -> int:
    """Put scheduled versions whose time has come live; the readers' pages call this first,
    so a scheduled publication needs no clock of its own. Returns how many went live."""
    now = now or clock.now()
    due = session.exec(
        select(GuidanceVersion)
        .where(
            GuidanceVersion.status == VersionStatus.SCHEDULED,
            col(GuidanceVersion.publish_at) <= now,
        )
        .order_by(col(GuidanceVersion.publish_at))
    ).all()
    for version in due:
        article = _article(session, version.article_id)
        _go_live(session, version, article, now)
        audit.record(
            session=session,
            kind=AuditKind.GUIDANCE_PUBLISHED,
            actor_id=version.reviewer_id,
            detail=_describe(version, article) + " scheduled",
        )
    if due:
        session.commit()
    return len(due)


def unpublish(*, session: Session, reviewer_id: int, article_id: int) -> GuidanceArticle:
    """Take the article down now; a scheduled version goes back to review with it."""
    article = _article(session, article_id)
    live = session.exec(
        select(GuidanceVersion).where(
            GuidanceVersion.article_id == article_id,
            col(GuidanceVersion.status).in_({VersionStatus.PUBLISHED, VersionStatus.SCHEDULED}),
        )
    ).all()
    if article.published_at is None and not live:
        raise GuidanceError(N_("This article is not published."))
    for version in live:
        if version.status == VersionStatus.PUBLISHED:
            version.status = VersionStatus.UNPUBLISHED.value
        else:
            version.status = VersionStatus.IN_REVIEW.value
            version.publish_at = None
        session.add(version)
    article.published_at = None
    session.add(article)
    guidance_search.reindex(session=session, article=article)
    latest = latest_version(session=session, article_id=article_id)
    audit.record(
        session=session,
        kind=AuditKind.GUIDANCE_UNPUBLISHED,
        actor_id=reviewer_id,
        detail=_describe(latest, article) if latest else f"article={article.slug}",
    )
    return article


def restore(*, session: Session, editor_id: int, version_id: int) -> GuidanceVersion:
    """A new draft with an old version's text; it is reviewed like any other."""
    old, article = _version(session, version_id)
    latest = latest_version(session=session, article_id=article.id)
    if latest is not None and latest.status in _EDITABLE:
        raise GuidanceError(
            N_("There is already an open draft. Finish or change it before restoring.")
        )
    version = _new_version(
        session, article, _content(old), editor_id=editor_id, restored_from=old.number
    )
    _record(session, AuditKind.GUIDANCE_EDITED, editor_id, version, article)
    return version


@dataclasses.dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "same"
    text: str


def diff(old: GuidanceVersion | None, new: GuidanceVersion) -> list[DiffLine]:
    """Line by line what changed from ``old`` to ``new``, every field with its name.
    Plain text: the page shows it as text, never as markup."""

    def lines(version: GuidanceVersion | None) -> list[str]:
        if version is None:
            return []
        result: list[str] = []
        for name in CONTENT_FIELDS:
            value = str(getattr(version, name))
            result.extend(f"{name}: {line}" for line in value.splitlines() or [""])
        return result

    kinds = {"+": "added", "-": "removed", " ": "same"}
    return [
        DiffLine(kind=kinds[line[0]], text=line[2:])
        for line in difflib.ndiff(lines(old), lines(new))
        if line[0] in kinds
    ]


def articles_for_editor(
    *, session: Session
) -> list[tuple[GuidanceArticle, GuidanceVersion | None]]:
    """Every article variant with its newest version, by slug and variant."""
    articles = session.exec(
        select(GuidanceArticle).order_by(
            col(GuidanceArticle.slug), col(GuidanceArticle.locale), col(GuidanceArticle.easy_read)
        )
    ).all()
    return [(a, latest_version(session=session, article_id=a.id)) for a in articles]


def import_published(
    *,
    session: Session,
    slug: str,
    variant: str,
    values: dict[str, object],
    now: datetime | None = None,
) -> GuidanceArticle:
    """An article variant published as it is, without review: the guidance shipped with
    Nära (services/guidance_content.py), already reviewed by its responsible unit."""
    now = now or clock.now()
    locale, easy_read = VARIANTS[variant]
    content = {name: values[name] for name in CONTENT_FIELDS}
    article = GuidanceArticle(slug=slug, locale=locale, easy_read=easy_read, **content)
    session.add(article)
    session.flush()
    version = GuidanceVersion(article_id=article.id, number=1, **content)
    session.add(version)
    _go_live(session, version, article, now)
    return article
