"""Migration d5b100000001: free-text units of care relationships become care units."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from naranara.db import get_engine
from naranara.migrate import alembic_config, upgrade_to_head

BEFORE = "c1a6e0000005"
_USERS = [
    (1, "anna", "Anna", "RESIDENT"),
    (2, "bo", "Bo", "RESIDENT"),
    (3, "sara", "Sara Holm", "STAFF"),
    (4, "stina", "Stina", "STAFF"),
    (5, "vera", "Vera", "STAFF"),
]
# (staff, resident, unit text, ended)
_RELATIONSHIPS = [
    (3, 1, "Hälsocentralen Nacksta", False),
    (4, 2, " Hälsocentralen  Nacksta ", True),  # the same unit, typed sloppily; ended
    (5, 2, "", False),  # no unit written down
]


def _rows(sql: str) -> list[tuple]:
    with get_engine().connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql)).all()]


def test_free_text_units_become_units_and_access_is_not_widened(migrated: str) -> None:
    command.downgrade(alembic_config(), BEFORE)
    with get_engine().begin() as connection:
        for user_id, username, name, role in _USERS:
            connection.execute(
                text(
                    "INSERT INTO user_account (id, username, display_name, role, locale,"
                    " created_at) VALUES (:id, :u, :n, :r, 'sv', '2026-01-01 10:00:00')"
                ),
                {"id": user_id, "u": username, "n": name, "r": role},
            )
        for staff, resident, unit, ended in _RELATIONSHIPS:
            connection.execute(
                text(
                    "INSERT INTO care_relationship (staff_id, resident_id, unit, started_at,"
                    " ended_at) VALUES (:s, :r, :u, '2026-01-02 10:00:00', :e)"
                ),
                {
                    "s": staff,
                    "r": resident,
                    "u": unit,
                    "e": "2026-02-01 10:00:00" if ended else None,
                },
            )
        connection.execute(
            text(
                "INSERT INTO agreed_time (resident_id, starts_at, ends_at, purpose, with_whom,"
                " place, address, meeting_url, prepare, status, added_by_id, external_system,"
                " external_id, version, created_at, updated_at) VALUES"
                " (1, '2026-03-01 10:00:00', '2026-03-01 11:00:00', :p, '', '', '', '', '',"
                " 'PLANNED', :by, '', '', 0, '2026-01-01 10:00:00', '2026-01-01 10:00:00')"
            ).bindparams(),
            [{"p": "Sara's", "by": 3}, {"p": "Anna's", "by": 1}],
        )
        # Rows that cascade from users and times survive the migration both ways.
        connection.execute(
            text(
                "INSERT INTO agreed_time_change (agreed_time_id, changed_at, changed_by_id,"
                " status, changes) SELECT id, created_at, added_by_id, 'planned', '{}'"
                " FROM agreed_time"
            )
        )
    upgrade_to_head()
    assert _rows("SELECT count(*) FROM agreed_time_change") == [(2,)]
    assert _rows("SELECT name FROM care_unit ORDER BY name") == [
        ("Enhet för Vera (5)",),
        ("Hälsocentralen Nacksta",),
    ]
    units = dict(_rows("SELECT name, id FROM care_unit"))
    assert _rows(
        "SELECT staff_id, resident_id, unit_id FROM care_relationship ORDER BY staff_id"
    ) == [
        (3, 1, units["Hälsocentralen Nacksta"]),
        (4, 2, units["Hälsocentralen Nacksta"]),
        (5, 2, units["Enhet för Vera (5)"]),
    ]
    memberships = _rows(
        "SELECT staff_id, unit_id, ended_at IS NULL FROM unit_membership ORDER BY staff_id"
    )
    # Stina's only relationship there had ended: no current membership, so she does not
    # reach Anna now (she did not before either).
    assert [(staff, unit, bool(current)) for staff, unit, current in memberships] == [
        (3, units["Hälsocentralen Nacksta"], True),
        (4, units["Hälsocentralen Nacksta"], False),
        (5, units["Enhet för Vera (5)"], True),
    ]
    sides = _rows("SELECT purpose, care_side FROM agreed_time ORDER BY purpose")
    assert [(purpose, bool(side)) for purpose, side in sides] == [
        ("Anna's", False),
        ("Sara's", True),
    ]
    command.downgrade(alembic_config(), BEFORE)
    assert _rows("SELECT staff_id, unit FROM care_relationship ORDER BY staff_id") == [
        (3, "Hälsocentralen Nacksta"),
        (4, "Hälsocentralen Nacksta"),
        (5, "Enhet för Vera (5)"),
    ]
    assert _rows("SELECT count(*) FROM agreed_time_change") == [(2,)]
    assert _rows("SELECT count(*) FROM user_account") == [(5,)]
    upgrade_to_head()
