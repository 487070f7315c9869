"""guidance workflow, versions and search

Revision ID: c1a5e0000002
Revises: c1a7e0000001
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import naranara.models.types

revision: str = "c1a5e0000002"
down_revision: str | None = "c1a7e0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite: a full-text table holding the published text, found through FTS5 with
# unicode61 folding case but keeping å, ä and ö apart from a, a and o (remove_diacritics 0).
# The search service writes to it whenever an article is published or taken down.
_SQLITE_SEARCH_TABLE = (
    "CREATE VIRTUAL TABLE guidance_search USING fts5("
    "title, summary, body, tokenize = 'unicode61 remove_diacritics 0')"
)
# PostgreSQL: the 'simple' configuration lowercases and neither stems nor folds accents.
# The expression is repeated verbatim in services/guidance_search.py, so the index is used.
_POSTGRES_SEARCH_INDEX = (
    "CREATE INDEX ix_guidance_article_search ON guidance_article USING gin ("
    "to_tsvector('simple', title || ' ' || summary || ' ' || body_markdown"
    " || ' ' || warning_markdown))"
)


def _dialect() -> str:
    return op.get_bind().dialect.name


def upgrade() -> None:
    # The old unique constraint (slug, locale) had no name: PostgreSQL's default name, and
    # on SQLite a name given through batch mode's naming convention.
    if _dialect() == "postgresql":
        op.drop_constraint("guidance_article_slug_locale_key", "guidance_article", type_="unique")
    with op.batch_alter_table(
        "guidance_article",
        naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"},
    ) as batch:
        if _dialect() == "sqlite":
            batch.drop_constraint("uq_guidance_article_slug", type_="unique")
        batch.add_column(
            sa.Column("easy_read", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(
            sa.Column(
                "warning_markdown",
                sqlmodel.sql.sqltypes.AutoString(),
                server_default="",
                nullable=False,
            )
        )
        batch.create_unique_constraint(
            "uq_guidance_article_variant", ["slug", "locale", "easy_read"]
        )

    op.create_table(
        "guidance_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("body_markdown", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("warning_markdown", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("reading_minutes", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("responsible_unit", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("last_editor_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("created_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("publish_at", naranara.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["guidance_article.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["last_editor_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "number"),
    )
    with op.batch_alter_table("guidance_version") as batch:
        batch.create_index(batch.f("ix_guidance_version_article_id"), ["article_id"])
        batch.create_index(batch.f("ix_guidance_version_status"), ["status"])
        batch.create_index(batch.f("ix_guidance_version_publish_at"), ["publish_at"])

    if _dialect() == "sqlite":
        op.execute(_SQLITE_SEARCH_TABLE)
        op.execute(
            "INSERT INTO guidance_search (rowid, title, summary, body)"
            " SELECT id, title, summary, body_markdown || ' ' || warning_markdown"
            " FROM guidance_article WHERE published_at IS NOT NULL"
        )
    else:
        op.execute(_POSTGRES_SEARCH_INDEX)


def downgrade() -> None:
    if _dialect() == "sqlite":
        op.execute("DROP TABLE guidance_search")
    else:
        op.execute("DROP INDEX ix_guidance_article_search")
    op.drop_table("guidance_version")
    # Easy-to-read variants have no place in the old schema.
    op.execute("DELETE FROM guidance_article WHERE easy_read")
    with op.batch_alter_table("guidance_article") as batch:
        batch.drop_constraint("uq_guidance_article_variant", type_="unique")
        batch.drop_column("warning_markdown")
        batch.drop_column("easy_read")
        # The names upgrade() drops: PostgreSQL's default, and SQLite's by the convention.
        batch.create_unique_constraint(
            "guidance_article_slug_locale_key"
            if _dialect() == "postgresql"
            else "uq_guidance_article_slug",
            ["slug", "locale"],
        )
