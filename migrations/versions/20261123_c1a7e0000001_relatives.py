"""relatives: more proxy scopes, invitations

Revision ID: c1a7e0000001
Revises: 466eb21ba6d0
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

import naranara.models.types  # noqa: F401

revision: str = "c1a7e0000001"
down_revision: str | None = "466eb21ba6d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_OLD_SCOPES = ("CARE_PLAN", "SELF_CARE")
_NEW_SCOPES = ("MEASUREMENTS", "PROFILE", "REMINDERS", "MISSED_TASK_ALERTS")


def _widen_scope_column(names: tuple[str, ...]) -> None:
    """PostgreSQL has a native enum to add values to; SQLite a VARCHAR as long as the
    longest name, rebuilt by batch mode."""
    if op.get_bind().dialect.name == "postgresql":
        for name in names:
            op.execute(f"ALTER TYPE proxyscope ADD VALUE IF NOT EXISTS '{name}'")
        return
    with op.batch_alter_table("proxy_grant") as batch:
        batch.alter_column("scope", type_=sa.Enum(*names, name="proxyscope"))


# The audit log only grows: the database refuses to change or remove a row, whatever
# code asks. One change is let through: a deleted account's id becoming NULL (the
# foreign keys' ON DELETE SET NULL), so an account can still be erased.
_AUDIT_ROW_KEPT = (
    "NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.kind = OLD.kind"
    " AND NEW.detail = OLD.detail AND NEW.account_hash = OLD.account_hash"
    " AND NEW.client_hash = OLD.client_hash"
    " AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)"
    " AND (NEW.subject_id IS NULL OR NEW.subject_id IS NOT DISTINCT FROM OLD.subject_id)"
)
_REFUSAL = "audit_event rows are never changed or deleted"


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND {_AUDIT_ROW_KEPT} THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{_REFUSAL}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event"
            " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        return
    kept = _AUDIT_ROW_KEPT.replace("IS NOT DISTINCT FROM", "IS")
    op.execute(
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event"
        f" WHEN NOT ({kept}) BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event"
        f" BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
    )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def upgrade() -> None:
    _widen_scope_column(_OLD_SCOPES + _NEW_SCOPES)
    op.create_table(
        "proxy_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("scopes", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", naranara.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", naranara.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["resident_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["accepted_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_proxy_invitation_resident_id"), "proxy_invitation", ["resident_id"], unique=False
    )
    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_index(op.f("ix_proxy_invitation_resident_id"), table_name="proxy_invitation")
    op.drop_table("proxy_invitation")
    # PostgreSQL cannot drop enum values: grants in the new scopes go, the type stays wide.
    names = ", ".join(f"'{name}'" for name in _NEW_SCOPES)
    op.execute(f"DELETE FROM proxy_grant WHERE scope IN ({names})")
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table("proxy_grant") as batch:
            batch.alter_column("scope", type_=sa.Enum(*_OLD_SCOPES, name="proxyscope"))
