"""What a reminder says, in the recipient's language, and the JSON the service worker gets.

The push message is JSON (UTF-8), encrypted for the device (RFC 8291, aes128gcm)::

    {
      "title":   "Nära",                         # Notification title
      "body":    "Du har en påminnelse från Nära",
      "url":     "/tider",                       # path to open on a tap (same origin)
      "tag":     "r-3f9a…",                      # the same for every send of one reminder
      "actions": [                               # buttons, in this order
        {"action": "done",   "title": "Klart"},  # only for a self-care task
        {"action": "snooze", "title": "Påminn om 1 timme"},
        {"action": "open",   "title": "Öppna"}
      ],
      "token":   "…"                             # signed; POST it back with the action
    }

The service worker (assets/sw.js) shows it with ``showNotification(title, {body, tag,
actions, data: {url, token}})``. ``tag`` matters: a reminder re-sent after a worker
crash carries the same tag, so the device replaces the first notification instead of
showing two. A tap on "done" or "snooze" posts ``{token, action}`` to the app, which
calls ``naranara.reminders.actions.apply_action``; "open" and a tap on the body open
``url``.

Privacy: a locked phone shows the notification to whoever holds it. Unless the
person turned on detailed text (NotificationSettings.detailed_text), the text is
only "Du har en påminnelse från Nära" — no task, no purpose of a visit, no name.
A relative's reminder about a resident is detailed only if both the resident and
the relative chose detailed text: it is the resident's health that shows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from naranara import routes
from naranara.i18n import N_, gettext
from naranara.i18n.formatting import format_day_and_time, format_time
from naranara.models import AgreedTime, ReminderKind, ReminderOccurrence, SelfCareTask

# Comfortably under the 4,096-byte push record limit after encryption overhead.
MAX_PAYLOAD_BYTES = 3000

GENERIC_BODY = N_("You have a reminder from Nära")
ACTION_TITLES = {
    "done": N_("Mark as done"),
    "snooze": N_("Remind me in 1 hour"),
    "open": N_("Open the app"),
}


@dataclass(frozen=True)
class Source:
    """What the reminder is about, as loaded by the caller (the dispatcher loads in bulk)."""

    agreed_time: AgreedTime | None = None
    task: SelfCareTask | None = None
    resident_name: str = ""


def tag_of(key: str) -> str:
    """A short, stable name for one reminder (every re-send and snooze shares its base)."""
    base = key.split(":snooze", 1)[0]
    return "r-" + hashlib.sha256(base.encode()).hexdigest()[:24]


def topic_of(key: str) -> str:
    """The push ``Topic`` header: ≤ 32 URL-safe characters; a re-send replaces a queued copy."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _resident_query(occurrence: ReminderOccurrence) -> str:
    if occurrence.recipient_id == occurrence.resident_id:
        return ""
    return f"?invanare={occurrence.resident_id}"


def url_of(occurrence: ReminderOccurrence) -> str:
    """The page a tap on the notification opens."""
    kind = ReminderKind(occurrence.kind)
    if kind is ReminderKind.TEST:
        return routes.NOTIFICATIONS
    if kind is ReminderKind.AGREED_TIME:
        return routes.AGREED_TIMES + _resident_query(occurrence)
    return routes.SELF_CARE_PLAN + _resident_query(occurrence)


def _detailed_text(
    occurrence: ReminderOccurrence, source: Source, locale: str
) -> tuple[str, str] | None:
    kind = ReminderKind(occurrence.kind)
    for_someone_else = occurrence.recipient_id != occurrence.resident_id
    if kind is ReminderKind.AGREED_TIME and source.agreed_time is not None:
        item = source.agreed_time
        when = format_day_and_time(item.starts_at, locale)
        if for_someone_else:
            title = gettext(locale, "For {name}: {purpose}").format(
                name=source.resident_name, purpose=item.purpose
            )
        else:
            title = item.purpose
        body = gettext(locale, "Your time {when}.").format(when=when)
        if item.place:
            body = f"{body} {item.place}"
        return title, body
    if kind is ReminderKind.SELF_CARE and source.task is not None:
        title = source.task.title
        if for_someone_else:
            title = gettext(locale, "For {name}: {purpose}").format(
                name=source.resident_name, purpose=title
            )
        body = gettext(locale, "Planned for {time}. Mark it done when you have done it.").format(
            time=format_time(occurrence.occurrence_at, locale)
        )
        return title, body
    if kind is ReminderKind.MISSED_TASK and source.task is not None:
        title = gettext(locale, "{name} may need a hand").format(name=source.resident_name)
        body = gettext(locale, "{task} was planned for {time} and is not marked done.").format(
            task=source.task.title, time=format_time(occurrence.occurrence_at, locale)
        )
        return title, body
    return None


def build(
    occurrence: ReminderOccurrence,
    source: Source,
    *,
    locale: str,
    detailed: bool,
    token: str,
) -> dict[str, object]:
    """The JSON object the service worker receives for ``occurrence`` (see the module doc)."""
    kind = ReminderKind(occurrence.kind)
    title, body = "Nära", gettext(locale, GENERIC_BODY)
    if kind is ReminderKind.TEST:
        body = gettext(locale, "This is a test. Reminders from Nära reach this device.")
    elif detailed:
        title, body = _detailed_text(occurrence, source, locale) or (title, body)
    action_names = ["snooze", "open"]
    if kind is ReminderKind.SELF_CARE:
        action_names.insert(0, "done")
    if kind is ReminderKind.TEST:
        action_names = ["open"]
    return {
        "title": title,
        "body": body,
        "url": url_of(occurrence),
        "tag": tag_of(occurrence.key),
        "actions": [
            {"action": name, "title": gettext(locale, ACTION_TITLES[name])} for name in action_names
        ],
        "token": token,
    }


def encode(message: dict[str, object]) -> str:
    """The message as sent; long user text is shortened so it always fits one push."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    while len(text.encode()) > MAX_PAYLOAD_BYTES:
        message = {**message, "body": str(message["body"])[: len(str(message["body"])) // 2]}
        message["title"] = str(message["title"])[:120]
        text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    return text
