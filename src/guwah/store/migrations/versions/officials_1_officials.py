"""officials: mentions, officials, posts, units, document headers

Revision ID: officials_1
Revises: demography_1
Create Date: 2026-12-02 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "officials_1"
down_revision: str | None = "demography_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "official_units",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.Text(), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction", sa.Text(), nullable=False),
        sa.Column("parent_id", BigId, sa.ForeignKey("official_units.id"), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
    )
    op.create_index("ix_official_units_parent_id", "official_units", ["parent_id"])
    op.create_table(
        "officials",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False, unique=True),
        sa.Column("jurisdiction", sa.Text(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("n_mentions", sa.Integer(), nullable=False),
        sa.Column("n_documents", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_officials_name", "officials", ["name"])
    op.create_table(
        "official_mentions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("item_id", BigId, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("page_no", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("sheet_index", sa.Integer(), nullable=True),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("col", sa.Integer(), nullable=True),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("context_unit", sa.Text(), nullable=False),
        sa.Column("jurisdiction", sa.Text(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("doc_date", sa.String(length=10), nullable=True),
        sa.Column("official_id", BigId, sa.ForeignKey("officials.id"), nullable=True),
    )
    op.create_index("ix_official_mentions_item_id", "official_mentions", ["item_id"])
    op.create_index("ix_official_mentions_sha256", "official_mentions", ["sha256"])
    op.create_index("ix_official_mentions_name", "official_mentions", ["name"])
    op.create_index("ix_official_mentions_official_id", "official_mentions", ["official_id"])
    op.create_table(
        "official_posts",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "official_id",
            BigId,
            sa.ForeignKey("officials.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_id", BigId, sa.ForeignKey("official_units.id"), nullable=True),
        sa.Column("date_from", sa.String(length=10), nullable=True),
        sa.Column("date_to", sa.String(length=10), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
    )
    op.create_index("ix_official_posts_official_id", "official_posts", ["official_id"])
    op.create_table(
        "official_documents",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("item_id", BigId, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("page_no", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("copies", sa.JSON(), nullable=False),
        sa.Column("where", sa.JSON(), nullable=False),
    )
    op.create_index("ix_official_documents_item_id", "official_documents", ["item_id"])
    op.create_index("ix_official_documents_sha256", "official_documents", ["sha256"])


def downgrade() -> None:
    op.drop_table("official_documents")
    op.drop_table("official_posts")
    op.drop_table("official_mentions")
    op.drop_table("officials")
    op.drop_table("official_units")
