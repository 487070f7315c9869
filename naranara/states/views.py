"""What the pages show, formatted for the reader's language on the server."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from naranara.i18n import gettext
from naranara.i18n.formatting import (
    format_date_with_year,
    format_day_and_time,
    format_relative,
    format_time,
)
from naranara.models import AgreedTime, AgreedTimeStatus, CareContact, CheckStatus, GuidanceArticle
from naranara.services.self_care import Occurrence


@dataclasses.dataclass
class AgreedTimeView:
    id: int
    when: str
    relative: str
    until: str
    purpose: str
    with_whom: str
    place: str
    address: str
    meeting_url: str
    prepare: str
    status: str
    status_label: str


def agreed_time_view(item: AgreedTime, *, now: datetime, locale: str) -> AgreedTimeView:
    labels = {
        AgreedTimeStatus.PLANNED: gettext(locale, "Planned"),
        AgreedTimeStatus.CHANGED: gettext(locale, "Changed"),
        AgreedTimeStatus.CANCELLED: gettext(locale, "Cancelled"),
    }
    return AgreedTimeView(
        id=item.id,
        when=format_day_and_time(item.starts_at, locale),
        relative=format_relative(item.starts_at, now, locale),
        until=format_time(item.ends_at, locale),
        purpose=item.purpose,
        with_whom=item.with_whom,
        place=item.place,
        address=item.address,
        meeting_url=item.meeting_url,
        prepare=item.prepare,
        status=item.status.value,
        status_label=labels[item.status],
    )


@dataclasses.dataclass
class CareContactView:
    id: int
    name: str
    role_title: str
    organisation: str
    unit: str
    phone: str
    phone_href: str
    opening_hours: str
    how_to_reach: str


def care_contact_view(contact: CareContact) -> CareContactView:
    digits = "".join(ch for ch in contact.phone if ch.isdigit() or ch == "+")
    return CareContactView(
        id=contact.id,
        name=contact.name,
        role_title=contact.role_title,
        organisation=contact.organisation,
        unit=contact.unit,
        phone=contact.phone,
        phone_href=f"tel:{digits}" if digits else "",
        opening_hours=contact.opening_hours,
        how_to_reach=contact.how_to_reach,
    )


@dataclasses.dataclass
class OccurrenceView:
    task_id: int
    title: str
    time: str
    occurrence_at: str  # ISO 8601 UTC: identifies the occurrence in events
    done: bool


def occurrence_view(occurrence: Occurrence, *, locale: str) -> OccurrenceView:
    return OccurrenceView(
        task_id=occurrence.task_id,
        title=occurrence.title,
        time=format_time(occurrence.at, locale),
        occurrence_at=occurrence.at.isoformat(),
        done=occurrence.status is CheckStatus.DONE,
    )


@dataclasses.dataclass
class ArticleSummaryView:
    slug: str
    title: str
    summary: str
    reading_time: str


def article_summary_view(article: GuidanceArticle, *, locale: str) -> ArticleSummaryView:
    return ArticleSummaryView(
        slug=article.slug,
        title=article.title,
        summary=article.summary,
        reading_time=gettext(locale, "{minutes} min read").format(minutes=article.reading_minutes),
    )


def reviewed_text(article: GuidanceArticle, *, locale: str) -> str:
    return gettext(locale, "Reviewed {date} by {unit}").format(
        date=format_date_with_year(article.reviewed_on, locale), unit=article.responsible_unit
    )
