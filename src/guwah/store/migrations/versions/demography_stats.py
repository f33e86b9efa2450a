"""stats: yearbook tables and their figures

Revision ID: demography_1
Revises: lists_1
Create Date: 2026-12-01 21:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "demography_1"
down_revision: str | None = "lists_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stat_tables",
        sa.Column("id", BigId, nullable=False),
        sa.Column("item_id", BigId, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=True),
        sa.Column("table_ref", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("sheet_index", sa.Integer(), nullable=True),
        sa.Column("page_no", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("layout", sa.String(length=64), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("footnotes", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("n_values", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stat_tables_item_id", "stat_tables", ["item_id"])
    op.create_index("ix_stat_tables_sha256", "stat_tables", ["sha256"])
    op.create_table(
        "stat_values",
        sa.Column("id", BigId, nullable=False),
        sa.Column(
            "table_id", BigId, sa.ForeignKey("stat_tables.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("region_raw", sa.Text(), nullable=True),
        sa.Column("region_code", sa.String(length=16), nullable=True),
        sa.Column("region_name", sa.Text(), nullable=True),
        sa.Column("region_method", sa.String(length=16), nullable=True),
        sa.Column("indicator", sa.String(length=48), nullable=True),
        sa.Column("indicator_raw", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit_printed", sa.String(length=16), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("scale", sa.Float(), nullable=True),
        sa.Column("base_value", sa.Float(), nullable=True),
        sa.Column("unit_origin", sa.String(length=8), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("col", sa.Integer(), nullable=False),
        sa.Column("problem", sa.String(length=24), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("where", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stat_values_table_id", "stat_values", ["table_id"])
    op.create_index("ix_stat_values_series", "stat_values", ["indicator", "region_code", "year"])


def downgrade() -> None:
    op.drop_table("stat_values")
    op.drop_table("stat_tables")
