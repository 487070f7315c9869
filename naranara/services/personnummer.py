"""Swedish personal identity numbers (personnummer): checked, hashed, shown masked.

A personnummer is sensitive: Nära keeps only a keyed hash (HMAC-SHA256 with the
deployment's personnummer key, settings.get_personnummer_key) to match an identity
provider's claim against, and the birth date to show ("19450312-••••"). It is never
written to a log, an address or the audit log. Format, date and the Luhn control
digit are checked by python-stdnum.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from stdnum.exceptions import ValidationError
from stdnum.se import personnummer as stdnum_personnummer

from naranara.i18n import N_
from naranara.settings import get_personnummer_key

ERROR_FORMAT = N_("Write all 12 digits of the personal identity number, like 19450312-1234.")
ERROR_INVALID = N_(
    "That personal identity number is not right: the date or the last digit does not add up. "
    "Check it again."
)
ERROR_FUTURE = N_("That personal identity number has a birth date that has not come yet.")
_MASK = "••••"
# 12 digits, with or without the dash (or plus, for people aged 100 and over) before the
# last four; spaces are allowed anywhere.
_TWELVE_DIGITS = re.compile(r"([0-9]{8})[-+]?([0-9]{4})")


class InvalidPersonnummer(ValueError):
    """Not a valid personnummer; ``message`` is a message id to translate."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Personnummer:
    digits: str  # the 12 digits, nothing else

    @property
    def birth_date(self) -> date:
        return date(int(self.digits[:4]), int(self.digits[4:6]), int(self.digits[6:8]))

    def __repr__(self) -> str:  # never the number itself, not even in a traceback
        return f"Personnummer({self.masked})"

    @property
    def masked(self) -> str:
        return f"{self.digits[:8]}-{_MASK}"


def parse(text: str, *, today: date) -> Personnummer:
    """The personnummer in ``text`` (12 digits), or ``InvalidPersonnummer`` saying why not."""
    compact = "".join(str(text).split())
    match = _TWELVE_DIGITS.fullmatch(compact)
    if match is None:
        raise InvalidPersonnummer(ERROR_FORMAT)
    digits = match[1] + match[2]
    try:
        stdnum_personnummer.validate(digits)
    except ValidationError:
        raise InvalidPersonnummer(ERROR_INVALID) from None
    found = Personnummer(digits)
    if found.birth_date > today:
        raise InvalidPersonnummer(ERROR_FUTURE)
    return found


def keyed_hash(number: Personnummer) -> str:
    """The only form stored: the same number always gives the same hash, under this key."""
    key = get_personnummer_key().encode()
    return hmac.new(key, number.digits.encode(), hashlib.sha256).hexdigest()
