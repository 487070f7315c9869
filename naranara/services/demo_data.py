"""Swedish demo data for the embedded default: one resident's life in Nära.

Times are placed relative to the day of seeding so the demo always has an
upcoming visit. Seeding an already seeded database does nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlmodel import Session, select

from naranara import clock
from naranara.models import (
    ActivityStatus,
    AgreedTime,
    AgreedTimeChange,
    AgreedTimeStatus,
    AnswerKind,
    AuditEvent,
    AuditKind,
    CareContact,
    CarePlanActivity,
    CarePlanGoal,
    CareUnit,
    Enrolment,
    GuidanceArticle,
    OrganisationKind,
    ProxyScope,
    Responsible,
    Role,
    SelfCareTask,
    User,
)
from naranara.services import (
    access,
    care_units,
    enrolment,
    guidance_content,
    guidance_editor,
    personnummer,
    self_care_demo,
    time_answers,
)
from naranara.services.accounts import create_user, hash_password
from naranara.settings import DISPLAY_TIMEZONE

DEMO_PASSWORD = "nara-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    display_name: str


DEMO_LOGINS = (
    DemoLogin("anna", Role.RESIDENT, "Anna Lindqvist"),
    DemoLogin("erik", Role.RELATIVE, "Erik Lindqvist"),
    DemoLogin("sara", Role.STAFF, "Sara Holm"),
    DemoLogin("alva", Role.ADMIN, "Alva Berg"),
)


def seed_guidance(session: Session, *, published: datetime) -> dict[str, GuidanceArticle]:
    """The whole guidance library shipped with Nära, published; the Swedish originals by slug.

    A version already in the database (shipped earlier, or begun by staff in the editor) is
    left as it is, so seeding again only adds what is new: a translation shipped later.
    """
    present = {
        (article.slug, article.locale, article.easy_read): article
        for article in session.exec(select(GuidanceArticle))
    }
    swedish: dict[str, GuidanceArticle] = {}
    for source in guidance_content.load_sources():
        article = present.get((source.slug, source.language, source.easy_read))
        if article is None:
            article = guidance_editor.import_published(
                session=session,
                slug=source.slug,
                variant=source.variant,
                values={
                    "title": source.title,
                    "summary": source.summary,
                    "category": source.category,
                    "reading_minutes": source.reading_minutes,
                    "responsible_unit": source.responsible_unit,
                    "reviewed_on": source.reviewed_on,
                    "warning_markdown": source.warning,
                    "body_markdown": source.body,
                },
                now=published,
            )
        if source.variant == "sv":
            swedish[source.slug] = article
    return swedish


def add_new_guidance(session: Session) -> int:
    """Publish the shipped article versions an earlier seeded database lacks; how many."""
    before = len(session.exec(select(GuidanceArticle.id)).all())
    seed_guidance(session, published=clock.now())
    return len(session.exec(select(GuidanceArticle.id)).all()) - before


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=DISPLAY_TIMEZONE).astimezone(UTC)


def is_seeded(session: Session) -> bool:
    return session.exec(select(User).limit(1)).first() is not None


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    """One argon2 hash of the shared, published demo password: a hash per account costs
    half a second of CPU each time demo data is seeded, and the tests seed it often."""
    return hash_password(DEMO_PASSWORD)


def seed(session: Session, *, today: date | None = None) -> bool:
    """Seed the demo data into an empty database. Returns False if already seeded."""
    if is_seeded(session):
        return False
    today = today or clock.today()
    users = {
        login.username: create_user(
            session=session,
            username=login.username,
            display_name=login.display_name,
            role=login.role,
        )
        for login in DEMO_LOGINS
    }
    for user in users.values():
        user.password_hash = _demo_password_hash()
    anna, sara = users["anna"], users["sara"]

    articles = seed_guidance(session, published=clock.now() - timedelta(days=30))

    session.add_all(
        [
            CareContact(
                resident_id=anna.id,
                name="Maria Sjöberg",
                role_title="Fast vårdkontakt, distriktssköterska",
                organisation="Region Västernorrland",
                unit="Hälsocentralen Nacksta",
                phone="+46601234500",
                opening_hours="Måndag–fredag 8.00–16.30",
                reach_by="message_1177,phone",
                how_to_reach="Ring eller skriv via 1177",
                added_by_id=sara.id,
                care_side=True,
            ),
            CareContact(
                resident_id=anna.id,
                name="Johan Berg",
                role_title="Fast läkarkontakt",
                organisation="Region Västernorrland",
                unit="Hälsocentralen Nacksta",
                phone="+46601234500",
                opening_hours="Måndag–fredag 8.00–16.30",
                reach_by="message_1177",
                how_to_reach="Via din fasta vårdkontakt eller 1177",
                added_by_id=sara.id,
                care_side=True,
            ),
            CareContact(
                resident_id=anna.id,
                name="Hemtjänsten Haga",
                role_title="Hemtjänst",
                organisation="Sundsvalls kommun",
                organisation_kind=OrganisationKind.MUNICIPALITY,
                unit="Hemtjänstgrupp Haga",
                phone="+4660191000",
                opening_hours="Alla dagar 7.00–22.00",
                reach_by="phone",
                how_to_reach="Ring gruppens telefon",
                added_by_id=sara.id,
                care_side=True,
            ),
        ]
    )

    moved_from = _at(today + timedelta(days=8), 9, 0)
    phone_call = AgreedTime(
        resident_id=anna.id,
        starts_at=_at(today + timedelta(days=9), 14, 30),
        ends_at=_at(today + timedelta(days=9), 14, 45),
        purpose="Telefonsamtal om blodtrycket",
        with_whom="Johan Berg, läkare",
        place="Telefon",
        prepare="Ha dina blodtrycksvärden från veckan framför dig.",
        status=AgreedTimeStatus.CHANGED,
        added_by_id=sara.id,
        care_side=True,
        version=1,
    )
    session.add(phone_call)
    session.flush()
    session.add(
        AgreedTimeChange(
            agreed_time_id=phone_call.id,
            changed_by_id=sara.id,
            status=AgreedTimeStatus.CHANGED.value,
            changes=json.dumps(
                {
                    "starts_at": [moved_from.isoformat(), phone_call.starts_at.isoformat()],
                    "ends_at": [
                        (moved_from + timedelta(minutes=15)).isoformat(),
                        phone_call.ends_at.isoformat(),
                    ],
                }
            ),
        )
    )
    session.add_all(
        [
            AgreedTime(
                resident_id=anna.id,
                starts_at=_at(today + timedelta(days=2), 10, 0),
                ends_at=_at(today + timedelta(days=2), 10, 30),
                purpose="Uppföljning av hjärtsvikt",
                with_whom="Maria Sjöberg, distriktssköterska",
                place="Hälsocentralen Nacksta",
                address="Nackstavägen 12, Sundsvall",
                prepare="Ta med dina viktanteckningar och dina läkemedel.",
                added_by_id=sara.id,
                care_side=True,
            ),
            AgreedTime(
                resident_id=anna.id,
                starts_at=_at(today + timedelta(days=16), 9, 0),
                ends_at=_at(today + timedelta(days=16), 10, 0),
                purpose="Hembesök av fysioterapeut",
                with_whom="Rehab Sundsvall",
                place="Hemma hos dig",
            ),
            AgreedTime(
                resident_id=anna.id,
                starts_at=_at(today - timedelta(days=12), 13, 0),
                ends_at=_at(today - timedelta(days=12), 13, 30),
                purpose="Samordnad individuell plan (SIP)",
                with_whom="Maria Sjöberg och Hemtjänsten Haga",
                place="Videomöte",
            ),
        ]
    )

    session.add_all(
        [
            SelfCareTask(
                resident_id=anna.id,
                title="Väg dig",
                recurrence="RRULE:FREQ=DAILY",
                time_of_day="08:00",
                starts_on=today - timedelta(days=14),
                article_id=articles["vag-dig-vid-hjartsvikt"].id,
            ),
            SelfCareTask(
                resident_id=anna.id,
                title="Mät blodtrycket",
                recurrence="RRULE:FREQ=DAILY",
                time_of_day="19:00",
                starts_on=today - timedelta(days=14),
                article_id=articles["mat-blodtrycket-hemma"].id,
            ),
            SelfCareTask(
                resident_id=anna.id,
                title="Promenera 20 minuter",
                recurrence="RRULE:FREQ=DAILY;INTERVAL=1",
                time_of_day="11:00",
                starts_on=today - timedelta(days=14),
                article_id=articles["promenera-for-halsan"].id,
            ),
        ]
    )
    walk_goal = CarePlanGoal(
        resident_id=anna.id,
        text="Jag vill kunna gå till affären själv igen.",
        created_by_id=anna.id,
    )
    breath_goal = CarePlanGoal(
        resident_id=anna.id,
        text="Jag vill känna mig trygg med min andning på nätterna.",
        created_by_id=anna.id,
    )
    session.add_all([walk_goal, breath_goal])
    session.flush()
    session.add_all(
        [
            CarePlanActivity(
                resident_id=anna.id,
                goal_id=walk_goal.id,
                description="Promenera 20 minuter varje dag.",
                responsible=Responsible.RESIDENT,
                responsible_name="Anna",
                follow_up_on=today + timedelta(days=16),
                status=ActivityStatus.ONGOING,
                created_by_id=anna.id,
            ),
            CarePlanActivity(
                resident_id=anna.id,
                goal_id=walk_goal.id,
                description="Träningsprogram för balans och styrka.",
                responsible=Responsible.REGION,
                responsible_name="Rehab Sundsvall",
                follow_up_on=today + timedelta(days=16),
                status=ActivityStatus.PLANNED,
                created_by_id=sara.id,
            ),
            CarePlanActivity(
                resident_id=anna.id,
                goal_id=breath_goal.id,
                description="Tillsyn på kvällen och hjälp att lägga fram kvällsmedicinen.",
                responsible=Responsible.MUNICIPALITY,
                responsible_name="Hemtjänsten Haga",
                follow_up_on=today + timedelta(days=30),
                status=ActivityStatus.ONGOING,
                created_by_id=sara.id,
            ),
            CarePlanActivity(
                resident_id=anna.id,
                goal_id=breath_goal.id,
                description="Väga sig varje morgon och ringa vid snabb viktökning.",
                responsible=Responsible.RESIDENT,
                responsible_name="Anna",
                status=ActivityStatus.ONGOING,
                created_by_id=sara.id,
            ),
        ]
    )
    self_care_demo.seed_self_monitoring(session, anna=anna, helper=users["erik"], today=today)
    return True


def seed_relatives(session: Session) -> None:
    """Erik helps his mother Anna with her times and self-care; her access log shows
    what he and her district nurse have looked at. Sara's care relationship has ended,
    so today she is staff without one.

    Apart from ``seed`` (``naranara seed`` runs both): the state tests seed with
    ``seed`` and take Erik as a relative without any grant, Sara as staff without care.
    """
    anna, erik, sara = (
        session.exec(select(User).where(User.username == name)).one()
        for name in ("anna", "erik", "sara")
    )
    for scope in (ProxyScope.CARE_PLAN, ProxyScope.SELF_CARE):
        access.grant(session=session, resident_id=anna.id, relative_id=erik.id, scope=scope)
    nacksta = _unit(session, NACKSTA)
    access.record_care_relationship(
        session=session,
        staff_id=sara.id,
        resident_id=anna.id,
        unit_id=nacksta.id,
        started_at=clock.now() - timedelta(days=400),
    )
    access.end_care_relationship(session=session, staff_id=sara.id, resident_id=anna.id)
    now = clock.now()
    for hours_ago, actor, kind, detail in (
        (200, sara, AuditKind.RECORD_READ, "care_plan"),
        (199, sara, AuditKind.RECORD_CHANGED, "agreed_time changed"),
        (50, erik, AuditKind.RECORD_READ, "agreed_times"),
        (49, erik, AuditKind.RECORD_READ, "self_care"),
        (48, erik, AuditKind.RECORD_CHANGED, "self_care check"),
        (3, erik, AuditKind.RECORD_READ, "care_contacts"),
    ):
        session.add(
            AuditEvent(
                at=now - timedelta(hours=hours_ago),
                kind=kind.value,
                actor_id=actor.id,
                subject_id=anna.id,
                detail=detail,
            )
        )


# ---------------------------------------------------------------- care units and enrolment

NACKSTA = {
    "name": "Hälsocentralen Nacksta",
    "organisation": "Region Västernorrland",
    "kind": "region",
    "phone": "060-123 45 00",
}
HAGA = {
    "name": "Hemtjänstgrupp Haga",
    "organisation": "Sundsvalls kommun",
    "kind": "municipality",
    "phone": "060-19 10 00",
}
# Test personnummer (valid control digits, made up): Anna's, and Greta's, who is
# enrolled but has not activated her account yet.
ANNA_PERSONNUMMER = "19450312-1230"
GRETA = {
    "display_name": "Greta Nilsson",
    "phone": "070-123 45 67",
    "how_to_reach": "Ring på förmiddagen. Hör dåligt i telefon: prata tydligt.",
    "personnummer": "19481224-9987",
}


def _unit(session: Session, fields: dict[str, str]) -> CareUnit:
    return care_units.unit_named(session=session, name=fields["name"]) or care_units.create_unit(
        session=session, data=fields
    )


def seed_care(session: Session, *, now: datetime | None = None) -> None:
    """Sara works at Hälsocentralen Nacksta, which has Anna in its care with Sara as her
    fixed contact (the relationship before it, ended, stays in the history); Anna has
    asked for another time for her phone call. Greta Nilsson is enrolled there but has
    not activated her account: ``naranara demo-logins`` prints a fresh code for her.

    Apart from ``seed`` (``naranara seed`` runs it): the state tests take Sara as staff
    without care.
    """
    now = now or clock.now()
    anna, sara = (
        session.exec(select(User).where(User.username == name)).one() for name in ("anna", "sara")
    )
    nacksta = _unit(session, NACKSTA)
    _unit(session, HAGA)
    care_units.add_member(session=session, unit_id=nacksta.id, staff_id=sara.id)
    access.record_care_relationship(
        session=session,
        staff_id=sara.id,
        resident_id=anna.id,
        unit_id=nacksta.id,
        recorded_by_id=sara.id,
        started_at=now,
    )
    number = personnummer.parse(ANNA_PERSONNUMMER, today=now.date())
    session.add(
        Enrolment(
            resident_id=anna.id,
            enrolled_by_id=sara.id,
            enrolled_at=now - timedelta(days=60),
            phone="+46701112233",
            how_to_reach="Ring eller skicka sms.",
            personnummer_hash=personnummer.keyed_hash(number),
            personnummer_masked=number.masked,
            activated_at=now - timedelta(days=59),
        )
    )
    phone_call = session.exec(
        select(AgreedTime).where(
            AgreedTime.resident_id == anna.id,
            AgreedTime.purpose == "Telefonsamtal om blodtrycket",
        )
    ).one()
    time_answers.answer(
        session=session,
        resident_id=anna.id,
        time_id=phone_call.id,
        author_id=anna.id,
        kind=AnswerKind.OTHER_TIME,
        text="Jag är hos tandläkaren på eftermiddagen den dagen. Går det på förmiddagen?",
        now=now - timedelta(hours=20),
    )
    enrolment.enrol(
        session=session,
        data=GRETA,
        unit=nacksta,
        fixed_contact=sara,
        actor_id=sara.id,
        now=now - timedelta(days=1),
    )


@dataclass(frozen=True)
class WaitingActivation:
    display_name: str
    username: str
    code: str  # "" once she has activated her account


def demo_activation(session: Session) -> WaitingActivation | None:
    """Greta's way in for the demo: a fresh code each time it is asked for (the one
    before stops working), or none once she has activated her account."""
    greta = session.exec(select(User).where(User.display_name == GRETA["display_name"])).first()
    if greta is None:
        return None
    if enrolment.is_activated(session=session, resident_id=greta.id):
        return WaitingActivation(greta.display_name, greta.username, "")
    made = enrolment.new_activation(session=session, resident_id=greta.id, actor_id=None)
    return WaitingActivation(greta.display_name, greta.username, made.code)
