"""lists: imported list versions and their entities

Revision ID: lists_1
Revises: analyse_1
Create Date: 2026-12-01 21:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "lists_1"
down_revision: str | None = "analyse_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "list_versions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("as_of", sa.String(length=10), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("previous_id", BigId, nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["previous_id"], ["list_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("list_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_versions_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_versions_sha256"), ["sha256"], unique=False)
    op.create_table(
        "list_entities",
        sa.Column("id", BigId, nullable=False),
        sa.Column("version_id", BigId, nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("schema", sa.String(length=16), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["list_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("list_entities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_entities_version_id"), ["version_id"])
        batch_op.create_index(batch_op.f("ix_list_entities_entity_id"), ["entity_id"])
        batch_op.create_index(batch_op.f("ix_list_entities_schema"), ["schema"])


def downgrade() -> None:
    op.drop_table("list_entities")
    op.drop_table("list_versions")
