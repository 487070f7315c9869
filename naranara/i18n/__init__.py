"""Translations from the gettext catalogs in ``locales/`` and locale-aware formatting.

Message ids are English; ``locales/<lang>/LC_MESSAGES/messages.po`` holds the
translations. The catalogs are read straight from the ``.po`` files (no compiled
``.mo`` to keep in step) once per process.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from naranara.settings import PROJECT_ROOT

SUPPORTED_LOCALES: tuple[str, ...] = ("sv", "en")
DEFAULT_LOCALE = "sv"
LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = "messages"
# The language a signed-out visitor chose (set by the app; read by HTTP routes too).
LANGUAGE_COOKIE = "nara_lang"


def normalise_locale(value: str | None) -> str:
    """A supported locale for whatever a cookie, header or account says."""
    if value:
        short = value.strip().lower().replace("_", "-").split("-")[0]
        if short in SUPPORTED_LOCALES:
            return short
    return DEFAULT_LOCALE


def catalog_path(locale: str):  # noqa: ANN201 - pathlib.Path
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def _catalog(locale: str):  # noqa: ANN202 - babel Catalog
    with catalog_path(locale).open("rb") as po:
        return read_po(po, locale=locale)


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def translations(locale: str) -> Translations:
    buffer = BytesIO()
    write_mo(buffer, _catalog(normalise_locale(locale)))
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def N_(message: str) -> str:
    """Marks a message id for extraction where it is translated later (e.g. in a page)."""
    return message


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)


def ngettext(locale: str, singular: str, plural: str, n: int) -> str:
    return translations(locale).ngettext(singular, plural, n)


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def ui_texts(locale: str) -> dict[str, str]:
    """Every singular message of a locale: what the page components look up."""
    return {
        str(message.id): str(message.string)
        for message in _catalog(normalise_locale(locale))
        if message.id and isinstance(message.id, str) and message.string
    }
