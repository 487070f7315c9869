"""The resident's "Vad är viktigt för dig?" profile: validated saves, history, sharing.

Every save names the version the editor started from. A save whose fields someone
else changed since then is refused with ``ProfileConflict`` (carrying what is saved
now), so two devices never silently overwrite each other; fields nobody else touched
are saved even when the version moved on. Each save writes a ``ProfileRevision``.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import N_, gettext
from naranara.inputs import CHOICE, Checker, InputInvalid, column_length
from naranara.models import (
    Aid,
    ContactChannel,
    ProfileRevision,
    TimeOfDay,
    User,
    WhatMattersProfile,
)

TEXT_FIELDS: tuple[str, ...] = (
    "important_to_me",
    "gives_me_energy",
    "worries_me",
    "my_goals",
    "contact_notes",
    "languages",
    "interpreter_language",
    "aids_notes",
    "important_people",
)
CHOICE_FIELDS: dict[str, type[StrEnum]] = {
    "contact_channels": ContactChannel,
    "contact_times": TimeOfDay,
    "aids": Aid,
}
FLAG_FIELDS: tuple[str, ...] = ("needs_interpreter",)
SECTION_FIELDS: tuple[str, ...] = (*TEXT_FIELDS, *CHOICE_FIELDS, *FLAG_FIELDS)

# The eight questions, in the order the guided fill asks them.
SECTIONS: dict[str, tuple[str, ...]] = {
    "important": ("important_to_me",),
    "energy": ("gives_me_energy",),
    "worries": ("worries_me",),
    "goals": ("my_goals",),
    "contact": ("contact_channels", "contact_times", "contact_notes"),
    "language": ("languages", "needs_interpreter", "interpreter_language"),
    "aids": ("aids", "aids_notes"),
    "people": ("important_people",),
}
SECTION_TITLES: dict[str, str] = {
    "important": N_("This is important to me"),
    "energy": N_("This gives me energy"),
    "worries": N_("This worries me"),
    "goals": N_("My goals"),
    "contact": N_("This is how I want to be contacted"),
    "language": N_("Language and interpreter"),
    "aids": N_("Aids and needs"),
    "people": N_("Important people in my life"),
}
FIELD_LABELS: dict[str, str] = {
    "important_to_me": N_("This is important to me"),
    "gives_me_energy": N_("This gives me energy"),
    "worries_me": N_("This worries me"),
    "my_goals": N_("My goals"),
    "contact_channels": N_("Ways to contact me"),
    "contact_times": N_("Times of day that suit me"),
    "contact_notes": N_("More about contacting me"),
    "languages": N_("Languages I speak"),
    "needs_interpreter": N_("I need an interpreter"),
    "interpreter_language": N_("Interpreter for the language"),
    "aids": N_("I need support with"),
    "aids_notes": N_("More about my aids and needs"),
    "important_people": N_("Important people in my life"),
}
CHOICE_LABELS: dict[str, str] = {
    ContactChannel.PHONE: N_("Phone"),
    ContactChannel.SMS: N_("Text message (SMS)"),
    ContactChannel.MESSAGE_1177: N_("Message via 1177"),
    ContactChannel.LETTER: N_("Letter"),
    TimeOfDay.MORNING: N_("Morning"),
    TimeOfDay.MIDDAY: N_("Midday"),
    TimeOfDay.AFTERNOON: N_("Afternoon"),
    TimeOfDay.EVENING: N_("Evening"),
    Aid.HEARING: N_("Hearing"),
    Aid.SIGHT: N_("Sight"),
    Aid.MEMORY: N_("Memory"),
    Aid.MOBILITY: N_("Mobility"),
}

ERROR_NOT_YES_NO = N_("Please answer yes or no.")


def max_length(field: str) -> int:
    """The column's own limit, so the form and the database never disagree."""
    return column_length(WhatMattersProfile, field)


class ProfileConflict(Exception):
    """Someone saved these fields since ``expected_version``; nothing was saved."""

    def __init__(self, *, version: int, content: dict, fields: list[str]) -> None:
        super().__init__(f"profile changed since; now version {version}")
        self.version = version
        self.content = content  # every section as saved now
        self.fields = fields  # the fields of this save that someone else changed


def _validate(changes: dict) -> tuple[dict, dict[str, str]]:
    unknown = set(changes) - set(SECTION_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    values, checker = {}, Checker()
    errors = checker.errors
    for field, value in changes.items():
        if field in TEXT_FIELDS:
            text = checker.text(
                {field: value if value is not None else 0},  # None is no text here either
                field,
                max_length=max_length(field),
                multiline=True,
            )
            if field not in errors:
                values[field] = text
        elif field in CHOICE_FIELDS:
            options = CHOICE_FIELDS[field]
            chosen = [value] if isinstance(value, str) else value
            if not isinstance(chosen, list | tuple | set | frozenset) or not all(
                isinstance(item, str) and item in {option.value for option in options}
                for item in chosen
            ):
                errors[field] = CHOICE
                continue
            # Stored in the enum's order: the same choices always read the same.
            values[field] = ",".join(option.value for option in options if option in chosen)
        elif isinstance(value, bool):
            values[field] = value
        else:
            errors[field] = ERROR_NOT_YES_NO
    return values, errors


def content_of(profile: WhatMattersProfile) -> dict:
    """The sections of a profile, as stored in a revision."""
    return {field: getattr(profile, field) for field in SECTION_FIELDS}


def choices_of(profile: WhatMattersProfile, field: str) -> list[str]:
    return [value for value in getattr(profile, field).split(",") if value]


def get(*, session: Session, resident_id: int) -> WhatMattersProfile:
    """The resident's profile, or an empty unsaved one (version 0) if they have none yet."""
    found = session.exec(
        select(WhatMattersProfile).where(WhatMattersProfile.resident_id == resident_id)
    ).first()
    return found or WhatMattersProfile(resident_id=resident_id)


def _content_at(*, session: Session, resident_id: int, version: int) -> dict:
    if version <= 0:
        return content_of(WhatMattersProfile(resident_id=resident_id))
    revision = session.exec(
        select(ProfileRevision).where(
            ProfileRevision.resident_id == resident_id, ProfileRevision.version == version
        )
    ).first()
    return json.loads(revision.content) if revision else {}


def save(
    *,
    session: Session,
    resident_id: int,
    changes: dict,
    expected_version: int,
    changed_by_id: int | None,
) -> WhatMattersProfile:
    """Save ``changes`` (field -> value) made to the profile as it was at ``expected_version``.

    Raises ``InputInvalid`` (nothing saved) or ``ProfileConflict`` (nothing saved).
    A save that changes nothing returns the profile as it is, without a new revision.
    """
    values, errors = _validate(changes)
    if errors:
        raise InputInvalid(errors)
    current = get(session=session, resident_id=resident_id)
    now_content = content_of(current)
    changed = {field: value for field, value in values.items() if now_content[field] != value}
    if not changed:
        return current
    if expected_version != current.version:
        then = _content_at(session=session, resident_id=resident_id, version=expected_version)
        # A field changed by someone else since the editor's version is theirs to decide on.
        # An unknown version (e.g. from the future) conflicts on every field.
        taken = [field for field in changed if then.get(field, object()) != now_content[field]]
        if taken or expected_version > current.version:
            raise ProfileConflict(
                version=current.version, content=now_content, fields=taken or list(changed)
            )
    new_version = current.version + 1
    stamp = {"updated_at": clock.now(), "updated_by_id": changed_by_id, "version": new_version}
    if current.id is None:
        profile = WhatMattersProfile(resident_id=resident_id, **changed, **stamp)
        try:
            with session.begin_nested():
                session.add(profile)
        except IntegrityError:
            # Another device created the profile a moment ago (the savepoint is rolled back).
            latest = get(session=session, resident_id=resident_id)
            raise ProfileConflict(
                version=latest.version, content=content_of(latest), fields=list(changed)
            ) from None
    else:
        # Only if nobody saved in between reading and writing (a second device, a second tab).
        result = session.execute(
            update(WhatMattersProfile)
            .where(
                col(WhatMattersProfile.id) == current.id,
                col(WhatMattersProfile.version) == current.version,
            )
            .values(**changed, **stamp)
        )
        if result.rowcount != 1:
            session.expire_all()
            latest = get(session=session, resident_id=resident_id)
            raise ProfileConflict(
                version=latest.version, content=content_of(latest), fields=list(changed)
            )
        session.expire(current)
        profile = get(session=session, resident_id=resident_id)
    session.add(
        ProfileRevision(
            resident_id=resident_id,
            version=new_version,
            content=json.dumps(content_of(profile), ensure_ascii=False),
            changed_by_id=changed_by_id,
            changed_at=profile.updated_at,
        )
    )
    session.flush()
    return profile


def set_shared(
    *, session: Session, resident_id: int, shared: bool, changed_by_id: int | None
) -> WhatMattersProfile:
    """Whether the resident's care contacts may read the profile. Not a content version."""
    profile = get(session=session, resident_id=resident_id)
    if profile.id is None:
        profile.updated_by_id = changed_by_id
    profile.shared_with_care = bool(shared)
    session.add(profile)
    session.flush()
    return profile


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    version: int
    changed_at: datetime
    changed_by_name: str  # empty when the account is gone
    changed_by_id: int | None
    fields: tuple[str, ...]  # what this save changed, in section order
    content: dict  # every section as it was after this save


def history(*, session: Session, resident_id: int, limit: int = 50) -> list[HistoryEntry]:
    """Saves of the profile, newest first, each with who saved it and which fields it changed."""
    rows = session.exec(
        select(ProfileRevision, User)
        .join(User, col(User.id) == col(ProfileRevision.changed_by_id), isouter=True)
        .where(ProfileRevision.resident_id == resident_id)
        .order_by(col(ProfileRevision.version).desc(), col(ProfileRevision.id).desc())
        .limit(limit + 1)  # one more, to tell what the oldest shown one changed
    ).all()
    contents = [json.loads(revision.content) for revision, _ in rows]
    empty = content_of(WhatMattersProfile(resident_id=resident_id))
    entries = []
    for index, (revision, user) in enumerate(rows[:limit]):
        before = contents[index + 1] if index + 1 < len(rows) else empty
        after = contents[index]
        entries.append(
            HistoryEntry(
                version=revision.version,
                changed_at=revision.changed_at,
                changed_by_name=user.display_name if user else "",
                changed_by_id=revision.changed_by_id,
                fields=tuple(f for f in SECTION_FIELDS if before.get(f) != after.get(f)),
                content=after,
            )
        )
    return entries


@dataclasses.dataclass(frozen=True)
class SummaryItem:
    label: str  # empty for the section's own free text
    text: str


@dataclasses.dataclass(frozen=True)
class SummarySection:
    key: str
    title: str
    items: tuple[SummaryItem, ...]  # empty when nothing is filled in


@dataclasses.dataclass(frozen=True)
class Summary:
    resident_name: str
    updated_at: datetime | None
    sections: tuple[SummarySection, ...]  # only the sections with something in them


def display_value(field: str, value: object, *, locale: str) -> str:
    """A stored value as a reader sees it: choices and yes/no in ``locale``, text as written."""
    if field in CHOICE_FIELDS:
        chosen = [item for item in str(value or "").split(",") if item in CHOICE_LABELS]
        return ", ".join(gettext(locale, CHOICE_LABELS[item]) for item in chosen)
    if field in FLAG_FIELDS:
        return gettext(locale, "Yes") if value else ""
    return str(value or "")


def sections_of(found: WhatMattersProfile, *, locale: str) -> tuple[SummarySection, ...]:
    """Every section in order, with what is filled in, choices in ``locale``."""
    sections = []
    for key, fields in SECTIONS.items():
        items = []
        for field in fields:
            text = display_value(field, getattr(found, field), locale=locale)
            if text:
                # A section's single free text speaks for itself under the section title.
                label = "" if len(fields) == 1 else gettext(locale, FIELD_LABELS[field])
                items.append(SummaryItem(label=label, text=text))
        sections.append(
            SummarySection(key=key, title=gettext(locale, SECTION_TITLES[key]), items=tuple(items))
        )
    return tuple(sections)


def summary(*, session: Session, resident_id: int, locale: str) -> Summary:
    """The one-page "Det här är viktigt för mig", in ``locale``, for the page and the PDF."""
    found = get(session=session, resident_id=resident_id)
    resident = session.get(User, resident_id)
    return Summary(
        resident_name=resident.display_name if resident else "",
        updated_at=found.updated_at if found.version else None,
        sections=tuple(s for s in sections_of(found, locale=locale) if s.items),
    )
