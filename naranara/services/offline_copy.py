"""A resident's offline copy: what matters now, kept on one phone by the resident's choice.

The copy is one JSON document (``build``) that ``GET /utan-nat/kopia`` serves to a
device the resident turned it on for (*Profil → Spara på den här telefonen*); the
service worker keeps the last answer and the offline page ``/utan-nat`` shows it.
A device is named by the SHA-256 of its HttpOnly device cookie. Turning it off, or
signing out on that device, deletes the row, so the next fetch answers 404 and the
worker deletes what it kept.

Bounded (``LIMITS``): agreed times of the next 30 days (at most 40), at most 40
contacts, today's and tomorrow's task occurrences, the "what matters to me" summary
(its lengths bounded by the profile's columns), at most 15 articles read. Its
``version`` changes when the document's shape does.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import lru_cache

from sqlmodel import Session, col, delete, select

from naranara import clock, routes
from naranara.i18n import gettext
from naranara.i18n.formatting import format_day, format_day_and_time, format_time, to_local
from naranara.models import (
    AgreedTime,
    AgreedTimeStatus,
    CheckStatus,
    GuidanceArticle,
    GuidanceRead,
    OfflineCopyDevice,
)
from naranara.services import guidance, profile, self_care
from naranara.services.guidance_editor import variant_of
from naranara.services.patient_contract import care_contacts, display_phone
from naranara.settings import DISPLAY_TIMEZONE

VERSION = 3  # 2: the what-matters summary; 3: articles as their pages word them
LIMITS = {"days": 30, "times": 40, "contacts": 40, "articles": 15}


def device_hash(device_token: str) -> str:
    return hashlib.sha256(device_token.encode()).hexdigest()


def _row(session: Session, user_id: int, device_token: str) -> OfflineCopyDevice | None:
    if not device_token:
        return None
    return session.exec(
        select(OfflineCopyDevice).where(
            OfflineCopyDevice.user_id == user_id,
            OfflineCopyDevice.device_hash == device_hash(device_token),
        )
    ).first()


def is_on(*, session: Session, user_id: int, device_token: str) -> bool:
    return _row(session, user_id, device_token) is not None


def refreshed_at(*, session: Session, user_id: int, device_token: str) -> datetime | None:
    row = _row(session, user_id, device_token)
    return row.refreshed_at if row else None


def turn_on(*, session: Session, user_id: int, device_token: str) -> None:
    """Keep a copy on this device (again: nothing changes)."""
    if not device_token:
        raise ValueError("a device cookie is needed")
    if _row(session, user_id, device_token) is None:
        session.add(OfflineCopyDevice(user_id=user_id, device_hash=device_hash(device_token)))
        session.flush()


def turn_off(*, session: Session, user_id: int, device_token: str) -> bool:
    row = _row(session, user_id, device_token)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def forget_device(*, session: Session, device_token: str) -> int:
    """Signing out on this device: no one's copy is kept on it any more."""
    if not device_token:
        return 0
    result = session.exec(
        delete(OfflineCopyDevice).where(
            col(OfflineCopyDevice.device_hash) == device_hash(device_token)
        )
    )
    return result.rowcount or 0


def forget_user(*, session: Session, user_id: int) -> int:
    """Signing out everywhere: no device keeps this person's copy any more."""
    result = session.exec(
        delete(OfflineCopyDevice).where(col(OfflineCopyDevice.user_id) == user_id)
    )
    return result.rowcount or 0


def updated_label(moment: datetime, *, now: datetime, locale: str) -> str:
    """``Uppdaterad i dag 08.14`` / ``Uppdaterad tisdag 3 mars 08.14``"""
    local, today = to_local(moment), to_local(now).date()
    if local.date() == today:
        return gettext(locale, "Updated today {time}").format(time=format_time(moment, locale))
    return gettext(locale, "Updated {day} {time}").format(
        day=format_day(moment, locale), time=format_time(moment, locale)
    )


def _times(session: Session, resident_id: int, now: datetime, locale: str) -> list[dict]:
    rows = session.exec(
        select(AgreedTime)
        .where(
            AgreedTime.resident_id == resident_id,
            AgreedTime.ends_at >= now,
            AgreedTime.starts_at < now + timedelta(days=LIMITS["days"]),
        )
        .order_by(col(AgreedTime.starts_at))
        .limit(LIMITS["times"])
    ).all()
    return [
        {
            "id": row.id,
            "when": format_day_and_time(row.starts_at, locale),
            "until": format_time(row.ends_at, locale),
            "startsAt": row.starts_at.isoformat(),
            "purpose": row.purpose,
            "withWhom": row.with_whom,
            "place": row.place,
            "address": row.address,
            "prepare": row.prepare,
            "cancelled": row.status is AgreedTimeStatus.CANCELLED,
        }
        for row in rows
    ]


def _contacts(session: Session, resident_id: int) -> list[dict]:
    found = []
    for contact in care_contacts(session=session, resident_id=resident_id)[: LIMITS["contacts"]]:
        digits = "".join(ch for ch in contact.phone if ch.isdigit() or ch == "+")
        found.append(
            {
                "id": contact.id,
                "name": contact.name,
                "role": contact.role_title,
                "organisation": contact.organisation,
                "phone": display_phone(contact.phone),
                "tel": f"tel:{digits}" if digits else "",
                "openingHours": contact.opening_hours,
            }
        )
    return found


def _tasks(session: Session, resident_id: int, now: datetime, locale: str) -> list[dict]:
    today = to_local(now).date()
    found = []
    for day in (today, today + timedelta(days=1)):
        for occurrence in self_care.occurrences_on(
            session=session, resident_id=resident_id, day=day
        ):
            found.append(
                {
                    "taskId": occurrence.task_id,
                    "title": occurrence.title,
                    "day": format_day(occurrence.at, locale),
                    "today": day == today,
                    "time": format_time(occurrence.at, locale),
                    "occurrenceAt": occurrence.at.isoformat(),
                    "done": occurrence.status is CheckStatus.DONE,
                    "skipped": occurrence.status is CheckStatus.SKIPPED,
                }
            )
    return found


@lru_cache(maxsize=256)
def _article_html(markdown: str, line_breaks: bool) -> str:
    """The same sanitised HTML the article page shows; rendering is most of a copy's cost
    (benchmarks/offline_copy.py), and an article's text changes seldom."""
    return guidance.render_markdown(markdown, line_breaks=line_breaks) if markdown.strip() else ""


def article_document(article: GuidanceArticle) -> dict:
    """One published article as the offline page shows it, worded as its page words it:
    in the resident's copy (articles she has read) and at ``/utan-nat/artikel/…`` (an
    article kept on the device, read or saved there)."""
    variant = variant_of(article)
    return {
        "slug": article.slug,
        "variant": variant,
        "path": routes.article(article.slug),
        "lang": article.locale,
        "title": article.title,
        "summary": article.summary,
        "warningHtml": _article_html(article.warning_markdown, article.easy_read),
        "html": _article_html(article.body_markdown, article.easy_read),
    }


def _guidance(session: Session, resident_id: int, locale: str) -> list[dict]:
    read = set(
        session.exec(select(GuidanceRead.slug).where(GuidanceRead.resident_id == resident_id))
    )
    if not read:
        return []
    # One query for every published article in the reader's language (Swedish otherwise).
    articles = sorted(
        (a for a in guidance.published_articles(session=session, locale=locale) if a.slug in read),
        key=lambda article: article.slug,
    )[: LIMITS["articles"]]
    return [article_document(article) for article in articles]


def _what_matters(session: Session, resident_id: int, locale: str) -> list[dict]:
    """The sections of "Det här är viktigt för mig" with something in them, as the
    summary page shows them."""
    summary = profile.summary(session=session, resident_id=resident_id, locale=locale)
    return [
        {
            "title": section.title,
            "items": [{"label": item.label, "text": item.text} for item in section.items],
        }
        for section in summary.sections
    ]


def build(*, session: Session, resident_id: int, locale: str, now: datetime | None = None) -> dict:
    """The copy: plain JSON, everything already worded and formatted for the reader."""
    now = now or clock.now()
    return {
        "version": VERSION,
        "locale": locale,
        "updatedAt": now.isoformat(),
        "updatedLabel": updated_label(now, now=now, locale=locale),
        "times": _times(session, resident_id, now, locale),
        "contacts": _contacts(session, resident_id),
        "tasks": _tasks(session, resident_id, now, locale),
        "whatMatters": _what_matters(session, resident_id, locale),
        "guidance": _guidance(session, resident_id, locale),
        "timezone": str(DISPLAY_TIMEZONE),
    }


def mark_refreshed(*, session: Session, user_id: int, device_token: str, now: datetime) -> None:
    row = _row(session, user_id, device_token)
    if row is not None:
        row.refreshed_at = now
        session.add(row)
