"""Self-care guidance shipped with Nära: Markdown articles with TOML front matter.

Each article variant is one file ``<slug>.<variant>.md`` in ``CONTENT_DIR``, where the
variant is ``sv``, ``sv-lattlast`` (easy-to-read Swedish) or ``en``. The front matter sits
between two ``+++`` lines. Task templates (self-care tasks a resident can add to their plan
from an article) are defined by the ``sv`` file. A version in another language repeats them
with the title and advice translated and everything else (key, schedule, time,
measurement, threshold) exactly as in the original, so an English reader adopts an English
task that reminds and warns like the Swedish one. An easy-to-read Swedish version may
repeat them in easier words, or leave them out and share the original's.

Validation is strict and every error names the file, because a mistake in the content
would otherwise surface much later as a wrong reminder or a broken page.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from dateutil.rrule import rrule, rrulestr

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content" / "guidance"

CATEGORIES: tuple[str, ...] = (
    "hjartsvikt",
    "diabetes",
    "kol",
    "hogt-blodtryck",
    "fallprevention",
    "fysisk-aktivitet",
    "somn",
    "psykisk-halsa",
    "lakemedel",
)
MEASUREMENT_KINDS: tuple[str, ...] = (
    "weight",
    "blood_pressure",
    "blood_glucose",
    "pulse",
    "steps",
    "mood",
)
THRESHOLD_RULES: tuple[str, ...] = ("above", "below", "rise")

# File variant -> (language, easy_read)
VARIANTS: dict[str, tuple[str, bool]] = {
    "sv": ("sv", False),
    "sv-lattlast": ("sv", True),
    "en": ("en", False),
}

# Limits follow the columns of GuidanceArticle, so seeding never truncates.
_MAX_SLUG = 100
_MAX_TITLE = 200
_MAX_SUMMARY = 300
_MAX_UNIT = 160
_MAX_TASK_TITLE = 200
_MAX_ADVICE = 400
_MAX_RISE_DAYS = 30

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
_FENCE = "+++"
# Raw HTML and images are not part of the format: the renderer strips them anyway, and an
# article that relies on them would read wrongly.
_RAW_HTML = re.compile(r"<\s*[A-Za-z!/?]")
_IMAGE = re.compile(r"!\[")

_ARTICLE_KEYS = {
    "slug",
    "language",
    "easy_read",
    "title",
    "summary",
    "category",
    "reading_minutes",
    "reviewed_on",
    "responsible_unit",
    "warning",
    "tasks",
}
_REQUIRED_ARTICLE_KEYS = _ARTICLE_KEYS - {"warning", "tasks"}
_TASK_KEYS = {"key", "title", "rrule", "time_of_day", "measurement", "threshold"}
_REQUIRED_TASK_KEYS = {"key", "title", "rrule", "time_of_day"}
_THRESHOLD_KEYS = {"rule", "value", "days", "advice"}
_REQUIRED_THRESHOLD_KEYS = {"rule", "value", "advice"}


class GuidanceContentError(ValueError):
    """A content file breaks the format; the message names the file."""


@dataclass(frozen=True)
class ThresholdSource:
    rule: str  # "above" | "below" | "rise"
    value: float  # for blood_pressure: the systolic value
    days: int | None  # only for "rise": the window the increase is measured over
    advice: str


@dataclass(frozen=True)
class TaskTemplateSource:
    key: str
    title: str
    rrule: str  # RFC 5545 RRULE without DTSTART, e.g. "FREQ=DAILY"
    time_of_day: str  # "HH:MM", Europe/Stockholm wall-clock time
    measurement: str | None
    threshold: ThresholdSource | None


@dataclass(frozen=True)
class ArticleSource:
    slug: str
    language: str
    easy_read: bool
    title: str
    summary: str
    category: str
    reading_minutes: int
    reviewed_on: date
    responsible_unit: str
    warning: str  # Markdown; "" when the article has no warning signs
    body: str  # Markdown
    tasks: tuple[TaskTemplateSource, ...]

    @property
    def variant(self) -> str:
        return variant_name(self.language, self.easy_read)


def variant_name(language: str, easy_read: bool) -> str:
    for name, (variant_language, variant_easy_read) in VARIANTS.items():
        if (variant_language, variant_easy_read) == (language, easy_read):
            return name
    raise ValueError(f"no variant for language {language!r} with easy_read={easy_read}")


class _Reader:
    """Validates one file's values, prefixing every error with the file name."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str) -> GuidanceContentError:
        return GuidanceContentError(f"{self.path.name}: {message}")

    def check_keys(self, table: dict, allowed: set[str], required: set[str], where: str) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(f"unknown key(s) in {where}: {', '.join(unknown)}")
        missing = sorted(required - set(table))
        if missing:
            raise self.fail(f"missing key(s) in {where}: {', '.join(missing)}")

    def text(self, table: dict, key: str, where: str, *, max_length: int) -> str:
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}{key} must be a non-empty string")
        if len(value) > max_length:
            raise self.fail(f"{where}{key} is longer than {max_length} characters")
        return value.strip()

    def slug(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not _SLUG.match(value) or len(value) > _MAX_SLUG:
            raise self.fail(
                f"{where} {value!r} must be lowercase letters, digits and single hyphens"
                f" (at most {_MAX_SLUG} characters)"
            )
        return value


def _split_front_matter(reader: _Reader, source: str) -> tuple[str, str]:
    lines = source.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        raise reader.fail(f"must start with a {_FENCE} line opening the front matter")
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == _FENCE:
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]).strip()
    raise reader.fail(f"front matter is not closed by a {_FENCE} line")


def _parse_rrule(reader: _Reader, value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise reader.fail(f"{where}rrule must be a non-empty string")
    rule_text = value.strip()
    if (
        "\n" in rule_text
        or "DTSTART" in rule_text.upper()
        or rule_text.upper().startswith("RRULE:")
    ):
        raise reader.fail(
            f"{where}rrule {value!r} must be one RRULE value without DTSTART or 'RRULE:'"
        )
    try:
        parsed = rrulestr(rule_text, dtstart=datetime(2026, 1, 1))
    except (ValueError, TypeError, KeyError) as error:
        raise reader.fail(f"{where}rrule {value!r} does not parse: {error}") from error
    if not isinstance(parsed, rrule):
        raise reader.fail(f"{where}rrule {value!r} must be a single rule")
    return rule_text


def _parse_threshold(reader: _Reader, table: object, where: str) -> ThresholdSource:
    if not isinstance(table, dict):
        raise reader.fail(f"{where}threshold must be a table")
    reader.check_keys(table, _THRESHOLD_KEYS, _REQUIRED_THRESHOLD_KEYS, f"{where}threshold")
    rule = table["rule"]
    if rule not in THRESHOLD_RULES:
        raise reader.fail(
            f"{where}threshold.rule {rule!r} is not one of {', '.join(THRESHOLD_RULES)}"
        )
    value = table["value"]
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise reader.fail(f"{where}threshold.value must be a positive number")
    days = table.get("days")
    if rule == "rise":
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= _MAX_RISE_DAYS:
            raise reader.fail(
                f"{where}threshold.days must be a whole number from 1 to {_MAX_RISE_DAYS}"
                " for rule 'rise'"
            )
    elif days is not None:
        raise reader.fail(f"{where}threshold.days is only allowed with rule 'rise'")
    advice = reader.text(table, "advice", f"{where}threshold.", max_length=_MAX_ADVICE)
    return ThresholdSource(rule=rule, value=float(value), days=days, advice=advice)


def _parse_task(reader: _Reader, table: object, index: int) -> TaskTemplateSource:
    where = f"tasks[{index}]."
    if not isinstance(table, dict):
        raise reader.fail(f"tasks[{index}] must be a table")
    reader.check_keys(table, _TASK_KEYS, _REQUIRED_TASK_KEYS, f"tasks[{index}]")
    key = reader.slug(table["key"], f"{where}key")
    title = reader.text(table, "title", where, max_length=_MAX_TASK_TITLE)
    rule_text = _parse_rrule(reader, table["rrule"], where)
    time_of_day = table["time_of_day"]
    if not isinstance(time_of_day, str) or not _TIME.match(time_of_day):
        raise reader.fail(f"{where}time_of_day {time_of_day!r} must be HH:MM (00:00–23:59)")
    measurement = table.get("measurement")
    if measurement is not None and measurement not in MEASUREMENT_KINDS:
        raise reader.fail(
            f"{where}measurement {measurement!r} is not one of {', '.join(MEASUREMENT_KINDS)}"
        )
    threshold = None
    if "threshold" in table:
        if measurement is None:
            raise reader.fail(f"{where}threshold needs a measurement")
        threshold = _parse_threshold(reader, table["threshold"], where)
    return TaskTemplateSource(
        key=key,
        title=title,
        rrule=rule_text,
        time_of_day=time_of_day,
        measurement=measurement,
        threshold=threshold,
    )


def parse_file(path: Path) -> ArticleSource:
    """Read and validate one article variant; raises GuidanceContentError naming the file."""
    reader = _Reader(path)
    name_parts = path.name.split(".")
    if len(name_parts) != 3 or name_parts[2] != "md" or name_parts[1] not in VARIANTS:
        raise reader.fail(
            f"file name must be <slug>.<variant>.md with variant {', '.join(VARIANTS)}"
        )
    file_slug, variant = name_parts[0], name_parts[1]
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise reader.fail("is not valid UTF-8") from error
    front_matter, body = _split_front_matter(reader, source)
    try:
        meta = tomllib.loads(front_matter)
    except tomllib.TOMLDecodeError as error:
        raise reader.fail(f"front matter is not valid TOML: {error}") from error

    reader.check_keys(meta, _ARTICLE_KEYS, _REQUIRED_ARTICLE_KEYS, "front matter")
    slug = reader.slug(meta["slug"], "slug")
    if slug != file_slug:
        raise reader.fail(f"slug {slug!r} does not match the file name")
    language, easy_read = meta["language"], meta["easy_read"]
    if not isinstance(easy_read, bool):
        raise reader.fail("easy_read must be true or false")
    if (language, easy_read) != VARIANTS[variant]:
        expected_language, expected_easy_read = VARIANTS[variant]
        raise reader.fail(
            f"a {variant!r} file needs language = {expected_language!r} and"
            f" easy_read = {str(expected_easy_read).lower()}"
        )
    title = reader.text(meta, "title", "", max_length=_MAX_TITLE)
    summary = reader.text(meta, "summary", "", max_length=_MAX_SUMMARY)
    category = meta["category"]
    if category not in CATEGORIES:
        raise reader.fail(f"category {category!r} is not one of {', '.join(CATEGORIES)}")
    reading_minutes = meta["reading_minutes"]
    if (
        isinstance(reading_minutes, bool)
        or not isinstance(reading_minutes, int)
        or not 1 <= reading_minutes <= 30
    ):
        raise reader.fail("reading_minutes must be a whole number from 1 to 30")
    reviewed_on = meta["reviewed_on"]
    if not isinstance(reviewed_on, date) or isinstance(reviewed_on, datetime):
        raise reader.fail("reviewed_on must be a date like 2026-10-01 (no quotes, no time)")
    responsible_unit = reader.text(meta, "responsible_unit", "", max_length=_MAX_UNIT)
    warning = reader.text(meta, "warning", "", max_length=2000) if "warning" in meta else ""

    raw_tasks = meta.get("tasks", [])
    if not isinstance(raw_tasks, list):
        raise reader.fail("tasks must be an array of tables ([[tasks]])")
    tasks = tuple(_parse_task(reader, table, index) for index, table in enumerate(raw_tasks))
    keys = [task.key for task in tasks]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise reader.fail(f"task key(s) used more than once: {', '.join(duplicates)}")

    if not body:
        raise reader.fail("has no Markdown body after the front matter")
    for text, part in ((body, "body"), (warning, "warning")):
        if _RAW_HTML.search(text):
            raise reader.fail(f"{part} contains raw HTML; use Markdown")
        if _IMAGE.search(text):
            raise reader.fail(f"{part} contains an image; images are not supported")

    return ArticleSource(
        slug=slug,
        language=language,
        easy_read=easy_read,
        title=title,
        summary=summary,
        category=category,
        reading_minutes=reading_minutes,
        reviewed_on=reviewed_on,
        responsible_unit=responsible_unit,
        warning=warning,
        body=body,
        tasks=tasks,
    )


def parse_directory(directory: Path) -> tuple[ArticleSource, ...]:
    """Every article variant in ``directory``, checked as a whole (sorted by slug, variant)."""
    paths = sorted(directory.glob("*.md"))
    sources = [parse_file(path) for path in paths]
    _check_collection(zip(paths, sources, strict=True))
    return tuple(sorted(sources, key=lambda source: (source.slug, source.variant)))


def _schedule_of(task: TaskTemplateSource) -> tuple[object, ...]:
    """What a template does, apart from its words: equal in every version of an article."""
    threshold = task.threshold
    return (
        task.key,
        task.rrule,
        task.time_of_day,
        task.measurement,
        (threshold.rule, threshold.value, threshold.days) if threshold else None,
    )


def _check_templates(path: Path, source: ArticleSource, original: ArticleSource) -> None:
    if not source.tasks and source.language == original.language:
        return  # easy-to-read Swedish may share the original's templates as they are
    if [_schedule_of(task) for task in source.tasks] != [
        _schedule_of(task) for task in original.tasks
    ]:
        raise GuidanceContentError(
            f"{path.name}: its [[tasks]] must repeat the Swedish original's task templates"
            " in the same order with the same key, rrule, time_of_day, measurement and"
            " threshold rule, value and days; only title and advice are translated"
        )


def _check_collection(parsed: Iterable[tuple[Path, ArticleSource]]) -> None:
    """Every variant backed by a Swedish original in the same category, with its templates.

    A slug cannot have the same variant twice: the file name carries both.
    """
    swedish: dict[str, ArticleSource] = {}
    others: list[tuple[Path, ArticleSource]] = []
    for path, source in parsed:
        if source.variant == "sv":
            swedish[source.slug] = source
        else:
            others.append((path, source))
    for path, source in others:
        original = swedish.get(source.slug)
        if original is None:
            raise GuidanceContentError(
                f"{path.name}: there is no {source.slug}.sv.md for this variant to belong to"
            )
        if source.category != original.category:
            raise GuidanceContentError(
                f"{path.name}: category {source.category!r} differs from the Swedish"
                f" original's {original.category!r}"
            )
        _check_templates(path, source, original)


@cache
def load_sources() -> tuple[ArticleSource, ...]:
    """All shipped article variants; parsed once per process."""
    return parse_directory(CONTENT_DIR)


def templates_for(slug: str, variant: str = "sv") -> tuple[TaskTemplateSource, ...]:
    """The task templates of an article in the words of ``variant``: its own where it has
    them, else the Swedish original's (an unknown variant gets the original's)."""
    by_variant = {source.variant: source for source in load_sources() if source.slug == slug}
    own = by_variant.get(variant)
    if own is not None and own.tasks:
        return own.tasks
    original = by_variant.get("sv")
    return original.tasks if original is not None else ()


def task_template(slug: str, key: str, variant: str = "sv") -> TaskTemplateSource | None:
    return next((task for task in templates_for(slug, variant) if task.key == key), None)
