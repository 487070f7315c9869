"""What people type and browsers send, checked once and the same way everywhere.

Every public event handler can be called over the websocket by any browser with
any JSON, and every form field can hold anything a keyboard, a paste or a forged
request puts there. States, HTTP routes and services take such values only
through this module: typed input models (``FormInput``, pydantic) or the same
rules one field at a time (``Checker``, ``record_id``, ``moment``).

**The text rule** (``clean_text``), for every text field:

- Only a string is text; anything else is refused (``NOT_TEXT``).
- Line breaks become ``\\n``, then the text is put in Unicode NFC, so "å" typed
  on one device and pasted from another are the same text and the same length.
- Lone surrogates and control characters are **refused** (``UNSAVEABLE``): none
  comes from a keyboard, PostgreSQL keeps no NUL in text, and psycopg sends no
  lone surrogate. Multi-line fields keep newline and tab; in a single-line field
  every run of white space (tab and newline too) becomes one space.
- Invisible format characters (Unicode category Cf: the bidirectional overrides,
  embeddings and isolates, zero-width space, word joiner, byte-order mark, soft
  hyphen …) are **removed**: they carry nothing a reader sees, arrive with pasted
  text where the writer could not find them to take them out, and can make one
  text look like another (a name in a list, a reversed phone number). Multi-line
  text keeps the zero-width joiner and non-joiner, which emoji sequences and
  scripts such as Persian need.
- White space at either end is removed.
- The length, counted in characters after all of the above, is at most the
  table column's (``column_length``): the form, this check and the database
  never disagree.

**One error type**, ``InputInvalid``: field name -> message id (a ``Message``
carrying the values of its placeholders), shown by the state as a field message
in the reader's language (``InputInvalid.texts``). **One wording per error**:
``REQUIRED``, ``TOO_LONG``, ``UNSAVEABLE``, ``NOT_TEXT``, ``CHOICE``; a field may
ask for itself in its own words when empty ("Write what you measured.").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from naranara.i18n import N_, gettext

REQUIRED = N_("Please fill this in.")
TOO_LONG = N_("Please keep it to at most {max} characters.")
UNSAVEABLE = N_("The text has characters that cannot be saved. Remove them and try again.")
NOT_TEXT = N_("This could not be read as text. Please write it again.")
CHOICE = N_("Please choose one of the alternatives.")

_MAX_ID = 2**31 - 1  # the largest id an INTEGER primary key holds on PostgreSQL
_KEPT_IN_MULTILINE = frozenset("\n\t")
_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner
_ERROR_TYPE = "nara_input"


class Message(str):
    """A message id (English, for gettext) with the values of its placeholders."""

    __slots__ = ("values",)

    def __new__(cls, message_id: str, **values: object) -> Self:
        made = super().__new__(cls, message_id)
        made.values = values
        return made


def message_text(locale: str, message: str) -> str:
    """A message in the reader's language, its placeholders filled in."""
    values = getattr(message, "values", None)
    translated = gettext(locale, str(message))
    return translated.format(**values) if values else translated


class InputInvalid(ValueError):
    """Nothing was saved; ``errors`` maps each refused field to a message id."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors: dict[str, str] = dict(errors)

    def texts(self, locale: str) -> dict[str, str]:
        """Each refused field's message in the reader's language."""
        return {field: message_text(locale, message) for field, message in self.errors.items()}


class TextRefused(ValueError):  # noqa: N818 - reads as "the text is refused"
    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def column_length(model: type, field: str) -> int:
    """The most characters a table column holds: the one length limit of that field."""
    return model.__table__.c[field].type.length  # type: ignore[attr-defined]


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` under the text rule (see the module), without the length check.

    Raises ``TextRefused`` (UNSAVEABLE) for a control character or lone surrogate.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise TextRefused(Message(UNSAVEABLE))
    value = unicodedata.normalize("NFC", value)
    kept = []
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc":
            if ch in _KEPT_IN_MULTILINE:
                kept.append(ch if multiline else " ")
                continue
            raise TextRefused(Message(UNSAVEABLE))
        if category == "Cf" and not (multiline and ch in _JOINERS):
            continue
        kept.append(ch)
    text = "".join(kept)
    return text.strip() if multiline else " ".join(text.split())


def text(
    value: object, *, max_length: int, multiline: bool = False, required: bool | str = False
) -> str:
    """One text field under the text rule; raises ``TextRefused`` with the field's message.

    ``required`` is True (``REQUIRED``) or the field's own prompt when it is empty.
    """
    if not isinstance(value, str):
        if value is None and not required:
            return ""
        raise TextRefused(Message(NOT_TEXT if value is not None else _prompt(required)))
    cleaned = clean_text(value, multiline=multiline)
    if required and not cleaned:
        raise TextRefused(Message(_prompt(required)))
    if len(cleaned) > max_length:
        raise TextRefused(Message(TOO_LONG, max=max_length))
    return cleaned


def _prompt(required: bool | str) -> str:
    return required if isinstance(required, str) else REQUIRED


class Checker:
    """Collects the problems of one form, field by field; ``done`` raises them all."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def text(
        self,
        data: Mapping[str, object],
        name: str,
        *,
        max_length: int,
        multiline: bool = False,
        required: bool | str = False,
    ) -> str:
        """The field ``name`` of ``data`` under the text rule; "" and a problem if refused."""
        try:
            return text(
                data.get(name), max_length=max_length, multiline=multiline, required=required
            )
        except TextRefused as refused:
            self.errors[name] = refused.message
            return ""

    def choice(
        self, data: Mapping[str, object], name: str, options: type[StrEnum], default: StrEnum
    ) -> StrEnum:
        """One of ``options`` by its value (``default`` when absent or empty); else CHOICE."""
        value = data.get(name)
        if value is None or value == "":
            return default
        try:
            return options(value)
        except (ValueError, TypeError):  # TypeError: an unhashable value such as a list
            self.refuse(name, CHOICE)
            return default

    def refuse(self, field: str, message: str, **values: object) -> None:
        self.errors.setdefault(field, Message(message, **values))

    def done(self) -> None:
        if self.errors:
            raise InputInvalid(self.errors)


def checked_text(
    value: object,
    *,
    field: str,
    max_length: int,
    multiline: bool = False,
    required: bool | str = False,
) -> str:
    """One text value under the text rule; ``InputInvalid`` for ``field`` if refused."""
    checker = Checker()
    cleaned = checker.text(
        {field: value}, field, max_length=max_length, multiline=multiline, required=required
    )
    checker.done()
    return cleaned


# ---------------------------------------------------------------------------- typed models


def Text(  # noqa: N802 - reads as a type in a model: ``name: Text(120, required=True)``
    max_length: int, *, multiline: bool = False, required: bool | str = False
) -> Any:  # noqa: ANN401 - an Annotated type
    """A text field of a ``FormInput`` under the text rule."""

    def check(value: object) -> str:
        try:
            return text(value, max_length=max_length, multiline=multiline, required=required)
        except TextRefused as refused:
            raise refusal(str(refused.message), **refused.message.values) from None

    return Annotated[str, BeforeValidator(check)]


def refusal(message: str, **values: object) -> PydanticCustomError:
    """What a ``FormInput``'s own validator raises to refuse its field with ``message``."""
    return PydanticCustomError(_ERROR_TYPE, message, {"message": Message(message, **values)})


def Choice(options: type[StrEnum], default: StrEnum) -> Any:  # noqa: N802, ANN401 - a type
    """One of ``options`` by its value; absent or empty is ``default``; else ``CHOICE``."""
    return Annotated[
        options, BeforeValidator(lambda value: default if value in (None, "") else value)
    ]


class FormInput(BaseModel):
    """A form as typed input: each field declared with ``Text``, a choice or an id.

    ``parse`` takes whatever the browser sent (a dict, or anything else) and gives
    the model or raises ``InputInvalid`` with one message per refused field.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)

    @classmethod
    def parse(cls, data: object) -> Self:
        if not isinstance(data, Mapping):
            data = {}
        try:
            return cls.model_validate(dict(data))
        except ValidationError as invalid:
            errors: dict[str, str] = {}
            for error in invalid.errors(include_input=False):
                field = str(error["loc"][0]) if error["loc"] else "form"
                if error["type"] == _ERROR_TYPE:
                    errors.setdefault(field, error["ctx"]["message"])
                elif error["type"] == "missing":
                    errors.setdefault(field, Message(REQUIRED))
                else:
                    errors.setdefault(field, Message(CHOICE))
            raise InputInvalid(errors) from None


# ---------------------------------------------------------------------------- handler arguments


def record_id(value: object) -> int | None:
    """A row id: a positive integer, or its digits as text; anything else is None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:  # noqa: PLR2004
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_ID:
        return value
    return None


RecordId = Annotated[int | None, BeforeValidator(record_id)]


def moment(value: object) -> datetime | None:
    """An ISO 8601 time with its UTC offset; anything else (a zoneless time too) is None."""
    if not isinstance(value, str) or len(value) > 40:  # noqa: PLR2004
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def form_text(form: object, name: str, *, max_length: int) -> str:
    """A field of a submitted form as typed, to keep in the form while it is checked.

    Not the text rule: a refused text stays as typed so the person can correct it.
    Anything but a string is empty; lone surrogates (which no state can send back to
    the browser as UTF-8) are dropped; at most ``max_length`` characters.
    """
    if not isinstance(form, Mapping):
        return ""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value[: max_length * 2].encode("utf-8", "ignore").decode("utf-8")[:max_length]
