"""The self-care guidance shipped as Markdown files, and the strict parser that reads them."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr

from naranara.services import guidance_content
from naranara.services.guidance import render_markdown
from naranara.services.guidance_content import (
    CATEGORIES,
    CONTENT_DIR,
    MEASUREMENT_KINDS,
    GuidanceContentError,
    load_sources,
    parse_directory,
    parse_file,
    task_template,
    templates_for,
)
from naranara.settings import DISPLAY_TIMEZONE

SOURCES = load_sources()
SWEDISH = [source for source in SOURCES if source.variant == "sv"]
ALL_FILES = sorted(CONTENT_DIR.glob("*.md"))


def _words(markdown: str) -> int:
    return len(re.findall(r"\w+", markdown))


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda path: path.name)
def test_every_file_parses_and_matches_its_name(path: Path) -> None:
    source = parse_file(path)
    assert path.name == f"{source.slug}.{source.variant}.md"


def test_every_file_in_the_directory_is_loaded() -> None:
    assert len(SOURCES) == len(ALL_FILES)
    assert not [path for path in CONTENT_DIR.iterdir() if path.suffix != ".md"]


def test_there_are_enough_articles_in_every_category() -> None:
    assert len(SWEDISH) >= 20
    per_category = Counter(source.category for source in SWEDISH)
    assert [category for category in CATEGORIES if per_category[category] < 2] == []


def test_some_articles_exist_in_easy_swedish_and_english() -> None:
    variants: dict[str, set[str]] = {}
    for source in SOURCES:
        variants.setdefault(source.slug, set()).add(source.variant)
    with_both = [slug for slug, names in variants.items() if {"sv-lattlast", "en"} <= names]
    assert len(with_both) >= 3


def test_each_slug_has_each_variant_at_most_once_and_a_swedish_original() -> None:
    pairs = Counter((source.slug, source.variant) for source in SOURCES)
    assert max(pairs.values()) == 1
    swedish_slugs = {source.slug for source in SWEDISH}
    assert {source.slug for source in SOURCES} == swedish_slugs


def test_titles_are_unique_within_a_language() -> None:
    titles = Counter((source.variant, source.title.casefold()) for source in SOURCES)
    assert [title for title, count in titles.items() if count > 1] == []


def test_articles_have_the_agreed_length() -> None:
    for source in SOURCES:
        words = _words(source.body)
        if source.easy_read:
            assert 100 <= words <= 600, (source.slug, source.variant, words)
        else:
            assert 250 <= words <= 600, (source.slug, source.variant, words)


def test_bodies_use_headings_and_no_top_level_title() -> None:
    for source in SOURCES:
        assert "\n## " in f"\n{source.body}", source.slug
        assert not re.search(r"^# ", source.body, flags=re.MULTILINE), source.slug


def test_bodies_and_warnings_render_without_escaped_markup() -> None:
    for source in SOURCES:
        html = render_markdown(source.body)
        assert "<h2>" in html, source.slug
        assert "&lt;" not in html + render_markdown(source.warning), source.slug


# Letters a Swedish or English text needs; anything else is most likely a typing slip
# (a Cyrillic "а" looks like a Latin "a" but breaks search and screen readers).
_UNEXPECTED_CHARACTER = re.compile(r"[^\x20-\x7E\nåäöÅÄÖéÉüÜ–—…’“”°]")


def test_texts_use_only_expected_characters() -> None:
    for path in ALL_FILES:
        found = _UNEXPECTED_CHARACTER.findall(path.read_text(encoding="utf-8"))
        assert found == [], (path.name, found)


def test_warnings_say_whom_to_call() -> None:
    warned = [source for source in SOURCES if source.warning]
    assert len(warned) >= 10
    for source in warned:
        assert "112" in source.warning or "1177" in source.warning, source.slug


def test_warnings_that_mention_112_do_so_for_life_threatening_signs_only_next_to_1177() -> None:
    # 112 is the emergency number; every warning that sends people there also says where
    # ordinary advice is found, so nobody calls 112 for a question.
    for source in SOURCES:
        if "112" in source.warning:
            assert "1177" in source.warning or "90101" in source.warning, source.slug


def test_most_swedish_articles_offer_task_templates() -> None:
    with_tasks = [source for source in SWEDISH if source.tasks]
    assert len(with_tasks) >= len(SWEDISH) * 2 // 3
    assert all(len(source.tasks) <= 3 for source in SWEDISH)


def test_every_rule_recurs_within_two_weeks_from_any_start_day() -> None:
    for source in SWEDISH:
        for task in source.tasks:
            for offset in range(7):
                start = datetime(2026, 11, 23, tzinfo=DISPLAY_TIMEZONE) + timedelta(days=offset)
                rule = rrulestr(task.rrule, dtstart=start)
                following = rule.after(start, inc=True)
                assert following is not None and following - start < timedelta(days=14), (
                    source.slug,
                    task.key,
                )
                again = rule.after(following)
                assert again is not None and again - following <= timedelta(days=14)


def test_thresholds_match_their_measurement() -> None:
    for source in SWEDISH:
        for task in source.tasks:
            assert task.measurement in (None, *MEASUREMENT_KINDS)
            if task.threshold is None:
                continue
            assert task.threshold.advice
            if task.measurement == "blood_glucose":
                # mmol/l: values far outside 2–30 would be a unit mistake (mmol/mol is HbA1c)
                assert 2.0 <= task.threshold.value <= 30.0
            if task.measurement == "blood_pressure":
                assert 90 <= task.threshold.value <= 220  # systolic mmHg


def test_the_weighing_template_is_as_agreed() -> None:
    template = task_template("vag-dig-vid-hjartsvikt", "vag-dig")
    assert template is not None
    assert (template.rrule, template.time_of_day, template.measurement) == (
        "FREQ=DAILY",
        "07:30",
        "weight",
    )
    assert template.threshold is not None
    assert (template.threshold.rule, template.threshold.value, template.threshold.days) == (
        "rise",
        2.0,
        3,
    )
    assert templates_for("vag-dig-vid-hjartsvikt") == (template,)


def test_unknown_slugs_and_keys_have_no_templates() -> None:
    assert task_template("vag-dig-vid-hjartsvikt", "finns-inte") is None
    assert task_template("finns-inte", "vag-dig") is None
    assert templates_for("finns-inte") == ()


def test_load_sources_is_cached() -> None:
    assert guidance_content.load_sources() is SOURCES


# --- broken inputs -------------------------------------------------------------------------

VALID_FRONT_MATTER = """\
slug = "prov"
language = "sv"
easy_read = false
title = "Prov"
summary = "En sammanfattning."
category = "somn"
reading_minutes = 2
reviewed_on = 2026-10-01
responsible_unit = "Region Västernorrland, Primärvården"
warning = "Ring 1177 om du undrar något."
"""
VALID_TASK = """
[[tasks]]
key = "mat"
title = "Mät"
rrule = "FREQ=DAILY"
time_of_day = "08:00"
measurement = "weight"

[tasks.threshold]
rule = "rise"
value = 2.0
days = 3
advice = "Ring vårdcentralen."
"""
BODY = "## Rubrik\n\nText."


def _write(
    directory: Path,
    front_matter: str = VALID_FRONT_MATTER + VALID_TASK,
    *,
    name: str = "prov.sv.md",
    body: str = BODY,
) -> Path:
    path = directory / name
    path.write_text(f"+++\n{front_matter}+++\n{body}\n", encoding="utf-8")
    return path


def test_a_valid_file_parses(tmp_path: Path) -> None:
    source = parse_file(_write(tmp_path))
    assert source.slug == "prov"
    assert source.reviewed_on == date(2026, 10, 1)
    assert source.body == BODY
    (task,) = source.tasks
    assert task.threshold is not None and task.threshold.days == 3


BROKEN = {
    "unknown article key": (
        VALID_FRONT_MATTER + 'author = "X"\n',
        "unknown key(s) in front matter: author",
    ),
    "missing key": (VALID_FRONT_MATTER.replace('title = "Prov"\n', ""), "missing key(s)"),
    "bad slug": (VALID_FRONT_MATTER.replace('"prov"', '"Prov Ett"'), "slug 'Prov Ett'"),
    "unknown category": (
        VALID_FRONT_MATTER.replace('"somn"', '"sleep"'),
        "category 'sleep' is not one of",
    ),
    "date as string": (
        VALID_FRONT_MATTER.replace("2026-10-01", '"2026-10-01"'),
        "reviewed_on must be a date",
    ),
    "wrong language for variant": (
        VALID_FRONT_MATTER.replace('language = "sv"', 'language = "en"'),
        "needs language = 'sv'",
    ),
    "easy read in plain file": (
        VALID_FRONT_MATTER.replace("easy_read = false", "easy_read = true"),
        "easy_read = false",
    ),
    "long summary": (
        VALID_FRONT_MATTER.replace("En sammanfattning.", "x" * 301),
        "summary is longer than 300",
    ),
    "not toml": (VALID_FRONT_MATTER + "tasks = [\n", "not valid TOML"),
    "unknown task key": (
        VALID_FRONT_MATTER + VALID_TASK.replace('key = "mat"\n', 'key = "mat"\ncolour = "red"\n'),
        "unknown key(s) in tasks[0]: colour",
    ),
    "bad rrule": (
        VALID_FRONT_MATTER + VALID_TASK.replace("FREQ=DAILY", "FREQ=SOMETIMES"),
        "rrule 'FREQ=SOMETIMES' does not parse",
    ),
    "rrule with dtstart": (
        VALID_FRONT_MATTER
        + VALID_TASK.replace('"FREQ=DAILY"', '"DTSTART:20260101T000000\\nRRULE:FREQ=DAILY"'),
        "without DTSTART",
    ),
    "bad time": (
        VALID_FRONT_MATTER + VALID_TASK.replace('"08:00"', '"8:00"'),
        "time_of_day '8:00' must be HH:MM",
    ),
    "hour 24": (
        VALID_FRONT_MATTER + VALID_TASK.replace('"08:00"', '"24:00"'),
        "time_of_day '24:00'",
    ),
    "unknown measurement": (
        VALID_FRONT_MATTER + VALID_TASK.replace('"weight"', '"temperature"'),
        "measurement 'temperature' is not one of",
    ),
    "unknown threshold rule": (
        VALID_FRONT_MATTER + VALID_TASK.replace('"rise"', '"fall"'),
        "threshold.rule 'fall'",
    ),
    "rise without days": (
        VALID_FRONT_MATTER + VALID_TASK.replace("days = 3\n", ""),
        "threshold.days must be a whole number",
    ),
    "days with above": (
        VALID_FRONT_MATTER + VALID_TASK.replace('"rise"', '"above"'),
        "only allowed with rule 'rise'",
    ),
    "threshold without measurement": (
        VALID_FRONT_MATTER + VALID_TASK.replace('measurement = "weight"\n', ""),
        "threshold needs a measurement",
    ),
    "unknown threshold key": (
        VALID_FRONT_MATTER + VALID_TASK + 'unit = "kg"\n',
        "unknown key(s) in tasks[0].threshold: unit",
    ),
    "duplicate task key": (
        VALID_FRONT_MATTER + VALID_TASK + VALID_TASK,
        "task key(s) used more than once: mat",
    ),
}


@pytest.mark.parametrize(("front_matter", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_front_matter_is_refused_naming_the_file(
    tmp_path: Path, front_matter: str, message: str
) -> None:
    with pytest.raises(GuidanceContentError) as raised:
        parse_file(_write(tmp_path, front_matter))
    assert str(raised.value).startswith("prov.sv.md: ")
    assert message in str(raised.value)


def test_easy_swedish_may_share_the_originals_templates(tmp_path: Path) -> None:
    _write(tmp_path)
    easy = VALID_FRONT_MATTER.replace("easy_read = false", "easy_read = true")
    _write(tmp_path, easy, name="prov.sv-lattlast.md")
    assert {source.variant: len(source.tasks) for source in parse_directory(tmp_path)} == {
        "sv": 1,
        "sv-lattlast": 0,
    }


ENGLISH = VALID_FRONT_MATTER.replace('language = "sv"', 'language = "en"')
ENGLISH_TASK = VALID_TASK.replace('title = "Mät"', 'title = "Measure"').replace(
    "Ring vårdcentralen.", "Call your health centre."
)


def test_a_translation_repeats_the_templates_in_its_own_words(tmp_path: Path) -> None:
    _write(tmp_path)
    _write(tmp_path, ENGLISH + ENGLISH_TASK, name="prov.en.md")
    english = next(source for source in parse_directory(tmp_path) if source.variant == "en")
    (task,) = english.tasks
    assert (task.key, task.title) == ("mat", "Measure")
    assert task.threshold is not None and task.threshold.advice == "Call your health centre."


@pytest.mark.parametrize(
    "english_tasks",
    [
        "",  # an English reader would be offered Swedish tasks
        ENGLISH_TASK.replace('key = "mat"', 'key = "measure"'),
        ENGLISH_TASK.replace("FREQ=DAILY", "FREQ=WEEKLY"),
        ENGLISH_TASK.replace('"08:00"', '"09:00"'),
        ENGLISH_TASK.replace('"weight"', '"pulse"'),
        ENGLISH_TASK.replace('rule = "rise"', 'rule = "above"').replace("days = 3\n", ""),
        ENGLISH_TASK.replace("value = 2.0", "value = 3.0"),
        ENGLISH_TASK.replace("days = 3", "days = 7"),
        ENGLISH_TASK + ENGLISH_TASK.replace('key = "mat"', 'key = "extra"'),
    ],
    ids=["none", "key", "rrule", "time", "measurement", "rule", "value", "days", "extra"],
)
def test_a_translation_whose_templates_differ_is_refused(
    tmp_path: Path, english_tasks: str
) -> None:
    _write(tmp_path)
    _write(tmp_path, ENGLISH + english_tasks, name="prov.en.md")
    with pytest.raises(GuidanceContentError, match="prov.en.md: its \\[\\[tasks\\]\\] must repeat"):
        parse_directory(tmp_path)


def test_an_easy_swedish_version_with_templates_must_match_too(tmp_path: Path) -> None:
    _write(tmp_path)
    easy = VALID_FRONT_MATTER.replace("easy_read = false", "easy_read = true")
    _write(tmp_path, easy + VALID_TASK.replace('"08:00"', '"07:00"'), name="prov.sv-lattlast.md")
    with pytest.raises(GuidanceContentError, match="prov.sv-lattlast.md: its"):
        parse_directory(tmp_path)


def test_templates_are_read_in_the_words_of_the_version() -> None:
    swedish = templates_for("vag-dig-vid-hjartsvikt")
    english = templates_for("vag-dig-vid-hjartsvikt", "en")
    assert [task.title for task in swedish] == ["Väg dig varje morgon"]
    assert [task.title for task in english] == ["Weigh yourself every morning"]
    assert task_template("vag-dig-vid-hjartsvikt", "vag-dig", "en") == english[0]
    # A version without templates of its own, or none at all, reads the original's.
    assert templates_for("vag-dig-vid-hjartsvikt", "sv-lattlast") == swedish
    assert templates_for("vag-dig-vid-hjartsvikt", "de") == swedish


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("annan.sv.md", "slug 'prov' does not match the file name"),
        ("prov.de.md", "file name must be <slug>.<variant>.md"),
        ("prov.md", "file name must be <slug>.<variant>.md"),
    ],
)
def test_file_name_must_match(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(GuidanceContentError, match=re.escape(message)):
        parse_file(_write(tmp_path, name=name))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "has no Markdown body"),
        ("## Rubrik\n\n<script>alert(1)</script>", "body contains raw HTML"),
        ("## Rubrik\n\n![bild](https://example.org/a.png)", "body contains an image"),
    ],
)
def test_broken_bodies_are_refused(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(GuidanceContentError, match=re.escape(message)):
        parse_file(_write(tmp_path, body=body))


def test_front_matter_must_be_fenced(tmp_path: Path) -> None:
    path = tmp_path / "prov.sv.md"
    path.write_text(VALID_FRONT_MATTER + "+++\n" + BODY, encoding="utf-8")
    with pytest.raises(GuidanceContentError, match="must start with a \\+\\+\\+ line"):
        parse_file(path)
    path.write_text("+++\n" + VALID_FRONT_MATTER + BODY, encoding="utf-8")
    with pytest.raises(GuidanceContentError, match="not closed"):
        parse_file(path)


def test_a_variant_without_swedish_original_is_refused(tmp_path: Path) -> None:
    english = VALID_FRONT_MATTER.replace('language = "sv"', 'language = "en"')
    _write(tmp_path, english, name="prov.en.md")
    with pytest.raises(GuidanceContentError, match="prov.en.md: there is no prov.sv.md"):
        parse_directory(tmp_path)
    _write(tmp_path, VALID_FRONT_MATTER)
    assert [source.variant for source in parse_directory(tmp_path)] == ["en", "sv"]


def test_a_variant_in_another_category_is_refused(tmp_path: Path) -> None:
    _write(tmp_path)
    english = VALID_FRONT_MATTER.replace('language = "sv"', 'language = "en"')
    _write(tmp_path, english.replace('"somn"', '"kol"'), name="prov.en.md")
    with pytest.raises(GuidanceContentError, match="differs from the Swedish original"):
        parse_directory(tmp_path)
