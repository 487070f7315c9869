"""One redaction for every log record: secrets and personal identity numbers never reach a log.

Installed where records are made (``logging.setLogRecordFactory``), so it covers every
logger in the process — ours, Reflex's, granian's, SQLAlchemy's, Starlette's — whatever
handlers a library configures for itself afterwards. What it removes:

- cookies (whole ``Cookie``/``Set-Cookie`` header values, and our session, device and
  sign-in cookies wherever they appear), ``Authorization`` headers, JWTs;
- the value of any key that names a secret (password, token, ticket, code/kod,
  activation code, secret, nonce, auth, p256dh …), in query strings, dict and JSON
  reprs and keyword arguments;
- calendar feed tokens in paths, and any long random-looking token;
- Swedish personal identity numbers (personnummer and samordningsnummer), with or
  without century and separator.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# Keys whose values are secrets wherever they are written (case is ignored), and our
# cookies' names, also with a prefix (``__Host-nara_session``).
_SECRET_WORDS = (
    "password", "passwd", "pwd", "losenord", "lösenord", "new_password", "current_password",
    "secret", "client_secret", "secret_key", "private_key", "vapid_private_key",
    "token", "id_token", "access_token", "refresh_token", "id_token_hint", "feed_token",
    "ticket", "code", "kod", "invitation_code", "activation_code", "aktiveringskod",
    "verifier", "code_verifier", "nonce", "auth", "p256dh", "authorization", "cookie",
    "set-cookie",
)  # fmt: skip
_COOKIE_NAMES = ("nara_session", "nara_device", "nara_oidc")
_SECRET_KEYS = "|".join(
    [*map(re.escape, _SECRET_WORDS), *(rf"[\w-]*{re.escape(name)}" for name in _COOKIE_NAMES)]
)
_FEED_PATH = "/kalender/prenumeration/"  # the calendar feed's capability URL
_JWT_START = "eyJ"  # a JSON Web Token's header, base64url of '{"'
_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Header lines as text ("Cookie: a=b; c=d", "authorization: vapid t=…, k=…").
    (
        re.compile(r"(?im)\b((?:set-)?cookie|authorization)(\s*:\s*)(?!['\"])[^\r\n]*"),
        rf"\1\2{REDACTED}",
    ),
    # ASGI raw header pairs: (b'cookie', b'…').
    (
        re.compile(
            r"(?i)(b?['\"](?:(?:set-)?cookie|authorization)['\"]\s*,\s*)b?(?:'[^']*'|\"[^\"]*\")"
        ),
        rf"\1'{REDACTED}'",
    ),
    # 'key': 'value' and "key": "value" (dict and JSON reprs).
    (
        re.compile(rf"(?i)((['\"])(?:{_SECRET_KEYS})\2\s*:\s*)(?:{_QUOTED}|[^,}}\]\s]+)"),
        rf"\1'{REDACTED}'",
    ),
    # key=value (query strings, cookies, keyword arguments).
    (
        re.compile(
            rf"(?i)((?<![\w-])(?:{_SECRET_KEYS})=)(?!\[redacted\])(?:{_QUOTED}|[^&;,\s'\")\]}}]+)"
        ),
        rf"\1{REDACTED}",
    ),
    # The calendar feed's capability URL.
    (re.compile(rf"({re.escape(_FEED_PATH)})(?!\{{)[^/?#\s'\"]+"), rf"\1{REDACTED}"),
    # JSON Web Tokens (ID tokens, VAPID JWTs).
    (re.compile(rf"\b{_JWT_START}[\w-]{{4,}}\.[\w-]{{4,}}\.[\w-]*"), REDACTED),
    # Personnummer and samordningsnummer (day + 60): YYMMDD-NNNN, YYYYMMDDNNNN, YYMMDD+NNNN…
    (
        re.compile(
            r"(?<![\d-])(?:19|20)?\d{2}(?:0[1-9]|1[0-2])"
            r"(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])[-+]?\d{4}(?!\d)"
        ),
        REDACTED,
    ),
)
# Long runs of token characters: random tokens, hashes and signatures.
_LONG_TOKEN = re.compile(r"(?<![\w-])[\w-]{32,}(?![\w-])")


def _looks_random(match: re.Match[str]) -> str:
    """A token mixes at least two of digits, capitals and small letters; event and module
    names (``naranara___states___today_state``) do not."""
    word = match.group(0)
    kinds = sum(
        (
            any(c.isdigit() for c in word),
            any(c.isupper() for c in word),
            any(c.islower() for c in word),
        )
    )
    return REDACTED if kinds >= 2 else word


# What each pattern above needs at the least, looked for first: most lines (an event's
# name and time, a request's path) hold none of it, and this costs a fifth of the patterns
# (every record is redacted twice, and the server writes a line per event). Every key
# contains one of these words, so the list is the patterns' own.
_HINTS = tuple(word.lower() for word in (*_SECRET_WORDS, *_COOKIE_NAMES, _FEED_PATH, _JWT_START))
_TEN_DIGITS = re.compile(r"\d{6}[-+]?\d{4}")


def _may_hold_secret(text: str) -> bool:
    # Only ASCII is checked the quick way: the patterns ignore case the way ``re`` does,
    # which also matches a few letters ``lower()`` leaves alone (ſ for s, K for k).
    if not text.isascii():
        return True
    lowered = text.lower()
    return (
        any(hint in lowered for hint in _HINTS)
        or _TEN_DIGITS.search(text) is not None
        or _LONG_TOKEN.search(text) is not None
    )


def redact(text: str) -> str:
    """``text`` with every secret and personal identity number replaced by ``[redacted]``."""
    return _apply_patterns(text) if _may_hold_secret(text) else text


def _apply_patterns(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _LONG_TOKEN.sub(_looks_random, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message, exception text and extra string fields, redacted."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format string
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(str(message)), None
        if record.exc_info:
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
            record.exc_info = None  # handlers that format it themselves would skip redaction
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, redact(value))
        return True


# Structured fields our own log lines carry (``extra=``); the JSON format writes them out.
EXTRA_FIELDS = ("method", "route", "status", "duration_ms", "handler")

_redact_secrets = RedactSecrets()
_installed = False


def install() -> None:
    """Redact every record this process makes, from now on (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacted_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _redact_secrets.filter(record)
        return record

    logging.setLogRecordFactory(redacted_record)
    _installed = True
