"""Care units: staff reach residents through the units they work in, and only then."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from naranara.inputs import InputInvalid
from naranara.models import AuditEvent, AuditKind, ProxyScope, Role, User
from naranara.policy import Action, is_allowed, viewer_of
from naranara.services import access, care_units
from tests.utils.factories import make_user


@pytest.fixture
def unit_with_anna(db: Session) -> dict:
    """Nacksta has Anna in its care with Sara as fixed contact; Stina works there too.
    Vera works at Haga, which has Bo."""
    people = {
        "anna": make_user(db, username="anna"),
        "bo": make_user(db, username="bo"),
        "sara": make_user(db, username="sara", role=Role.STAFF),
        "stina": make_user(db, username="stina", role=Role.STAFF),
        "vera": make_user(db, username="vera", role=Role.STAFF),
    }
    nacksta = care_units.create_unit(
        session=db, data={"name": "Hälsocentralen Nacksta", "phone": "060-123 45 00"}
    )
    haga = care_units.create_unit(
        session=db, data={"name": "Hemtjänst Haga", "kind": "municipality"}
    )
    for name in ("sara", "stina"):
        care_units.add_member(session=db, unit_id=nacksta.id, staff_id=people[name].id)
    care_units.add_member(session=db, unit_id=haga.id, staff_id=people["vera"].id)
    access.record_care_relationship(
        session=db, staff_id=people["sara"].id, resident_id=people["anna"].id, unit_id=nacksta.id
    )
    access.record_care_relationship(
        session=db, staff_id=people["vera"].id, resident_id=people["bo"].id, unit_id=haga.id
    )
    db.commit()
    return {**people, "nacksta": nacksta, "haga": haga}


def _viewer(db: Session, user: User):  # noqa: ANN202
    db.expire_all()
    return viewer_of(db.get(User, user.id), session=db)


def test_a_colleague_in_the_unit_covers_and_others_do_not(
    db: Session, unit_with_anna: dict
) -> None:
    w = unit_with_anna
    for name in ("sara", "stina"):
        viewer = _viewer(db, w[name])
        assert viewer.cares_for == {w["anna"].id}, name
        assert viewer.units == {w["nacksta"].id}
        assert is_allowed(viewer, Action.VIEW_CARE_PLAN, w["anna"].id)
        assert not is_allowed(viewer, Action.VIEW_CARE_PLAN, w["bo"].id)
    vera = _viewer(db, w["vera"])
    assert vera.cares_for == {w["bo"].id}
    assert not is_allowed(vera, Action.VIEW_CARE_PLAN, w["anna"].id)  # outside the unit


def test_the_list_names_the_fixed_contact_and_unit(db: Session, unit_with_anna: dict) -> None:
    w = unit_with_anna
    listed = access.care_recipients(session=db, staff_id=w["stina"].id)
    assert [(c.resident.username, c.unit.name, c.fixed_contact.username) for c in listed] == [
        ("anna", "Hälsocentralen Nacksta", "sara")
    ]


def test_ending_the_relationship_ends_access_and_raises_access_versions(
    db: Session, unit_with_anna: dict
) -> None:
    w = unit_with_anna
    before = {name: db.get(User, w[name].id).access_version for name in ("sara", "stina", "vera")}
    assert access.end_care_relationship(session=db, resident_id=w["anna"].id) == 1
    db.commit()
    for name in ("sara", "stina"):
        viewer = _viewer(db, w[name])
        assert not is_allowed(viewer, Action.VIEW_CARE_PLAN, w["anna"].id), name
        assert db.get(User, w[name].id).access_version == before[name] + 1
    assert db.get(User, w["vera"].id).access_version == before["vera"]


def test_leaving_the_unit_ends_access_the_unit_keeps_the_resident(
    db: Session, unit_with_anna: dict
) -> None:
    w = unit_with_anna
    (membership, unit) = care_units.memberships_of(session=db, staff_id=w["stina"].id)[0]
    version = db.get(User, w["stina"].id).access_version
    care_units.end_membership(session=db, membership_id=membership.id, actor_id=None)
    db.commit()
    assert _viewer(db, w["stina"]).cares_for == frozenset()
    assert db.get(User, w["stina"].id).access_version == version + 1
    assert _viewer(db, w["sara"]).cares_for == {w["anna"].id}
    assert [u.username for u in care_units.staff_of(session=db, unit_id=unit.id)] == ["sara"]
    kinds = [e.kind for e in db.exec(select(AuditEvent)).all()]
    assert AuditKind.MEMBERSHIP_ENDED.value in kinds


def test_a_new_member_reaches_the_units_residents(db: Session, unit_with_anna: dict) -> None:
    w = unit_with_anna
    care_units.add_member(session=db, unit_id=w["nacksta"].id, staff_id=w["vera"].id)
    db.commit()
    assert _viewer(db, w["vera"]).cares_for == {w["anna"].id, w["bo"].id}
    # Adding again keeps the one membership.
    again = care_units.add_member(session=db, unit_id=w["nacksta"].id, staff_id=w["vera"].id)
    assert len(care_units.memberships_of(session=db, staff_id=w["vera"].id)) == 2
    assert again.ended_at is None


def test_only_staff_work_in_units(db: Session, unit_with_anna: dict) -> None:
    w = unit_with_anna
    admin = make_user(db, username="adam", role=Role.ADMIN)
    for person in (w["bo"], admin):
        with pytest.raises(care_units.NotFound):
            care_units.add_member(session=db, unit_id=w["nacksta"].id, staff_id=person.id)


def test_self_monitoring_only_with_the_residents_consent_per_scope(
    db: Session, unit_with_anna: dict
) -> None:
    w = unit_with_anna
    anna = w["anna"]
    stina = _viewer(db, w["stina"])
    assert not is_allowed(stina, Action.VIEW_MEASUREMENTS, anna.id)
    assert not is_allowed(stina, Action.VIEW_SELF_CARE, anna.id)
    version = db.get(User, w["stina"].id).access_version
    assert care_units.set_shared(
        session=db,
        resident_id=anna.id,
        unit_id=w["nacksta"].id,
        scope=ProxyScope.MEASUREMENTS,
        shared=True,
    )
    db.commit()
    stina = _viewer(db, w["stina"])
    assert stina.care_shared == {anna.id: {ProxyScope.MEASUREMENTS}}
    assert is_allowed(stina, Action.VIEW_MEASUREMENTS, anna.id)
    assert not is_allowed(stina, Action.VIEW_SELF_CARE, anna.id)
    assert db.get(User, w["stina"].id).access_version == version + 1
    assert not is_allowed(_viewer(db, w["vera"]), Action.VIEW_MEASUREMENTS, anna.id)
    # A unit that does not have her in its care cannot be shared with.
    with pytest.raises(care_units.NotFound):
        care_units.set_shared(
            session=db,
            resident_id=anna.id,
            unit_id=w["haga"].id,
            scope=ProxyScope.SELF_CARE,
            shared=True,
        )
    care_units.set_shared(
        session=db,
        resident_id=anna.id,
        unit_id=w["nacksta"].id,
        scope=ProxyScope.MEASUREMENTS,
        shared=False,
    )
    db.commit()
    assert not is_allowed(_viewer(db, w["stina"]), Action.VIEW_MEASUREMENTS, anna.id)


def test_consent_counts_only_while_the_unit_cares_for_her(
    db: Session, unit_with_anna: dict
) -> None:
    w = unit_with_anna
    care_units.set_shared(
        session=db,
        resident_id=w["anna"].id,
        unit_id=w["nacksta"].id,
        scope=ProxyScope.SELF_CARE,
        shared=True,
    )
    access.end_care_relationship(session=db, resident_id=w["anna"].id)
    db.commit()
    assert _viewer(db, w["stina"]).care_shared == {}


def test_unit_names_are_unique_and_checked(db: Session, unit_with_anna: dict) -> None:
    with pytest.raises(InputInvalid) as taken:
        care_units.create_unit(session=db, data={"name": " hälsocentralen  NACKSTA "})
    assert taken.value.errors == {"name": care_units.ERROR_NAME_TAKEN}
    with pytest.raises(InputInvalid) as bad:
        care_units.create_unit(session=db, data={"name": "", "kind": "x", "phone": "12"})
    assert set(bad.value.errors) == {"name", "kind", "phone"}
    renamed = care_units.change_unit(
        session=db,
        unit_id=unit_with_anna["haga"].id,
        data={"name": "Hemtjänstgrupp Haga", "organisation": "Sundsvalls kommun"},
    )
    assert (renamed.name, renamed.organisation) == ("Hemtjänstgrupp Haga", "Sundsvalls kommun")
    assert unit_with_anna["nacksta"].phone == "+46601234500"


def test_recording_without_a_unit_gives_the_staff_member_one(db: Session) -> None:
    anna, vera = make_user(db), make_user(db, role=Role.STAFF)
    row = access.record_care_relationship(session=db, staff_id=vera.id, resident_id=anna.id)
    again = access.record_care_relationship(session=db, staff_id=vera.id, resident_id=anna.id)
    assert again.id == row.id
    assert _viewer(db, vera).cares_for == {anna.id}
