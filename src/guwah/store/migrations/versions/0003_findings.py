"""verify: findings, finding items, check runs, image hash cache

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", BigId, nullable=False),
        sa.Column("check", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("compared", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_findings_check"), ["check"], unique=False)
        batch_op.create_index(batch_op.f("ix_findings_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_findings_severity"), ["severity"], unique=False)

    op.create_table(
        "finding_items",
        sa.Column("id", BigId, nullable=False),
        sa.Column("finding_id", BigId, nullable=False),
        sa.Column("item_id", BigId, nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("finding_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_items_finding_id"), ["finding_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_finding_items_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_items_sha256"), ["sha256"], unique=False)

    op.create_table(
        "check_runs",
        sa.Column("id", BigId, nullable=False),
        sa.Column("check", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("n_findings", sa.Integer(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("distributions", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("check"),
    )
    op.create_table(
        "image_hashes",
        sa.Column("item_id", BigId, nullable=False),
        sa.Column("algo", sa.String(length=32), nullable=False),
        sa.Column("phash", sa.String(length=64), nullable=True),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("thumb_phash", sa.String(length=64), nullable=True),
        sa.Column("thumb_signature", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.PrimaryKeyConstraint("item_id"),
    )


def downgrade() -> None:
    op.drop_table("image_hashes")
    op.drop_table("check_runs")
    with op.batch_alter_table("finding_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_items_sha256"))
        batch_op.drop_index(batch_op.f("ix_finding_items_item_id"))
        batch_op.drop_index(batch_op.f("ix_finding_items_finding_id"))
    op.drop_table("finding_items")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_severity"))
        batch_op.drop_index(batch_op.f("ix_findings_kind"))
        batch_op.drop_index(batch_op.f("ix_findings_check"))
    op.drop_table("findings")
