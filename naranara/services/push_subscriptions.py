"""The devices a person gets reminders on, and how and when they want them.

A browser's Web Push subscription is an endpoint URL at its push service plus
two keys (RFC 8291). The app stores one row per endpoint and refreshes it each
time the app opens, so a person can see which devices are on, when each last
got a reminder, and take one away.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import N_
from naranara.inputs import InputInvalid
from naranara.models import NotificationSettings, PushSubscription

ENDPOINT_MAX = 1024
_P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04 ‖ x ‖ y
_AUTH_BYTES = 16
_LABEL_MAX = 120
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
DEFAULT_QUIET_FROM = "21:00"
DEFAULT_QUIET_UNTIL = "07:00"


class InvalidSubscription(ValueError):
    """What a browser sent is not a usable push subscription; nothing was saved."""


class EndpointTaken(Exception):
    """Another person's device has this endpoint; nothing was changed."""


def _key_bytes(value: object) -> bytes | None:
    """Base64url (padding optional), as browsers give ``PushSubscription.toJSON().keys``."""
    if not isinstance(value, str) or len(value) > 200 or not value.isascii():
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def check_endpoint(endpoint: object, *, allow_local: bool = False) -> str:
    """The endpoint if it is an https URL of a push service (or, in tests, a local one)."""
    if not isinstance(endpoint, str) or not endpoint.isascii() or len(endpoint) > ENDPOINT_MAX:
        raise InvalidSubscription("endpoint")
    parts = urlsplit(endpoint)
    local = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS
    if parts.username or parts.password or not parts.hostname:
        raise InvalidSubscription("endpoint")
    if parts.scheme != "https" and not (allow_local and local):
        raise InvalidSubscription("endpoint")
    return endpoint


def check_keys(p256dh: object, auth: object) -> tuple[str, str]:
    public = _key_bytes(p256dh)
    secret = _key_bytes(auth)
    if public is None or len(public) != _P256DH_BYTES or public[0] != 0x04:
        raise InvalidSubscription("p256dh")
    if secret is None or len(secret) != _AUTH_BYTES:
        raise InvalidSubscription("auth")
    return str(p256dh), str(auth)


def device_label(user_agent: str) -> str:
    """A name a person recognises, such as "Chrome, Android", from the browser's User-Agent."""
    browsers = (
        ("SamsungBrowser", "Samsung Internet"),
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("FxiOS", "Firefox"),
        ("CriOS", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    )
    systems = (
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "Mac"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    )
    browser = next((name for marker, name in browsers if marker in user_agent), "")
    system = next((name for marker, name in systems if marker in user_agent), "")
    return ", ".join(part for part in (browser, system) if part)[:_LABEL_MAX]


def save(
    *,
    session: Session,
    user_id: int,
    endpoint: object,
    p256dh: object,
    auth: object,
    label: str = "",
    allow_local: bool = False,
) -> PushSubscription:
    """Turn reminders on for this browser, or refresh it if it is on already.

    An endpoint is never taken from another person (``EndpointTaken``): on a shared
    browser, push.js then ends the old subscription and makes a new one, so the first
    person's reminders stop reaching it and nobody can redirect someone else's.
    """
    endpoint = check_endpoint(endpoint, allow_local=allow_local)
    p256dh, auth = check_keys(p256dh, auth)
    row = session.exec(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    ).first()
    if row is None:
        row = PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=p256dh, auth=auth)
    elif row.user_id != user_id:
        raise EndpointTaken(endpoint)
    row.p256dh, row.auth = p256dh, auth
    row.device_label = label[:_LABEL_MAX]
    row.last_seen_at = clock.now()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def renew(
    *,
    session: Session,
    user_id: int,
    endpoint: object,
    p256dh: object,
    auth: object,
    replaces: object = None,
    allow_local: bool = False,
) -> PushSubscription | None:
    """The app opened: refresh this person's device, or move it to the browser's new endpoint.

    Only a device that is on already is refreshed (None otherwise): a device the
    person took away in the list stays away when that browser opens the app again.
    """
    endpoint = check_endpoint(endpoint, allow_local=allow_local)
    p256dh, auth = check_keys(p256dh, auth)
    own = select(PushSubscription).where(PushSubscription.user_id == user_id)
    row = session.exec(own.where(PushSubscription.endpoint == endpoint)).first()
    if row is None and isinstance(replaces, str) and replaces and replaces != endpoint:
        row = session.exec(own.where(PushSubscription.endpoint == replaces)).first()
        if row is not None:
            # The browser's old subscription expired and it made a new one.
            taken = session.exec(
                select(PushSubscription).where(PushSubscription.endpoint == endpoint)
            ).first()
            if taken is not None:
                raise EndpointTaken(endpoint)
            row.endpoint = endpoint
    if row is None:
        return None
    row.p256dh, row.auth = p256dh, auth
    row.last_seen_at = clock.now()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


@dataclass(frozen=True)
class Device:
    id: int
    label: str
    added_at: datetime
    last_delivery_at: datetime | None


def devices(*, session: Session, user_id: int) -> list[Device]:
    """This person's devices, the first turned on first."""
    rows = session.exec(
        select(PushSubscription)
        .where(PushSubscription.user_id == user_id)
        .order_by(col(PushSubscription.created_at), col(PushSubscription.id))
    ).all()
    return [Device(row.id, row.device_label, row.created_at, row.last_delivery_at) for row in rows]


def remove(*, session: Session, user_id: int, subscription_id: int) -> bool:
    """Take one of this person's own devices away; someone else's is never touched."""
    row = session.get(PushSubscription, subscription_id)
    if row is None or row.user_id != user_id:
        return False
    session.delete(row)
    session.commit()
    return True


def remove_endpoint(*, session: Session, user_id: int, endpoint: object) -> bool:
    """The browser itself turned reminders off (unsubscribed)."""
    if not isinstance(endpoint, str):
        return False
    row = session.exec(
        select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == user_id
        )
    ).first()
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


def notification_settings(*, session: Session, user_id: int) -> NotificationSettings:
    """The person's settings; the defaults (not stored) until they change something."""
    found = session.get(NotificationSettings, user_id)
    return found or NotificationSettings(
        user_id=user_id, quiet_from=DEFAULT_QUIET_FROM, quiet_until=DEFAULT_QUIET_UNTIL
    )


def _clock(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip().replace(".", ":")
    if re.fullmatch(r"\d:[0-5]\d", value):
        value = "0" + value
    return value if _CLOCK.match(value) else None


def update_settings(
    *,
    session: Session,
    user_id: int,
    quiet_from: object,
    quiet_until: object,
    detailed_text: bool,
) -> NotificationSettings:
    """Quiet hours (HH:MM, Stockholm time; "21.00" is read as 21:00) and the lock-screen text."""
    start, end = _clock(quiet_from), _clock(quiet_until)
    errors = {}
    if start is None:
        errors["quiet_from"] = N_("Write a time as hours and minutes, for example 21:00.")
    if end is None:
        errors["quiet_until"] = N_("Write a time as hours and minutes, for example 07:00.")
    if errors:
        raise InputInvalid(errors)
    row = session.get(NotificationSettings, user_id) or NotificationSettings(user_id=user_id)
    row.quiet_from, row.quiet_until = start, end
    row.detailed_text = bool(detailed_text)
    row.updated_at = clock.now()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
