"""The resident's own view of the audit log: "Vem har sett mina uppgifter".

Every read and change of a resident's data by someone else, and every refused
attempt, is an ``AuditEvent`` whose subject is the resident (services/audit.py).
This module only reads those rows and puts them in plain words; it never writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, func, select

from naranara import clock
from naranara.i18n import N_, gettext
from naranara.i18n.formatting import format_date_with_year, format_time, to_local
from naranara.models import AuditEvent, AuditKind, Role, User

PAGE_SIZE = 20
# The detail of the row written when a relative stops helping (states/acting_for.py).
HELPING_ENDED_DETAIL = "helping ended by relative"


class Doing(StrEnum):
    """The kinds of entry a resident can filter on."""

    READ = "read"
    CHANGED = "changed"
    REFUSED = "refused"


_KINDS = {
    Doing.READ: (AuditKind.RECORD_READ, AuditKind.RECORD_EXPORTED),
    Doing.CHANGED: (AuditKind.RECORD_CHANGED, AuditKind.RECORD_IMPORTED),
    Doing.REFUSED: (AuditKind.RECORD_REFUSED,),
}
_DOING_OF_KIND = {kind.value: doing for doing, kinds in _KINDS.items() for kind in kinds}

# Periods a resident can choose, in days back from now (0: everything).
PERIODS = (7, 30, 365, 0)

# What the row's detail names, in the order they are tried: the first match words it.
_AREAS = (
    (("agreed_time", "/tider"), N_("your times")),
    (("care_contact", "/kontakter"), N_("your contacts")),
    (("care_plan", "goal=", "activity=", "/plan"), N_("your plan")),
    (("what_matters", "/viktigt"), N_("what matters to you")),
    (("measurement", "/matvarden"), N_("your measurements")),
    (("self_care", "self-care", "task", "check", "/egenvard"), N_("your self-care")),
    (("invitation",), N_("your invitation to help you")),
    (("fhir", "export"), N_("your whole record")),
    (("care_relationship",), N_("your care relationship")),
)
_OTHER_AREA = N_("your information")
# Rows that are about the helping itself, not an area of data: a sentence of their own.
# ``detail`` of services/invitations.accept and of a relative stepping back.
_WHOLE_SENTENCES = (
    (("invitation=", " accepted"), N_("Accepted your invitation and can now help you")),
    ((HELPING_ENDED_DETAIL,), N_("Stopped helping you")),
)
_SENTENCES = {
    Doing.READ: N_("Read {area}"),
    Doing.CHANGED: N_("Changed {area}"),
    Doing.REFUSED: N_("Tried to open {area} but was refused"),
}
_ROLES = {
    Role.RELATIVE: N_("relative"),
    Role.RESIDENT: N_("relative"),  # a resident helping their partner acts as a relative
    Role.STAFF: N_("care staff"),
    Role.ADMIN: N_("administrator"),
}
_UNKNOWN_PERSON = N_("A removed account")


@dataclass(frozen=True)
class LogFilter:
    actor_id: int | None = None
    doing: Doing | None = None
    days: int = 0  # 0: the whole log


@dataclass(frozen=True)
class LogEntry:
    id: int
    at: datetime
    actor_id: int | None
    who: str
    role: str  # in the reader's language
    doing: Doing
    what: str  # "Läste dina tider"
    when: str  # "23 november 2026 kl. 14.02"


@dataclass(frozen=True)
class LogPage:
    entries: list[LogEntry]
    page: int  # from 1
    pages: int  # at least 1
    total: int


def _sentence(detail: str, doing: Doing, locale: str) -> str:
    for needles, sentence in _WHOLE_SENTENCES:
        if doing is Doing.CHANGED and all(needle in detail for needle in needles):
            return gettext(locale, sentence)
    return gettext(locale, _SENTENCES[doing]).format(area=gettext(locale, _area(detail)))


def _area(detail: str) -> str:
    for needles, area in _AREAS:
        if any(needle in detail for needle in needles):
            return area
    return _OTHER_AREA


def _conditions(resident_id: int, chosen: LogFilter, now: datetime) -> list:
    kinds = (
        _KINDS[chosen.doing]
        if chosen.doing is not None
        else tuple(kind for kinds in _KINDS.values() for kind in kinds)
    )
    conditions = [
        AuditEvent.subject_id == resident_id,
        col(AuditEvent.kind).in_([kind.value for kind in kinds]),
        # Only what others did: the resident's own use is not logged, and an export
        # the resident made themself is theirs.
        col(AuditEvent.actor_id).is_(None) | (col(AuditEvent.actor_id) != resident_id),
    ]
    if chosen.actor_id is not None:
        conditions.append(AuditEvent.actor_id == chosen.actor_id)
    if chosen.days:
        conditions.append(col(AuditEvent.at) >= now - timedelta(days=chosen.days))
    return conditions


def read_page(
    *,
    session: Session,
    resident_id: int,
    locale: str,
    chosen: LogFilter | None = None,
    page: int = 1,
    now: datetime | None = None,
) -> LogPage:
    """One page of the resident's log, newest first, in the reader's language."""
    chosen = chosen or LogFilter()
    conditions = _conditions(resident_id, chosen, now or clock.now())
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.exec(
        select(AuditEvent, User)
        .join(User, col(User.id) == col(AuditEvent.actor_id), isouter=True)
        .where(*conditions)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    entries = [_entry(event, actor, locale) for event, actor in rows]
    return LogPage(entries=entries, page=page, pages=pages, total=total)


def _entry(event: AuditEvent, actor: User | None, locale: str) -> LogEntry:
    doing = _DOING_OF_KIND[event.kind]
    local = to_local(event.at)
    return LogEntry(
        id=event.id,
        at=event.at,
        actor_id=event.actor_id,
        who=actor.display_name if actor else gettext(locale, _UNKNOWN_PERSON),
        role=gettext(locale, _ROLES[Role(actor.role)]) if actor else "",
        doing=doing,
        what=_sentence(event.detail, doing, locale),
        when=gettext(locale, "{date} at {time}").format(
            date=format_date_with_year(local.date(), locale), time=format_time(event.at, locale)
        ),
    )


def people_in_log(*, session: Session, resident_id: int) -> list[tuple[int, str]]:
    """Everyone who appears in the resident's log, by name: the choices of the person filter."""
    conditions = _conditions(resident_id, LogFilter(), clock.now())
    rows = session.exec(
        select(User.id, User.display_name)
        .join(AuditEvent, col(AuditEvent.actor_id) == col(User.id))
        .where(*conditions)
        .distinct()
    ).all()
    return sorted(((user_id, name) for user_id, name in rows), key=lambda pair: (pair[1], pair[0]))
