"""Times agreed from both sides: the resident answers, the care unit moves or replies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from naranara import clock
from naranara.inputs import InputInvalid
from naranara.models import AgreedTimeAnswer, AnswerKind, AuditEvent, Role
from naranara.services import patient_contract, time_answers
from naranara.services.time_answers import EventKind, NotAnswerable
from tests.utils.factories import make_user

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
TIME = {"purpose": "Uppföljning", "date": "2026-12-10", "start": "10:00", "end": "10:30"}
MOVED = {**TIME, "date": "2026-12-11", "start": "09:00", "end": "09:30"}


@pytest.fixture(autouse=True)
def _at_now() -> None:
    """Changes are stamped with the clock, answers with ``now``: one time for both."""
    with clock.travel(NOW):
        yield


@pytest.fixture
def people(db: Session) -> dict:
    return {
        "anna": make_user(db, username="anna"),
        "bo": make_user(db, username="bo"),
        "erik": make_user(db, username="erik", role=Role.RELATIVE),
        "sara": make_user(db, username="sara", role=Role.STAFF),
    }


def _care_time(db: Session, people: dict, *, care_side: bool = True):  # noqa: ANN202
    author = people["sara"] if care_side else people["anna"]
    return patient_contract.add_agreed_time(
        session=db,
        resident_id=people["anna"].id,
        actor_id=author.id,
        data=TIME,
        now=NOW,
        care_side=care_side,
    )


def test_asking_for_another_time_stays_open_until_the_unit_moves_it(
    db: Session, people: dict
) -> None:
    item = _care_time(db, people)
    request = time_answers.answer(
        session=db,
        resident_id=people["anna"].id,
        time_id=item.id,
        author_id=people["anna"].id,
        kind=AnswerKind.OTHER_TIME,
        text="Förmiddagar passar inte.",
        now=clock.now(),
    )
    assert time_answers.open_requests(session=db, resident_ids={people["anna"].id}) == {
        people["anna"].id: [request]
    }
    answers = time_answers.answers_of(session=db, time_ids=[item.id])[item.id]
    assert time_answers.current_answer(item, answers) == AnswerKind.OTHER_TIME
    patient_contract.update_agreed_time(
        session=db,
        resident_id=people["anna"].id,
        time_id=item.id,
        actor_id=people["sara"].id,
        expected_version=item.version,
        data=MOVED,
        now=NOW,
    )
    db.refresh(request)
    assert (request.answered_by_id, request.answered_at is not None) == (people["sara"].id, True)
    assert time_answers.open_requests(session=db, resident_ids={people["anna"].id}) == {}
    # The answer was to the old time: the moved one waits for a new answer.
    assert time_answers.current_answer(item, answers) == ""
    history = time_answers.history(
        patient_contract.changes_of(session=db, time_ids=[item.id])[item.id],
        time_answers.answers_of(session=db, time_ids=[item.id])[item.id],
    )
    assert [(e.kind, e.actor_id) for e in history] == [
        (EventKind.RECORDED, people["sara"].id),
        (EventKind.OTHER_TIME, people["anna"].id),
        (EventKind.MOVED, people["sara"].id),
    ]
    assert history[1].answered and history[1].text == "Förmiddagar passar inte."
    assert history[2].moved_to == datetime(2026, 12, 11, 8, 0, tzinfo=UTC)


def test_a_reply_in_words_answers_the_request(db: Session, people: dict) -> None:
    item = _care_time(db, people)
    time_answers.answer(
        session=db,
        resident_id=people["anna"].id,
        time_id=item.id,
        author_id=people["erik"].id,  # Erik, on her behalf
        kind=AnswerKind.OTHER_TIME,
        text="Mamma kan inte den dagen.",
        now=NOW,
    )
    time_answers.reply(
        session=db,
        resident_id=people["anna"].id,
        time_id=item.id,
        author_id=people["sara"].id,
        text="Jag ringer er i morgon.",
        now=NOW + timedelta(hours=1),
    )
    assert time_answers.open_requests(session=db, resident_ids={people["anna"].id}) == {}
    rows = db.exec(select(AgreedTimeAnswer).order_by(AgreedTimeAnswer.id)).all()
    assert [(r.kind, r.author_id) for r in rows] == [
        ("other_time", people["erik"].id),
        ("reply", people["sara"].id),
    ]
    # The relative's answer is in Anna's access log; her own would not be.
    logged = [(e.actor_id, e.detail) for e in db.exec(select(AuditEvent)).all()]
    assert (people["erik"].id, f"agreed_time={item.id} answered") in logged


def test_coming_closes_her_own_open_request(db: Session, people: dict) -> None:
    item = _care_time(db, people)
    for kind, text in ((AnswerKind.OTHER_TIME, "Kanske?"), (AnswerKind.COMING, "")):
        time_answers.answer(
            session=db,
            resident_id=people["anna"].id,
            time_id=item.id,
            author_id=people["anna"].id,
            kind=kind,
            text=text,
            now=NOW,
        )
    assert time_answers.open_requests(session=db, resident_ids={people["anna"].id}) == {}
    answers = time_answers.answers_of(session=db, time_ids=[item.id])[item.id]
    assert time_answers.current_answer(item, answers) == AnswerKind.COMING


def test_what_cannot_be_answered(db: Session, people: dict) -> None:
    care, own = _care_time(db, people), _care_time(db, people, care_side=False)

    def answer(time_id: int, resident: str = "anna", **extra) -> None:  # noqa: ANN003
        time_answers.answer(
            session=db,
            resident_id=people[resident].id,
            time_id=time_id,
            author_id=people[resident].id,
            kind=extra.pop("kind", AnswerKind.COMING),
            text=extra.pop("text", ""),
            now=extra.pop("now", NOW),
        )

    with pytest.raises(NotAnswerable):
        answer(own.id)  # her own time is hers to change, not to answer
    with pytest.raises(NotAnswerable):
        answer(care.id, resident="bo")  # someone else's time
    with pytest.raises(InputInvalid) as empty:
        answer(care.id, kind=AnswerKind.OTHER_TIME, text="  ")
    assert empty.value.errors == {"text": "Please fill this in."}
    with pytest.raises(InputInvalid) as passed:
        answer(care.id, now=NOW + timedelta(days=30))
    assert passed.value.errors == {"form": time_answers.ERROR_NOT_ANSWERABLE}
    with pytest.raises(ValueError):
        answer(care.id, kind=AnswerKind.REPLY, text="Not hers to give")
    assert db.exec(select(AgreedTimeAnswer)).all() == []
