"""Review before publishing: submissions held until an approver publishes or returns them.

Revision ID: 0006_review
Revises: 0005_delivery
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_review"
down_revision = "0005_delivery"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitter", sa.String(length=64), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("replace", sa.JSON(), nullable=False),
        sa.Column("undo", sa.String(length=36), nullable=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("published", sa.String(length=36), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("reviewed_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("batch", name=op.f("uq_submissions_batch")),
    )
    op.create_index(op.f("ix_submissions_status"), "submissions", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_submissions_status"), table_name="submissions")
    op.drop_table("submissions")
