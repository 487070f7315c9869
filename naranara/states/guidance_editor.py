"""Redaktion: staff write, review and publish the self-care guidance.

Every handler asks the policy for the staff role's action (EDIT_GUIDANCE or
REVIEW_GUIDANCE); the rule that a reviewer did not write the text is the service's.
Nothing here touches a resident's data.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

import reflex as rx

from naranara import routes
from naranara.db import session_scope
from naranara.i18n import N_, gettext
from naranara.i18n.formatting import format_date_with_year
from naranara.inputs import InputInvalid, form_text, record_id
from naranara.models import GuidanceArticle, GuidanceVersion
from naranara.policy import Action, Forbidden, Viewer, is_allowed, may_publish_guidance, require
from naranara.services import (
    guidance,
    guidance_content,
    guidance_editor,
    guidance_images,
    guidance_variants,
    readability,
)
from naranara.services.guidance_editor import ContentChanged, GuidanceError
from naranara.settings import DISPLAY_TIMEZONE
from naranara.states.guidance import ArticleView, article_view
from naranara.states.session import current_viewer

ARTICLE_PARAM = "artikel"
_STATUS_LABELS = {
    "draft": N_("Draft"),
    "in_review": N_("Ready for review"),
    "scheduled": N_("Scheduled"),
    "published": N_("Published"),
    "replaced": N_("Replaced"),
    "unpublished": N_("Unpublished"),
}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VARIANT_LABELS = {
    "sv": N_("Swedish"),
    "sv-lattlast": N_("Easy-to-read Swedish"),
    "en": N_("English"),
}


# The form's labels name the fields in the diff, in the reader's language.
_FIELD_LABELS = {
    "title": N_("Title"),
    "summary": N_("Summary"),
    "category": N_("Category"),
    "reading_minutes": N_("Reading time in minutes"),
    "responsible_unit": N_("Responsible unit"),
    "reviewed_on": N_("Reviewed on"),
    "warning_markdown": N_("When to call 1177 or 112 (Markdown)"),
    "body_markdown": N_("Text (Markdown)"),
}


def _labelled(line: str, locale: str) -> str:
    """ "title: Väg dig" -> "Rubrik: Väg dig" (the service's lines start with the field)."""
    name, _, text = line.partition(": ")
    if name not in _FIELD_LABELS:
        return line
    label = gettext(locale, _FIELD_LABELS[name])
    return f"{label}: {text}"


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(DISPLAY_TIMEZONE).strftime("%Y-%m-%d %H:%M")


@dataclasses.dataclass
class EditorRow:
    article_id: int
    title: str
    variant: str
    status: str
    href: str


@dataclasses.dataclass
class DriftRow:
    """A Swedish article whose other versions were reviewed before it."""

    title: str
    href: str
    note: str  # "Lättläst granskad 1 september 2026, …"


@dataclasses.dataclass
class CompanionLink:
    """Another language version of the Swedish article being edited."""

    label: str  # "Lättläst"
    title: str  # "" when it is not written yet
    href: str  # "" when it is not written yet
    note: str


@dataclasses.dataclass
class VersionRow:
    id: int
    number: int
    status: str
    when: str
    restored_from: str


@dataclasses.dataclass
class DiffRow:
    kind: str
    text: str


def _article_href(article_id: int) -> str:
    return f"{routes.GUIDANCE_EDITOR_ARTICLE}?{ARTICLE_PARAM}={article_id}"


def _drift_row(entry: guidance_variants.Drift, locale: str) -> DriftRow:
    behind = ", ".join(
        gettext(locale, "{version} reviewed {date}").format(
            version=gettext(locale, _VARIANT_LABELS[companion.variant]),
            date=format_date_with_year(companion.reviewed_on, locale),
        )
        for companion in entry.behind
    )
    note = gettext(locale, "{versions}; the Swedish text {date}").format(
        versions=behind, date=format_date_with_year(entry.reviewed_on, locale)
    )
    return DriftRow(title=entry.title, href=_article_href(entry.article_id), note=note)


def _companion_link(companion: guidance_variants.Companion, locale: str) -> CompanionLink:
    label = gettext(locale, _VARIANT_LABELS[companion.variant])
    if companion.article_id is None:
        return CompanionLink(label, "", "", gettext(locale, "Not written yet."))
    reviewed = format_date_with_year(companion.reviewed_on, locale)
    if companion.behind:
        note = gettext(locale, "Reviewed {date}, before the Swedish text.").format(date=reviewed)
    else:
        note = gettext(locale, "Reviewed {date}.").format(date=reviewed)
    return CompanionLink(label, companion.title, _article_href(companion.article_id), note)


# The fields LIX is counted on, as the form names them (services/readability.measure_article).
_MEASURED = ("summary", "warning_markdown", "body_markdown")
EASY_READ_MOST = 25  # the easy-to-read targets tests/unit/test_readability.py checks
EASY_READ_BELOW = 5


def _staff(state: rx.State) -> Viewer | None:
    viewer = current_viewer(state)
    return viewer if is_allowed(viewer, Action.EDIT_GUIDANCE) else None


class GuidanceEditorState(rx.State):
    """The list of every article variant with the status of its newest version."""

    loaded: bool = False
    allowed: bool = False
    rows: list[EditorRow] = []
    drift: list[DriftRow] = []

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        self.rows, self.drift = [], []
        self.allowed = is_allowed(viewer, Action.EDIT_GUIDANCE)
        if self.allowed:
            with session_scope() as db:
                guidance_editor.publish_due(session=db)
                found = guidance_editor.articles_for_editor(session=db)
                self.rows = [
                    EditorRow(
                        article_id=article.id,
                        title=(version.title if version else article.title),
                        variant=gettext(
                            viewer.locale, _VARIANT_LABELS[guidance_editor.variant_of(article)]
                        ),
                        status=gettext(viewer.locale, _STATUS_LABELS[version.status])
                        if version
                        else "",
                        href=f"{routes.GUIDANCE_EDITOR_ARTICLE}?{ARTICLE_PARAM}={article.id}",
                    )
                    for article, version in found
                ]
                self.drift = [
                    _drift_row(entry, viewer.locale)
                    for entry in guidance_variants.drifted(session=db)
                ]
        self.loaded = True


class GuidanceEditorArticleState(rx.State):
    """One article variant: its form, the workflow buttons, preview, history and diff."""

    loaded: bool = False
    allowed: bool = False
    creating: bool = False
    article_id: int = 0
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error: str = ""
    message: str = ""
    form_key: int = 0
    status: str = ""
    status_label: str = ""
    version_id: int = 0
    published: bool = False
    # Four eyes: whether this viewer may approve the version in review (the policy says),
    # and the hash of the text this page showed them, which publishing must still match.
    may_publish: bool = False
    _reviewed_hash: str = ""
    preview: ArticleView = ArticleView()
    versions: list[VersionRow] = []
    diff_title: str = ""
    diff: list[DiffRow] = []
    categories: list[list[str]] = []
    image_markdown: str = ""  # after an upload: the line to paste into the text
    image_error: str = ""
    # Readability, counted again as staff write (``measure``); not for English.
    lix_shown: bool = False
    lix_figure: str = ""
    lix_band: str = ""  # "easy", "medium", "hard" (a class name); "" without text
    lix_band_label: str = ""
    lix_detail: str = ""
    lix_target: str = ""  # lättläst only: what the figure must stay under
    _measured: dict[str, str] = {}
    _original_lix: float | None = None  # the Swedish original's, for a lättläst text
    # A Swedish article's other versions, and whether they may need the same change.
    companions: list[CompanionLink] = []
    companions_intro: str = ""
    companions_attention: bool = False

    def _refresh(self, db, viewer: Viewer) -> None:  # noqa: ANN001 - an open Session
        article = db.get(GuidanceArticle, self.article_id)
        versions = guidance_editor.versions_of(session=db, article_id=self.article_id)
        latest: GuidanceVersion = versions[0]
        self.values = {
            name: str(getattr(latest, name)) for name in guidance_editor.CONTENT_FIELDS
        } | {"slug": article.slug, "variant": guidance_editor.variant_of(article)}
        self.status = latest.status
        self.status_label = gettext(viewer.locale, _STATUS_LABELS[latest.status])
        self.version_id = latest.id
        self.published = article.published_at is not None
        self.may_publish = may_publish_guidance(
            viewer, author_id=latest.author_id, last_editor_id=latest.last_editor_id
        )
        # What the form and the preview below show is exactly this version's content.
        self._reviewed_hash = guidance_editor.content_hash(latest)
        shown = GuidanceArticle(
            slug=article.slug,
            locale=article.locale,
            easy_read=article.easy_read,
            **{name: getattr(latest, name) for name in guidance_editor.CONTENT_FIELDS},
        )
        self.preview = article_view(shown, locale=viewer.locale)
        self._show_companions(db, viewer.locale)
        self._measured = {name: self.values.get(name, "") for name in (*_MEASURED, "variant")}
        self._original_lix = None
        original = guidance_variants.original_text(session=db, article_id=article.id)
        if article.easy_read and original is not None:
            self._original_lix = readability.measure_article(
                summary=original.summary,
                warning=original.warning_markdown,
                body=original.body_markdown,
            ).lix
        self._show_readability(viewer.locale)
        self.versions = [
            VersionRow(
                id=v.id,
                number=v.number,
                status=gettext(viewer.locale, _STATUS_LABELS[v.status]),
                when=_when(v.publish_at or v.updated_at),
                restored_from=str(v.restored_from or ""),
            )
            for v in versions
        ]
        self.form_key += 1

    def _show_companions(self, db, locale: str) -> None:  # noqa: ANN001 - an open Session
        notice = guidance_variants.versions_notice(session=db, article_id=self.article_id)
        self.companions = [_companion_link(c, locale) for c in notice.companions] if notice else []
        self.companions_attention = bool(notice and notice.needs_attention)
        if notice is None:
            self.companions_intro = ""
        elif notice.changing:
            self.companions_intro = gettext(
                locale,
                "You are changing the Swedish text. Its easy-to-read and English versions"
                " may need the same change:",
            )
        elif self.companions_attention:
            self.companions_intro = gettext(
                locale,
                "The Swedish text was reviewed {date}. Versions reviewed before it, or not"
                " written yet, may need the same change:",
            ).format(date=format_date_with_year(notice.reviewed_on, locale))
        else:
            self.companions_intro = gettext(
                locale,
                "The other versions were reviewed on the same day as the Swedish text or later:",
            )

    def _show_readability(self, locale: str) -> None:
        """LIX of what the form holds now, with its band and, for lättläst, the target."""
        self.lix_shown = self._measured.get("variant", "sv") in ("sv", "sv-lattlast")
        found = readability.measure_article(
            summary=self._measured.get("summary", ""),
            warning=self._measured.get("warning_markdown", ""),
            body=self._measured.get("body_markdown", ""),
        )
        if not found.words:
            self.lix_figure, self.lix_band, self.lix_band_label = "", "", ""
            self.lix_detail = gettext(locale, "Write some text to see how easy it is to read.")
        else:
            self.lix_figure = str(found.figure)
            self.lix_band = found.band
            self.lix_band_label = gettext(locale, readability.BAND_LABELS[found.band])
            self.lix_detail = gettext(
                locale, "{words} words, {sentences} sentences, {percent} % long words"
            ).format(
                words=found.words,
                sentences=found.sentences,
                percent=round(100 * found.long_words / found.words),
            )
        self.lix_target = ""
        if self._measured.get("variant") == "sv-lattlast" and self._original_lix is not None:
            self.lix_target = gettext(
                locale,
                "Easy-to-read target: at most {most}, and at least {below} below the Swedish"
                " text's {original}.",
            ).format(most=EASY_READ_MOST, below=EASY_READ_BELOW, original=round(self._original_lix))

    @rx.event
    def measure(self, field: str, value: str) -> None:
        """Count LIX again while staff write (the text fields call this after a pause)."""
        viewer = current_viewer(self)
        try:
            require(viewer, Action.EDIT_GUIDANCE)
        except Forbidden as error:
            self._refused(viewer, error)
            return
        if field not in (*_MEASURED, "variant"):
            return
        text = form_text({field: value}, field, max_length=guidance_editor.MAX_TEXT)
        self._measured = {**self._measured, field: text}
        self._show_readability(viewer.locale)

    def _categories(self, locale: str) -> list[list[str]]:
        return [
            [key, gettext(locale, guidance.CATEGORY_LABELS[key])]
            for key in guidance_content.CATEGORIES
        ]

    @rx.event
    def load(self) -> None:
        viewer = _staff(self)
        self.allowed = viewer is not None
        self.errors, self.form_error, self.message, self.diff, self.diff_title = {}, "", "", [], ""
        self.values, self.versions, self.article_id = {}, [], 0
        if viewer is None:
            self.loaded = True
            return
        self.categories = self._categories(viewer.locale)
        parameters = self.router.url.query_parameters
        chosen = record_id(parameters.get(ARTICLE_PARAM))
        uploaded = str(parameters.get("bild", "") or "")
        alt = gettext(viewer.locale, "Describe the image")
        self.image_markdown = (
            f"![{alt}]({routes.GUIDANCE_IMAGES}/{uploaded})"
            if guidance_images.NAME.match(uploaded)
            else ""
        )
        refusal = guidance_images.REFUSALS.get(str(parameters.get("bildfel", "") or ""))
        self.image_error = gettext(viewer.locale, refusal) if refusal else ""
        with session_scope() as db:
            require(viewer, Action.EDIT_GUIDANCE)
            if chosen and db.get(GuidanceArticle, chosen) is not None:
                self.article_id = chosen
                self.creating = False
                self._refresh(db, viewer)
            else:
                self.creating = True
                self.values = {"variant": "sv", "reading_minutes": "3", "category": ""}
                self.form_key += 1
                self.companions, self.companions_intro = [], ""
                self.companions_attention = False
                self._measured, self._original_lix = {"variant": "sv"}, None
                self._show_readability(viewer.locale)
        self.loaded = True

    def _refused(self, viewer: Viewer | None, error: Exception) -> None:
        locale = viewer.locale if viewer else "sv"
        if isinstance(error, InputInvalid):
            self.form_error = gettext(locale, "Some fields need to be fixed.")
            self.errors = error.texts(locale)
        elif isinstance(error, GuidanceError):
            self.form_error = gettext(locale, error.message)
        else:
            self.form_error = gettext(locale, "Only staff can edit the self-care advice.")

    @rx.event
    def save(self, form: dict) -> rx.event.EventSpec | None:
        viewer = current_viewer(self)
        created = False
        fields = {
            name: form_text(form, name, max_length=guidance_editor.MAX_TEXT + 1)
            for name in (*guidance_editor.CONTENT_FIELDS, "slug", "variant")
        }
        # Keep what was typed whatever happens next.
        self.values = fields
        self.errors, self.form_error, self.message = {}, "", ""
        try:
            require(viewer, Action.EDIT_GUIDANCE)
            with session_scope() as db:
                if self.creating or not self.article_id:
                    created = True
                    slug = fields["slug"].strip().lower()
                    if not _SLUG.match(slug) or len(slug) > 100:
                        raise InputInvalid(
                            {"slug": N_("Use lowercase letters, digits and hyphens.")}
                        )
                    version = guidance_editor.create_article(
                        session=db,
                        editor_id=viewer.user_id,
                        slug=slug,
                        variant=fields["variant"],
                        values=fields,
                    )
                else:
                    version = guidance_editor.save_draft(
                        session=db,
                        editor_id=viewer.user_id,
                        article_id=self.article_id,
                        values=fields,
                    )
                db.commit()
                self.article_id = version.article_id
                self.creating = False
                self._refresh(db, viewer)
            self.message = gettext(viewer.locale, "Draft saved. Residents do not see it yet.")
        except (InputInvalid, GuidanceError, Forbidden) as error:
            self._refused(viewer, error)
            return None
        if created:
            # The new article gets its own address, so a reload or a shared link finds it.
            return rx.redirect(
                f"{routes.GUIDANCE_EDITOR_ARTICLE}?{ARTICLE_PARAM}={self.article_id}"
            )
        return None

    def _step(self, action: Action, step) -> None:  # noqa: ANN001 - a function of (db, viewer)
        viewer = current_viewer(self)
        self.errors, self.form_error, self.message = {}, "", ""
        try:
            require(viewer, action)
            if not self.article_id:
                raise GuidanceError("We could not find that article.")
            with session_scope() as db:
                self.message = gettext(viewer.locale, step(db, viewer))
                db.commit()
                self._refresh(db, viewer)
        except ContentChanged as error:
            # Show the text as it is now (and remember that this is what was shown).
            with session_scope() as db:
                self._refresh(db, viewer)
            self._refused(viewer, error)
        except (GuidanceError, Forbidden) as error:
            self._refused(viewer, error)

    @rx.event
    def submit_for_review(self) -> None:
        def step(db, viewer: Viewer) -> str:  # noqa: ANN001
            guidance_editor.submit_for_review(
                session=db, editor_id=viewer.user_id, version_id=self.version_id
            )
            return N_("Sent for review. Another staff member reviews and publishes it.")

        self._step(Action.EDIT_GUIDANCE, step)

    @rx.event
    def publish(self, form: dict) -> None:
        when = form_text(form, "publish_at", max_length=20).strip()

        def step(db, viewer: Viewer) -> str:  # noqa: ANN001
            at = None
            if when:
                try:
                    at = datetime.fromisoformat(when).replace(tzinfo=DISPLAY_TIMEZONE)
                except ValueError as error:
                    raise GuidanceError(N_("Write the time as YYYY-MM-DD HH:MM.")) from error
            version = guidance_editor.publish(
                session=db,
                reviewer_id=viewer.user_id,
                version_id=self.version_id,
                reviewed_hash=self._reviewed_hash,
                at=at,
            )
            return N_("Scheduled.") if version.status == "scheduled" else N_("Published.")

        self._step(Action.REVIEW_GUIDANCE, step)

    @rx.event
    def return_to_draft(self) -> None:
        def step(db, viewer: Viewer) -> str:  # noqa: ANN001
            guidance_editor.return_to_draft(
                session=db, reviewer_id=viewer.user_id, version_id=self.version_id
            )
            return N_("Sent back as a draft.")

        self._step(Action.REVIEW_GUIDANCE, step)

    @rx.event
    def unpublish(self) -> None:
        def step(db, viewer: Viewer) -> str:  # noqa: ANN001
            guidance_editor.unpublish(
                session=db, reviewer_id=viewer.user_id, article_id=self.article_id
            )
            return N_("Unpublished. Residents no longer see it.")

        self._step(Action.REVIEW_GUIDANCE, step)

    @rx.event
    def restore(self, version_id: int) -> None:
        chosen = record_id(version_id)

        def step(db, viewer: Viewer) -> str:  # noqa: ANN001
            version = db.get(GuidanceVersion, chosen) if chosen else None
            if version is None or version.article_id != self.article_id:
                raise GuidanceError("We could not find that version.")
            guidance_editor.restore(session=db, editor_id=viewer.user_id, version_id=version.id)
            return N_("Restored as a new draft.")

        self._step(Action.EDIT_GUIDANCE, step)

    @rx.event
    def show_diff(self, version_id: int) -> None:
        """What changed in a version compared with the one before it."""
        viewer = current_viewer(self)
        chosen = record_id(version_id)
        self.diff, self.diff_title = [], ""
        try:
            require(viewer, Action.EDIT_GUIDANCE)
            with session_scope() as db:
                version = db.get(GuidanceVersion, chosen) if chosen else None
                if version is None or version.article_id != self.article_id:
                    raise GuidanceError("We could not find that version.")
                earlier = next(
                    (
                        v
                        for v in guidance_editor.versions_of(session=db, article_id=self.article_id)
                        if v.number < version.number
                    ),
                    None,
                )
                self.diff = [
                    DiffRow(kind=line.kind, text=_labelled(line.text, viewer.locale))
                    for line in guidance_editor.diff(earlier, version)
                ]
                self.diff_title = gettext(viewer.locale, "Changes in version {number}").format(
                    number=version.number
                )
        except (GuidanceError, Forbidden) as error:
            self._refused(viewer, error)
