"""Swedish demo data for the embedded default: one resident's life in Nära.

Times are placed relative to the day of seeding so the demo always has an
upcoming visit. Seeding an already seeded database does nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from naranara.models import (
    ActivityStatus,
    AgreedTime,
    AgreedTimeChange,
    AgreedTimeStatus,
    CareContact,
    CarePlanActivity,
    CarePlanGoal,
    GuidanceArticle,
    OrganisationKind,
    Responsible,
    Role,
    SelfCareTask,
    User,
)
from naranara.services.accounts import create_user
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
)

_ARTICLES: list[dict] = [
    {
        "slug": "vag-dig-vid-hjartsvikt",
        "category": "hjartsvikt",
        "reading_minutes": 3,
        "responsible_unit": "Hälsocentralen Nacksta, hjärtsviktsmottagningen",
        "sv": (
            "Väg dig varje morgon vid hjärtsvikt",
            "Vikten visar tidigt om kroppen samlar vätska. Så gör du och så vet du när du ska höra av dig.",
            """Vid hjärtsvikt kan kroppen samla vätska. Det märks ofta på vågen innan du känner dig sämre.

## Så gör du
- Väg dig varje morgon, efter att du har kissat och innan du äter frukost.
- Använd samma våg och ha ungefär samma kläder.
- Skriv upp vikten, eller för in den i Nära.

## Hör av dig till din vårdkontakt om
- du har ökat mer än **2 kilo på 3 dagar**,
- dina ben eller din mage har svullnat,
- du blir mer andfådd än vanligt.

> Ring 112 om du plötsligt får svårt att andas, har ont i bröstet eller svimmar.
""",
        ),
        "en": (
            "Weigh yourself every morning if you have heart failure",
            "Your weight shows early if your body is holding on to fluid. How to do it and when to get in touch.",
            """With heart failure the body can hold on to fluid. It often shows on the scales before you feel worse.

## How to do it
- Weigh yourself every morning, after going to the toilet and before breakfast.
- Use the same scales and wear about the same clothes.
- Write the weight down, or enter it in Nära.

## Contact your care team if
- you have gained more than **2 kilos in 3 days**,
- your legs or stomach have swollen,
- you are more short of breath than usual.

> Call 112 if you suddenly find it hard to breathe, have chest pain or faint.
""",
        ),
    },
    {
        "slug": "mat-blodtrycket-hemma",
        "category": "hogt-blodtryck",
        "reading_minutes": 4,
        "responsible_unit": "Hälsocentralen Nacksta",
        "sv": (
            "Mät blodtrycket hemma",
            "Mätningar hemma ger en bättre bild än ett enda värde på mottagningen.",
            """Blodtrycket varierar under dagen. Flera mätningar hemma ger din vårdkontakt en bättre bild.

## Så mäter du
- Sitt still i fem minuter innan du mäter. Ha fötterna i golvet och armen vilande i hjärthöjd.
- Mät två gånger med en minuts mellanrum, på morgonen och på kvällen.
- Drick inte kaffe och rök inte en halvtimme innan.

## Hör av dig till din vårdkontakt om
- det övre värdet flera gånger är över 160,
- du får yrsel, huvudvärk eller synstörningar som är nya för dig.
""",
        ),
        "en": (
            "Measure your blood pressure at home",
            "Measurements at home give a better picture than a single reading at the clinic.",
            """Blood pressure varies during the day. Several readings at home give your care team a better picture.

## How to measure
- Sit still for five minutes first, feet on the floor, arm resting at heart level.
- Measure twice, one minute apart, in the morning and in the evening.
- Avoid coffee and smoking for half an hour before.

## Contact your care team if
- the upper number is above 160 several times,
- you get dizziness, headache or sight problems that are new to you.
""",
        ),
    },
    {
        "slug": "promenera-varje-dag",
        "category": "fysisk-aktivitet",
        "reading_minutes": 2,
        "responsible_unit": "Rehab Sundsvall",
        "sv": (
            "Promenera en stund varje dag",
            "Korta promenader stärker hjärta, muskler och humör, också när orken är liten.",
            """Rörelse hjälper hjärtat, blodtrycket, sömnen och humöret. Du behöver inte gå långt.

## Kom i gång
- Börja med 10 minuter och öka när det känns bra.
- Gå i en takt där du kan prata men blir lite varm.
- Ta gärna sällskap med någon, det gör det lättare att fortsätta.

Om du har ont i bröstet eller blir mycket andfådd: stanna, vila och hör av dig till din vårdkontakt.
""",
        ),
    },
    {
        "slug": "forebygg-fall-hemma",
        "category": "fallprevention",
        "reading_minutes": 3,
        "responsible_unit": "Sundsvalls kommun, hemsjukvården",
        "sv": (
            "Förebygg fall hemma",
            "Små ändringar hemma minskar risken att falla.",
            """De flesta fall sker hemma. Några enkla saker gör stor skillnad.

## Gör hemmet tryggare
- Ta bort lösa mattor och sladdar där du går.
- Ha ljus på natten mellan sängen och toaletten.
- Ha det du använder ofta inom räckhåll.

## Håll kroppen stark
- Balansövningar några minuter varje dag minskar risken att falla.
- Be din fysioterapeut om övningar som passar dig.
""",
        ),
    },
    {
        "slug": "sov-battre",
        "category": "somn",
        "reading_minutes": 3,
        "responsible_unit": "Hälsocentralen Nacksta",
        "sv": (
            "Sov bättre",
            "Vanor som hjälper dig att somna och sova lugnare.",
            """Det är vanligt att sova sämre ibland. Vanor kan hjälpa.

## Det här kan hjälpa
- Gå upp ungefär samma tid varje morgon.
- Var ute i dagsljus en stund varje dag.
- Undvik kaffe efter lunch och stora måltider sent på kvällen.

Om sömnen är dålig i mer än några veckor, prata med din vårdkontakt.
""",
        ),
    },
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=DISPLAY_TIMEZONE).astimezone(UTC)


def is_seeded(session: Session) -> bool:
    return session.exec(select(User).limit(1)).first() is not None


def seed(session: Session, *, today: date | None = None) -> bool:
    """Seed the demo data into an empty database. Returns False if already seeded."""
    if is_seeded(session):
        return False
    today = today or datetime.now(DISPLAY_TIMEZONE).date()
    users = {
        login.username: create_user(
            session=session,
            username=login.username,
            display_name=login.display_name,
            role=login.role,
            password=DEMO_PASSWORD,
        )
        for login in DEMO_LOGINS
    }
    anna, sara = users["anna"], users["sara"]

    reviewed = today - timedelta(days=40)
    published = datetime.now(UTC) - timedelta(days=30)
    articles: dict[str, GuidanceArticle] = {}
    for spec in _ARTICLES:
        for locale in ("sv", "en"):
            if locale not in spec:
                continue
            title, summary, body = spec[locale]
            article = GuidanceArticle(
                slug=spec["slug"],
                locale=locale,
                title=title,
                summary=summary,
                body_markdown=body,
                category=spec["category"],
                reading_minutes=spec["reading_minutes"],
                reviewed_on=reviewed,
                responsible_unit=spec["responsible_unit"],
                published_at=published,
            )
            session.add(article)
            if locale == "sv":
                articles[spec["slug"]] = article
    session.flush()

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
                article_id=articles["promenera-varje-dag"].id,
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
    return True
