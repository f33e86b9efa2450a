"""analyse: census imports and counties, reason labels, violation-matrix decisions

Revision ID: analyse_1
Revises: access_1
Create Date: 2026-12-01 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "analyse_1"
down_revision: str | None = "access_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "census_imports",
        sa.Column("id", BigId, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("sheet", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("n_counties", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("custodian", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_census_imports_sha256", "census_imports", ["sha256"])
    op.create_table(
        "census_counties",
        sa.Column("id", BigId, nullable=False),
        sa.Column("import_id", BigId, nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("prefecture", sa.Text(), nullable=False),
        sa.Column("province", sa.Text(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("male", sa.Integer(), nullable=True),
        sa.Column("female", sa.Integer(), nullable=True),
        sa.Column("minority_share", sa.Float(), nullable=True),
        sa.Column("ages", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["census_imports.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_census_counties_import_id", "census_counties", ["import_id"])
    op.create_index("ix_census_counties_code", "census_counties", ["code"])
    op.create_table(
        "reason_labels",
        sa.Column("id", BigId, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reason_labels_reason", "reason_labels", ["reason"])
    op.create_table(
        "matrix_decisions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("category", sa.String(length=48), nullable=False),
        sa.Column("act", sa.String(length=4), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("matrix_decisions")
    op.drop_index("ix_reason_labels_reason", table_name="reason_labels")
    op.drop_table("reason_labels")
    op.drop_index("ix_census_counties_code", table_name="census_counties")
    op.drop_index("ix_census_counties_import_id", table_name="census_counties")
    op.drop_table("census_counties")
    op.drop_index("ix_census_imports_sha256", table_name="census_imports")
    op.drop_table("census_imports")
