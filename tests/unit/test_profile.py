"""The what-matters profile: validation, versions and conflicts, history, sharing, summary."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from naranara import inputs
from naranara.inputs import InputInvalid
from naranara.models import ProfileRevision, Role, WhatMattersProfile
from naranara.services import profile
from naranara.services.profile import ProfileConflict
from tests.utils.factories import make_user

pytestmark = pytest.mark.both_databases(
    "optimistic concurrency: a conditional UPDATE and a unique revision"
)

# Function-scoped fixtures are fine here: every example works on its own fresh resident.
_PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _stored(db: Session, resident_id: int) -> dict | None:
    db.expire_all()
    row = db.exec(
        select(WhatMattersProfile).where(WhatMattersProfile.resident_id == resident_id)
    ).first()
    return profile.content_of(row) if row else None


def test_a_new_resident_has_an_empty_unsaved_profile(db: Session) -> None:
    anna = make_user(db)
    empty = profile.get(session=db, resident_id=anna.id)
    assert (empty.id, empty.version, empty.important_to_me, empty.shared_with_care) == (
        None,
        0,
        "",
        False,
    )
    assert _stored(db, anna.id) is None


def test_save_bumps_the_version_and_keeps_each_version_in_history(db: Session) -> None:
    anna, stina = make_user(db), make_user(db, role=Role.STAFF)
    first = profile.save(
        session=db,
        resident_id=anna.id,
        changes={"important_to_me": "Att få bo kvar hemma", "aids": ["memory", "hearing"]},
        expected_version=0,
        changed_by_id=anna.id,
    )
    assert first.version == 1
    assert first.aids == "hearing,memory"  # the enum's order, whatever order they came in
    second = profile.save(
        session=db,
        resident_id=anna.id,
        changes={"worries_me": "Att falla"},
        expected_version=1,
        changed_by_id=stina.id,
    )
    assert (second.version, second.important_to_me, second.worries_me) == (
        2,
        "Att få bo kvar hemma",
        "Att falla",
    )
    revisions = db.exec(select(ProfileRevision).where(ProfileRevision.resident_id == anna.id)).all()
    assert sorted(r.version for r in revisions) == [1, 2]
    assert json.loads(max(revisions, key=lambda r: r.version).content)["worries_me"] == "Att falla"

    entries = profile.history(session=db, resident_id=anna.id)
    assert [(e.version, e.changed_by_name, e.fields) for e in entries] == [
        (2, stina.display_name, ("worries_me",)),
        (1, anna.display_name, ("important_to_me", "aids")),
    ]
    assert profile.history(session=db, resident_id=anna.id, limit=1)[0].fields == ("worries_me",)


def test_saving_the_same_text_again_adds_no_version(db: Session) -> None:
    anna = make_user(db)
    changes = {"my_goals": "Gå till affären själv"}
    profile.save(
        session=db, resident_id=anna.id, changes=changes, expected_version=0, changed_by_id=anna.id
    )
    # Also from a device that is behind: nothing would change, so nothing conflicts.
    again = profile.save(
        session=db, resident_id=anna.id, changes=changes, expected_version=0, changed_by_id=anna.id
    )
    assert again.version == 1
    assert len(profile.history(session=db, resident_id=anna.id)) == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"important_to_me": "x" * 2001}, inputs.TOO_LONG),
        ({"contact_notes": "x" * 501}, inputs.TOO_LONG),
        ({"important_to_me": 12}, inputs.NOT_TEXT),
        ({"contact_channels": ["phone", "fax"]}, inputs.CHOICE),
        ({"contact_times": {"morning": True}}, inputs.CHOICE),
        ({"needs_interpreter": "yes"}, profile.ERROR_NOT_YES_NO),
    ],
)
def test_invalid_input_saves_nothing_and_names_the_field(
    db: Session, changes: dict, error: str
) -> None:
    anna = make_user(db)
    profile.save(
        session=db,
        resident_id=anna.id,
        changes={"worries_me": "Sömnen"},
        expected_version=0,
        changed_by_id=anna.id,
    )
    with pytest.raises(InputInvalid) as refused:
        profile.save(
            session=db,
            resident_id=anna.id,
            changes={**changes, "my_goals": "Ett giltigt mål"},
            expected_version=1,
            changed_by_id=anna.id,
        )
    assert refused.value.errors == {next(iter(changes)): error}
    assert _stored(db, anna.id)["my_goals"] == ""  # not half a save either
    assert _stored(db, anna.id)["worries_me"] == "Sömnen"


def test_an_unknown_field_is_a_programming_error(db: Session) -> None:
    anna = make_user(db)
    with pytest.raises(ValueError, match="version"):
        profile.save(
            session=db,
            resident_id=anna.id,
            changes={"version": 99},
            expected_version=0,
            changed_by_id=None,
        )


def test_text_is_kept_as_written_and_control_characters_are_refused(db: Session) -> None:
    anna = make_user(db)
    saved = profile.save(
        session=db,
        resident_id=anna.id,
        changes={"important_to_me": "  <b>Min katt</b>\r\noch\u200b min\u202e trädgård\t🌱  "},
        expected_version=0,
        changed_by_id=anna.id,
    )
    assert saved.important_to_me == "<b>Min katt</b>\noch min trädgård\t🌱"
    for hostile in ("och\x00 min", "min\x1b trädgård", "katt \ud800"):
        with pytest.raises(InputInvalid) as refused:
            profile.save(
                session=db,
                resident_id=anna.id,
                changes={"important_to_me": hostile},
                expected_version=1,
                changed_by_id=anna.id,
            )
        assert refused.value.errors == {"important_to_me": inputs.UNSAVEABLE}
    # Exactly at the limit is fine, counted in characters (not bytes).
    full = profile.save(
        session=db,
        resident_id=anna.id,
        changes={"important_people": "å" * 2000},
        expected_version=1,
        changed_by_id=anna.id,
    )
    assert len(full.important_people) == 2000


def test_two_devices_never_overwrite_each_other_silently(db: Session) -> None:
    anna = make_user(db)
    profile.save(
        session=db,
        resident_id=anna.id,
        changes={"important_to_me": "Början"},
        expected_version=0,
        changed_by_id=anna.id,
    )
    # The phone and the computer both opened version 1; the phone saves first.
    profile.save(
        session=db,
        resident_id=anna.id,
        changes={"important_to_me": "Från telefonen"},
        expected_version=1,
        changed_by_id=anna.id,
    )
    with pytest.raises(ProfileConflict) as conflict:
        profile.save(
            session=db,
            resident_id=anna.id,
            changes={"important_to_me": "Från datorn"},
            expected_version=1,
            changed_by_id=anna.id,
        )
    assert conflict.value.version == 2
    assert conflict.value.fields == ["important_to_me"]
    assert conflict.value.content["important_to_me"] == "Från telefonen"
    assert _stored(db, anna.id)["important_to_me"] == "Från telefonen"

    # A field the phone did not touch saves from the computer, keeping the phone's text.
    merged = profile.save(
        session=db,
        resident_id=anna.id,
        changes={"worries_me": "Från datorn"},
        expected_version=1,
        changed_by_id=anna.id,
    )
    assert (merged.version, merged.important_to_me, merged.worries_me) == (
        3,
        "Från telefonen",
        "Från datorn",
    )
    # Choosing "keep my text" is a save from the version the conflict showed.
    kept = profile.save(
        session=db,
        resident_id=anna.id,
        changes={"important_to_me": "Från datorn"},
        expected_version=3,
        changed_by_id=anna.id,
    )
    assert kept.important_to_me == "Från datorn"


def test_a_version_from_the_future_conflicts(db: Session) -> None:
    anna = make_user(db)
    with pytest.raises(ProfileConflict):
        profile.save(
            session=db,
            resident_id=anna.id,
            changes={"my_goals": "Mål"},
            expected_version=7,
            changed_by_id=anna.id,
        )
    assert _stored(db, anna.id) is None


def test_sharing_is_the_residents_choice_and_no_content_version(db: Session) -> None:
    anna = make_user(db)
    shared = profile.set_shared(session=db, resident_id=anna.id, shared=True, changed_by_id=anna.id)
    assert (shared.shared_with_care, shared.version) == (True, 0)
    profile.save(
        session=db,
        resident_id=anna.id,
        changes={"my_goals": "Mål"},
        expected_version=0,
        changed_by_id=anna.id,
    )
    assert (
        profile.set_shared(
            session=db, resident_id=anna.id, shared=False, changed_by_id=anna.id
        ).shared_with_care
        is False
    )
    assert profile.get(session=db, resident_id=anna.id).version == 1


def test_summary_lists_only_what_the_resident_wrote_in_their_language(db: Session) -> None:
    anna = make_user(db)
    profile.save(
        session=db,
        resident_id=anna.id,
        changes={
            "important_to_me": "Min hund Sixten",
            "contact_channels": ["sms", "phone"],
            "contact_times": ["morning"],
            "needs_interpreter": True,
            "interpreter_language": "finska",
        },
        expected_version=0,
        changed_by_id=anna.id,
    )
    sv = profile.summary(session=db, resident_id=anna.id, locale="sv")
    assert sv.resident_name == anna.display_name
    assert [s.title for s in sv.sections] == [
        "Det här är viktigt för mig",
        "Så vill jag bli kontaktad",
        "Språk och tolk",
    ]
    assert sv.sections[0].items[0] == profile.SummaryItem(label="", text="Min hund Sixten")
    assert [item.text for item in sv.sections[1].items] == ["Telefon, Sms", "Morgon"]
    en = profile.summary(session=db, resident_id=anna.id, locale="en")
    assert en.sections[1].items[0].text == "Phone, Text message (SMS)"
    nobody = make_user(db)
    assert profile.summary(session=db, resident_id=nobody.id, locale="sv").sections == ()


# ---------------------------------------------------------------------------- properties

_anything = st.one_of(
    st.text(max_size=2100),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1990, max_size=2010),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=20), max_size=5),
    st.lists(st.sampled_from(["phone", "sms", "morning", "hearing", "letter"]), max_size=4),
)
_changes = st.dictionaries(st.sampled_from(profile.SECTION_FIELDS), _anything, max_size=5)


@_PROPERTY
@given(changes=_changes, expected_version=st.integers(min_value=-3, max_value=4))
def test_any_input_saves_cleanly_or_changes_nothing(
    db: Session, changes: dict, expected_version: int
) -> None:
    anna = make_user(db)
    profile.save(
        session=db,
        resident_id=anna.id,
        changes={"important_to_me": "Det som redan står", "aids": ["sight"]},
        expected_version=0,
        changed_by_id=anna.id,
    )
    before = _stored(db, anna.id)
    try:
        saved = profile.save(
            session=db,
            resident_id=anna.id,
            changes=changes,
            expected_version=expected_version,
            changed_by_id=anna.id,
        )
    except (InputInvalid, ProfileConflict):
        assert _stored(db, anna.id) == before, "a refused save must not lose stored data"
        return
    db.commit()  # the database itself (length limits on PostgreSQL) accepts it
    after = _stored(db, anna.id)
    for field, value in after.items():
        if field not in changes:
            assert value == before[field], f"{field} was not in the save but changed"
        elif isinstance(changes[field], str) and field in profile.TEXT_FIELDS:
            assert value == inputs.clean_text(changes[field], multiline=True)
    assert saved.version in (1, 2)


@_PROPERTY
@given(
    theirs=st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=300
    ),
    mine=st.text(min_size=1, max_size=300),
    field=st.sampled_from(profile.TEXT_FIELDS),
)
def test_a_conflict_never_overwrites_the_other_devices_text(
    db: Session, theirs: str, mine: str, field: str
) -> None:
    anna = make_user(db)
    profile.save(
        session=db,
        resident_id=anna.id,
        changes={field: "början"},
        expected_version=0,
        changed_by_id=anna.id,
    )
    profile.save(
        session=db,
        resident_id=anna.id,
        changes={field: theirs},
        expected_version=1,
        changed_by_id=anna.id,
    )
    saved_theirs = _stored(db, anna.id)[field]
    try:
        profile.save(
            session=db,
            resident_id=anna.id,
            changes={field: mine},
            expected_version=1,
            changed_by_id=anna.id,
        )
    except ProfileConflict as conflict:
        assert conflict.content[field] == saved_theirs
        assert _stored(db, anna.id)[field] == saved_theirs
    except InputInvalid:  # a control character in "mine": refused, theirs kept
        assert _stored(db, anna.id)[field] == saved_theirs
    else:
        # Only when both devices wrote the same thing, or "theirs" changed nothing.
        assert inputs.clean_text(mine, multiline=True) == saved_theirs or saved_theirs == "början"
