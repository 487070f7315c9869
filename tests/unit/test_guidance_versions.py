"""Every article in every version: English and easy-to-read Swedish beside each Swedish
original, saying the same about when to seek care, offering the same tasks, reviewed by
the same unit on the same day.

Read from the files one by one (not through ``load_sources``), so a missing or broken
version fails its own case and names it, instead of failing the whole library at once.
"""

from __future__ import annotations

import re

import pytest

from naranara.services.guidance_content import (
    CONTENT_DIR,
    ArticleSource,
    TaskTemplateSource,
    parse_file,
)

SWEDISH_SLUGS = sorted(path.name.removesuffix(".sv.md") for path in CONTENT_DIR.glob("*.sv.md"))
OTHER_VERSIONS = ("en", "sv-lattlast")

# The numbers a warning may send people to: emergency, 1177 Vårdguiden, the Mind suicide
# helpline, the Swedish Poisons Information Centre. Written the same way in every language.
_SERVICE_NUMBER = re.compile(r"(?<![\d-])(112|1177|90101|010-456 67 00)(?![\d-])")


def _numbers(warning: str) -> set[str]:
    return set(_SERVICE_NUMBER.findall(warning))


def _what_it_does(task: TaskTemplateSource) -> tuple[object, ...]:
    threshold = task.threshold
    return (
        task.key,
        task.rrule,
        task.time_of_day,
        task.measurement,
        (threshold.rule, threshold.value, threshold.days) if threshold else None,
    )


def _templates_read_by(version: ArticleSource, original: ArticleSource):  # noqa: ANN202
    # Easy-to-read Swedish may leave its templates out; its readers get the original's.
    return version.tasks or (original.tasks if version.language == original.language else ())


def test_there_are_two_dozen_swedish_articles() -> None:
    assert len(SWEDISH_SLUGS) >= 24


@pytest.mark.parametrize("variant", OTHER_VERSIONS)
@pytest.mark.parametrize("slug", SWEDISH_SLUGS)
def test_every_article_has_this_version_and_it_keeps_to_the_original(
    slug: str, variant: str
) -> None:
    path = CONTENT_DIR / f"{slug}.{variant}.md"
    assert path.is_file(), f"{path.name} is missing"
    original = parse_file(CONTENT_DIR / f"{slug}.sv.md")
    version = parse_file(path)

    assert version.reviewed_on == original.reviewed_on
    assert version.responsible_unit == original.responsible_unit
    assert version.category == original.category

    assert bool(version.warning) == bool(original.warning), "a warning box in one, not the other"
    assert _numbers(version.warning) == _numbers(original.warning)

    assert [_what_it_does(task) for task in _templates_read_by(version, original)] == [
        _what_it_does(task) for task in original.tasks
    ]
    if version.language != original.language:
        # The task a reader adopts is named in the language they read.
        for translated, swedish in zip(version.tasks, original.tasks, strict=True):
            assert translated.title != swedish.title, translated.key
            if swedish.threshold is not None:
                assert translated.threshold is not None
                assert translated.threshold.advice != swedish.threshold.advice, translated.key


def test_the_number_check_sees_each_number_on_its_own() -> None:
    assert _numbers("**Ring 112** eller 1177, Giftinformation 010-456 67 00.") == {
        "112",
        "1177",
        "010-456 67 00",
    }
    assert _numbers("Ring 11 77 eller 1120 eller 90101.") == {"90101"}
