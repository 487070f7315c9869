"""What a browser sends an event handler, checked before anything uses it.

Every public handler can be called over the websocket by any browser with any
JSON. These turn such values into what the handler expects, or into "nothing",
so a handler never trusts a type annotation and never acts on a stray value.
"""

from __future__ import annotations

from datetime import datetime

_MAX_ID = 2**31 - 1  # the largest id an INTEGER primary key holds on PostgreSQL


def form_text(form: object, name: str, *, max_length: int) -> str:
    """A text field of a submitted form, cut to ``max_length``; anything else is empty.

    Lone surrogates (JSON allows them, UTF-8 and the database do not) are dropped.
    """
    if not isinstance(form, dict):
        return ""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.encode("utf-8", "ignore").decode("utf-8")[:max_length]


def record_id(value: object) -> int | None:
    """A row id: a positive integer, or its digits as text; anything else is None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_ID:
        return value
    return None


def moment(value: object) -> datetime | None:
    """An ISO 8601 time with its UTC offset; anything else (a zoneless time too) is None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
