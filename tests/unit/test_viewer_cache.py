"""The viewer's access, reused between events of one session only while it still holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from naranara import clock
from naranara.models import ProxyScope, Role
from naranara.policy import viewer_for_session_token
from naranara.services import access, sessions
from tests.utils.factories import make_user

pytestmark = pytest.mark.time_sensitive


def _viewer(db: Session, token: str):  # noqa: ANN202
    db.expire_all()  # as a new event would: a fresh read of the session and user rows
    return viewer_for_session_token(session=db, token=token)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which access reads were made."""
    calls: list[str] = []
    for name in ("grants_of", "residents_in_care_of", "units_of", "care_shares_of"):
        real = getattr(access, name)

        def spy(*args, _real=real, _name=name, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(access, name, spy)
    return calls


def test_a_second_event_reuses_the_access_and_a_revoke_applies_at_the_next(
    db: Session, counted: list[str]
) -> None:
    anna = make_user(db, username="anna")
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    access.grant(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE)
    token = sessions.start_session(session=db, user=erik)
    db.commit()

    first = _viewer(db, token)
    assert first.grants == {anna.id: frozenset({ProxyScope.SELF_CARE})}
    assert counted == ["grants_of"]
    second = _viewer(db, token)
    assert second.grants == first.grants
    assert counted == ["grants_of"], "the second event read the grants again"

    access.revoke(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE)
    db.commit()
    assert _viewer(db, token).grants == {}
    assert counted == ["grants_of", "grants_of"]


def test_an_expiring_grant_ends_at_its_expiry_without_a_new_version(db: Session) -> None:
    anna = make_user(db, username="anna")
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    access.grant(
        session=db,
        resident_id=anna.id,
        relative_id=erik.id,
        scope=ProxyScope.CARE_PLAN,
        expires_at=clock.now() + timedelta(hours=1),
    )
    token = sessions.start_session(session=db, user=erik)
    db.commit()
    assert _viewer(db, token).grants == {anna.id: frozenset({ProxyScope.CARE_PLAN})}
    with clock.travel(clock.now() + timedelta(hours=1, seconds=1)):
        assert _viewer(db, token).grants == {}


def test_staff_care_follows_a_new_relationship_and_its_end(db: Session) -> None:
    anna = make_user(db, username="anna")
    sara = make_user(db, username="sara", role=Role.STAFF)
    token = sessions.start_session(session=db, user=sara)
    db.commit()
    assert _viewer(db, token).cares_for == frozenset()
    access.record_care_relationship(session=db, staff_id=sara.id, resident_id=anna.id)
    db.commit()
    assert _viewer(db, token).cares_for == {anna.id}
    access.end_care_relationship(session=db, resident_id=anna.id)
    db.commit()
    assert _viewer(db, token).cares_for == frozenset()


def test_name_and_language_are_read_at_every_event(db: Session) -> None:
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    token = sessions.start_session(session=db, user=erik)
    db.commit()
    assert _viewer(db, token).locale == "sv"
    erik.locale = "en"
    erik.display_name = "Erik L."
    db.add(erik)
    db.commit()
    viewer = _viewer(db, token)
    assert (viewer.locale, viewer.display_name) == ("en", "Erik L.")
