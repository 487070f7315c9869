"""What the pages show, formatted for the reader's language on the server."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from naranara.i18n import N_, gettext
from naranara.i18n.formatting import (
    format_date_with_year,
    format_day,
    format_day_and_time,
    format_relative,
    format_time,
)
from naranara.models import (
    ActivityStatus,
    AgreedTime,
    AgreedTimeStatus,
    CareContact,
    CarePlanActivity,
    CheckStatus,
    GoalStatus,
    GuidanceArticle,
    Responsible,
)
from naranara.services.care_plan import Plan
from naranara.services.patient_contract import display_phone
from naranara.services.self_care import Occurrence


@dataclasses.dataclass
class TimeEventView:
    """One line of an agreed time's history: "Sara Holm flyttade tiden från … till …"."""

    what: str
    when: str
    quote: str = ""  # the words of an answer or a reply


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
    # Filled where the times are listed for editing (Tider), empty elsewhere.
    version: int = 0
    source: str = ""  # "Tillagd av dig" / "Tillagd av Sara Holm, Hälsocentralen"
    change_note: str = ""  # "Ändrad: tiden flyttades från … till …"
    ics_href: str = ""
    edit_href: str = ""
    # Times agreed from both sides (Tider): what this reader may do with this time.
    editable: bool = False  # change or cancel: the side that recorded it
    answerable: bool = False  # the resident's (or her relative's) answer to the care side
    answer: str = ""  # the answer given to the time as it is now: AnswerKind value or ""
    open_request: str = ""  # for the care side: the request waiting for an answer
    history: list[TimeEventView] = dataclasses.field(default_factory=list)


def agreed_time_view(
    item: AgreedTime,
    *,
    now: datetime,
    locale: str,
    source: str = "",
    change_note: str = "",
    edit_href: str = "",
) -> AgreedTimeView:
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
        # Only https links become links; anything else an import brought is left out.
        meeting_url=item.meeting_url if item.meeting_url.startswith("https://") else "",
        prepare=item.prepare,
        status=item.status.value,
        status_label=labels[item.status],
        version=item.version,
        source=source,
        change_note=change_note,
        ics_href=f"/kalender/tid/{item.id}.ics" if edit_href else "",
        edit_href=edit_href,
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
    # Filled where contacts are listed for editing (Kontakter), empty elsewhere.
    reach_by: str = ""  # "1177-meddelande, telefon"
    source: str = ""
    edit_href: str = ""
    editable: bool = False  # this reader may change or remove it: the side that recorded it
    version: int = 0  # as listed: removing names it, so a newer one is not removed unseen


_REACH_BY_LABELS = {
    "message_1177": N_("1177 message"),
    "phone": N_("Phone"),
    "visit": N_("Visit"),
}


def care_contact_view(
    contact: CareContact, *, locale: str = "sv", source: str = "", edit_href: str = ""
) -> CareContactView:
    # Stored as E.164 (+46601234500); read in national format, dialled as stored.
    digits = "".join(ch for ch in contact.phone if ch.isdigit() or ch == "+")
    reach = [
        gettext(locale, _REACH_BY_LABELS[v])
        for v in contact.reach_by.split(",")
        if v in _REACH_BY_LABELS
    ]
    return CareContactView(
        id=contact.id,
        name=contact.name,
        role_title=contact.role_title,
        organisation=contact.organisation,
        unit=contact.unit,
        phone=display_phone(contact.phone),
        phone_href=f"tel:{digits}" if digits else "",
        opening_hours=contact.opening_hours,
        how_to_reach=contact.how_to_reach,
        reach_by=", ".join(reach),
        source=source,
        edit_href=edit_href,
        version=contact.version,
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
class VersionLink:
    """One version of an article ("Lättläst", "English"), named in its own language."""

    label: str
    href: str
    lang: str
    current: bool = False  # the version on screen: named, not linked


@dataclasses.dataclass
class ArticleSummaryView:
    slug: str
    title: str
    summary: str
    reading_time: str
    # The article's other published versions, where the list shows them ("Finns också som").
    versions: list[VersionLink] = dataclasses.field(default_factory=list)


def article_summary_view(
    article: GuidanceArticle, *, locale: str, versions: list[VersionLink] | None = None
) -> ArticleSummaryView:
    return ArticleSummaryView(
        slug=article.slug,
        title=article.title,
        summary=article.summary,
        reading_time=gettext(locale, "{minutes} min read").format(minutes=article.reading_minutes),
        versions=versions or [],
    )


def reviewed_text(article: GuidanceArticle, *, locale: str) -> str:
    return gettext(locale, "Reviewed {date} by {unit}").format(
        date=format_date_with_year(article.reviewed_on, locale), unit=article.responsible_unit
    )


# ---------------------------------------------------------------- the coordinated plan (care_plan)


@dataclasses.dataclass
class CarePlanActivityView:
    id: int
    goal_id: int  # 0: outside any goal
    description: str
    responsible: str  # Responsible value, for the edit form
    responsible_name: str
    who: str  # "Kommunen – Hemtjänsten Haga"
    follow_up_on: str  # ISO date for the edit form, or ""
    follow_up: str  # "Följs upp tisdag 3 mars"
    status: str
    status_label: str
    source: str  # "Tillagd av Stina Sjuksköterska"


@dataclasses.dataclass
class CarePlanGoalView:
    id: int  # 0: the activities that belong to no goal
    text: str
    status: str
    status_label: str
    source: str
    activities: list[CarePlanActivityView]


_GOAL_STATUS = {
    GoalStatus.ACTIVE: N_("In progress"),
    GoalStatus.ACHIEVED: N_("Achieved"),
    GoalStatus.DROPPED: N_("Set aside"),
}
_ACTIVITY_STATUS = {
    ActivityStatus.PLANNED: N_("Planned"),
    ActivityStatus.ONGOING: N_("Ongoing"),
    ActivityStatus.DONE: N_("Done"),
    ActivityStatus.PAUSED: N_("Paused"),
}
RESPONSIBLE_LABELS = {
    Responsible.RESIDENT: N_("The resident"),
    Responsible.REGION: N_("The region"),
    Responsible.MUNICIPALITY: N_("The municipality"),
    Responsible.RELATIVE: N_("A relative"),
}


def _source(author_id: int | None, authors: dict[int, str], *, viewer_id: int, locale: str) -> str:
    if author_id == viewer_id:
        return gettext(locale, "Added by you")
    if author_id in authors:
        return gettext(locale, "Added by {name}").format(name=authors[author_id])
    return ""


def care_plan_views(
    plan: Plan, *, viewer_id: int, resident_id: int, today: date, locale: str
) -> list[CarePlanGoalView]:
    """The plan as the page shows it; "you" is whoever reads it."""

    def who(activity: CarePlanActivity) -> str:
        name = activity.responsible_name
        if activity.responsible == Responsible.RESIDENT:
            # The resident is "you" to themself; others read the resident's name if given.
            if viewer_id == resident_id:
                return gettext(locale, "You")
            return name or gettext(locale, RESPONSIBLE_LABELS[Responsible.RESIDENT])
        label = gettext(locale, RESPONSIBLE_LABELS[Responsible(activity.responsible)])
        return f"{label} – {name}" if name else label

    def follow_up(day: date | None) -> str:
        if day is None:
            return ""
        shown = (
            format_day(day, locale)
            if day.year == today.year
            else format_date_with_year(day, locale)
        )
        return gettext(locale, "Follow-up {date}").format(date=shown)

    def activity_view(activity: CarePlanActivity) -> CarePlanActivityView:
        status = ActivityStatus(activity.status)
        return CarePlanActivityView(
            id=activity.id,
            goal_id=activity.goal_id or 0,
            description=activity.description,
            responsible=Responsible(activity.responsible).value,
            responsible_name=activity.responsible_name,
            who=who(activity),
            follow_up_on=activity.follow_up_on.isoformat() if activity.follow_up_on else "",
            follow_up=follow_up(activity.follow_up_on),
            status=status.value,
            status_label=gettext(locale, _ACTIVITY_STATUS[status]),
            source=_source(
                activity.created_by_id, plan.authors, viewer_id=viewer_id, locale=locale
            ),
        )

    views = []
    for entry in plan.entries:
        goal = entry.goal
        status = GoalStatus(goal.status) if goal else GoalStatus.ACTIVE
        views.append(
            CarePlanGoalView(
                id=goal.id if goal else 0,
                text=goal.text if goal else gettext(locale, "Other things in the plan"),
                status=status.value,
                status_label=gettext(locale, _GOAL_STATUS[status]),
                source=_source(goal.created_by_id, plan.authors, viewer_id=viewer_id, locale=locale)
                if goal
                else "",
                activities=[activity_view(activity) for activity in entry.activities],
            )
        )
    return views


# "Vad är viktigt för dig?" (states/what_matters.py)


@dataclasses.dataclass
class ProfileItemView:
    label: str  # empty for a section's own free text
    text: str


@dataclasses.dataclass
class ProfileSectionView:
    key: str
    number: int  # its question in the guided fill, from 1
    title: str
    lines: list[ProfileItemView]  # (not "items" or "entries": methods of an object Var)


@dataclasses.dataclass
class ProfileConflictView:
    field: str
    label: str
    saved_text: str  # what another device saved
    my_text: str  # what this tab has
    version: int  # the saved version the choice is made against


@dataclasses.dataclass
class ProfileHistoryView:
    when: str
    who: str
    changes: list[ProfileItemView]  # each field this save changed, as it read afterwards
