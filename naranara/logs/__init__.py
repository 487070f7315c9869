"""Logging for every Nära process (web server and reminder worker), configured in one place.

``configure()`` is called once at the start of each process: INFO by default
(``NARA_LOG_LEVEL``), text for a terminal or one JSON object per line
(``NARA_LOG_FORMAT=json``), and one redaction (``logs.redaction``) on every record
of every logger. Granian sets up its own loggers in the server and in every worker
it starts; ``granian_dictconfig()`` is what it is handed instead, so its lines come out
the same way.
"""

from __future__ import annotations

import json
import logging
import logging.config
import sys
from datetime import UTC, datetime
from typing import Any

from naranara.logs.redaction import EXTRA_FIELDS, install, redact
from naranara.settings import get_settings

__all__ = ["configure", "dictconfig", "granian_dictconfig", "redact"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Granian names its loggers apart from the package and stops them propagating.
GRANIAN_LOGGERS = ("_granian", "granian.access")


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, our extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def dictconfig() -> dict[str, Any]:
    """The whole logging configuration, for ``logging.config.dictConfig`` (and granian)."""
    settings = get_settings()
    formatter = (
        {"()": "naranara.logs.JsonLines"}
        if settings.log_format == "json"
        else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"nara": formatter},
        # Redacted records again at the handler: a record made before ``install`` ran, or by
        # a library that replaced the record factory, is still cleaned before it is written.
        "filters": {"redact": {"()": "naranara.logs.redaction.RedactSecrets"}},
        "handlers": {
            "nara": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "nara",
                "filters": ["redact"],
            }
        },
        "root": {"level": settings.log_level, "handlers": ["nara"]},
        # Granian's own loggers write through ours; its access log stays off (one line per
        # request comes from logs.web with the route's name).
        "loggers": {
            name: {"handlers": [], "propagate": True, "level": settings.log_level}
            for name in GRANIAN_LOGGERS
        },
    }


def granian_dictconfig() -> dict[str, Any]:
    """For Granian's ``log_dictconfig``: it replaces its defaults' top-level keys with these."""
    install()
    return dictconfig()


def configure() -> None:
    """Set up logging for this process (idempotent; later calls re-apply the settings)."""
    install()
    logging.config.dictConfig(dictconfig())
    logging.captureWarnings(True)
    # A line reaches supervisord (a pipe, not a terminal) as soon as it is written.
    sys.stdout.reconfigure(line_buffering=True)
