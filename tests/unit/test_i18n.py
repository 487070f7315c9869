"""Translations: every text in the code is translated in both catalogs, placeholders intact."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from naranara.i18n import (
    DEFAULT_LOCALE,
    SUPPORTED_LOCALES,
    catalog_path,
    gettext,
    ngettext,
    normalise_locale,
    ui_texts,
)
from naranara.settings import PROJECT_ROOT

EXPECTED_KEYWORDS = ["t", "N_", "gettext:2", "ngettext:2,3"]


def _make_messages_extract_command() -> list[str]:
    """The ``pybabel extract`` command of the Makefile's ``messages`` target, as arguments."""
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    recipe = makefile.split("\nmessages:", 1)[1].replace("\\\n", " ")
    line = next(line for line in recipe.splitlines() if "pybabel extract" in line)
    return shlex.split(line)[1:]  # without $(BIN)/pybabel


def test_the_makefile_extracts_with_the_keywords_the_code_uses() -> None:
    args = _make_messages_extract_command()
    keywords = [args[i + 1] for i, arg in enumerate(args) if arg == "-k"]
    assert keywords == EXPECTED_KEYWORDS
    assert "--no-default-keywords" in args


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What ``make messages`` would extract from the source today, into a temporary file."""
    args = _make_messages_extract_command()
    output = tmp_path_factory.mktemp("messages") / "messages.pot"
    args[args.index("-o") + 1] = str(output)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(PROJECT_ROOT)
        CommandLineInterface().run(["pybabel", "--quiet", *args])
    with output.open("rb") as pot:
        catalog = read_po(pot)
    # The extraction did find the app's texts (not an empty run from the wrong place).
    assert catalog.get("Sign in") is not None
    assert len([m for m in catalog if m.id]) >= 20
    return catalog


@pytest.fixture(scope="module", params=SUPPORTED_LOCALES)
def locale_catalog(request: pytest.FixtureRequest) -> tuple[str, Catalog]:
    locale = request.param
    with catalog_path(locale).open("rb") as po:
        return locale, read_po(po, locale=locale)


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _as_tuple(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _placeholders(text: str) -> list[str]:
    return sorted(
        f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
        for _, name, spec, conversion in Formatter().parse(text)
        if name is not None
    )


def test_every_extracted_text_is_translated(
    extracted: Catalog, locale_catalog: tuple[str, Catalog]
) -> None:
    locale, catalog = locale_catalog
    problems = []
    for source in _messages(extracted):
        message = catalog.get(source.id, source.context)
        if message is None:
            problems.append(f"missing: {source.id!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {source.id!r}")
        elif not all(part.strip() for part in _as_tuple(message.string)):
            problems.append(f"empty: {source.id!r}")
        elif isinstance(source.id, tuple) != isinstance(message.id, tuple):
            problems.append(f"plural forms differ: {source.id!r}")
    assert problems == [], f"run `make messages` and translate locales/{locale}: {problems}"


def test_every_translated_text_is_extracted_from_the_code(
    extracted: Catalog, locale_catalog: tuple[str, Catalog]
) -> None:
    """A text in the catalog that pybabel does not find in the code (a label passed to a
    helper without N_, a message kept in a constant) works today and is dropped by the
    next `make messages`, leaving English on a Swedish screen."""
    locale, catalog = locale_catalog
    unextracted = sorted(
        str(message.id)
        for message in _messages(catalog)
        if extracted.get(message.id, message.context) is None
    )
    assert unextracted == [], (
        f"locales/{locale} has texts the code does not mark for extraction: mark them with "
        f"N_() where they are written, then run `make messages`: {unextracted}"
    )


def test_placeholders_survive_translation(locale_catalog: tuple[str, Catalog]) -> None:
    _, catalog = locale_catalog
    checked = 0
    for message in _messages(catalog):
        ids = _as_tuple(message.id)
        expected = _placeholders(ids[-1])
        for translation in _as_tuple(message.string):
            assert _placeholders(translation) == expected, (message.id, translation)
        checked += bool(expected)
    assert checked >= 1  # the catalogs do have texts with placeholders


def test_swedish_catalog_has_no_english_left_untranslated() -> None:
    with catalog_path("sv").open("rb") as po:
        catalog = read_po(po, locale="sv")
    left_in_english = [
        message.id
        for message in _messages(catalog)
        if isinstance(message.id, str)
        and len(message.id.split()) > 1
        and message.string.strip() == message.id.strip()
    ]
    assert left_in_english == []


def test_catalogs_declare_their_language_and_plural_rule(
    locale_catalog: tuple[str, Catalog],
) -> None:
    locale, catalog = locale_catalog
    assert str(catalog.locale) == locale
    assert catalog.num_plurals == 2


def test_both_locales_offer_the_same_texts_to_the_pages() -> None:
    sv, en = ui_texts("sv"), ui_texts("en")
    assert set(sv) == set(en)
    assert sv["Sign in"] == "Logga in"
    assert en["Sign in"] == "Sign in"


def test_gettext_translates_and_keeps_placeholders_for_format() -> None:
    assert gettext("sv", "Hello {name}").format(name="Anna") == "Hej Anna"
    assert gettext("en", "Hello {name}").format(name="Anna") == "Hello Anna"
    # Regional variants and unknown languages get a supported catalog.
    assert gettext("sv-SE", "Sign in") == "Logga in"
    assert gettext("de", "Sign in") == "Logga in"


def test_ngettext_picks_the_form_by_number() -> None:
    assert ngettext("sv", "one visit", "{n} visits", 1) == "one visit"
    assert ngettext("sv", "one visit", "{n} visits", 2) == "{n} visits"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("sv", "sv"),
        ("en", "en"),
        ("EN", "en"),
        ("en-GB", "en"),
        ("en_US", "en"),
        (" sv-SE ", "sv"),
        ("SV_fi", "sv"),
        ("de", DEFAULT_LOCALE),
        ("de-DE", DEFAULT_LOCALE),
        ("english", DEFAULT_LOCALE),
        ("", DEFAULT_LOCALE),
        (None, DEFAULT_LOCALE),
        ("-en", DEFAULT_LOCALE),
    ],
)
def test_normalise_locale(value: str | None, expected: str) -> None:
    assert normalise_locale(value) == expected


def test_default_locale_is_swedish_and_supported() -> None:
    assert DEFAULT_LOCALE == "sv"
    assert DEFAULT_LOCALE in SUPPORTED_LOCALES
    assert all(catalog_path(locale).is_file() for locale in SUPPORTED_LOCALES)


def test_every_page_renders_with_texts_from_the_swedish_catalog() -> None:
    """``t()`` raises for an id missing from the catalog; extraction misses ids that reach
    it through a helper's parameter unless they are marked with ``N_``. Rendering every
    page finds those before a build does."""
    import naranara.pages  # noqa: F401 - registers every page
    from naranara.components.layout import PAGES

    assert len(PAGES) >= 15
    for route, render in PAGES.items():
        try:
            render()
        except KeyError as missing:
            pytest.fail(f"{route}: {missing}")


def test_no_message_is_looked_up_inside_an_f_string() -> None:
    """pybabel's extractor skips calls inside f-strings, so `make messages` would drop
    their ids from the catalogs and the text would silently appear in English."""
    root = Path(__file__).resolve().parents[2] / "naranara"
    hidden = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"""f["'][^"']*\{\s*(n?gettext|t|N_)\(""", line)
    ]
    assert hidden == []
