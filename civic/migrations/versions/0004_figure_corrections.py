"""A figure may break its running total on purpose, a correction: the note saying why is kept
with it, so that the rules know the break was meant.

Revision ID: 0004_figure_corrections
Revises: 0003_figure_periods
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_figure_corrections"
down_revision = "0003_figure_periods"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("figures") as batch:
        batch.add_column(sa.Column("correction", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("figures") as batch:
        batch.drop_column("correction")
