"""Figures found by program and period end: what a write reads to check solved ≤ found. The
index on (program, date_end) also serves lookups by program alone, so it replaces that one.

Revision ID: 0003_figure_periods
Revises: 0002_accounts
Create Date: 2026-11-29
"""

from alembic import op

revision = "0003_figure_periods"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_figures_program_date_end"), "figures", ["program", "date_end"])
    op.drop_index(op.f("ix_figures_program"), table_name="figures")


def downgrade() -> None:
    op.create_index(op.f("ix_figures_program"), "figures", ["program"])
    op.drop_index(op.f("ix_figures_program_date_end"), table_name="figures")
