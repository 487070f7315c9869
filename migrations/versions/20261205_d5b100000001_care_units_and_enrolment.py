"""care units and staff memberships, enrolment and activation, answers to agreed times

Care relationships had a free-text unit; each distinct text becomes a care unit, and
the staff member of each relationship a member of that unit (a membership that
ended when all their relationships there had ended, so nobody reaches more
residents than before). A relationship without a unit text gets a unit of its own
per staff member. Contacts and times recorded by staff or a region's system become
the care side's (read-only for the resident).

Revision ID: d5b100000001
Revises: d5b200000001
Create Date: 2026-12-05 06:33:22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import naranara.models.types
from naranara import clock

revision: str = "d5b100000001"
down_revision: str | None = "d5b200000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = naranara.models.types.UTCDateTime
_RELATIONSHIP_UNIT_FK = "fk_care_relationship_unit_id_care_unit"
_STAFF_ROLES = ("STAFF", "ADMIN")  # the Role enum's stored names

_care_unit = sa.table(
    "care_unit",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("organisation", sa.String),
    sa.column("kind", sa.String),
    sa.column("phone", sa.String),
    sa.column("created_at", _UTC()),
)
_membership = sa.table(
    "unit_membership",
    sa.column("unit_id", sa.Integer),
    sa.column("staff_id", sa.Integer),
    sa.column("started_at", _UTC()),
    sa.column("ended_at", _UTC()),
)
_relationship = sa.table(
    "care_relationship",
    sa.column("id", sa.Integer),
    sa.column("staff_id", sa.Integer),
    sa.column("unit", sa.String),
    sa.column("unit_id", sa.Integer),
    sa.column("started_at", _UTC()),
    sa.column("ended_at", _UTC()),
)
_user = sa.table("user_account", sa.column("id", sa.Integer), sa.column("display_name", sa.String))


def _create_tables() -> None:
    op.create_table(
        "care_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", _UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_care_unit_name"), "care_unit", ["name"], unique=True)
    op.create_table(
        "unit_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("started_at", _UTC(timezone=True), nullable=False),
        sa.Column("ended_at", _UTC(timezone=True), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["added_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["staff_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["care_unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_unit_membership_staff_id"), "unit_membership", ["staff_id"], unique=False
    )
    op.create_index(
        op.f("ix_unit_membership_unit_id"), "unit_membership", ["unit_id"], unique=False
    )
    op.create_table(
        "care_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("granted_at", _UTC(timezone=True), nullable=False),
        sa.Column("revoked_at", _UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["resident_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["care_unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_care_share_resident_id"), "care_share", ["resident_id"], unique=False)
    op.create_index(op.f("ix_care_share_unit_id"), "care_share", ["unit_id"], unique=False)
    op.create_table(
        "enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_by_id", sa.Integer(), nullable=True),
        sa.Column("enrolled_at", _UTC(timezone=True), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("how_to_reach", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("personnummer_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column(
            "personnummer_masked", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False
        ),
        sa.Column("activated_at", _UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["enrolled_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["resident_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("personnummer_hash"),
        sa.UniqueConstraint("resident_id"),
    )
    op.create_table(
        "resident_activation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", _UTC(timezone=True), nullable=False),
        sa.Column("expires_at", _UTC(timezone=True), nullable=False),
        sa.Column("used_at", _UTC(timezone=True), nullable=True),
        sa.Column("revoked_at", _UTC(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["resident_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_resident_activation_resident_id"),
        "resident_activation",
        ["resident_id"],
        unique=False,
    )
    op.create_table(
        "agreed_time_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreed_time_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("for_version", sa.Integer(), nullable=False),
        sa.Column("created_at", _UTC(timezone=True), nullable=False),
        sa.Column("answered_at", _UTC(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agreed_time_id"], ["agreed_time.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["answered_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["resident_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_agreed_time_answer_agreed_time_id"),
        "agreed_time_answer",
        ["agreed_time_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_agreed_time_answer_resident_id"),
        "agreed_time_answer",
        ["resident_id"],
        unique=False,
    )


def _units_from_free_text() -> None:
    """One care unit per distinct unit text; each relationship's staff member a member."""
    bind = op.get_bind()
    now = clock.now()
    names = dict(bind.execute(sa.select(_user.c.id, _user.c.display_name)).all())
    rows = bind.execute(
        sa.select(
            _relationship.c.id,
            _relationship.c.staff_id,
            _relationship.c.unit,
            _relationship.c.started_at,
            _relationship.c.ended_at,
        )
    ).all()
    unit_ids: dict[str, int] = {}
    spans: dict[tuple[int, int], list] = {}
    for row_id, staff_id, text, started_at, ended_at in rows:
        name = " ".join((text or "").split())[:160]
        if not name:
            name = f"Enhet för {names.get(staff_id, staff_id)} ({staff_id})"[:160]
        if name not in unit_ids:
            bind.execute(
                sa.insert(_care_unit).values(
                    name=name, organisation="", kind="region", phone="", created_at=now
                )
            )
            unit_ids[name] = bind.execute(
                sa.select(_care_unit.c.id).where(_care_unit.c.name == name)
            ).scalar_one()
        unit_id = unit_ids[name]
        bind.execute(
            sa.update(_relationship).where(_relationship.c.id == row_id).values(unit_id=unit_id)
        )
        spans.setdefault((unit_id, staff_id), []).append((started_at, ended_at))
    for (unit_id, staff_id), periods in spans.items():
        ends = [ended for _, ended in periods]
        bind.execute(
            sa.insert(_membership).values(
                unit_id=unit_id,
                staff_id=staff_id,
                started_at=min(started for started, _ in periods),
                # Still a member only where a relationship is still going on.
                ended_at=None if None in ends else max(ends),
            )
        )


# Columns of tables other rows point at are added and dropped in place (ALTER TABLE),
# never by SQLite batch mode: its copy-and-move drops the old table, and with foreign
# keys on, dropping a table deletes every row that cascades from it. Plain-string
# defaults keep SQLite's ALTER TABLE ADD COLUMN possible.
def _in_place_columns() -> list[tuple[str, sa.Column]]:
    return [
        ("user_account", sa.Column("deactivated_at", _UTC(timezone=True), nullable=True)),
        ("agreed_time", sa.Column("care_side", sa.Boolean(), nullable=False, server_default="0")),
        ("care_contact", sa.Column("care_side", sa.Boolean(), nullable=False, server_default="0")),
    ]


def upgrade() -> None:
    _create_tables()
    for table, column in _in_place_columns():
        op.add_column(table, column)
    staff_ids = sa.text(
        "SELECT id FROM user_account WHERE CAST(role AS VARCHAR) IN ('STAFF', 'ADMIN')"
    )
    for table in ("agreed_time", "care_contact"):
        op.execute(
            sa.text(
                f"UPDATE {table} SET care_side = :yes WHERE external_system != ''"
                f" OR added_by_id IN ({staff_ids.text})"
            ).bindparams(yes=True)
        )
    with op.batch_alter_table("care_relationship") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
    _units_from_free_text()
    with op.batch_alter_table("care_relationship") as batch:
        batch.alter_column("unit_id", existing_type=sa.Integer(), nullable=False)
        batch.create_index(op.f("ix_care_relationship_unit_id"), ["unit_id"], unique=False)
        batch.create_foreign_key(
            _RELATIONSHIP_UNIT_FK, "care_unit", ["unit_id"], ["id"], ondelete="RESTRICT"
        )
        batch.drop_column("unit")


def downgrade() -> None:
    with op.batch_alter_table("care_relationship") as batch:
        batch.add_column(
            sa.Column("unit", sa.VARCHAR(length=160), nullable=False, server_default="")
        )
    op.execute(
        "UPDATE care_relationship SET unit = (SELECT name FROM care_unit"
        " WHERE care_unit.id = care_relationship.unit_id)"
    )
    with op.batch_alter_table("care_relationship") as batch:
        batch.drop_constraint(_RELATIONSHIP_UNIT_FK, type_="foreignkey")
        batch.drop_index(op.f("ix_care_relationship_unit_id"))
        batch.drop_column("unit_id")
    for table, column in reversed(_in_place_columns()):
        op.drop_column(table, column.name)
    for table, indexes in (
        ("agreed_time_answer", ("agreed_time_id", "resident_id")),
        ("resident_activation", ("resident_id",)),
        ("enrolment", ()),
        ("care_share", ("resident_id", "unit_id")),
        ("unit_membership", ("staff_id", "unit_id")),
        ("care_unit", ("name",)),
    ):
        for column in indexes:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
